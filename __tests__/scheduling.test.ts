import { readFileSync } from "fs";
import { join } from "path";
import { LOGS_DELIVERY_MANAGEMENT, STS_ASSUME_ROLE } from "../modules/perms";
import { synth } from "./support/synth";
import { entriesIn, entryIn, list, policyDoc, ref, resourcesIn } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();
const PRODUCTION = JSON.parse(readFileSync(join(__dirname, "..", "examples", "environments", "production.json"), "utf8"));
const UNSCHEDULED = { scheduling: { enabled: false } };

/** The three DynamoDB item actions Metaflow's foreach bookkeeping uses (reference §2: the complete set). */
const TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];

const trustOf = (role: Body) => policyDoc(role.assume_role_policy).Statement as Body[];

/**
 * Logical ids of every IAM role of the scheduling area whose trust names `service` (the metadata service's
 * restart-on-rotation machine has roles of its own for Step Functions and EventBridge, tested with it).
 */
function rolesTrustedBy(out: Out, service: string): string[] {
  return entriesIn(out, "aws_iam_role", "scheduling")
    .filter(([, r]) => trustOf(r).some((s) => list(s.Principal?.Service).includes(service)))
    .map(([id]) => id);
}

/** Logical id of the scheduling area's only role trusted by `service`. */
function roleTrustedBy(out: Out, service: string): string {
  const ids = rolesTrustedBy(out, service);
  if (ids.length !== 1) throw new Error(`expected one role trusted by ${service}, found ${ids.length}`);
  return ids[0];
}

/** Every statement of the inline policies of role `id`. */
function statementsOf(out: Out, id: string): Body[] {
  return out
    .resources("aws_iam_role_policy")
    .filter((p) => p.role === ref("aws_iam_role", id) || p.role === ref("aws_iam_role", id, "name"))
    .flatMap((p) => policyDoc(p.policy).Statement as Body[]);
}

/** Logical id of the Batch job role (the profile's METAFLOW_ECS_S3_ACCESS_IAM_ROLE). */
function jobRoleId(out: Out): string {
  const match = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(String(out.outputs.METAFLOW_ECS_S3_ACCESS_IAM_ROLE?.value));
  if (!match) throw new Error("METAFLOW_ECS_S3_ACCESS_IAM_ROLE is not a role ARN reference");
  return match[1];
}

const allowing = (statements: Body[], action: string) => statements.filter((s) => s.Effect === "Allow" && list(s.Action).includes(action));
/** Every resource any Allow statement grants `action` on. */
const resourcesFor = (statements: Body[], action: string) => sorted(allowing(statements, action).flatMap((s) => list(s.Resource)));
const actionsOf = (statements: Body[]) => statements.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)).map(String);

const profileKeys = (out: Out) => Object.keys(policyDoc(String(out.outputs.metaflow_profile_json.value)));
const SCHEDULING_KEY = /^METAFLOW_(SFN|EVENTS)_/;

describe("Step Functions DynamoDB table", () => {
  const out = synth();
  const [, table] = entryIn(out, "aws_dynamodb_table", "scheduling");

  test("the hash key is pathspec, declared as a string attribute", () => {
    expect(table.hash_key).toBe("pathspec");
    expect(list(table.attribute)).toEqual([{ name: "pathspec", type: "S" }]);
  });

  test("TTL is enabled on the attribute ttl", () => {
    expect(list(table.ttl)).toEqual([{ attribute_name: "ttl", enabled: true }]);
  });

  test("billing is on demand (PAY_PER_REQUEST)", () => {
    expect(table.billing_mode).toBe("PAY_PER_REQUEST");
  });

  test("server-side encryption is enabled", () => {
    expect((list(table.server_side_encryption)[0] as Body)?.enabled).toBe(true);
  });

  test("point-in-time recovery is on", () => {
    expect((list(table.point_in_time_recovery)[0] as Body)?.enabled).toBe(true);
  });

  test("deletion protection is on", () => {
    expect(table.deletion_protection_enabled).toBe(true);
  });

  test("it is the stack's only DynamoDB table", () => {
    expect(out.resources("aws_dynamodb_table")).toHaveLength(1);
  });

  test("the profile's METAFLOW_SFN_DYNAMO_DB_TABLE is its name", () => {
    const [tableId] = entryIn(out, "aws_dynamodb_table", "scheduling");
    expect(out.outputs.METAFLOW_SFN_DYNAMO_DB_TABLE.value).toBe(ref("aws_dynamodb_table", tableId, "name"));
  });
});

describe("Step Functions execution-history log group", () => {
  test("keeps events for the default 90 days", () => {
    expect(entryIn(synth(), "aws_cloudwatch_log_group", "scheduling")[1].retention_in_days).toBe(90);
  });

  test("keeps events for the configured executionLogRetentionDays", () => {
    const out = synth({ scheduling: { executionLogRetentionDays: 30 } });
    expect(entryIn(out, "aws_cloudwatch_log_group", "scheduling")[1].retention_in_days).toBe(30);
  });

  test("its ARN (with :*) is the profile's METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN", () => {
    const out = synth();
    const [groupId] = entryIn(out, "aws_cloudwatch_log_group", "scheduling");
    expect(out.outputs.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN.value).toBe(`${ref("aws_cloudwatch_log_group", groupId, "arn")}:*`);
  });
});

describe("Step Functions role", () => {
  const out = synth(PRODUCTION, "production");
  const prefix = out.stack.naming.stateMachinePrefix;
  const sfnRole = roleTrustedBy(out, "states.amazonaws.com");
  const statements = statementsOf(out, sfnRole);
  const batchArn = (resource: string) => `arn:aws:batch:eu-west-1:*:${resource}`;
  const [bucketId] = entryIn(out, "aws_s3_bucket", "storage");
  const [keyId] = entryIn(out, "aws_kms_key", "storage");
  const [tableId] = entryIn(out, "aws_dynamodb_table", "scheduling");
  const bucketArn = ref("aws_s3_bucket", bucketId, "arn");

  test("is the scheduling area's only role trusted by states.amazonaws.com", () => {
    expect(entriesIn(out, "aws_iam_role", "scheduling").map(([id]) => id)).toContain(sfnRole);
  });

  test("its trust is exactly sts:AssumeRole for states.amazonaws.com", () => {
    expect(trustOf(out.json.resource.aws_iam_role[sfnRole])).toEqual([
      { Effect: "Allow", Action: [...STS_ASSUME_ROLE], Principal: { Service: "states.amazonaws.com" } },
    ]);
  });

  test("the profile's METAFLOW_SFN_IAM_ROLE is its ARN", () => {
    expect(out.outputs.METAFLOW_SFN_IAM_ROLE.value).toBe(ref("aws_iam_role", sfnRole, "arn"));
  });

  test("batch:SubmitJob is granted on every job queue (production's three) and on job-definition/*, nothing else", () => {
    const queues = entriesIn(out, "aws_batch_job_queue", "compute").map(([id]) => ref("aws_batch_job_queue", id, "arn"));
    expect(queues).toHaveLength(3);
    expect(resourcesFor(statements, "batch:SubmitJob")).toEqual(sorted([...queues, batchArn("job-definition/*")]));
  });

  test("batch:DescribeJobs (what a .sync task polls) is granted on * only, and no other Describe call", () => {
    expect(resourcesFor(statements, "batch:DescribeJobs")).toEqual(["*"]);
    expect(actionsOf(statements).filter((a) => a.startsWith("batch:Describe"))).toEqual(["batch:DescribeJobs"]);
  });

  test("* resources carry only batch:DescribeJobs and the log-delivery actions", () => {
    const onStar = statements.filter((s) => list(s.Resource).includes("*")).flatMap((s) => list(s.Action)).map(String);
    for (const action of onStar) expect(action === "batch:DescribeJobs" || (LOGS_DELIVERY_MANAGEMENT as readonly string[]).includes(action)).toBe(true);
  });

  test("batch:TerminateJob and batch:TagResource (tags on submitted jobs) are granted on job/* only", () => {
    expect(resourcesFor(statements, "batch:TerminateJob")).toEqual([batchArn("job/*")]);
    expect(resourcesFor(statements, "batch:TagResource")).toEqual([batchArn("job/*")]);
  });

  test("batch:RegisterJobDefinition is not granted: job definitions are registered from the laptop at step-functions create", () => {
    expect(resourcesFor(statements, "batch:RegisterJobDefinition")).toEqual([]);
  });

  test("its Batch actions are exactly SubmitJob, DescribeJobs, TerminateJob and TagResource", () => {
    expect(sorted(actionsOf(statements).filter((a) => a.startsWith("batch:")))).toEqual(["batch:DescribeJobs", "batch:SubmitJob", "batch:TagResource", "batch:TerminateJob"]);
  });

  test.each(["events:PutTargets", "events:PutRule", "events:DescribeRule"])(
    "%s (the .sync managed rule) is granted on rule/StepFunctionsGetEventsForBatchJobsRule only",
    (action) => {
      expect(resourcesFor(statements, action)).toEqual(["arn:aws:events:eu-west-1:*:rule/StepFunctionsGetEventsForBatchJobsRule"]);
    },
  );

  test("no other EventBridge action is granted", () => {
    expect(sorted(actionsOf(statements).filter((a) => a.startsWith("events:")))).toEqual(["events:DescribeRule", "events:PutRule", "events:PutTargets"]);
  });

  test("every log-delivery action is granted", () => {
    for (const action of LOGS_DELIVERY_MANAGEMENT) expect(allowing(statements, action)).not.toHaveLength(0);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries"]));
  });

  test("the distributed-map actions are exactly StartExecution, DescribeExecution and StopExecution", () => {
    expect(sorted(actionsOf(statements).filter((a) => a.startsWith("states:")))).toEqual(["states:DescribeExecution", "states:StartExecution", "states:StopExecution"]);
  });

  test.each(["states:StartExecution", "states:DescribeExecution", "states:StopExecution"])(
    "%s is granted only on state machines and executions with the prefix",
    (action) => {
      expect(resourcesFor(statements, action)).toEqual(
        sorted([`arn:aws:states:eu-west-1:*:stateMachine:${prefix}_*`, `arn:aws:states:eu-west-1:*:execution:${prefix}_*:*`]),
      );
    },
  );

  test("it may not list the datastore bucket: nothing the state machine runs lists it", () => {
    expect(resourcesFor(statements, "s3:ListBucket")).toEqual([]);
  });

  test.each(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"])(
    "%s is granted only under the Distributed Map's result prefix (its ResultWriter and ItemReader)",
    (action) => {
      expect(resourcesFor(statements, action)).toEqual([`${bucketArn}/metaflow/sfn_distributed_map_output/*`]);
    },
  );

  test("it may not delete objects", () => {
    expect(resourcesFor(statements, "s3:DeleteObject")).toEqual([]);
  });

  test.each(["kms:Decrypt", "kms:GenerateDataKey"])("%s is granted on the datastore key only", (action) => {
    expect(resourcesFor(statements, action)).toEqual([ref("aws_kms_key", keyId, "arn")]);
  });

  test("its only DynamoDB action is GetItem (the foreach cardinality), on the Step Functions table", () => {
    expect(sorted(actionsOf(statements).filter((a) => a.startsWith("dynamodb:")))).toEqual(["dynamodb:GetItem"]);
    expect(resourcesFor(statements, "dynamodb:GetItem")).toEqual([ref("aws_dynamodb_table", tableId, "arn")]);
  });
});

describe("Job role and the Step Functions table", () => {
  const out = synth();
  const statements = statementsOf(out, jobRoleId(out));
  const [tableId] = entryIn(out, "aws_dynamodb_table", "scheduling");

  test("its DynamoDB actions are exactly PutItem, GetItem and UpdateItem", () => {
    expect(sorted(actionsOf(statements).filter((a) => a.startsWith("dynamodb:")))).toEqual(TABLE_ACTIONS);
  });

  test.each(TABLE_ACTIONS)("%s is granted on the Step Functions table only", (action) => {
    expect(resourcesFor(statements, action)).toEqual([ref("aws_dynamodb_table", tableId, "arn")]);
  });
});

describe("EventBridge role", () => {
  const out = synth();
  const prefix = out.stack.naming.stateMachinePrefix;
  const eventsRole = roleTrustedBy(out, "events.amazonaws.com");
  const statements = statementsOf(out, eventsRole);

  test("is built by scheduling", () => {
    expect(entriesIn(out, "aws_iam_role", "scheduling").map(([id]) => id)).toContain(eventsRole);
  });

  test("its trust is exactly sts:AssumeRole for events.amazonaws.com", () => {
    expect(trustOf(out.json.resource.aws_iam_role[eventsRole])).toEqual([
      { Effect: "Allow", Action: [...STS_ASSUME_ROLE], Principal: { Service: "events.amazonaws.com" } },
    ]);
  });

  test("its only action is states:StartExecution", () => {
    expect([...new Set(actionsOf(statements))]).toEqual(["states:StartExecution"]);
  });

  test("states:StartExecution is granted on stateMachine:<prefix>* only", () => {
    expect(resourcesFor(statements, "states:StartExecution")).toEqual([`arn:aws:states:us-east-1:*:stateMachine:${prefix}_*`]);
  });

  test("it has no Deny or managed policies to widen it", () => {
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    expect(out.resources("aws_iam_role_policy_attachment").filter((a) => a.role === ref("aws_iam_role", eventsRole, "name"))).toEqual([]);
  });

  test("the profile's METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE is its ARN", () => {
    expect(out.outputs.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE.value).toBe(ref("aws_iam_role", eventsRole, "arn"));
  });
});

describe("State machine prefix", () => {
  test("the scheduling construct takes it from the naming helper", () => {
    const out = synth(PRODUCTION, "production");
    expect(out.stack.deployment.scheduling.stepFunctions?.stateMachinePrefix).toBe(out.stack.naming.stateMachinePrefix);
  });

  test("the profile's METAFLOW_SFN_STATE_MACHINE_PREFIX is the naming helper's prefix", () => {
    const out = synth(PRODUCTION, "production");
    expect(out.outputs.METAFLOW_SFN_STATE_MACHINE_PREFIX.value).toBe(out.stack.naming.stateMachinePrefix);
  });

  test("it differs between environments, so one environment's IAM does not cover another's state machines", () => {
    expect(synth({}, "dev").stack.naming.stateMachinePrefix).not.toBe(synth({}, "prod").stack.naming.stateMachinePrefix);
  });
});

describe("Scheduling off", () => {
  const out = synth(UNSCHEDULED);

  test("the DynamoDB table stays, at the same address, so turning scheduling off and on never replaces it", () => {
    const on = synth();
    expect(Object.keys(out.json.resource.aws_dynamodb_table)).toEqual(Object.keys(on.json.resource.aws_dynamodb_table));
    expect(out.resource("aws_dynamodb_table")).toEqual(on.resource("aws_dynamodb_table"));
  });

  test("scheduling has no role trusted by states.amazonaws.com", () => {
    expect(rolesTrustedBy(out, "states.amazonaws.com")).toEqual([]);
  });

  test("scheduling has no role trusted by events.amazonaws.com", () => {
    expect(rolesTrustedBy(out, "events.amazonaws.com")).toEqual([]);
  });

  test("there is no execution-history log group", () => {
    expect(resourcesIn(out, "aws_cloudwatch_log_group", "scheduling")).toEqual([]);
    expect(out.resources("aws_cloudwatch_log_group").filter((g) => String(g.name).includes("step-functions"))).toEqual([]);
  });

  test("the job role has no DynamoDB grant", () => {
    expect(actionsOf(statementsOf(out, jobRoleId(out))).filter((a) => a.startsWith("dynamodb:"))).toEqual([]);
  });

  test("no METAFLOW_SFN_* or METAFLOW_EVENTS_* output exists", () => {
    expect(Object.keys(out.outputs).filter((k) => SCHEDULING_KEY.test(k))).toEqual([]);
  });

  test("metaflow_profile_json has no METAFLOW_SFN_* or METAFLOW_EVENTS_* key", () => {
    expect(profileKeys(out).filter((k) => SCHEDULING_KEY.test(k))).toEqual([]);
  });

  test("the checks above are not vacuous: with scheduling on, those keys are in both", () => {
    const on = synth();
    const expected = ["METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE", "METAFLOW_SFN_DYNAMO_DB_TABLE", "METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN", "METAFLOW_SFN_IAM_ROLE", "METAFLOW_SFN_STATE_MACHINE_PREFIX"];
    expect(Object.keys(on.outputs).filter((k) => SCHEDULING_KEY.test(k)).sort()).toEqual(expected);
    expect(profileKeys(on).filter((k) => SCHEDULING_KEY.test(k)).sort()).toEqual(expected);
  });
});
