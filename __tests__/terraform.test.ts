import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { parseEnvironment } from "../modules/config/load";
import { plannedStateBuckets, StateStack } from "../modules/state-stack";
import { createdTypes, describeWithTerraform, TerraformDir } from "./support/terraform";
import { synth } from "./support/synth";
import { policyDoc } from "./support/json";
import { OIDC_PROVIDER, withUi } from "./support/configs";

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

/** Types of scheduling (on by default). */
const SCHEDULING_TYPES = ["aws_dynamodb_table", "aws_iam_policy"];

/** Types every stack plans for the metadata service. */
const SERVICE_TYPES = [
  "aws_db_instance", "aws_db_parameter_group", "aws_db_subnet_group", "aws_ecs_cluster", "aws_ecs_service",
  "aws_ecs_task_definition", "aws_lb", "aws_lb_listener", "aws_lb_target_group", "aws_vpc_security_group_ingress_rule",
];
/** Types of the API gateway front door. */
const API_TYPES = [
  "aws_api_gateway_rest_api", "aws_api_gateway_vpc_link", "aws_api_gateway_stage", "aws_api_gateway_api_key",
  "aws_api_gateway_usage_plan", "aws_api_gateway_rest_api_policy",
];

/** Types the UI plans (with Cognito sign-in, as the ui example has it). */
const UI_TYPES = [
  "aws_lb", "aws_lb_listener", "aws_lb_listener_rule", "aws_lb_target_group", "aws_ecs_cluster", "aws_ecs_service", "aws_ecs_task_definition",
  "aws_cognito_user_pool", "aws_cognito_user_pool_client", "aws_cognito_user_pool_domain",
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
    mustCreate: [...NETWORK_TYPES, "aws_nat_gateway", "aws_eip", ...STORAGE_TYPES, "aws_kms_key", "aws_kms_alias", ...COMPUTE_TYPES, ...SERVICE_TYPES, ...API_TYPES, ...SCHEDULING_TYPES],
    mustNotCreate: [],
    plan: true,
  },
  {
    label: "production example (3 zones, NAT per zone, endpoints, all five compute kinds, three queues)",
    env: "production",
    config: example("production"),
    mustCreate: [...NETWORK_TYPES, "aws_nat_gateway", "aws_eip", ...STORAGE_TYPES, "aws_kms_key", ...COMPUTE_TYPES, ...SERVICE_TYPES, ...API_TYPES],
    mustNotCreate: [],
    plan: true,
  },
  {
    label: "no-NAT example (endpoints only, SSE-S3, internal-only metadata service)",
    env: "no-nat",
    config: example("no-nat"),
    mustCreate: [...NETWORK_TYPES, ...STORAGE_TYPES, ...COMPUTE_TYPES, ...SERVICE_TYPES],
    mustNotCreate: ["aws_nat_gateway", "aws_eip", ...API_TYPES],
    plan: true,
  },
  {
    label: "dev-small example (a NAT instance, a single-zone micro database, one small service task)",
    env: "dev-small",
    config: example("dev-small"),
    mustCreate: [...NETWORK_TYPES, "aws_instance", "aws_launch_template", ...STORAGE_TYPES, "aws_kms_key", ...COMPUTE_TYPES, ...SERVICE_TYPES, ...API_TYPES],
    mustNotCreate: ["aws_nat_gateway", "aws_eip"],
    plan: true,
  },
  {
    label: "UI example (an internal HTTPS load balancer with Cognito sign-in, the UI backend and static UI)",
    env: "ui",
    config: example("ui"),
    mustCreate: [...NETWORK_TYPES, ...STORAGE_TYPES, ...COMPUTE_TYPES, ...SERVICE_TYPES, ...API_TYPES, ...UI_TYPES],
    mustNotCreate: [],
    plan: true,
  },
  {
    label: "UI internet-facing with OIDC sign-in (the client secret is a data source read at plan time, which only validate can answer offline)",
    env: "oidc",
    config: withUi({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"], auth: "oidc", oidc: { ...OIDC_PROVIDER, clientSecretKey: "client_secret" } }),
    mustCreate: [],
    mustNotCreate: [],
    plan: false,
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
    label: "scheduling off (the table stays), users' role for named principals, internal-only service",
    env: "nosched",
    config: {
      scheduling: { enabled: false, users: { access: "role", principalArns: ["arn:aws:iam::123456789012:role/data-scientists"] } },
      service: { publicAccess: "internal" },
    },
    mustCreate: [...NETWORK_TYPES, ...STORAGE_TYPES, ...COMPUTE_TYPES, ...SERVICE_TYPES, "aws_iam_policy", "aws_dynamodb_table"],
    mustNotCreate: [...API_TYPES],
    plan: true,
  },
  {
    label: "reused VPC without lookups (created bucket)",
    env: "reuse",
    config: { ...example("shared-vpc"), network: { ...example("shared-vpc").network, verifySubnets: false }, storage: { mode: "create" } },
    mustCreate: [...STORAGE_TYPES, "aws_kms_key", ...COMPUTE_TYPES, ...SERVICE_TYPES, ...API_TYPES],
    mustNotCreate: ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_flow_log"],
    plan: true,
  },
];

/** Names of attributes that would hold a secret value. */
const SECRET_ATTRIBUTE = /(^|_)(password|passwd|pswd|secret_string|private_key|access_key|secret_key|token)$|^value$/;

/**
 * Every planned attribute whose name says it holds a secret (a password, a key value, a token) and whose
 * value is known in the plan without being marked sensitive: `<address>.<path> = <value>`.
 */
function exposedSecrets(plan: any): string[] {
  const found: string[] = [];
  const walk = (value: any, sensitive: any, path: string[], address: string) => {
    if (sensitive === true) return;
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, sensitive?.[k], [...path, k], address);
      return;
    }
    const name = path[path.length - 1] ?? "";
    const secretish = SECRET_ATTRIBUTE.test(name) && !(name === "value" && !address.includes("api_key"));
    if (secretish && typeof value === "string" && value !== "") found.push(`${address}.${path.join(".")} = ${value}`);
  };
  for (const rc of plan.resource_changes ?? []) walk(rc.change.after ?? {}, rc.change.after_sensitive, [], rc.address);
  for (const [name, oc] of Object.entries<any>(plan.output_changes ?? {})) {
    if (/AUTH_KEY|PASSWORD|SECRET/.test(name) && !oc.after_sensitive && typeof oc.after === "string") found.push(`output.${name}`);
  }
  return found;
}

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

    test("no planned attribute holds a password or key value unless Terraform marks it sensitive", () => {
      expect(exposedSecrets(plan)).toEqual([]);
      // The database password exists only in the RDS-managed secret: no password argument at all.
      const db = plan.resource_changes.find((r: any) => r.type === "aws_db_instance").change;
      expect(db.after.password ?? null).toBeNull();
      expect(db.after.manage_master_user_password).toBe(true);
      // Containers get it through `secrets`, never `environment` (the definitions are known only after
      // apply, so read them from the synthesized stack); containers that need no database get no secret.
      const containers = synthesized.resources("aws_ecs_task_definition").flatMap((task) => policyDoc(task.container_definitions));
      for (const container of containers) {
        expect(container.environment.map((e: any) => e.name)).not.toContain("MF_METADATA_DB_PSWD");
        expect((container.secrets ?? []).map((e: any) => e.name)).toEqual(container.name === "static-ui" ? [] : ["MF_METADATA_DB_PSWD"]);
      }
      const key = plan.resource_changes.find((r: any) => r.type === "aws_api_gateway_api_key");
      if (key) {
        expect(key.change.after_sensitive.value).toBe(true);
        expect(plan.output_changes.METAFLOW_SERVICE_AUTH_KEY.after_sensitive).toBe(true);
      } else {
        expect(plan.output_changes.METAFLOW_SERVICE_AUTH_KEY).toBeUndefined();
      }
    });

    test("every compute environment and queue of the config is planned, with its Batch type", () => {
      const planned = (type: string) => plan.resource_changes.filter((r: any) => r.type === type).map((r: any) => r.change.after);
      const environments = planned("aws_batch_compute_environment");
      const compute = (synthesized.stack.deployment.compute as any).environments as Record<string, unknown>;
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

describe("exposedSecrets (the check above)", () => {
  test("flags a known password, API key value or secret output that is not marked sensitive", () => {
    const plan = {
      resource_changes: [
        { address: "aws_db_instance.db", change: { after: { password: "hunter2", port: 5432 }, after_sensitive: {} } },
        { address: "aws_api_gateway_api_key.k", change: { after: { value: "abc123" }, after_sensitive: {} } },
        { address: "aws_ssm_parameter.p", change: { after: { value: "not a key" }, after_sensitive: {} } },
      ],
      output_changes: { METAFLOW_SERVICE_AUTH_KEY: { after: "abc123", after_sensitive: false } },
    };
    expect(exposedSecrets(plan)).toEqual([
      "aws_db_instance.db.password = hunter2",
      "aws_api_gateway_api_key.k.value = abc123",
      "output.METAFLOW_SERVICE_AUTH_KEY",
    ]);
  });

  test("accepts the same values when they are marked sensitive", () => {
    const plan = {
      resource_changes: [{ address: "aws_db_instance.db", change: { after: { password: "hunter2" }, after_sensitive: { password: true } } }],
      output_changes: { METAFLOW_SERVICE_AUTH_KEY: { after: "abc123", after_sensitive: true } },
    };
    expect(exposedSecrets(plan)).toEqual([]);
  });
});
