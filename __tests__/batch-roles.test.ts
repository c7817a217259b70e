import { BATCH_JOB_LOG_GROUP } from "../modules/batch-roles";
import {
  DYNAMODB_ITEMS,
  ECR_AUTH,
  ECR_PULL,
  ECS_AGENT,
  ECS_DISCOVER,
  LOGS_WRITE,
  STS_ASSUME_ROLE,
} from "../modules/perms";
import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";
import { entriesIn, entryIn, list, policyDoc, ref } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

/** Every principal a Batch role is trusted by. */
const BATCH_PRINCIPALS = ["batch.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"];
/** The only actions on `*` in Batch roles: those AWS offers no resource-level permission for. */
const UNSCOPABLE: readonly string[] = ["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint", "ec2:DescribeTags"];

const FARGATE_ONLY = {
  compute: { computeEnvironments: [{ name: "fargate", kind: "fargate" }], jobQueues: [{ name: "main", computeEnvironments: ["fargate"] }] },
};
const BOUNDARY = "arn:aws:iam::123456789012:policy/platform-boundary";
const EXTRA_POLICIES = ["arn:aws:iam::aws:policy/AmazonAthenaFullAccess", "arn:aws:iam::123456789012:policy/team-data-read"];
const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();

const trustOf = (role: Body) => policyDoc(role.assume_role_policy).Statement as Body[];

/** Logical ids of the compute construct's IAM roles trusted by `service` (other areas have ECS-tasks roles too). */
function rolesTrustedBy(out: Out, service: string): string[] {
  return entriesIn(out, "aws_iam_role", "compute")
    .filter(([, r]) => trustOf(r).some((s) => list(s.Principal?.Service).includes(service)))
    .map(([id]) => id);
}

/** Logical ids of every compute role trusted by a Batch principal. */
const batchRoleIds = (out: Out) => entriesIn(out, "aws_iam_role", "compute").filter(([id]) => BATCH_PRINCIPALS.some((p) => rolesTrustedBy(out, p).includes(id))).map(([id]) => id);

/** Every statement of the inline policies of role `id`. */
function statementsOf(out: Out, id: string): Body[] {
  return out
    .resources("aws_iam_role_policy")
    .filter((p) => p.role === ref("aws_iam_role", id) || p.role === ref("aws_iam_role", id, "name"))
    .flatMap((p) => policyDoc(p.policy).Statement as Body[]);
}

const grants = (s: Body, action: string) => list(s.Action).includes(action);

/** The one role trusted by ECS tasks that writes datastore objects. */
function jobRoleId(out: Out): string {
  const ids = rolesTrustedBy(out, "ecs-tasks.amazonaws.com").filter((id) => statementsOf(out, id).some((s) => grants(s, "s3:PutObject")));
  if (ids.length !== 1) throw new Error(`expected one job role, found ${ids.length}`);
  return ids[0];
}
/** The ECS-tasks roles other than the job role: the Fargate execution role, if any. */
const executionRoleIds = (out: Out) => rolesTrustedBy(out, "ecs-tasks.amazonaws.com").filter((id) => id !== jobRoleId(out));

/** The one statement of `statements` granting `action`. */
function statementGranting(statements: Body[], action: string): Body {
  const found = statements.filter((s) => s.Effect === "Allow" && grants(s, action));
  if (found.length !== 1) throw new Error(`expected one statement granting ${action}, found ${found.length}`);
  return found[0];
}

describe("Batch role trust", () => {
  const out = synth(ALL_KINDS);

  test.each([
    ["batch.amazonaws.com", 1],
    ["ec2.amazonaws.com", 1],
    ["ecs-tasks.amazonaws.com", 2],
  ] as const)("%s is trusted by %i role(s)", (service, count) => {
    expect(rolesTrustedBy(out, service)).toHaveLength(count);
  });

  test("each Batch role's trust is exactly sts:AssumeRole for one service principal", () => {
    const ids = batchRoleIds(out);
    expect(ids).toHaveLength(4);
    for (const id of ids) {
      const statements = trustOf(out.json.resource.aws_iam_role[id]);
      expect(statements).toHaveLength(1);
      expect(statements[0].Effect).toBe("Allow");
      expect(statements[0].Action).toEqual([...STS_ASSUME_ROLE]);
      expect(Object.keys(statements[0].Principal)).toEqual(["Service"]);
      expect(BATCH_PRINCIPALS).toContain(statements[0].Principal.Service);
    }
  });

  test("without Fargate, only the job role is trusted by ecs-tasks.amazonaws.com", () => {
    const plain = synth();
    expect(rolesTrustedBy(plain, "ecs-tasks.amazonaws.com")).toEqual([jobRoleId(plain)]);
  });
});

describe("Batch instance role and profile", () => {
  const out = synth(ALL_KINDS);
  const [instanceRoleId] = rolesTrustedBy(out, "ec2.amazonaws.com");
  const statements = statementsOf(out, instanceRoleId);

  test("the instance profile wraps the instance role", () => {
    expect(entryIn(out, "aws_iam_instance_profile", "compute")[1].role).toBe(ref("aws_iam_role", instanceRoleId, "name"));
  });

  test("the ECS agent actions are scoped to the clusters and container instances of this stack's EC2 environments", () => {
    const agent = statementGranting(statements, ECS_AGENT[0]);
    expect(sorted(list(agent.Action))).toEqual(sorted(ECS_AGENT));
    const ec2Names = ALL_KINDS.compute.computeEnvironments.filter((ce) => !ce.kind.startsWith("fargate")).map((ce) => ce.name);
    const expected = ec2Names.flatMap((name) => {
      const prefix = out.stack.naming.batchPrefix(name);
      return [`arn:aws:ecs:us-east-1:*:cluster/${prefix}20*`, `arn:aws:ecs:us-east-1:*:container-instance/${prefix}20*`];
    });
    expect(sorted(list(agent.Resource))).toEqual(sorted(expected));
  });

  test("the scope matches this environment's Batch clusters and not those of an environment whose name extends it", () => {
    const dev = synth({ compute: { computeEnvironments: [{ name: "gpu", kind: "gpu" }] } }, "dev");
    const agent = statementGranting(statementsOf(dev, rolesTrustedBy(dev, "ec2.amazonaws.com")[0]), ECS_AGENT[0]);
    const patterns = (list(agent.Resource) as string[]).filter((r) => r.includes(":cluster/"));
    const matches = (name: string) =>
      patterns.some((p) => new RegExp(`^${p.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(`arn:aws:ecs:us-east-1:123456789012:cluster/${name}`));
    // Terraform names the environment <prefix><timestamp><counter>; Batch adds _Batch_<uuid>.
    expect(matches("metaflow-dev-gpu-20261126133500123400000001_Batch_0b1c2d3e-aaaa-bbbb-cccc-123456789012")).toBe(true);
    // Environment "dev-gpu" with a compute environment "cpu".
    expect(matches("metaflow-dev-gpu-cpu-20261126133500123400000002_Batch_0b1c2d3e-aaaa-bbbb-cccc-123456789012")).toBe(false);
  });

  test("it may find the ECS endpoint, pull ECR images and write job logs", () => {
    expect(statementGranting(statements, ECS_DISCOVER[0]).Resource).toBe("*");
    expect(sorted(list(statementGranting(statements, ECR_PULL[0]).Action))).toEqual(sorted(ECR_PULL));
    expect(statementGranting(statements, ECR_AUTH[0]).Resource).toBe("*");
    expect(statementGranting(statements, LOGS_WRITE[0]).Resource).toMatch(new RegExp(`:log-group:${BATCH_JOB_LOG_GROUP}:\\*$`));
  });

  test("it has no S3 or KMS access", () => {
    expect(statements.flatMap((s) => list(s.Action)).filter((a) => /^(s3|kms):/.test(String(a)))).toEqual([]);
  });

  test("the agent may read its instance's tags (ec2:DescribeTags has no resource-level permission: *)", () => {
    const tags = statementGranting(statements, "ec2:DescribeTags");
    expect(list(tags.Resource)).toEqual(["*"]);
  });

  test("the agent may tag only a container instance it registers (ecs:CreateAction RegisterContainerInstance), of this stack's clusters", () => {
    const tag = statementGranting(statements, "ecs:TagResource");
    expect(list(tag.Action)).toEqual(["ecs:TagResource"]);
    expect(tag.Condition).toEqual({ StringEquals: { "ecs:CreateAction": "RegisterContainerInstance" } });
    for (const resource of list(tag.Resource)) expect(String(resource)).toMatch(/^arn:aws:ecs:us-east-1:\*:container-instance\/metaflow-dev-[a-z-]+-20\*$/);
  });

  test("the agent may not create clusters: Batch makes them", () => {
    expect(statements.flatMap((s) => list(s.Action))).not.toContain("ecs:CreateCluster");
  });
});

describe("Batch job role", () => {
  const out = synth(ALL_KINDS);
  const jobRole = jobRoleId(out);
  const statements = statementsOf(out, jobRole);
  const [bucketId] = entryIn(out, "aws_s3_bucket", "storage");
  const [keyId] = entryIn(out, "aws_kms_key", "storage");
  const bucketArn = ref("aws_s3_bucket", bucketId, "arn");

  test("it may list the datastore bucket, and do nothing else at bucket level (no GetBucketLocation: Metaflow never calls it)", () => {
    const bucket = statementGranting(statements, "s3:ListBucket");
    expect(list(bucket.Action)).toEqual(["s3:ListBucket"]);
    expect(list(bucket.Resource)).toEqual([bucketArn]);
  });

  test("it may read and write the datastore's objects (and abort a failed multipart upload), never delete them", () => {
    const objects = statementGranting(statements, "s3:PutObject");
    expect(sorted(list(objects.Action))).toEqual(["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]);
    expect(list(objects.Resource)).toEqual([`${bucketArn}/*`]);
  });

  test("with the datastore key it may ask for data keys (SSE-KMS puts) and decrypt, nothing more (no Encrypt, ReEncrypt or DescribeKey)", () => {
    const kms = statementGranting(statements, "kms:Decrypt");
    expect(sorted(list(kms.Action))).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(list(kms.Resource)).toEqual([ref("aws_kms_key", keyId, "arn")]);
  });

  test('with storage.encryption "s3" it has no KMS statement', () => {
    const sse = synth({ storage: { mode: "create", encryption: "s3" } });
    const actions = statementsOf(sse, jobRoleId(sse)).flatMap((s) => list(s.Action));
    expect(actions).toContain("s3:PutObject");
    expect(actions.filter((a) => String(a).startsWith("kms:"))).toEqual([]);
  });

  test("with an existing bucket and key, the grant names them", () => {
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const existing = synth({ storage: { mode: "existing", bucketName: "acme-metaflow-data", kmsKeyArn: keyArn } });
    const granted = statementsOf(existing, jobRoleId(existing));
    expect(list(statementGranting(granted, "s3:ListBucket").Resource)).toEqual(["arn:aws:s3:::acme-metaflow-data"]);
    expect(list(statementGranting(granted, "s3:GetObject").Resource)).toEqual(["arn:aws:s3:::acme-metaflow-data/*"]);
    expect(list(statementGranting(granted, "kms:Decrypt").Resource)).toEqual([keyArn]);
  });

  test("it writes no logs: the awslogs driver writes with the instance role (EC2) or the execution role (Fargate)", () => {
    expect(statements.flatMap((s) => list(s.Action)).filter((a) => String(a).startsWith("logs:"))).toEqual([]);
  });

  const servicesOf = (granted: Body[]) => [...new Set(granted.flatMap((s) => list(s.Action)).map((a) => String(a).split(":")[0]))].sort();

  test("without scheduling it grants only S3 and KMS actions", () => {
    const unscheduled = synth({ ...ALL_KINDS, scheduling: { enabled: false } });
    expect(servicesOf(statementsOf(unscheduled, jobRoleId(unscheduled)))).toEqual(["kms", "s3"]);
  });

  test("with scheduling (the default) it also gets exactly the foreach table's item actions, on that table only", () => {
    expect(servicesOf(statements)).toEqual(["dynamodb", "kms", "s3"]);
    const table = statementGranting(statements, DYNAMODB_ITEMS[0]);
    expect(sorted(list(table.Action))).toEqual(sorted(DYNAMODB_ITEMS));
    const [tableId] = entryIn(out, "aws_dynamodb_table", "scheduling");
    expect(list(table.Resource)).toEqual([ref("aws_dynamodb_table", tableId, "arn")]);
  });

  test("by default no managed policy is attached to it", () => {
    const attached = out.resources("aws_iam_role_policy_attachment").filter((a) => a.role === ref("aws_iam_role", jobRole, "name"));
    expect(attached).toEqual([]);
  });

  test("jobRoleManagedPolicyArns are attached to it, each once", () => {
    const extra = synth({ compute: { jobRoleManagedPolicyArns: EXTRA_POLICIES } });
    const attached = extra.resources("aws_iam_role_policy_attachment").filter((a) => a.role === ref("aws_iam_role", jobRoleId(extra), "name"));
    expect(sorted(attached.map((a) => a.policy_arn))).toEqual(sorted(EXTRA_POLICIES));
  });

  test("jobRoleManagedPolicyArns are attached to no other role", () => {
    const extra = synth({ compute: { jobRoleManagedPolicyArns: EXTRA_POLICIES } });
    const elsewhere = extra
      .resources("aws_iam_role_policy_attachment")
      .filter((a) => EXTRA_POLICIES.includes(a.policy_arn) && a.role !== ref("aws_iam_role", jobRoleId(extra), "name"));
    expect(elsewhere).toEqual([]);
  });
});

describe("Fargate execution role", () => {
  test("there is none without a Fargate environment", () => {
    expect(executionRoleIds(synth())).toEqual([]);
  });

  test.each([
    ["fargate only", FARGATE_ONLY],
    ["fargateSpot only", { compute: { computeEnvironments: [{ name: "spotty", kind: "fargateSpot" }], jobQueues: [{ name: "main", computeEnvironments: ["spotty"] }] } }],
    ["all five kinds", ALL_KINDS],
  ])("there is one with %s", (_title, config) => {
    expect(executionRoleIds(synth(config))).toHaveLength(1);
  });

  describe("its permissions", () => {
    const out = synth(ALL_KINDS);
    const [executionRole] = executionRoleIds(out);
    const statements = statementsOf(out, executionRole);

    test("it may pull images from ECR repositories of the region", () => {
      const pull = statementGranting(statements, ECR_PULL[0]);
      expect(sorted(list(pull.Action))).toEqual(sorted(ECR_PULL));
      expect(list(pull.Resource)).toEqual(["arn:aws:ecr:us-east-1:*:repository/*"]);
    });

    test("it may get the ECR login token", () => {
      expect(list(statementGranting(statements, ECR_AUTH[0]).Action)).toEqual([...ECR_AUTH]);
    });

    test(`it may write logs to ${BATCH_JOB_LOG_GROUP}`, () => {
      expect(list(statementGranting(statements, LOGS_WRITE[0]).Resource)).toEqual([`arn:aws:logs:us-east-1:*:log-group:${BATCH_JOB_LOG_GROUP}:*`]);
    });

    test("it has no datastore access", () => {
      expect(statements.flatMap((s) => list(s.Action)).filter((a) => /^(s3|kms):/.test(String(a)))).toEqual([]);
    });
  });
});

describe("Batch roles in another partition", () => {
  const out = synth({ region: "us-gov-west-1" });

  test("the Batch service policy and every Batch policy ARN use the partition of the region", () => {
    expect(entriesIn(out, "aws_iam_role_policy_attachment", "compute").map(([, a]) => a.policy_arn)).toContain(
      "arn:aws-us-gov:iam::aws:policy/service-role/AWSBatchServiceRole",
    );
    const resourcesSeen = batchRoleIds(out)
      .flatMap((id) => statementsOf(out, id))
      .flatMap((s) => list(s.Resource))
      .map(String)
      .filter((r) => r.startsWith("arn:"));
    expect(resourcesSeen.length).toBeGreaterThan(0);
    for (const arn of resourcesSeen) expect(arn.startsWith("arn:aws-us-gov:")).toBe(true);
  });
});

describe("Permissions boundary", () => {
  test("every role gets the boundary when one is configured, the Batch roles included", () => {
    const out = synth({ ...ALL_KINDS, permissionsBoundaryArn: BOUNDARY });
    const roles = out.resources("aws_iam_role");
    expect(batchRoleIds(out)).toHaveLength(4);
    for (const role of roles) expect(role.permissions_boundary).toBe(BOUNDARY);
  });

  test("with serviceLinked Batch, every created role still gets the boundary", () => {
    const out = synth({ permissionsBoundaryArn: BOUNDARY, compute: { batchServiceRole: "serviceLinked" } });
    for (const role of out.resources("aws_iam_role")) expect(role.permissions_boundary).toBe(BOUNDARY);
  });

  test("no role has a boundary when none is configured", () => {
    for (const role of synth(ALL_KINDS).resources("aws_iam_role")) expect(role).not.toHaveProperty("permissions_boundary");
  });
});

describe("Wildcard resources in Batch role policies", () => {
  const configs: [string, unknown][] = [
    ["the default config", {}],
    ["all five kinds", ALL_KINDS],
    ["all five kinds, serviceLinked, extra managed policies", { compute: { ...ALL_KINDS.compute, batchServiceRole: "serviceLinked", jobRoleManagedPolicyArns: EXTRA_POLICIES } }],
    ["SSE-S3 storage", { storage: { mode: "create", encryption: "s3" } }],
  ];

  test.each(configs)("with %s, a * resource is granted only for the unscopable actions", (_title, config) => {
    const out = synth(config);
    const statements = batchRoleIds(out).flatMap((id) => statementsOf(out, id));
    expect(statements.length).toBeGreaterThan(0);
    const wildcard = statements.filter((s) => list(s.Resource).includes("*"));
    for (const s of wildcard) {
      for (const action of list(s.Action)) expect(UNSCOPABLE).toContain(action);
    }
  });

  test("the unscopable actions are granted on * and are the only ones (the check above is not vacuous)", () => {
    const out = synth(ALL_KINDS);
    const wildcardActions = batchRoleIds(out)
      .flatMap((id) => statementsOf(out, id))
      .filter((s) => list(s.Resource).includes("*"))
      .flatMap((s) => list(s.Action));
    expect(new Set(wildcardActions)).toEqual(new Set(UNSCOPABLE));
  });

  test("no Batch role policy statement has a * in an action", () => {
    const out = synth(ALL_KINDS);
    const actions = batchRoleIds(out).flatMap((id) => statementsOf(out, id)).flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => String(a).includes("*"))).toEqual([]);
  });
});
