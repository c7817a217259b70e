import {
  bucketNameProblem, defaultStateBucketName, InvalidNameError, MAX_ENVIRONMENT_LENGTH, MAX_PREFIX_LENGTH, NAME_LIMITS, NameKind, nameProblem,
  Naming, NameTooLongError, purposeProblem, segmentProblems, targetGroupPrefix,
} from "../modules/naming";
import { ALL_KINDS, withUi } from "./support/configs";
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
    expect(naming.cognitoUserPool("ui")).toBe("metaflow-dev-ui");
    expect(naming.cognitoDomain("ui")).toBe("metaflow-dev-ui");
    expect(naming.cognitoDomain("ui", "123456789012")).toBe("metaflow-dev-ui-123456789012");
    expect(targetGroupPrefix("mfuib")).toBe("mfuib-");
  });

  test("fails when a target group prefix exceeds the provider's six characters", () => {
    expect(() => targetGroupPrefix("mfuiback")).toThrow(/targetGroupPrefix name "mfuiback-" has 9 characters; AWS allows 6/);
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

  test("so does the UI with them: load balancer, roles, user pool and its domain prefix with the account id", () => {
    const prefix = "p".repeat(MAX_PREFIX_LENGTH);
    const env = "e".repeat(MAX_ENVIRONMENT_LENGTH);
    const out = synth({ namePrefix: prefix, accountId: "123456789012", ...withUi() }, env);
    for (const lb of out.resources("aws_lb")) expect(lb.name.length).toBeLessThanOrEqual(NAME_LIMITS.loadBalancer);
    for (const role of out.resources("aws_iam_role")) expect(role.name.length).toBeLessThanOrEqual(NAME_LIMITS.iamRole);
    expect(out.resource("aws_cognito_user_pool_domain").domain).toBe(`${prefix}-${env}-ui-123456789012`);
    expect(out.resource("aws_cognito_user_pool_domain").domain.length).toBeLessThanOrEqual(NAME_LIMITS.cognitoDomain);
  });
});

describe("nameProblem: each resource type's AWS rules", () => {
  test.each<[string, NameKind, string, RegExp]>([
    ["security groups must not start with sg-", "securityGroup", "sg-dev-database", /^must not start with "sg-" \(AWS reserves it for security group ids\)$/],
    ["security group prefixes must not start with sg- either", "securityGroupPrefix", "sg-dev-batch-", /^must not start with "sg-"/],
    ["load balancers must not start with internal-", "loadBalancer", "internal-dev-md", /^must not start with "internal-"/],
    ["load balancers must not end with a hyphen", "loadBalancer", "metaflow-dev-", /^must end with a letter or digit$/],
    ["bucket prefixes must not start with a prefix S3 reserves", "bucketPrefix", "amzn-s3-demo-dev-ds-", /^must not start with "xn--", "sthree-" or "amzn-s3-demo-" \(S3 reserves them\)$/],
    ["buckets must not end with a suffix S3 reserves", "bucket", "data.mrap", /^must not end with "-s3alias", "--ol-s3", "\.mrap", "--x-s3" or "--table-s3" \(S3 reserves them\)$/],
    ["buckets must not hold adjacent periods", "bucket", "a..b", /^must not contain "\.\."$/],
    ["buckets must not look like IP addresses", "bucket", "10.0.0.1", /^must not be formatted as an IP address$/],
    ["buckets have at least three characters", "bucket", "ab", /^must have at least 3 characters$/],
    ["RDS identifiers must not contain --", "dbIdentifier", "meta--flow", /^must not contain "--"$/],
    ["RDS identifiers start with a letter", "dbIdentifier", "1metaflow", /^must start with a letter$/],
    ["RDS snapshot identifiers must not end with a hyphen", "dbSnapshot", "metaflow-", /^must end with a letter or digit$/],
    ["KMS aliases must not be under alias/aws/", "kmsAlias", "alias/aws/x", /^must not start with "alias\/aws\/" \(AWS reserves it for its own keys\)$/],
    ["IAM names refuse other characters", "iamRole", "metaflow dev", /^may hold only letters, digits and \+ = , \. @ _ -$/],
    ["DynamoDB tables have at least three characters", "dynamoTable", "ab", /^must have at least 3 characters$/],
    ["every kind has its length limit", "loadBalancer", "a".repeat(33), /^must have at most 32 characters \(this one has 33\)$/],
    ["Cognito domain prefixes must not contain aws", "cognitoDomain", "mlaws-dev-ui", /^must not contain "aws" \(AWS reserves "aws", "amazon" or "cognito" in Cognito domains\)$/],
    ["Cognito domain prefixes are lower-case", "cognitoDomain", "Metaflow-dev-ui", /^may hold only lower-case letters, digits and hyphens$/],
    ["Cognito domain prefixes must not end with a hyphen", "cognitoDomain", "metaflow-dev-", /^must end with a letter or digit$/],
    ["Cognito domain prefixes have at most 63 characters", "cognitoDomain", "a".repeat(64), /^must have at most 63 characters/],
    ["Cognito user pool names refuse slashes", "cognitoUserPool", "metaflow/dev", /^may hold only letters, digits, spaces and \+ = , \. @ _ -$/],
  ])("%s", (_title, kind, name, message) => {
    expect(nameProblem(kind, name)).toMatch(message);
  });

  test.each<[NameKind, string]>([
    ["securityGroup", "metaflow-dev-database"], ["loadBalancer", "metaflow-dev-md"], ["bucket", "acme-metaflow-datastore"],
    ["bucket", "metaflow.state.2024"], ["bucketPrefix", "metaflow-dev-ds-"], ["dbIdentifier", "metaflow-dev-metadata"], ["kmsAlias", "alias/metaflow-dev-datastore"],
    ["cognitoDomain", "metaflow-dev-ui-123456789012"], ["cognitoUserPool", "metaflow-dev-ui"],
  ])("accepts the legal %s name %s", (kind, name) => {
    expect(nameProblem(kind, name)).toBeUndefined();
  });

  test("bucketNameProblem applies the whole-bucket rules to names users give", () => {
    expect(bucketNameProblem("state--x-s3")).toMatch(/must not end with/);
    expect(bucketNameProblem("acme-state")).toBeUndefined();
  });

  test("segmentProblems lists every rule a namePrefix or environment name breaks", () => {
    expect(segmentProblems("namePrefix", "-Meta--", 16)).toEqual([
      "namePrefix may hold lower-case letters, digits and hyphens, must start with a letter and end with a letter or digit",
      'namePrefix must not contain "--"',
    ]);
    expect(segmentProblems("namePrefix", "metaflow", 16)).toEqual([]);
  });

  test("purposeProblem keeps compute environment and queue names to 24 characters", () => {
    expect(purposeProblem("a".repeat(25))).toMatch(/must be 2 to 24 lower-case letters/);
    expect(purposeProblem("gpu-spot")).toBeUndefined();
  });
});

describe("Naming.check and Naming.problems", () => {
  test("fails when a derived name breaks its kind's rules, naming kind, name and rule", () => {
    const naming = new Naming("sg", "dev");
    expect(() => naming.securityGroup("database")).toThrow(InvalidNameError);
    expect(() => naming.securityGroup("database")).toThrow(/securityGroup name "sg-dev-database": security group names must not start with "sg-"/);
  });

  test("problems lists each rule the prefix and environment break, one error per derived kind", () => {
    const problems = Naming.problems("internal", "dev");
    expect(problems.map((p) => [p.kind, p.value])).toEqual([["loadBalancer", "internal-dev-md"]]);
  });

  test("problems finds rules only the prefix and environment together break", () => {
    expect(Naming.problems("amzn-s3", "prod")).toEqual([]);
    expect(Naming.problems("amzn-s3", "demo").map((p) => p.kind)).toEqual(["bucketPrefix"]);
  });

  test("the default prefix and the longest allowed ones break no rule", () => {
    expect(Naming.problems("metaflow", "dev")).toEqual([]);
    expect(Naming.problems("p".repeat(MAX_PREFIX_LENGTH), "e".repeat(MAX_ENVIRONMENT_LENGTH))).toEqual([]);
  });

  test("fails when the default state bucket name is one S3 refuses", () => {
    expect(() => defaultStateBucketName("sthree", "us-east-1")).toThrow(/S3 bucket names must not start with/);
    expect(defaultStateBucketName("metaflow", "us-east-1", "123456789012")).toBe("metaflow-tfstate-123456789012-us-east-1");
  });
});

describe("every name a whole stack sets meets its resource type's rules", () => {
  /** Resource type -> [attribute, kind] of the names it carries. */
  const NAMED: Record<string, [string, NameKind][]> = {
    aws_s3_bucket: [["bucket_prefix", "bucketPrefix"]],
    aws_iam_role: [["name", "iamRole"], ["name_prefix", "iamRolePrefix"]],
    aws_iam_policy: [["name", "iamPolicy"]],
    aws_iam_instance_profile: [["name", "instanceProfile"]],
    aws_cloudwatch_log_group: [["name", "logGroup"]],
    aws_kms_alias: [["name", "kmsAlias"]],
    aws_batch_job_queue: [["name", "batch"]],
    aws_batch_compute_environment: [["compute_environment_name_prefix", "batch"]],
    aws_launch_template: [["name_prefix", "launchTemplatePrefix"]],
    aws_db_instance: [["identifier", "dbIdentifier"], ["final_snapshot_identifier", "dbSnapshot"]],
    aws_db_parameter_group: [["name_prefix", "dbParameterGroupPrefix"]],
    aws_lb: [["name", "loadBalancer"]],
    aws_lb_target_group: [["name_prefix", "targetGroupPrefix"]],
    aws_ecs_cluster: [["name", "ecs"]],
    aws_ecs_service: [["name", "ecs"]],
    aws_ecs_task_definition: [["family", "ecs"]],
    aws_dynamodb_table: [["name", "dynamoTable"]],
    aws_security_group: [["name", "securityGroup"], ["name_prefix", "securityGroupPrefix"]],
  };

  test.each([
    ["the default prefix", "metaflow", "dev"],
    ["the longest prefix and environment", "p".repeat(MAX_PREFIX_LENGTH), "e".repeat(MAX_ENVIRONMENT_LENGTH)],
  ])("with %s", (_title, namePrefix, env) => {
    const out = synth(
      { namePrefix, ...ALL_KINDS, network: { mode: "create", interfaceEndpoints: ["sts"] }, scheduling: { users: { access: "role", principalArns: ["arn:aws:iam::123456789012:root"] } } },
      env,
    );
    let checked = 0;
    for (const [type, attributes] of Object.entries(NAMED)) {
      for (const resource of out.resources(type)) {
        for (const [attribute, kind] of attributes) {
          const name = resource[attribute];
          if (typeof name !== "string") continue;
          checked++;
          expect([type, attribute, name, nameProblem(kind, name)]).toEqual([type, attribute, name, undefined]);
        }
      }
      for (const resource of out.resources(type)) {
        const tagName = resource.tags?.Name;
        if (typeof tagName === "string") expect([type, tagName, nameProblem("tagValue", tagName)]).toEqual([type, tagName, undefined]);
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
