import { Construct } from "constructs";
import { MetaflowUsers } from "../modules/metaflow-users";
import { ExistingRole } from "../modules/role";
import { Scheduling } from "../modules/scheduling";
import { existingDatastore, schedulingInputs } from "./inputs";
import { ModuleStack } from "./module-stack";

/**
 * The scheduling area as a plain Terraform module: Step Functions and EventBridge roles scoped to the
 * environment's state machines, the DynamoDB table, the execution-history log group, and the managed
 * policy for the people who run Metaflow.
 */
export class SchedulingModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "Step Functions scheduling for Metaflow: roles, DynamoDB table, execution logs, and the users' policy");
    const naming = this.naming();
    const boundary = this.boundary();
    const text = (name: string, description: string) => this.input(name, { type: "string", description }).stringValue;
    // One queue (the compute module's); a literal list of it, so policies can add to the list.
    const queueArns = [text("job_queue_arn", "The Batch job queue state machines submit to (the compute module's job_queue_arn)")];
    const jobRole = new ExistingRole(this, "job-role", text("job_role_name", "The Batch job role's name (the compute module's job_role_name)"), text("job_role_arn", "The Batch job role's ARN (the compute module's job_role_arn)"));
    const datastore = existingDatastore(this, text("datastore_bucket_name", "The datastore bucket (the storage module's bucket_name)"), text("datastore_kms_key_arn", "The datastore's KMS key (the storage module's kms_key_arn)"), naming);
    const batch = { queueArns: queueArns, jobRole };

    const scheduling = new Scheduling(this, "scheduling", {
      naming,
      region: this.region,
      config: schedulingInputs(this),
      batch,
      datastore,
      permissionsBoundaryArn: boundary,
    });
    // The module always schedules (schedulingInputs sets enabled); the Step Functions side is there.
    const stepFunctions = scheduling.stepFunctions!;
    const users = new MetaflowUsers(this, "users", {
      naming,
      region: this.region,
      config: { access: "policy", principalArns: [] },
      batch,
      datastore,
      scheduling: stepFunctions,
      permissionsBoundaryArn: boundary,
    });

    this.output("step_functions_role_arn", stepFunctions.stepFunctionsRole.arn, "Role of Metaflow's state machines");
    this.output("eventbridge_role_arn", stepFunctions.eventBridgeRole.arn, "Role EventBridge uses to start scheduled runs");
    this.output("users_policy_arn", users.policy.arn, "Managed policy for the people who run Metaflow: attach it to their groups or roles");
    this.output("profile", scheduling.profile, "The scheduling keys of the Metaflow profile");
  }
}
