import { EXAMPLE_PROFILE_KEYS, mockProvider } from "./example-test";
import { hclAttributes, hclValue } from "./hcl-text";
import { MODULES_DIR, ModuleInfo, usageInputs } from "./write-modules";

/**
 * Each module's own `terraform test` (`terraform-modules/<name>/tests/<name>.tftest.hcl`), against
 * `mock_provider "aws"`: the inputs of the README's usage example (the other modules' outputs as
 * stand-ins), a plan at the defaults, a plan of each of the module's other choices (what it builds,
 * counted), and an apply at the defaults (what it outputs). The metaflow module's other choices are
 * mostly the HCL twins' tests (examples/hcl-<name>/tests); none of those turns scheduling off.
 */

/** Values for the usage inputs that are another module's outputs in the usage example. */
const STAND_INS: Record<string, unknown> = {
  name_prefix: "metaflow",
  environment: "dev",
  availability_zones: ["us-east-1a", "us-east-1b"],
  vpc_id: "vpc-0123456789abcdef0",
  private_subnet_ids: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
  datastore_bucket_name: "metaflow-dev-ds-mock",
  datastore_kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/mock",
  batch_security_group_id: "sg-0123456789abcdef0",
  job_queue_arns: ["arn:aws:batch:us-east-1:123456789012:job-queue/metaflow-dev-default"],
  execution_role_arn: "arn:aws:iam::123456789012:role/metaflow-dev-execution",
  job_role_name: "metaflow-dev-job",
  job_role_arn: "arn:aws:iam::123456789012:role/metaflow-dev-job",
  vpc_cidr: "10.0.0.0/16",
  database_address: "metaflow-dev-metadata.abc.us-east-1.rds.amazonaws.com",
  database_secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-master-AbCdEf",
  database_secret_kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/mock-database",
  database_security_group_id: "sg-0123456789abcdef3",
  certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
  hostname: "metaflow.example.com",
  cognito_domain_prefix: "acme-metaflow",
};

type Assert = readonly [condition: string, message: string];

/** One plan of a choice: its variables, and what it must build. */
interface Choice {
  readonly run: string;
  readonly variables: Record<string, unknown>;
  readonly asserts: readonly Assert[];
}

interface ModuleCase {
  readonly plan: readonly Assert[];
  readonly choices: readonly Choice[];
  readonly apply: readonly Assert[];
}

/** `length(<the module's resource of type, its name containing part>)`: how many it plans. */
type Count = (type: string, part: string) => string;

const has = (output: string) => `output.${output} != null`;

/** The checks per module; `n(type, part)` counts a resource of the module. */
const CASES: Record<string, (n: Count) => ModuleCase> = {
  network: (n) => ({
    plan: [
      [`${n("aws_subnet", "private")} == 2 && ${n("aws_subnet", "public")} == 2`, "one private and one public subnet per zone"],
      [`${n("aws_nat_gateway", "nat")} == 1 && ${n("aws_instance", "nat-instance")} == 0`, "one NAT gateway by default"],
    ],
    choices: [
      {
        run: "nat_per_zone",
        variables: { availability_zones: ["us-east-1a", "us-east-1b", "us-east-1c"], nat_gateways: "perAz", flow_log_traffic_type: "REJECT" },
        asserts: [
          [`${n("aws_nat_gateway", "nat")} == 3 && ${n("aws_route_table", "private-rt")} == 3`, "a NAT gateway and a private route table per zone"],
          [`${n("aws_subnet", "private")} == 3`, "three zones, three private subnets"],
        ],
      },
      {
        run: "nat_instance",
        variables: { nat_gateways: "instance", nat_instance_type: "t4g.nano" },
        asserts: [[`${n("aws_instance", "nat-instance")} == 1 && ${n("aws_nat_gateway", "nat")} == 0`, "a NAT instance in place of the gateway"]],
      },
      {
        run: "no_nat_interface_endpoints",
        variables: { nat_gateways: "none", interface_endpoints: ["ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts", "secretsmanager"] },
        asserts: [
          [`${n("aws_nat_gateway", "nat")} == 0 && ${n("aws_instance", "nat-instance")} == 0`, "no way out"],
          [`${n("aws_vpc_endpoint", "interface-endpoints")} == 8 && ${n("aws_security_group", "endpoints-sg")} == 1`, "an interface endpoint each, behind their security group"],
        ],
      },
    ],
    apply: [
      [`${has("vpc_id")} && length(output.private_subnet_ids) == 2 && length(output.public_subnet_ids) == 2`, "the network's ids come through the outputs"],
    ],
  }),
  storage: (n) => ({
    plan: [[`${n("aws_kms_key", "key")} == 1`, "a KMS key of its own by default"]],
    choices: [{ run: "sse_s3", variables: { encryption: "s3" }, asserts: [[`${n("aws_kms_key", "key")} == 0 && ${n("aws_kms_alias", "key-alias")} == 0`, "SSE-S3: no key"]] }],
    apply: [
      [`${has("bucket_name")} && ${has("bucket_arn")} && ${has("kms_key_arn")}`, "the bucket and its key come through the outputs"],
      ["alltrue([for k, v in output.profile : v != null && v != \"\"])", "every profile key of the datastore has a value"],
    ],
  }),
  compute: (n) => ({
    plan: [
      [`${n("aws_batch_compute_environment", "environments-ec2")} == 1 && ${n("aws_batch_job_queue", "queues")} == 1`, "one EC2 environment behind one queue by default"],
      [`${n("aws_iam_role", "service-role")} == 1 && ${n("aws_iam_role", "execution-role")} == 0`, "a dedicated service role, no Fargate execution role"],
    ],
    choices: [
      {
        run: "every_kind",
        variables: {
          compute_environments: { cpu: { kind: "ec2" }, spot: { kind: "spot" }, gpu: { kind: "gpu" }, fargate: { kind: "fargate" }, "fargate-spot": { kind: "fargateSpot" } },
          job_queues: { default: { compute_environments: ["cpu", "spot"] }, gpu: { compute_environments: ["gpu"] }, serverless: { compute_environments: ["fargate", "fargate-spot"], priority: 2 } },
          default_queue: "serverless",
          batch_service_role: "serviceLinked",
          job_role_managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        },
        asserts: [
          [`${n("aws_batch_compute_environment", "environments-ec2")} == 3 && ${n("aws_batch_compute_environment", "environments-fargate")} == 2`, "three EC2-backed and two Fargate environments"],
          [`${n("aws_batch_job_queue", "queues")} == 3`, "three queues"],
          [`${n("aws_iam_role", "service-role")} == 0 && ${n("aws_iam_role", "execution-role")} == 1`, "the service-linked role, and the Fargate execution role"],
          [`${n("aws_iam_role_policy_attachment", "managed-extra")} == 1`, "the extra managed policy on the job role"],
        ],
      },
    ],
    apply: [
      [`${has("job_queue_arn")} && length(output.job_queue_arns) == 1 && ${has("security_group_id")} && ${has("job_role_arn")} && ${has("job_role_name")}`, "the queue, security group and job role come through the outputs"],
      ["output.execution_role_arn == null", "no Fargate, no execution role"],
    ],
  }),
  service: (n) => ({
    plan: [[`${n("aws_api_gateway_rest_api", "api")} == 1 && ${n("aws_api_gateway_api_key", "key")} == 1`, "the API gateway with its key by default"]],
    choices: [
      {
        run: "internal",
        variables: { public_access: "internal", client_cidrs: ["10.1.0.0/16"] },
        asserts: [
          [`${n("aws_api_gateway_rest_api", "api")} == 0 && ${n("aws_api_gateway_vpc_link", "vpc-link")} == 0`, "internal only: no API gateway"],
          [`${n("aws_vpc_security_group_ingress_rule", "lb-from-cidrs")} == 1`, "the load balancer open to the client CIDRs"],
        ],
      },
    ],
    apply: [
      [`${has("api_key")} && ${has("service_url")} && startswith(output.service_internal_url, "http://")`, "the service's URLs and API key come through the outputs"],
      ["output.service_url != output.service_internal_url", "through the API gateway, the service URL is the gateway's"],
    ],
  }),
  scheduling: (n) => ({
    plan: [[`${n("aws_iam_role", "step-functions-role")} == 1 && ${n("aws_iam_policy", "users_policy")} == 1 && ${n("aws_iam_role", "users_role")} == 0`, "Step Functions and the users' policy by default"]],
    choices: [
      {
        run: "off_with_users_role",
        variables: { scheduling_enabled: false, users_access: "role", users_principal_arns: ["arn:aws:iam::123456789012:role/data-scientists"] },
        asserts: [
          [`${n("aws_iam_role", "step-functions-role")} == 0 && ${n("aws_iam_role", "eventbridge-role")} == 0`, "scheduling off: no Step Functions or EventBridge role"],
          [`${n("aws_iam_role", "users_role")} == 1 && ${n("aws_iam_policy", "users_policy")} == 1`, "the users' role, with the users' policy"],
        ],
      },
    ],
    apply: [
      [`${has("step_functions_role_arn")} && ${has("eventbridge_role_arn")} && ${has("users_policy_arn")}`, "the roles and the users' policy come through the outputs"],
      ["output.users_role_arn == null", "users_access \"policy\": no role"],
    ],
  }),
  ui: (n) => ({
    plan: [[`${n("aws_vpc_security_group_ingress_rule", "from-cidrs-https")} == 1 && ${n("aws_vpc_security_group_ingress_rule", "from-cidrs-http_")} == 1`, "the load balancer admits the VPC alone by default"]],
    choices: [
      {
        run: "client_cidrs",
        variables: { client_cidrs: ["192.168.0.0/16", "172.16.0.0/12"] },
        asserts: [[`${n("aws_vpc_security_group_ingress_rule", "from-cidrs-https")} == 3`, "the VPC and each client CIDR reach HTTPS"]],
      },
    ],
    apply: [
      ['output.ui_url == "https://metaflow.example.com/" && output.profile.METAFLOW_UI_URL == output.ui_url', "METAFLOW_UI_URL is https://<hostname>/"],
      [`${has("load_balancer_dns_name")} && ${has("user_pool_id")}`, "the load balancer's name and the user pool come through the outputs"],
    ],
  }),
  metaflow: (n) => ({
    plan: [["length(output.private_subnet_ids) == 2", "the network plans one private subnet per zone"]],
    choices: [
      {
        run: "scheduling_off",
        variables: { scheduling_enabled: false },
        asserts: [[`${n("aws_iam_role", "step-functions-role")} == 0 && ${n("aws_cloudwatch_log_group", "execution-logs")} == 0`, "scheduling off: no Step Functions role and no execution logs"]],
      },
    ],
    apply: [
      [
        `alltrue([for k in ${hclValue(EXAMPLE_PROFILE_KEYS)} : try(length(jsondecode(output.metaflow_profile_json)[k]) > 0, false)])`,
        "a profile key is missing or empty",
      ],
    ],
  }),
};

/** The module's resource of `type` whose name contains `part`, exactly one. */
function resourceName(info: ModuleInfo, type: string, part: string): string {
  const names = Object.keys(info.json.resource?.[type] ?? {}).filter((name) => name.includes(part));
  if (names.length !== 1) throw new Error(`moduleTest: ${info.name} has ${names.length} ${type} named like "${part}" (${names.join(", ")})`);
  return `${type}.${names[0]}`;
}

const asserts = (list: readonly Assert[]) =>
  list.map(([condition, message]) => `\n  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }\n`).join("");

/** The test file's name inside the module directory. */
export const moduleTestFile = (info: ModuleInfo) => `tests/${info.name}.tftest.hcl`;

/** The run blocks of a module's test, in order. */
export function moduleTestRuns(info: ModuleInfo): string[] {
  const c = CASES[info.name]?.(() => "0");
  if (!c) throw new Error(`moduleTest: no test case for module ${info.name}`);
  return ["defaults", ...c.choices.map((choice) => choice.run), "apply"];
}

/** `tests/<name>.tftest.hcl` of a module. */
export function moduleTest(info: ModuleInfo): string {
  const make = CASES[info.name];
  if (!make) throw new Error(`moduleTest: no test case for module ${info.name}`);
  const c = make((type, part) => `length(${resourceName(info, type, part)})`);
  const runs = [
    `run "defaults" {\n  command = plan\n${asserts(c.plan)}}\n`,
    ...c.choices.map((choice) => `run "${choice.run}" {\n  command = plan\n\n  variables {\n${hclAttributes(Object.entries(choice.variables), "    ")}\n  }\n${asserts(choice.asserts)}}\n`),
    `run "apply" {\n  command = apply\n${asserts(c.apply)}}\n`,
  ];
  return `# Generated by \`npm run modules\`; do not edit. Run with \`terraform test\` in ${MODULES_DIR}/${info.name}.
# Against mock_provider "aws", with the inputs of the README's usage example (the other modules' outputs
# as stand-ins): a plan at the defaults, a plan of each other choice, then an apply at the defaults. The
# plans come first, so each starts from an empty state. The clean-up after the apply may report
# "Instance cannot be destroyed" for what carries prevent_destroy, which holds even against mocks.

${mockProvider([info])}
${usageVariables(info)}

${runs.join("\n")}`;
}

/**
 * The file-level `variables` block of a module's test: the README's usage inputs with their stand-ins. Tests
 * that write a test file of their own into a module (one choice, one bad value) start from it too.
 */
export function usageVariables(info: ModuleInfo): string {
  const inputs = usageInputs(info).map((name): [string, unknown] => {
    if (!(name in STAND_INS)) throw new Error(`moduleTest: no stand-in for ${info.name}'s input ${name}`);
    return [name, STAND_INS[name]];
  });
  return `variables {\n${hclAttributes(inputs, "  ")}\n}`;
}
