import { Construct } from "constructs";
import { equals, not, onlyWhere, TerraformCondition } from "../modules/condition";
import { rawExpression } from "../modules/expression";
import { MetaflowUsers } from "../modules/metaflow-users";
import { ExistingRole } from "../modules/role";
import { Scheduling } from "../modules/scheduling";
import { existingDatastore } from "./inputs/common";
import { schedulingInputs } from "./inputs/scheduling";
import { ModuleStack } from "./module-stack";

/**
 * The scheduling area as a plain Terraform module: Step Functions and EventBridge roles scoped to the
 * environment's state machines, the DynamoDB table, the execution-history log group, and the managed
 * policy (and optionally a role) for the people who run Metaflow.
 */
export class SchedulingModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "Step Functions scheduling for Metaflow: roles, DynamoDB table, execution logs, and the users' policy or role");
    const naming = this.naming();
    const boundary = this.boundary();
    const text = (name: string, description: string) => this.input(name, { type: "string", description }).stringValue;
    const queueArns = this.input("job_queue_arns", {
      type: "list(string)",
      description: "The Batch job queues state machines and users submit to (the compute module's job_queue_arns)",
    }).listValue;
    const executionRoleArn = this.input("execution_role_arn", {
      type: "string",
      description: "The Fargate execution role users may pass (the compute module's execution_role_arn; null without Fargate)",
      default: null,
    }).stringValue;
    const jobRole = new ExistingRole(this, "job-role", text("job_role_name", "The Batch job role's name (the compute module's job_role_name)"), text("job_role_arn", "The Batch job role's ARN (the compute module's job_role_arn)"));
    const kmsKeyArn = this.input("datastore_kms_key_arn", { type: "string", description: "The datastore's KMS key (the storage module's kms_key_arn); null for SSE-S3", default: null }).stringValue;
    const datastore = existingDatastore(this, text("datastore_bucket_name", "The datastore bucket (the storage module's bucket_name)"), kmsKeyArn, naming);
    const batch = { queueArns, jobRole, executionRoleArn, executionRoleWhere: new TerraformCondition(rawExpression("var.execution_role_arn != null")) };

    const config = schedulingInputs(this);
    const scheduling = new Scheduling(this, "scheduling", { naming, region: this.region, config, batch, datastore, permissionsBoundaryArn: boundary });
    const stepFunctions = scheduling.stepFunctions!;
    const users = onlyWhere(this, not(equals(config.users.access, "none")), () =>
      new MetaflowUsers(this, "users", { naming, region: this.region, config: config.users, batch, datastore, scheduling: stepFunctions, permissionsBoundaryArn: boundary }),
    )!;

    this.output("step_functions_role_arn", stepFunctions.stepFunctionsRole.arn, "Role of Metaflow's state machines (null with scheduling_enabled false)");
    this.output("eventbridge_role_arn", stepFunctions.eventBridgeRole.arn, "Role EventBridge uses to start scheduled runs (null with scheduling_enabled false)");
    this.output("users_policy_arn", users.policy.arn, "Managed policy for the people who run Metaflow: attach it to their groups or roles (null with users_access \"none\")");
    this.output("users_role_arn", users.role!.arn, "Role users_principal_arns assume to run Metaflow (null unless users_access is \"role\")");
    this.output("profile", scheduling.profile, "The scheduling keys of the Metaflow profile (null values with scheduling_enabled false)");
  }
}
