import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { equals, isTerraformCondition, onlyWhere } from "./condition";
import { concatLists, hcl, listExpression } from "./expression";
import { partitionFor } from "./partition";
import { SchedulingConfig } from "./config/scheduling-config";
import { BATCH_JOB_LOG_GROUP } from "./batch-roles";
import { IBatch } from "./compute";
import { Datastore } from "./datastore";
import { Naming } from "./naming";
import {
  BATCH_DESCRIBE, BATCH_REGISTER, BATCH_SUBMIT, BATCH_TERMINATE, EVENTS_SCHEDULE, IAM_PASS_ROLE, LOGS_READ, STATES_LIST,
  STATES_MANAGE,
} from "./perms";
import { PolicyPart, policyJson, statementsWhere } from "./policy";
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
}

/**
 * What the people who run Metaflow need, as one managed policy (reference §2): run and watch Batch jobs,
 * create and run state machines with the environment's prefix and their EventBridge schedules, pass
 * exactly the job (and Fargate execution), Step Functions and EventBridge roles, use the datastore, read job logs. With `access:
 * "role"`, also a role the configured principals may assume, with that policy attached.
 */
export class MetaflowUsers extends Construct {
  public readonly policy: IamPolicy;
  public readonly role?: Role;

  constructor(scope: Construct, id: string, props: MetaflowUsersProps) {
    super(scope, id);
    const { naming, batch, scheduling } = props;
    const partition = partitionFor(this, props.region);
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${props.region}:*:${resource}`;
    // Job definitions name the job role, and the Fargate execution role when a queue runs on Fargate.
    const roles = [
      batch.jobRole.arn,
      ...(batch.executionRoleArn ? [batch.executionRoleArn] : []),
      ...(scheduling ? [scheduling.stepFunctionsRole.arn, scheduling.eventBridgeRole.arn] : []),
    ];
    // Roles that exist only under a Terraform condition read null elsewhere: Terraform leaves those out.
    const mayBeAbsent = isTerraformCondition(batch.executionRoleWhere ?? true) || (scheduling !== undefined && isTerraformCondition(scheduling.where));
    const passable = mayBeAbsent ? listExpression(`compact(${hcl(roles)})`) : roles;

    const statements: PolicyPart[] = [
      { Sid: "SubmitJobs", Effect: "Allow", Action: BATCH_SUBMIT, Resource: concatLists(batch.queueArns, [arn("batch", "job-definition/*")]) },
      { Sid: "ManageJobs", Effect: "Allow", Action: [...BATCH_TERMINATE, ...BATCH_REGISTER], Resource: [arn("batch", "job/*"), arn("batch", "job-definition/*")] },
      // Batch's Describe calls have no resource-level permissions.
      { Sid: "DescribeJobs", Effect: "Allow", Action: BATCH_DESCRIBE, Resource: "*" },
      { Sid: "PassMetaflowRoles", Effect: "Allow", Action: IAM_PASS_ROLE, Resource: passable },
      { Sid: "ReadJobLogs", Effect: "Allow", Action: LOGS_READ, Resource: arn("logs", `log-group:${BATCH_JOB_LOG_GROUP}:*`) },
      ...props.datastore.readWriteStatements(),
    ];
    if (scheduling) {
      statements.push(...statementsWhere(scheduling.where, [
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
