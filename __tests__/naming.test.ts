import { MAX_ENVIRONMENT_LENGTH, MAX_PREFIX_LENGTH, NAME_LIMITS, Naming, NameTooLongError } from "../modules/naming";
import { synth } from "./support/synth";

describe("Naming", () => {
  const naming = new Naming("metaflow", "dev");

  test("base joins prefix and environment", () => {
    expect(naming.base).toBe("metaflow-dev");
  });

  test("each kind has its documented shape", () => {
    expect(naming.resource("vpc")).toBe("metaflow-dev-vpc");
    expect(naming.bucketPrefix("ds")).toBe("metaflow-dev-ds-");
    expect(naming.iamRole("vpc-flow-logs")).toBe("metaflow-dev-vpc-flow-logs");
    expect(naming.iamRolePrefix("batch")).toBe("metaflow-dev-batch-");
    expect(naming.logGroup("vpc-flow-logs")).toBe("/metaflow/metaflow-dev/vpc-flow-logs");
    expect(naming.kmsAlias("datastore")).toBe("alias/metaflow-dev-datastore");
  });

  test("fails when a name exceeds its AWS limit", () => {
    const long = new Naming("a".repeat(30), "b".repeat(10));
    expect(() => long.bucketPrefix("ds")).toThrow(NameTooLongError);
    expect(() => long.bucketPrefix("ds")).toThrow(/bucketPrefix name .* has 45 characters; AWS allows 37/);
  });

  test("the longest prefix and environment config allows still give legal names in a whole stack", () => {
    const prefix = "p".repeat(MAX_PREFIX_LENGTH);
    const env = "e".repeat(MAX_ENVIRONMENT_LENGTH);
    const out = synth({ namePrefix: prefix, network: { mode: "create", interfaceEndpoints: ["sts"] } }, env);
    const bucket = out.resource("aws_s3_bucket");
    expect(bucket.bucket_prefix.length).toBeLessThanOrEqual(NAME_LIMITS.bucketPrefix);
    expect(bucket.bucket_prefix).toMatch(/^[a-z0-9][a-z0-9-]*-$/);
    for (const role of out.resources("aws_iam_role")) expect(role.name.length).toBeLessThanOrEqual(NAME_LIMITS.iamRole);
    for (const group of out.resources("aws_cloudwatch_log_group")) expect(group.name.length).toBeLessThanOrEqual(NAME_LIMITS.logGroup);
    for (const sg of out.resources("aws_security_group")) expect((sg.name ?? sg.name_prefix).length).toBeLessThanOrEqual(NAME_LIMITS.securityGroup);
    for (const ce of out.resources("aws_batch_compute_environment")) expect(ce.compute_environment_name_prefix.length).toBeLessThanOrEqual(NAME_LIMITS.batch);
    for (const lt of out.resources("aws_launch_template")) expect(lt.name_prefix.length).toBeLessThanOrEqual(NAME_LIMITS.launchTemplatePrefix);
  });
});
