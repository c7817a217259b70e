import { BATCH_JOB_LOG_GROUP } from "../modules/batch-roles";
import { STS_ASSUME_ROLE } from "../modules/perms";
import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";
import { entriesIn, entryIn, list, policyDoc, ref, resourcesIn } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();
const PRINCIPALS = ["arn:aws:iam::123456789012:role/data-scientists", "arn:aws:iam::210987654321:root"];
const WITH_ROLE = { scheduling: { users: { access: "role", principalArns: PRINCIPALS } } };

/** The statements of the users' managed policy. */
const policyStatements = (out: Out) => policyDoc(entryIn(out, "aws_iam_policy", "users")[1].policy).Statement as Body[];
const allowing = (statements: Body[], action: string) => statements.filter((s) => s.Effect === "Allow" && list(s.Action).includes(action));
const resourcesFor = (statements: Body[], action: string) => sorted(allowing(statements, action).flatMap((s) => list(s.Resource)));
const actionsOf = (statements: Body[]) => statements.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)).map(String);

/** `${aws_iam_role.<id>.arn}` of the profile output `key` (a role ARN). */
const roleArnOutput = (out: Out, key: string) => String(out.outputs[key]?.value);

/** The client calls of reference §2 for the people who run Metaflow. */
const BATCH_CALLS = [
  "batch:DescribeJobs", "batch:DescribeJobDefinitions", "batch:DescribeJobQueues", "batch:DescribeComputeEnvironments", "batch:ListJobs",
  "batch:SubmitJob", "batch:TerminateJob", "batch:RegisterJobDefinition",
];
const STATES_CALLS = [
  "states:ListStateMachines", "states:CreateStateMachine", "states:UpdateStateMachine", "states:DescribeStateMachine",
  "states:DeleteStateMachine", "states:StartExecution", "states:ListExecutions", "states:StopExecution",
];
const EVENTS_CALLS = ["events:PutRule", "events:PutTargets", "events:DisableRule", "events:RemoveTargets", "events:DeleteRule"];

describe('Metaflow users, access "policy" (the default)', () => {
  const out = synth();
  const statements = policyStatements(out);
  const prefix = out.stack.naming.stateMachinePrefix;
  const [bucketId] = entryIn(out, "aws_s3_bucket", "storage");
  const [keyId] = entryIn(out, "aws_kms_key", "storage");
  const bucketArn = ref("aws_s3_bucket", bucketId, "arn");

  test("there is exactly one managed policy for users", () => {
    expect(resourcesIn(out, "aws_iam_policy", "users")).toHaveLength(1);
  });

  test("the policy has only Allow statements", () => {
    for (const s of statements) expect(s.Effect).toBe("Allow");
  });

  test.each([...BATCH_CALLS, ...STATES_CALLS, ...EVENTS_CALLS])("it grants %s", (action) => {
    expect(allowing(statements, action)).not.toHaveLength(0);
  });

  test("batch:SubmitJob is granted on the job queues and job definitions, not on *", () => {
    const queues = entriesIn(out, "aws_batch_job_queue", "compute").map(([id]) => ref("aws_batch_job_queue", id, "arn"));
    expect(resourcesFor(statements, "batch:SubmitJob")).toEqual(sorted([...queues, "arn:aws:batch:us-east-1:*:job-definition/*"]));
  });

  test.each(STATES_CALLS.filter((a) => a !== "states:ListStateMachines"))("%s is scoped to the state-machine prefix", (action) => {
    const resources = resourcesFor(statements, action);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) expect(r).toMatch(new RegExp(`^arn:aws:states:us-east-1:\\*:(stateMachine|execution):${prefix}_\\*`));
  });

  test.each(EVENTS_CALLS)("%s is scoped to rules with the state-machine prefix", (action) => {
    expect(resourcesFor(statements, action)).toEqual([`arn:aws:events:us-east-1:*:rule/${prefix}_*`]);
  });

  test("it may list the datastore bucket", () => {
    expect(resourcesFor(statements, "s3:ListBucket")).toEqual([bucketArn]);
  });

  test.each(["s3:GetObject", "s3:PutObject"])("%s is granted on the datastore's objects", (action) => {
    expect(resourcesFor(statements, action)).toEqual([`${bucketArn}/*`]);
  });

  test.each(["kms:Decrypt", "kms:GenerateDataKey"])("%s is granted on the datastore key only", (action) => {
    expect(resourcesFor(statements, action)).toEqual([ref("aws_kms_key", keyId, "arn")]);
  });

  test("batch:ListJobs (batch list, batch kill) is granted on * (it has no resource-level permission)", () => {
    expect(resourcesFor(statements, "batch:ListJobs")).toEqual(["*"]);
  });

  test("batch:RegisterJobDefinition is granted on job definitions only", () => {
    expect(resourcesFor(statements, "batch:RegisterJobDefinition")).toEqual(["arn:aws:batch:us-east-1:*:job-definition/*"]);
  });

  test("people may delete the datastore's objects (cleaning up by hand), and only its objects", () => {
    expect(resourcesFor(statements, "s3:DeleteObject")).toEqual([`${bucketArn}/*`]);
  });

  test("states:DescribeExecution is not granted: Metaflow's client never calls it", () => {
    expect(allowing(statements, "states:DescribeExecution")).toEqual([]);
  });

  test.each([
    ["the job role", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", ["batch.amazonaws.com", "ecs-tasks.amazonaws.com"]],
    ["the Step Functions role", "METAFLOW_SFN_IAM_ROLE", "states.amazonaws.com"],
    ["the EventBridge role", "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE", "events.amazonaws.com"],
  ])("%s may be passed only to the service that uses it (iam:PassedToService)", (_name, key, services) => {
    const passing = allowing(statements, "iam:PassRole").filter((s) => list(s.Resource).includes(roleArnOutput(out, key)));
    expect(passing).toHaveLength(1);
    expect(passing[0].Condition).toEqual({ StringEquals: { "iam:PassedToService": services } });
  });

  test("every iam:PassRole statement carries an iam:PassedToService condition", () => {
    const passing = allowing(statements, "iam:PassRole");
    expect(passing.length).toBe(3);
    for (const s of passing) expect(Object.keys(s.Condition?.StringEquals ?? {})).toEqual(["iam:PassedToService"]);
  });

  test("logs:GetLogEvents is granted on the Batch job log group only", () => {
    expect(resourcesFor(statements, "logs:GetLogEvents")).toEqual([`arn:aws:logs:us-east-1:*:log-group:${BATCH_JOB_LOG_GROUP}:*`]);
  });

  test("iam:PassRole is limited to exactly the job, Step Functions and EventBridge roles", () => {
    const expected = ["METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_SFN_IAM_ROLE", "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE"].map((k) => roleArnOutput(out, k));
    for (const arn of expected) expect(arn).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
    expect(resourcesFor(statements, "iam:PassRole")).toEqual(sorted(expected));
  });

  test("no IAM action other than iam:PassRole is granted", () => {
    expect([...new Set(actionsOf(statements).filter((a) => a.startsWith("iam:")))]).toEqual(["iam:PassRole"]);
  });

  test("no action is a wildcard", () => {
    expect(actionsOf(statements).filter((a) => a.includes("*"))).toEqual([]);
  });

  test("no role is created for users", () => {
    expect(resourcesIn(out, "aws_iam_role", "users")).toEqual([]);
    expect(out.outputs.metaflow_users_role_arn).toBeUndefined();
  });

  test("the output metaflow_users_policy_arn is the policy's ARN", () => {
    const [policyId] = entryIn(out, "aws_iam_policy", "users");
    expect(out.outputs.metaflow_users_policy_arn?.value).toBe(ref("aws_iam_policy", policyId, "arn"));
  });
});

describe('Metaflow users, access "none"', () => {
  const out = synth({ scheduling: { users: { access: "none" } } });

  test("there is no users policy", () => {
    expect(resourcesIn(out, "aws_iam_policy", "users")).toEqual([]);
  });

  test("there is no metaflow_users_policy_arn output", () => {
    expect(out.outputs.metaflow_users_policy_arn).toBeUndefined();
  });

  test("there is no users role and no metaflow_users_role_arn output", () => {
    expect(resourcesIn(out, "aws_iam_role", "users")).toEqual([]);
    expect(out.outputs.metaflow_users_role_arn).toBeUndefined();
  });
});

describe('Metaflow users, access "role"', () => {
  const out = synth(WITH_ROLE);
  const [roleId, role] = entryIn(out, "aws_iam_role", "users");
  const [policyId] = entryIn(out, "aws_iam_policy", "users");

  test("the role is trusted by exactly the configured principals, as an AWS principal list", () => {
    expect(policyDoc(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Action: [...STS_ASSUME_ROLE], Principal: { AWS: PRINCIPALS } },
    ]);
  });

  test("the users policy is attached to the role", () => {
    const attached = out.resources("aws_iam_role_policy_attachment").filter((a) => a.role === ref("aws_iam_role", roleId, "name"));
    expect(attached.map((a) => a.policy_arn)).toEqual([ref("aws_iam_policy", policyId, "arn")]);
  });

  test("the role has no inline policy of its own", () => {
    const inline = out.resources("aws_iam_role_policy").filter((p) => p.role === ref("aws_iam_role", roleId) || p.role === ref("aws_iam_role", roleId, "name"));
    expect(inline).toEqual([]);
  });

  test("the output metaflow_users_role_arn is the role's ARN", () => {
    expect(out.outputs.metaflow_users_role_arn?.value).toBe(ref("aws_iam_role", roleId, "arn"));
  });

  test("the output metaflow_users_policy_arn is still there", () => {
    expect(out.outputs.metaflow_users_policy_arn?.value).toBe(ref("aws_iam_policy", policyId, "arn"));
  });
});

describe("Metaflow users with scheduling off", () => {
  const out = synth({ scheduling: { enabled: false } });
  const statements = policyStatements(out);

  test("iam:PassRole lists only the job role", () => {
    expect(resourcesFor(statements, "iam:PassRole")).toEqual([roleArnOutput(out, "METAFLOW_ECS_S3_ACCESS_IAM_ROLE")]);
  });

  test("there is no states statement", () => {
    expect(statements.filter((s) => list(s.Action).some((a) => String(a).startsWith("states:")))).toEqual([]);
  });

  test("there is no events statement", () => {
    expect(statements.filter((s) => list(s.Action).some((a) => String(a).startsWith("events:")))).toEqual([]);
  });

  test("Batch, the datastore and job logs are still granted", () => {
    for (const action of ["batch:SubmitJob", "s3:PutObject", "logs:GetLogEvents"]) expect(allowing(statements, action)).not.toHaveLength(0);
  });
});

describe("Metaflow users with a Fargate queue", () => {
  const out = synth(ALL_KINDS);
  const statements = policyStatements(out);

  test("iam:PassRole also covers the Fargate execution role that Fargate job definitions name", () => {
    const keys = ["METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_ECS_FARGATE_EXECUTION_ROLE", "METAFLOW_SFN_IAM_ROLE", "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE"];
    const expected = keys.map((k) => roleArnOutput(out, k));
    for (const arn of expected) expect(arn).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
    expect(resourcesFor(statements, "iam:PassRole")).toEqual(sorted(expected));
  });
});
