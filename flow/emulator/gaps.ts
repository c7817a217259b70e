/**
 * Everything the emulator (moto 5.2.1, server mode, with hashicorp/aws 5.100.0) cannot do faithfully, in
 * one place, each with its cause. The emulator mode works around the first two lists in an override file
 * beside the synthesized stack (emulatorOverride in override.ts; for an HCL root, one in each module
 * directory, writeModuleOverrides), never in what is synthesized for a real account; the emulator suite
 * checks that each entry is still needed and that nothing else differs.
 */

/** A resource type the emulator cannot hold: not created on the emulator (`count = 0` in the override). */
export interface NotCreated {
  readonly type: string;
  readonly cause: string;
}

/** Attributes the emulator reports differently from what it was given: a diff on every plan, ignored there. */
export interface Artifact {
  readonly type: string;
  readonly attributes: readonly string[];
  readonly cause: string;
  /**
   * What the artifact drags along when it is not ignored (as `type.attribute`, or `type.(actions)` for a
   * replacement): shown by the suite's check of this list, never a difference of its own.
   * @default none
   */
  readonly consequences?: readonly string[];
}

/** A call moto does not implement that the provider makes on every plan: the launcher answers it (launcher.py SHIMS). */
export interface Shimmed {
  /** The call's X-Amz-Target. */
  readonly target: string;
  readonly cause: string;
}

/** What the emulator accepts but does not do: nothing to work around, but no proof either. */
export interface Limit {
  readonly what: string;
  readonly cause: string;
}

export const NOT_CREATED: readonly NotCreated[] = [
  {
    type: "aws_api_gateway_rest_api_policy",
    cause:
      "moto returns the REST API's policy unescaped, so the provider cannot parse it (\"invalid character 'S' after top-level value\"), on the policy and afterwards on the REST API itself",
  },
  {
    type: "aws_s3_bucket_policy",
    cause:
      "moto ignores the conditions of bucket-policy statements on object requests, so the TLS-only Deny statements deny every PutObject and GetObject, even over TLS",
  },
];

export const ARTIFACTS: readonly Artifact[] = [
  { type: "aws_api_gateway_integration", attributes: ["connection_id"], cause: "moto's GetIntegration omits connectionId (and UpdateIntegration is not implemented)" },
  {
    type: "aws_db_instance",
    attributes: ["performance_insights_enabled", "performance_insights_kms_key_id", "performance_insights_retention_period"],
    cause: "moto's CreateDBInstance ignores the Performance Insights settings, and its DescribeDBInstances never returns PerformanceInsightsEnabled",
  },
  { type: "aws_db_parameter_group", attributes: ["parameter"], cause: "moto's DescribeDBParameters returns parameters without Source, so the provider sees none set by the user" },
  {
    type: "aws_ecs_service",
    attributes: ["availability_zone_rebalancing", "enable_ecs_managed_tags", "health_check_grace_period_seconds"],
    cause: "moto's DescribeServices omits availabilityZoneRebalancing and enableECSManagedTags, and ignores healthCheckGracePeriodSeconds on create",
  },
  {
    type: "aws_lb",
    attributes: ["enforce_security_group_inbound_rules_on_private_link_traffic"],
    cause: "moto's DescribeLoadBalancers omits enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
  },
  { type: "aws_vpc_security_group_ingress_rule", attributes: ["description"], cause: "moto drops the description of a rule that references a security group" },
  { type: "aws_vpc_security_group_egress_rule", attributes: ["description"], cause: "moto drops the description of a rule that references a security group" },
  {
    type: "aws_launch_template",
    attributes: ["tag_specifications"],
    cause: "moto copies the template's own tags into its tag specifications, so the provider plans a new template version, which replaces the compute environment and moves its queues",
    consequences: ["aws_launch_template.latest_version", "aws_batch_compute_environment.(create+delete)", "aws_batch_job_queue.compute_environment_order"],
  },
];

/**
 * Changes the emulator cannot apply, so the emulator mode leaves those attributes alone (also
 * `lifecycle.ignore_changes`; unlike artifacts, the stack and the emulator agree until they change).
 */
export const NOT_UPDATABLE: readonly Artifact[] = [
  ...["aws_api_gateway_rest_api", "aws_api_gateway_api_key", "aws_api_gateway_usage_plan", "aws_api_gateway_vpc_link"].map((type) => ({
    type,
    attributes: ["tags", "tags_all"],
    cause: "moto implements API Gateway's TagResource for stages only; for other API Gateway resources it answers 404, so a tag change (default tags included) fails the apply",
  })),
  {
    type: "aws_launch_template",
    attributes: ["tags", "tags_all"],
    cause: "moto's DescribeLaunchTemplates returns the tags a template was created with, not those CreateTags adds later, so a tag change would show again on every plan",
  },
];

export const SHIMMED: readonly Shimmed[] = [
  {
    target: "AWSStepFunctions.ValidateStateMachineDefinition",
    cause:
      "moto does not implement it (HTTP 500), and the provider calls it for every aws_sfn_state_machine on plan, retrying until it times out; the launcher answers every definition as valid, so a definition error shows only on AWS",
  },
  {
    target: "AWSStepFunctions.ListStateMachineVersions",
    cause: "moto does not implement it (HTTP 500), and the provider calls it on every read of an aws_sfn_state_machine; the launcher answers that there are no versions, which is true of the project's state machines (none is published)",
  },
];

export const LIMITS: readonly Limit[] = [
  { what: "Batch jobs", cause: "moto accepts job definitions and submissions, but a job goes to FAILED within a second: running its container needs Docker, which these machines lack" },
  { what: "Step Functions executions", cause: "moto reports an execution as RUNNING with a canned history; nothing runs" },
  { what: "the restart on password rotation", cause: "moto's Step Functions parser cannot run the aws-sdk:ecs:updateService task, and moto's Secrets Manager does not emit the RotationSucceeded event: the suite checks the wiring (rule pattern, target, roles, definition) against the real secret and service ARNs, not a restart" },
  { what: "password rotation", cause: "moto accepts the rotation schedule of an RDS-managed secret but rotates nothing: that the metadata service survives a new password is shown by the restart wiring and the database's own behaviour, not by a rotation on the emulator" },
  { what: "IAM", cause: "moto checks the format of role ARNs and policies, never whether a role trusts a service or allows a call: accepted is not authorized" },
  { what: "the metadata service", cause: "ECS tasks never run, so there is no metadata API behind METAFLOW_SERVICE_URL: the Metaflow client runs with METAFLOW_DEFAULT_METADATA=local" },
  { what: "API Gateway integration updates", cause: "moto does not implement UpdateIntegration (HTTP 500 until the provider times out): a change of the load balancer's address cannot be applied" },
  { what: "waiting", cause: "the provider still waits its fixed delays: about 2 minutes 40 seconds for an RDS instance to be created" },
];

/** Every difference the artifacts explain, as `type.attribute` (and their consequences). */
export function artifactDifferences(): { listed: string[]; consequences: string[] } {
  return {
    listed: ARTIFACTS.flatMap((a) => a.attributes.map((attribute) => `${a.type}.${attribute}`)),
    consequences: ARTIFACTS.flatMap((a) => a.consequences ?? []),
  };
}

export function isNotCreated(type: string): boolean {
  return NOT_CREATED.some((g) => g.type === type);
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The three lists as Markdown tables, for docs/emulator.md (kept current by `npm run docs` and a test). */
export function gapsMarkdown(): string {
  return [
    "Not created on the emulator (`count = 0` in the emulator's override file):",
    "",
    "| resource type | cause |",
    "|---|---|",
    ...NOT_CREATED.map((g) => `| \`${g.type}\` | ${cell(g.cause)} |`),
    "",
    "Read back differently, so ignored on the emulator (`lifecycle.ignore_changes` in the override file):",
    "",
    "| resource type | attributes | cause |",
    "|---|---|---|",
    ...ARTIFACTS.map((a) => `| \`${a.type}\` | ${a.attributes.map((x) => `\`${x}\``).join(", ")} | ${cell(a.cause)} |`),
    "",
    "Not changed on the emulator once created (`lifecycle.ignore_changes` in the override file):",
    "",
    "| resource type | attributes | cause |",
    "|---|---|---|",
    ...NOT_UPDATABLE.map((a) => `| \`${a.type}\` | ${a.attributes.map((x) => `\`${x}\``).join(", ")} | ${cell(a.cause)} |`),
    "",
    "Answered by the launcher, not by moto (`flow/emulator/launcher.py`):",
    "",
    "| call | cause |",
    "|---|---|",
    ...SHIMMED.map((x) => `| \`${x.target}\` | ${cell(x.cause)} |`),
    "",
    "Accepted but not done:",
    "",
    "| what | cause |",
    "|---|---|",
    ...LIMITS.map((l) => `| ${cell(l.what)} | ${cell(l.cause)} |`),
  ].join("\n");
}
