import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Arns } from "./arns";
import { equals, isTerraformCondition, onlyWhere } from "./condition";
import { concatLists, hcl, listExpression } from "./expression";
import { SchedulingConfig } from "./config/scheduling-config";
import { BATCH_JOB_LOG_GROUP } from "./batch-roles";
import { IBatch } from "./compute";
import { Datastore } from "./datastore";
import { Naming } from "./naming";
import {
  BATCH_DESCRIBE, BATCH_LIST, BATCH_REGISTER, BATCH_SUBMIT, BATCH_TAG, BATCH_TERMINATE, EVENTS_SCHEDULE, IAM_PASS_ROLE, LOGS_READ,
  STATES_LIST, STATES_MANAGE,
} from "./perms";
import { PolicyPart, PolicyStatement, policyJson, statementsWhere } from "./policy";
import { Role } from "./role";
import { StepFunctionsAccess } from "./scheduling";

export interface MetaflowUsersProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: SchedulingConfig["users"];
  readonly batch: IBatch;
  readonly datastore: Datastore;
  /** Undefined when scheduling is off: then the policy covers Batch and the datastore only. */
  readonly scheduling?: StepFunctionsAccess;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs */
  readonly accountId?: string;
}

/**
 * The services a role may be passed to (`iam:PassedToService`). A job definition names the job role and
 * the Fargate execution role, which ECS tasks assume; Batch's documentation does not say which of the two
 * services the PassRole check names at RegisterJobDefinition, so both are allowed (the roles trust only
 * ecs-tasks.amazonaws.com either way).
 */
const PASSED_TO_BATCH = ["batch.amazonaws.com", "ecs-tasks.amazonaws.com"];

/**
 * What the people who run Metaflow need, as one managed policy: the calls Metaflow's client makes
 * (batch_client.py, step_functions_client.py, event_bridge_client.py, metaflow.S3; docs/iam.md traces each)
 * to run, list and kill Batch jobs, create and run state machines with the environment's prefix and their
 * EventBridge schedules, pass exactly the job (and Fargate execution), Step Functions and EventBridge roles,
 * each only to the service that uses it, use the datastore (and delete from it, by hand), and read job
 * containers' logs. With `access: "role"`, also a role the configured principals may assume, with that
 * policy attached.
 */
export class MetaflowUsers extends Construct {
  public readonly policy: IamPolicy;
  public readonly role?: Role;

  constructor(scope: Construct, id: string, props: MetaflowUsersProps) {
    super(scope, id);
    const { naming, batch, scheduling } = props;
    const arns = Arns.for(this, props.region, props.accountId);
    const arn = (service: string, resource: string) => arns.of(service, resource);
    const passTo = (sid: string, roles: readonly string[], services: readonly string[]): PolicyStatement => ({
      Sid: sid,
      Effect: "Allow",
      Action: IAM_PASS_ROLE,
      // A literal list, or a Terraform list (spreading a list token would break it).
      Resource: roles as string[],
      Condition: { StringEquals: { "iam:PassedToService": services.length === 1 ? services[0] : [...services] } },
    });
    // Job definitions name the job role, and the Fargate execution role when a queue runs on Fargate.
    const jobRoles = [batch.jobRole.arn, ...(batch.executionRoleArn ? [batch.executionRoleArn] : [])];
    // A role that exists only under a Terraform condition reads null elsewhere: Terraform leaves it out.
    const passable = isTerraformCondition(batch.executionRoleWhere ?? true) ? listExpression(`compact(${hcl(jobRoles)})`) : jobRoles;

    const statements: PolicyPart[] = [
      { Sid: "SubmitJobs", Effect: "Allow", Action: BATCH_SUBMIT, Resource: concatLists(batch.queueArns, [arn("batch", "job-definition/*")]) },
      { Sid: "RegisterJobDefinitions", Effect: "Allow", Action: BATCH_REGISTER, Resource: arn("batch", "job-definition/*") },
      { Sid: "StopAndTagJobs", Effect: "Allow", Action: [...BATCH_TERMINATE, ...BATCH_TAG], Resource: [arn("batch", "job/*"), arn("batch", "job-definition/*")] },
      // Batch's Describe and List calls have no resource-level permissions.
      { Sid: "DescribeAndListJobs", Effect: "Allow", Action: [...BATCH_DESCRIBE, ...BATCH_LIST], Resource: "*" },
      passTo("PassJobRoles", passable, PASSED_TO_BATCH),
      // A job container's own output, for a job that fails before Metaflow's logging starts (an image pull, say).
      { Sid: "ReadJobLogs", Effect: "Allow", Action: LOGS_READ, Resource: arn("logs", `log-group:${BATCH_JOB_LOG_GROUP}:*`) },
      ...props.datastore.readWriteStatements({ delete: true }),
    ];
    if (scheduling) {
      statements.push(...statementsWhere(scheduling.where, [
        passTo("PassStepFunctionsRole", [scheduling.stepFunctionsRole.arn], ["states.amazonaws.com"]),
        passTo("PassEventBridgeRole", [scheduling.eventBridgeRole.arn], ["events.amazonaws.com"]),
        {
          Sid: "StateMachines",
          Effect: "Allow",
          Action: STATES_MANAGE,
          Resource: [arn("states", `stateMachine:${scheduling.stateMachinePrefix}_*`), arn("states", `execution:${scheduling.stateMachinePrefix}_*:*`)],
        },
        // Listing state machines has no resource-level permission.
        { Sid: "ListStateMachines", Effect: "Allow", Action: STATES_LIST, Resource: "*" },
        // `@schedule` rules are named after the state machine.
        { Sid: "Schedules", Effect: "Allow", Action: EVENTS_SCHEDULE, Resource: arn("events", `rule/${scheduling.stateMachinePrefix}_*`) },
      ]));
    }
    this.policy = new IamPolicy(this, "policy", {
      name: naming.iamPolicy("metaflow-users"),
      description: `Run Metaflow flows on ${naming.base}: Batch, Step Functions, the datastore`,
      policy: policyJson(statements),
    });

    this.role = onlyWhere(this, equals(props.config.access, "role"), () => {
      const role = new Role(this, "role", {
        name: naming.iamRole("metaflow-users"),
        assumedBy: { awsPrincipals: props.config.principalArns },
        description: `People who run Metaflow flows on ${naming.base}`,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
      role.attachManagedPolicy("metaflow-users", this.policy.arn);
      return role;
    });
  }
}
