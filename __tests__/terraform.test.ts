import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { parseEnvironment } from "../modules/config/load";
import { plannedStateBuckets, StateStack } from "../modules/state-stack";
import { createdTypes, describeWithTerraform, TerraformDir } from "./support/terraform";
import { synth } from "./support/synth";

/**
 * Every stack this project ships a config for, through real Terraform and the real hashicorp/aws 5.100.0
 * schema: init from the local mirror, validate, and an offline plan (no refresh, dummy credentials).
 */

const EXAMPLES = path.join(__dirname, "..", "examples", "environments");
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), "utf8"));

/** Types every created network must plan. */
const NETWORK_TYPES = [
  "aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_route_table", "aws_route_table_association", "aws_route",
  "aws_vpc_endpoint", "aws_default_security_group", "aws_flow_log", "aws_cloudwatch_log_group", "aws_iam_role",
  "aws_iam_role_policy",
];
/** Types every created datastore must plan. */
const STORAGE_TYPES = [
  "aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
  "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy",
];

/** Types every stack plans for Batch. */
const COMPUTE_TYPES = [
  "aws_batch_compute_environment", "aws_batch_job_queue", "aws_launch_template", "aws_security_group",
  "aws_iam_instance_profile", "aws_iam_role_policy_attachment",
];

interface Case {
  readonly label: string;
  readonly env: string;
  readonly config: unknown;
  /** Types the offline plan must create (besides matching what was synthesized). */
  readonly mustCreate: string[];
  /** Types it must not create. */
  readonly mustNotCreate: string[];
  /** Plan offline; off where the stack reads remote data sources that cannot answer offline. */
  readonly plan: boolean;
}

const CASES: Case[] = [
  {
    label: "built-in default",
    env: "dev",
    config: {},
    mustCreate: [...NETWORK_TYPES, "aws_nat_gateway", "aws_eip", ...STORAGE_TYPES, "aws_kms_key", "aws_kms_alias", ...COMPUTE_TYPES],
    mustNotCreate: [],
    plan: true,
  },
  {
    label: "production example (3 zones, NAT per zone, endpoints, all five compute kinds, three queues)",
    env: "production",
    config: example("production"),
    mustCreate: [...NETWORK_TYPES, "aws_nat_gateway", "aws_eip", ...STORAGE_TYPES, "aws_kms_key", ...COMPUTE_TYPES],
    mustNotCreate: [],
    plan: true,
  },
  {
    label: "no-NAT example (endpoints only, SSE-S3)",
    env: "no-nat",
    config: example("no-nat"),
    mustCreate: [...NETWORK_TYPES, ...STORAGE_TYPES, ...COMPUTE_TYPES],
    mustNotCreate: ["aws_nat_gateway", "aws_eip", "aws_kms_key"],
    plan: true,
  },
  {
    label: "shared-VPC example (reused VPC and bucket, subnets verified by data sources)",
    env: "shared-vpc",
    config: example("shared-vpc"),
    mustCreate: [],
    mustNotCreate: ["aws_vpc", "aws_subnet", "aws_s3_bucket"],
    // Its aws_subnet data sources ask AWS at plan time; offline only validate can answer.
    plan: false,
  },
  {
    label: "reused VPC without lookups (created bucket)",
    env: "reuse",
    config: { ...example("shared-vpc"), network: { ...example("shared-vpc").network, verifySubnets: false }, storage: { mode: "create" } },
    mustCreate: [...STORAGE_TYPES, "aws_kms_key", ...COMPUTE_TYPES],
    mustNotCreate: ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_flow_log"],
    plan: true,
  },
];

describeWithTerraform("terraform: every shipped stack validates and plans offline with the real provider", () => {
  describe.each(CASES)("$label", (c) => {
    const synthesized = synth(c.config, c.env);
    let tf: TerraformDir;
    let validation: ReturnType<TerraformDir["validate"]>;
    let plan: any;

    beforeAll(() => {
      tf = new TerraformDir(synthesized.json, c.env);
      tf.init();
      validation = tf.validate();
      if (c.plan) plan = tf.plan();
    });
    afterAll(() => tf?.remove());

    test("terraform validate passes with no errors and no warnings", () => {
      expect(validation.diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual([]);
      expect(validation.valid).toBe(true);
    });

    if (!c.plan) return;

    test("an offline plan creates exactly what was synthesized, and the expected types", () => {
      const created = createdTypes(plan);
      expect(created).toEqual(synthesized.resourceTypes);
      for (const type of c.mustCreate) expect(created).toContain(type);
      for (const type of c.mustNotCreate) expect(created).not.toContain(type);
      const notCreates = plan.resource_changes.filter((r: any) => r.mode === "managed" && r.change.actions.join() !== "create");
      expect(notCreates).toEqual([]);
    });

    test("the plan's outputs include the network ids and the datastore and Batch profile keys", () => {
      expect(Object.keys(plan.planned_values.outputs)).toEqual(
        expect.arrayContaining([
          "METAFLOW_DATASTORE_SYSROOT_S3", "METAFLOW_DATATOOLS_S3ROOT", "METAFLOW_BATCH_JOB_QUEUE",
          "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "vpc_id", "private_subnet_ids",
        ]),
      );
    });

    test("every compute environment and queue of the config is planned, with its Batch type", () => {
      const planned = (type: string) => plan.resource_changes.filter((r: any) => r.type === type).map((r: any) => r.change.after);
      const environments = planned("aws_batch_compute_environment");
      const compute = (synthesized.stack.compute as any).environments as Record<string, unknown>;
      expect(environments).toHaveLength(Object.keys(compute).length);
      const types = environments.map((e: any) => e.compute_resources[0].type).sort();
      const expected = c.env === "production" ? ["EC2", "EC2", "FARGATE", "FARGATE_SPOT", "SPOT"] : ["EC2"];
      expect(types).toEqual(expected);
      expect(planned("aws_batch_job_queue")).toHaveLength(c.env === "production" ? 3 : 1);
    });
  });
});

describeWithTerraform("terraform: the state bootstrap stack validates and plans offline", () => {
  const environments = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).map((f) => parseEnvironment(path.basename(f, ".json"), example(path.basename(f, ".json"))));
  const stack = new StateStack(Testing.app(), plannedStateBuckets([parseEnvironment("dev", {}), ...environments]));
  const json = JSON.parse(Testing.synth(stack, true));
  let tf: TerraformDir;
  let validation: ReturnType<TerraformDir["validate"]>;
  let plan: any;

  beforeAll(() => {
    tf = new TerraformDir(json, "state");
    tf.init();
    validation = tf.validate();
    plan = tf.plan();
  });
  afterAll(() => tf?.remove());

  test("terraform validate passes with no errors and no warnings", () => {
    expect(validation.diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual([]);
  });

  test("the plan creates one state bucket per distinct bucket, each in its region", () => {
    const buckets = plan.resource_changes.filter((r: any) => r.type === "aws_s3_bucket");
    const expected = new Set(plannedStateBuckets([parseEnvironment("dev", {}), ...environments]).map((b) => b.location.bucket));
    expect(buckets.map((b: any) => b.change.after.bucket).sort()).toEqual([...expected].sort());
    expect(buckets.every((b: any) => b.change.actions.join() === "create")).toBe(true);
  });
});
