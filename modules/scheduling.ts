import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Arns } from "./arns";
import { choose, Condition, isTrue, onlyWhere } from "./condition";
import { concatLists } from "./expression";
import { SchedulingConfig } from "./config/scheduling-config";
import { IBatch } from "./compute";
import { Datastore } from "./datastore";
import { Naming } from "./naming";
import {
  BATCH_DESCRIBE_JOBS, BATCH_SUBMIT, BATCH_TAG, BATCH_TERMINATE, DYNAMODB_GET_ITEM, DYNAMODB_ITEMS, EVENTS_SYNC_RULE,
  LOGS_DELIVERY_MANAGEMENT, STATES_EXECUTE, STATES_START,
} from "./perms";
import { PolicyStatement } from "./policy";
import { IRole, Role } from "./role";

export interface SchedulingProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: SchedulingConfig;
  readonly batch: IBatch;
  readonly datastore: Datastore;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs and no source-account trust conditions */
  readonly accountId?: string;
}

/** The rule Step Functions manages for `.sync` Batch integrations. */
const SYNC_RULE = "StepFunctionsGetEventsForBatchJobsRule";

/** The Step Functions side of scheduling, which exists only while `scheduling.enabled` is on. */
export interface StepFunctionsAccess {
  /** The role Metaflow's state machines run as (METAFLOW_SFN_IAM_ROLE). */
  readonly stepFunctionsRole: Role;
  /** The role EventBridge uses to start scheduled runs (METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE). */
  readonly eventBridgeRole: Role;
  readonly executionLogs: CloudwatchLogGroup;
  /** METAFLOW_SFN_STATE_MACHINE_PREFIX: state machines and their rules are named `<prefix>_<flow>`. */
  readonly stateMachinePrefix: string;
  /** Where it exists: always, or where a Terraform condition holds (a module's `scheduling_enabled`). */
  readonly where: Condition;
}

/**
 * What `python flow.py step-functions create` and `@schedule` need (reference §2): the DynamoDB table
 * Metaflow's foreach joins use (hash key `pathspec`, TTL on `ttl`, on demand, KMS-encrypted, point-in-time
 * recovery), and, while scheduling is on, the state machines' role, the role EventBridge uses to start
 * them, and the execution-history log group, all scoped to state machines named with the environment's
 * prefix. Turning scheduling off removes the roles and the log group but keeps the table: it is protected
 * data (deletion protection, and the plan gate blocks deleting it), it costs nothing while idle (on
 * demand, empty), and turning scheduling on again finds it as it was, so either change is one apply.
 */
export class Scheduling extends Construct {
  public readonly table: DynamodbTable;
  /** Undefined while scheduling is off. */
  public readonly stepFunctions?: StepFunctionsAccess;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    const { naming } = props;

    this.table = new DynamodbTable(this, "table", {
      name: naming.dynamoTable("step-functions"),
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pathspec",
      attribute: [{ name: "pathspec", type: "S" }],
      ttl: { attributeName: "ttl", enabled: true },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
    });
    const enabled = isTrue(props.config.enabled);
    this.stepFunctions = onlyWhere(this, enabled, () => this.stepFunctionsAccess(props, enabled));
  }

  private stepFunctionsAccess(props: SchedulingProps, where: Condition): StepFunctionsAccess {
    const { naming, batch } = props;
    const arns = Arns.for(this, props.region, props.accountId);
    const arn = (service: string, resource: string) => arns.of(service, resource);
    const stateMachinePrefix = naming.stateMachinePrefix;
    const stateMachines = arn("states", `stateMachine:${stateMachinePrefix}_*`);
    const executions = arn("states", `execution:${stateMachinePrefix}_*:*`);

    const executionLogs = new CloudwatchLogGroup(this, "execution-logs", {
      name: naming.vendedLogGroup("step-functions"),
      retentionInDays: props.config.executionLogRetentionDays,
    });

    const stepFunctionsRole = new Role(this, "step-functions-role", {
      name: naming.iamRole("step-functions"),
      assumedBy: "states.amazonaws.com",
      description: "Metaflow state machines: submit and watch Batch jobs, the foreach table, execution logs",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      trustConditions: arns.trustConditions("states.amazonaws.com", stateMachines),
    });
    // What the state machines step-functions create makes call (step_functions.py): submitJob.sync (submit,
    // watch, stop on abort; tags with METAFLOW_BATCH_EMIT_TAGS), the foreach cardinality (dynamodb:getItem),
    // execution-history logging, and a Distributed Map's children and results. Job definitions are
    // registered from the laptop at create time, never by the state machine.
    const statements: PolicyStatement[] = [
      {
        Sid: "SubmitJobs",
        Effect: "Allow",
        Action: BATCH_SUBMIT,
        Resource: concatLists(batch.queueArns, [arn("batch", "job-definition/*")]),
      },
      // DescribeJobs has no resource-level permissions.
      { Sid: "WatchJobs", Effect: "Allow", Action: BATCH_DESCRIBE_JOBS, Resource: "*" },
      { Sid: "StopAndTagJobs", Effect: "Allow", Action: [...BATCH_TERMINATE, ...BATCH_TAG], Resource: arn("batch", "job/*") },
      { Sid: "BatchSyncRule", Effect: "Allow", Action: EVENTS_SYNC_RULE, Resource: arn("events", `rule/${SYNC_RULE}`) },
      // Vended-log delivery APIs accept only "*" (AWS's Step Functions logging documentation).
      { Sid: "ExecutionLogDelivery", Effect: "Allow", Action: LOGS_DELIVERY_MANAGEMENT, Resource: "*" },
      // Distributed map: a state machine starts and watches child executions of itself.
      { Sid: "DistributedMap", Effect: "Allow", Action: STATES_EXECUTE, Resource: [stateMachines, executions] },
    ];
    stepFunctionsRole.addPolicy("step-functions", statements);
    props.datastore.grantDistributedMapResults(stepFunctionsRole);
    stepFunctionsRole.addPolicy("step-functions-table", [{ Sid: "ForeachCardinality", Effect: "Allow", Action: DYNAMODB_GET_ITEM, Resource: this.table.arn }]);
    this.grantTable(batch.jobRole);

    const eventBridgeRole = new Role(this, "eventbridge-role", {
      name: naming.iamRole("eventbridge"),
      assumedBy: "events.amazonaws.com",
      description: "EventBridge starts scheduled Metaflow state machines (@schedule)",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      // @schedule names each rule after its state machine: `<prefix>_<flow>`.
      trustConditions: arns.trustConditions("events.amazonaws.com", arn("events", `rule/${stateMachinePrefix}_*`)),
    });
    eventBridgeRole.addPolicy("start-executions", [
      { Sid: "StartExecutions", Effect: "Allow", Action: STATES_START, Resource: stateMachines },
    ]);
    return { stepFunctionsRole, eventBridgeRole, executionLogs, stateMachinePrefix, where };
  }

  /** Put, Get and UpdateItem on the table: what Metaflow's foreach bookkeeping does from a job. */
  public grantTable(role: IRole): void {
    role.addPolicy("step-functions-table", [{ Sid: "ForeachTable", Effect: "Allow", Action: DYNAMODB_ITEMS, Resource: this.table.arn }]);
  }

  /** The scheduling keys of the Metaflow profile (reference §1); none while scheduling is off. */
  public get profile(): Record<string, string> {
    const sfn = this.stepFunctions;
    if (!sfn) return {};
    return {
      METAFLOW_SFN_IAM_ROLE: sfn.stepFunctionsRole.arn,
      METAFLOW_SFN_STATE_MACHINE_PREFIX: sfn.stateMachinePrefix,
      METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: sfn.eventBridgeRole.arn,
      METAFLOW_SFN_DYNAMO_DB_TABLE: this.table.name,
      // Step Functions' logging destination wants the group ARN with its `:*` suffix. In a module the
      // group may be absent, and a null ARN cannot go into a string template: the key is null there.
      METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN: choose(sfn.where, `${sfn.executionLogs.arn}:*`, null as unknown as string),
    };
  }
}
