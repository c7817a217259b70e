import { DEFAULT_PROTECTED_TYPES, evaluateGate, parseApprovals, PlanInputError, toPlan, withoutInstanceKey } from "../../review";

/** The gate: 0 no changes, 2 changes, 3 blocked; what is protected, and how approvals by name work. */

function rc(address: string, actions: string[], mode = "managed") {
  const [type, name] = address.replace(/\[[^\]]*\]$/, "").split(".").slice(-2);
  return { address, mode, type, name, change: { actions, before: {}, after: {}, after_unknown: {} } };
}
const plan = (changes: unknown[], extra: Record<string, unknown> = {}) =>
  toPlan({ format_version: "1.2", planned_values: { root_module: {} }, resource_changes: changes, ...extra });

describe("verdicts and exit codes", () => {
  test("no changes: exit 0", () => {
    expect(evaluateGate(plan([rc("aws_s3_bucket.b", ["no-op"])]))).toMatchObject({ verdict: "no-changes", exitCode: 0 });
  });

  test("an empty plan: exit 0", () => {
    expect(evaluateGate(plan([])).exitCode).toBe(0);
  });

  test("changes to unprotected resources, deletes included: exit 2", () => {
    expect(evaluateGate(plan([rc("aws_nat_gateway.n", ["delete"]), rc("aws_vpc.v", ["update"])]))).toMatchObject({ verdict: "changes", exitCode: 2 });
  });

  test("a data source read during apply is a change: exit 2", () => {
    expect(evaluateGate(plan([rc("data.aws_ami.a", ["read"], "data")])).exitCode).toBe(2);
  });

  test("an output change alone is a change: exit 2", () => {
    const outputs = { output_changes: { url: { actions: ["update"], before: "a", after: "b" } } };
    expect(evaluateGate(plan([], outputs)).exitCode).toBe(2);
  });

  test("creating or updating a protected resource does not block", () => {
    expect(evaluateGate(plan([rc("aws_s3_bucket.b", ["create"]), rc("aws_kms_key.k", ["update"])])).exitCode).toBe(2);
  });
});

describe("what blocks: a delete, replace or forget of a protected resource", () => {
  test.each(DEFAULT_PROTECTED_TYPES)("fails when %s is deleted without approval", (type) => {
    const result = evaluateGate(plan([rc(`${type}.x`, ["delete"])]));
    expect(result).toMatchObject({ verdict: "blocked", exitCode: 3 });
    expect(result.blocked.map((b) => [b.change.address, b.protectedBy])).toEqual([[`${type}.x`, `type ${type}`]]);
  });

  test.each([
    [["delete", "create"]],
    [["create", "delete"]],
    [["forget"]],
    [["create", "forget"]],
  ])("fails when a protected bucket gets %j", (actions) => {
    expect(evaluateGate(plan([rc("aws_s3_bucket.b", actions)])).exitCode).toBe(3);
  });

  test("the default types cover S3, RDS instances and clusters, DynamoDB, KMS, Secrets Manager and Cognito user pools", () => {
    expect([...DEFAULT_PROTECTED_TYPES].sort()).toEqual(
      ["aws_cognito_user_pool", "aws_db_instance", "aws_dynamodb_table", "aws_kms_key", "aws_rds_cluster", "aws_s3_bucket", "aws_secretsmanager_secret"],
    );
  });

  test("--protect adds a type", () => {
    const p = plan([rc("aws_efs_file_system.fs", ["delete"])]);
    expect(evaluateGate(p).exitCode).toBe(2);
    expect(evaluateGate(p, { protect: ["aws_efs_file_system"] }).blocked[0].protectedBy).toBe("type aws_efs_file_system");
  });

  test("--protect adds an address, which covers every instance of it", () => {
    const p = plan([rc("aws_iam_role.deployer[0]", ["delete"]), rc("aws_iam_role.other", ["delete"])]);
    const result = evaluateGate(p, { protect: ["aws_iam_role.deployer"] });
    expect(result.blocked.map((b) => b.change.address)).toEqual(["aws_iam_role.deployer[0]"]);
    expect(result.blocked[0].protectedBy).toBe("address aws_iam_role.deployer");
  });

  test("a data source is never blocked", () => {
    expect(evaluateGate(plan([rc("data.aws_s3_bucket.b", ["read"], "data")])).exitCode).toBe(2);
  });
});

describe("approvals by name", () => {
  const p = plan([rc("aws_s3_bucket.data", ["delete", "create"]), rc("aws_kms_key.k", ["delete"])]);

  test("--allow approves the named resource; the rest stays blocked", () => {
    const result = evaluateGate(p, { approvals: ["aws_s3_bucket.data"] });
    expect(result.exitCode).toBe(3);
    expect(result.approved.map((a) => [a.change.address, a.approval?.source])).toEqual([["aws_s3_bucket.data", "--allow"]]);
    expect(result.blocked.map((b) => b.change.address)).toEqual(["aws_kms_key.k"]);
  });

  test("approving every protected change leaves exit 2", () => {
    expect(evaluateGate(p, { approvals: ["aws_s3_bucket.data", "aws_kms_key.k"] })).toMatchObject({ verdict: "changes", exitCode: 2 });
  });

  test("an address without its instance key approves every instance", () => {
    const indexed = plan([rc('aws_s3_bucket.b["logs"]', ["delete"]), rc("aws_s3_bucket.b[1]", ["delete"])]);
    expect(evaluateGate(indexed, { approvals: ["aws_s3_bucket.b"] }).exitCode).toBe(2);
  });

  test("an instance's address approves only that instance", () => {
    const indexed = plan([rc("aws_s3_bucket.b[0]", ["delete"]), rc("aws_s3_bucket.b[1]", ["delete"])]);
    expect(evaluateGate(indexed, { approvals: ["aws_s3_bucket.b[0]"] }).blocked.map((b) => b.change.address)).toEqual(["aws_s3_bucket.b[1]"]);
  });

  test("fails when the approval names a similar but different address", () => {
    expect(evaluateGate(p, { approvals: ["aws_s3_bucket.dat", "aws_kms_key.k"] }).exitCode).toBe(3);
  });

  test("approvals that match nothing are reported as unused", () => {
    const result = evaluateGate(p, { approvals: ["aws_s3_bucket.data", "aws_kms_key.k", "aws_s3_bucket.typo"] });
    expect(result.unusedApprovals.map((a) => a.address)).toEqual(["aws_s3_bucket.typo"]);
  });

  test("withoutInstanceKey drops only the last instance key", () => {
    expect(withoutInstanceKey('module.a["x"].aws_s3_bucket.b["k.1]"]')).toBe('module.a["x"].aws_s3_bucket.b');
    expect(withoutInstanceKey("aws_s3_bucket.b[12]")).toBe("aws_s3_bucket.b");
    expect(withoutInstanceKey("aws_s3_bucket.b")).toBe("aws_s3_bucket.b");
  });
});

describe("approvals files", () => {
  test("a JSON list of addresses", () => {
    expect(parseApprovals('["aws_s3_bucket.a", "aws_kms_key.k"]', "approvals.json")).toEqual([
      { address: "aws_s3_bucket.a", source: "approvals file approvals.json" },
      { address: "aws_kms_key.k", source: "approvals file approvals.json" },
    ]);
  });

  test("one address per line, with blank lines and # comments", () => {
    const text = "# approved in PR #42 by the data team\naws_s3_bucket.a\n\n  aws_kms_key.k  \r\n";
    expect(parseApprovals(text, "approvals.txt").map((a) => a.address)).toEqual(["aws_s3_bucket.a", "aws_kms_key.k"]);
  });

  test("fails when a JSON approvals file is not a list of strings", () => {
    expect(() => parseApprovals('[1, "aws_s3_bucket.a"]', "a.json")).toThrow(PlanInputError);
    expect(() => parseApprovals('["aws_s3_bucket.a",', "a.json")).toThrow(/approvals file a\.json starts with "\[" but is not a JSON list/);
  });
});
