import { Token } from "cdktf";
import { TerraformComputeConfig, TerraformJobImage } from "../../modules/compute";
import {
  ALLOCATION_STRATEGIES, architectureHcl, BATCH_SERVICE_ROLES, COMPUTE_KINDS, DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS, FARGATE_KINDS, GPU_FAMILIES, JOB_IMAGE_SOURCES,
  JOB_IMAGE_TAG, JOB_IMAGE_TAG_MESSAGE, KIND_DEFAULTS, PINNED_JOB_IMAGE, PINNED_JOB_IMAGE_MESSAGE,
} from "../../modules/config/compute-config";
import { IAM_POLICY_ARN } from "../../modules/config/common";
import { ECR_IMAGE, splitImageHcl } from "../../modules/config/images";
import { expression, hcl, rawExpression } from "../../modules/expression";
import { MAX_PURPOSE_LENGTH } from "../../modules/naming";
import { literal, matches, quoted, rule, Rule, shown, unlessNull } from "../hcl-text";
import { ModuleStack } from "../module-stack";
import { local, oneOf } from "./common";

/**
 * Batch's variables: compute environments and job queues as maps by name (the config's named lists), the
 * default queue, the service role and extra job role policies. Per-kind defaults are filled in a local,
 * as resolveCompute fills them for the app.
 */

const PURPOSE = new RegExp(`^[a-z][a-z0-9-]{0,${MAX_PURPOSE_LENGTH - 2}}[a-z0-9]$`);
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*(\.[0-9a-z]+)?$/;
const EC2_ONLY = ["instance_types", "min_vcpus", "desired_vcpus", "root_volume_gib", "allocation_strategy"] as const;

export interface ComputeInputOptions {
  /** Cross-area checks with the network's variables (the metaflow module has both). */
  readonly withNetwork: boolean;
}

const ENVIRONMENT_TYPE =
  "map(object({ kind = string, instance_types = optional(list(string)), min_vcpus = optional(number), desired_vcpus = optional(number), max_vcpus = optional(number), root_volume_gib = optional(number), allocation_strategy = optional(string) }))";

/** HCL tables per kind, from the config's own. */
const byKind = <T>(pick: (kind: (typeof COMPUTE_KINDS)[number]) => T) => literal(Object.fromEntries(COMPUTE_KINDS.map((k) => [k, pick(k)])));
const FARGATE = literal(FARGATE_KINDS);
const isFargate = (ce: string) => `contains(${FARGATE}, ${ce}.kind)`;
const family = (type: string) => `split(".", ${type})[0]`;

/** The checks of `compute_environments` that need only its own value. */
function environmentRules(options: ComputeInputOptions): Rule[] {
  const envs = "var.compute_environments";
  const each = (predicate: string, entry: string) => `[for name, ce in ${envs} : ${entry} if ${predicate}]`;
  const none = (predicate: string) => `length(${each(predicate, "name")}) == 0`;
  const min = "coalesce(ce.min_vcpus, 0)";
  const max = `coalesce(ce.max_vcpus, lookup(${byKind((k) => KIND_DEFAULTS[k].maxVcpus)}, ce.kind, 1))`;
  const ec2 = `!${isFargate("ce")}`;
  const types = "coalesce(ce.instance_types, [])";
  const whole = (field: string, low: number, high: number) =>
    rule(
      none(`ce.${field} == null ? false : !(ce.${field} >= ${low} && ce.${field} <= ${high} && floor(ce.${field}) == ce.${field})`),
      `compute_environments: ${shown(`join(", ", ${each(`ce.${field} == null ? false : !(ce.${field} >= ${low} && ce.${field} <= ${high} && floor(ce.${field}) == ce.${field})`, `format("%s.${field} (%v)", name, ce.${field})`)})`)} must be a whole number from ${low} to ${high}.`,
    );
  const rules: Rule[] = [
    rule(`length(${envs}) >= 1`, "compute_environments must hold at least one compute environment."),
    rule(
      none(`!${matches(PURPOSE, "name")}`),
      `compute_environments: ${shown(quoted(each(`!${matches(PURPOSE, "name")}`, "name")))}: a name must be 2 to ${MAX_PURPOSE_LENGTH} lower-case letters, digits and hyphens, starting with a letter.`,
    ),
    rule(
      none(`!contains(${literal(COMPUTE_KINDS)}, ce.kind)`),
      `compute_environments: ${shown(`join(", ", ${each(`!contains(${literal(COMPUTE_KINDS)}, ce.kind)`, 'format("%s.kind (%q)", name, ce.kind)')})`)} must be one of ${COMPUTE_KINDS.join(", ")}.`,
    ),
    rule(
      none(`${isFargate("ce")} && anytrue([${EC2_ONLY.map((f) => `ce.${f} != null`).join(", ")}])`),
      `compute_environments: ${shown(`join("; ", ${each(`${isFargate("ce")} && anytrue([${EC2_ONLY.map((f) => `ce.${f} != null`).join(", ")}])`, `format("%s: %s", name, join(", ", compact([${EC2_ONLY.map((f) => `ce.${f} != null ? "${f}" : ""`).join(", ")}])))`)})`)} do not apply to Fargate environments (Fargate picks the hosts); remove them.`,
    ),
    whole("min_vcpus", 0, 100000),
    whole("desired_vcpus", 0, 100000),
    whole("max_vcpus", 1, 100000),
    whole("root_volume_gib", 30, 16384),
    rule(
      none(`${ec2} && try(${min} > ${max}, false)`),
      `compute_environments: ${shown(`join("; ", ${each(`${ec2} && try(${min} > ${max}, false)`, `format("%s.min_vcpus (%v) must be <= max_vcpus (%v)", name, ${min}, ${max})`)})`)}.`,
    ),
    rule(
      none(`${ec2} && ce.desired_vcpus != null && try(ce.desired_vcpus < ${min} || ce.desired_vcpus > ${max}, false)`),
      `compute_environments: ${shown(`join("; ", ${each(`${ec2} && ce.desired_vcpus != null && try(ce.desired_vcpus < ${min} || ce.desired_vcpus > ${max}, false)`, `format("%s.desired_vcpus (%v) must lie between min_vcpus (%v) and max_vcpus (%v)", name, ce.desired_vcpus, ${min}, ${max})`)})`)}.`,
    ),
    rule(
      none(`ce.allocation_strategy != null && !contains(lookup(${byKind((k) => ALLOCATION_STRATEGIES[k])}, ce.kind, []), coalesce(ce.allocation_strategy, "-"))`),
      `compute_environments: ${shown(`join("; ", ${each(`ce.allocation_strategy != null && !contains(lookup(${byKind((k) => ALLOCATION_STRATEGIES[k])}, ce.kind, []), coalesce(ce.allocation_strategy, "-"))`, `format("%s.allocation_strategy (%q) must be one of %s for %s environments", name, ce.allocation_strategy, join(", ", lookup(${byKind((k) => ALLOCATION_STRATEGIES[k])}, ce.kind, [])), ce.kind)`)})`)}.`,
    ),
    rule(
      none(`anytrue([for t in ${types} : !${matches(INSTANCE_TYPE, "t")}])`),
      `compute_environments: ${shown(`join("; ", ${each(`anytrue([for t in ${types} : !${matches(INSTANCE_TYPE, "t")}])`, `format("%s.instance_types: %s must be EC2 instance types or families, like m6i or m6i.xlarge", name, join(", ", [for t in ${types} : format("%q", t) if !${matches(INSTANCE_TYPE, "t")}]))`)})`)}.`,
    ),
    rule(
      none(`ce.kind == "gpu" && anytrue([for t in ${types} : !contains(${literal(GPU_FAMILIES)}, ${family("t")})])`),
      `compute_environments: ${shown(`join("; ", ${each(`ce.kind == "gpu" && anytrue([for t in ${types} : !contains(${literal(GPU_FAMILIES)}, ${family("t")})])`, `format("%s.instance_types: %s not NVIDIA GPU instance types", name, join(", ", [for t in ${types} : format("%q", t) if !contains(${literal(GPU_FAMILIES)}, ${family("t")})]))`)})`)}; gpu environments take families ${GPU_FAMILIES.join(", ")}.`,
    ),
    rule(
      none(`ce.kind != "gpu" && anytrue([for t in ${types} : contains(${literal(GPU_FAMILIES)}, ${family("t")})])`),
      `compute_environments: ${shown(`join("; ", ${each(`ce.kind != "gpu" && anytrue([for t in ${types} : contains(${literal(GPU_FAMILIES)}, ${family("t")})])`, `format("%s.instance_types: %s GPU instance types", name, join(", ", [for t in ${types} : format("%q", t) if contains(${literal(GPU_FAMILIES)}, ${family("t")})]))`)})`)}; put them in an environment of kind "gpu" so they get the GPU AMI.`,
    ),
    rule(
      none(`ce.kind != "gpu" && length(distinct([for t in ${types} : try(${architectureHcl("t")}, "x86_64")])) > 1`),
      `compute_environments: ${shown(quoted(each(`ce.kind != "gpu" && length(distinct([for t in ${types} : try(${architectureHcl("t")}, "x86_64")])) > 1`, "name")))}: instance_types mixes Graviton (arm64) and x86_64 types; Batch needs one architecture per environment, so make two environments.`,
    ),
  ];
  if (options.withNetwork) {
    rules.push(
      rule(
        `var.existing_network != null || var.nat_gateways != "none" ? true : ${none(isFargate("ce"))}`,
        `compute_environments: ${shown(quoted(each(isFargate("ce"), "name")))} need a route out of the private subnets, but nat_gateways is "none"; choose "single" or "perAz", or an EC2 kind.`,
      ),
    );
  }
  return rules;
}

/** The checks of `job_queues`, which also see the environments (their names and kinds, and which no queue uses). */
function queueRules(): Rule[] {
  const queues = "var.job_queues";
  const each = (predicate: string, entry: string) => `[for name, q in ${queues} : ${entry} if ${predicate}]`;
  const none = (predicate: string) => `length(${each(predicate, "name")}) == 0`;
  const known = "keys(var.compute_environments)";
  const kinds = `[for e in q.compute_environments : contains(${FARGATE}, try(var.compute_environments[e].kind, ""))]`;
  const queued = `flatten([for q in values(${queues}) : q.compute_environments])`;
  return [
    rule(`length(${queues}) >= 1`, "job_queues must hold at least one job queue."),
    rule(
      none(`!${matches(PURPOSE, "name")}`),
      `job_queues: ${shown(quoted(each(`!${matches(PURPOSE, "name")}`, "name")))}: a name must be 2 to ${MAX_PURPOSE_LENGTH} lower-case letters, digits and hyphens, starting with a letter.`,
    ),
    rule(
      none("length(q.compute_environments) < 1 || length(q.compute_environments) > 3"),
      `job_queues: ${shown(quoted(each("length(q.compute_environments) < 1 || length(q.compute_environments) > 3", "name")))}: compute_environments must list one to three compute environments (a Batch limit).`,
    ),
    rule(
      none(`anytrue([for e in q.compute_environments : !contains(${known}, e)])`),
      `job_queues: ${shown(`join("; ", ${each(`anytrue([for e in q.compute_environments : !contains(${known}, e)])`, `format("%s.compute_environments names %s, which is no compute environment", name, join(", ", [for e in q.compute_environments : format("%q", e) if !contains(${known}, e)]))`)})`)}; choose from ${shown(`join(", ", ${known})`)}.`,
    ),
    rule(
      none("length(distinct(q.compute_environments)) != length(q.compute_environments)"),
      `job_queues: ${shown(quoted(each("length(distinct(q.compute_environments)) != length(q.compute_environments)", "name")))}: compute_environments lists an environment twice; list each once.`,
    ),
    rule(
      none(`anytrue(${kinds}) && !alltrue(${kinds})`),
      `job_queues: ${shown(quoted(each(`anytrue(${kinds}) && !alltrue(${kinds})`, "name")))}: compute_environments mixes Fargate and EC2 environments; Batch needs one or the other in a queue.`,
    ),
    rule(
      none("!(q.priority >= 0 && q.priority <= 1000 && floor(q.priority) == q.priority)"),
      `job_queues: ${shown(quoted(each("!(q.priority >= 0 && q.priority <= 1000 && floor(q.priority) == q.priority)", "name")))}: priority must be a whole number from 0 to 1000.`,
    ),
    rule(
      `alltrue([for e in ${known} : contains(${queued}, e)])`,
      `compute_environments: ${shown(quoted(`[for e in ${known} : e if !contains(${queued}, e)]`))} in no job queue, so no job can run there and their settings cannot take effect; add them to a queue in job_queues or remove them.`,
    ),
  ];
}

export function computeInputs(stack: ModuleStack, options: ComputeInputOptions): TerraformComputeConfig {
  stack.input("compute_environments", {
    type: ENVIRONMENT_TYPE,
    description:
      `Batch compute environments by name: kind (${COMPUTE_KINDS.join(", ")}) and, for EC2 kinds, instance_types (families or types), ` +
      "min_vcpus, desired_vcpus, max_vcpus, root_volume_gib (encrypted gp3) and allocation_strategy; every field but kind has the app's per-kind default",
    default: { cpu: { kind: "ec2" } },
    validation: environmentRules(options),
  });
  const jobQueues = stack.input("job_queues", {
    type: "map(object({ compute_environments = list(string), priority = optional(number, 1) }))",
    description: "Batch job queues by name: compute_environments tried in order (one to three, all EC2 kinds or all Fargate), and priority (higher runs first)",
    default: { default: { compute_environments: ["cpu"] } },
    validation: queueRules(),
  });
  stack.input("default_queue", {
    type: "string",
    description: "The queue Metaflow submits to unless a step names another, METAFLOW_BATCH_JOB_QUEUE (null: the only queue)",
    default: null,
    validation: [
      rule(
        "var.default_queue == null ? length(var.job_queues) == 1 : contains(keys(var.job_queues), var.default_queue)",
        `default_queue (${shown("jsonencode(var.default_queue)")}) must name one of the job queues: ${shown("join(\", \", keys(var.job_queues))")} (it may be left out when there is only one).`,
      ),
    ],
  });

  const environments = local(
    stack,
    "compute_environments",
    `{ for name, ce in var.compute_environments : name => {
    kind                = ce.kind
    fargate             = ${isFargate("ce")}
    instance_types      = ${isFargate("ce")} ? [] : (ce.instance_types != null ? ce.instance_types : lookup(${byKind((k) => KIND_DEFAULTS[k].instanceTypes)}, ce.kind, []))
    min_vcpus           = ${isFargate("ce")} ? null : coalesce(ce.min_vcpus, 0)
    desired_vcpus       = ${isFargate("ce")} ? null : coalesce(ce.desired_vcpus, ce.min_vcpus, 0)
    max_vcpus           = coalesce(ce.max_vcpus, lookup(${byKind((k) => KIND_DEFAULTS[k].maxVcpus)}, ce.kind, 1))
    root_volume_gib     = ${isFargate("ce")} ? null : coalesce(ce.root_volume_gib, lookup(${byKind((k) => KIND_DEFAULTS[k].rootVolumeGiB ?? 0)}, ce.kind, 50))
    allocation_strategy = ${isFargate("ce")} ? null : coalesce(ce.allocation_strategy, lookup(${byKind((k) => ALLOCATION_STRATEGIES[k][0] ?? "")}, ce.kind, ""))
  } }`,
  );
  const policies = stack.input("job_role_managed_policy_arns", {
    type: "list(string)",
    description: "Extra managed policies for the job role, e.g. access to data outside the datastore",
    default: [],
    validation: [
      rule(`alltrue([for p in var.job_role_managed_policy_arns : ${matches(IAM_POLICY_ARN, "p")}])`, `job_role_managed_policy_arns: ${shown(quoted(`[for p in var.job_role_managed_policy_arns : p if !${matches(IAM_POLICY_ARN, "p")}]`))} must be IAM policy ARNs.`),
      rule("length(distinct(var.job_role_managed_policy_arns)) == length(var.job_role_managed_policy_arns)", "job_role_managed_policy_arns lists a policy twice; attach each policy once."),
    ],
  }).listValue;
  return {
    computeEnvironments: environments.asAnyMap,
    jobQueues: jobQueues.value,
    defaultQueue: expression('var.default_queue != null ? var.default_queue : try(keys(var.job_queues)[0], "")'),
    batchServiceRole: oneOf(stack, "batch_service_role", "Trust for AWS Batch: a dedicated service role (it carries the permissions boundary), or AWS's service-linked role", BATCH_SERVICE_ROLES, "dedicated"),
    jobRoleManagedPolicyArns: policies,
    jobImage: jobImageInputs(stack, options),
  };
}

const JOB_IMAGE_TYPE = "object({ source = string, image = optional(string), tag = optional(string), untagged_image_expiry_days = optional(number) })";

/** The checks of `job_image`, as the config checks compute.jobImage (checkComputeNetwork with the network's variables). */
function jobImageRules(stack: ModuleStack, options: ComputeInputOptions): Rule[] {
  const j = "var.job_image";
  const set = (check: string) => unlessNull(j, check);
  const region = hcl(stack.region);
  const external = `${j}.source == "external"`;
  const repository = `${j}.source == "repository"`;
  const ecrRegion = `regex(${JSON.stringify(ECR_IMAGE.source)}, ${j}.image)[2]`;
  const inEcr = `${j}.image == null ? false : ${matches(ECR_IMAGE, `${j}.image`)}`;
  const rules: Rule[] = [
    rule(set(`contains(${literal(JOB_IMAGE_SOURCES)}, ${j}.source)`), `job_image.source must be one of ${JOB_IMAGE_SOURCES.join(", ")} (it is ${shown(`jsonencode(${j}.source)`)}).`),
    rule(set(`${external} ? ${j}.image != null : true`), `job_image.image is required with source "external": the image jobs run, with a tag or digest, like <account>.dkr.ecr.<region>.amazonaws.com/metaflow-jobs:py311-2026-12.`),
    rule(set(`${external} && ${j}.image != null ? ${matches(PINNED_JOB_IMAGE, `${j}.image`)} : true`), `job_image.image (${shown(`jsonencode(${j}.image)`)}) ${PINNED_JOB_IMAGE_MESSAGE.replace(/\d{12}\.dkr\.ecr\.[a-z0-9-]+\./, "<account>.dkr.ecr.<region>.")}.`),
    rule(set(`${j}.image == null ? true : !endswith(${j}.image, ":latest")`), "job_image.image must be pinned to a version or digest, not latest."),
    rule(set(`${external} ? ${j}.tag == null : true`), 'job_image.tag applies only with source "repository" (an external image is yours; the stack makes no repository for it); remove it.'),
    rule(set(`${external} ? ${j}.untagged_image_expiry_days == null : true`), 'job_image.untagged_image_expiry_days applies only with source "repository" (an external image is yours; the stack makes no repository for it); remove it.'),
    rule(set(`${repository} ? ${j}.image == null : true`), 'job_image.image applies only with source "external" (the stack\'s repository names the image; give only the tag); remove it.'),
    rule(set(`${repository} ? ${j}.tag != null : true`), 'job_image.tag is required with source "repository": the tag jobs run from the module\'s repository, like py311-2026-12.'),
    rule(set(`${j}.tag == null ? true : ${matches(JOB_IMAGE_TAG, `${j}.tag`)}`), `job_image.tag (${shown(`jsonencode(${j}.tag)`)}) ${JOB_IMAGE_TAG_MESSAGE}.`),
    rule(set(`${j}.tag != "latest"`), "job_image.tag must be pinned to a version, not latest."),
    rule(
      set(`${j}.untagged_image_expiry_days == null ? true : ${j}.untagged_image_expiry_days >= 1 && ${j}.untagged_image_expiry_days <= 365 && floor(${j}.untagged_image_expiry_days) == ${j}.untagged_image_expiry_days`),
      `job_image.untagged_image_expiry_days must be a whole number from 1 to 365 (it is ${shown(`jsonencode(${j}.untagged_image_expiry_days)`)}).`,
    ),
    rule(
      set(`${external} && (${inEcr}) ? ${ecrRegion} == ${region} : true`),
      `job_image.image (${shown(`jsonencode(${j}.image)`)}) is in ECR of region ${shown(ecrRegion)}, but the Batch instance and execution roles may pull only from ECR in \${${region}}; copy it there.`,
    ),
  ];
  if (options.withNetwork) {
    const noNat = 'var.existing_network == null && var.nat_gateways == "none"';
    rules.push(
      rule(
        `${noNat} ? ${j} != null : true`,
        `job_image is required with nat_gateways "none": Metaflow's default job image is on Docker Hub and each task first installs boto3 and requests from PyPI, neither reachable without NAT; set { source = "repository", tag = "..." } (the module makes an ECR repository; push an image built as docs/job-image.md says) or { source = "external", image = "<an image in ECR in \${${region}}>" }.`,
      ),
      rule(
        `${noNat} && ${j} != null ? (${j}.source == "external" ? (${inEcr}) : true) : true`,
        `job_image.image (${shown(`jsonencode(${j}.image)`)}) cannot be pulled without NAT (nat_gateways is "none"); copy it to ECR in \${${region}} and name it there, or use { source = "repository", tag = "..." }.`,
      ),
    );
  }
  return rules;
}

/**
 * The image Metaflow's Batch jobs run (compute.jobImage): null for Metaflow's default, or an object with
 * source "external" and image, or source "repository" and tag (and untagged_image_expiry_days), for
 * which the module makes an ECR repository.
 */
function jobImageInputs(stack: ModuleStack, options: ComputeInputOptions): TerraformJobImage {
  stack.input("job_image", {
    type: JOB_IMAGE_TYPE,
    description:
      'The image Batch jobs run (METAFLOW_BATCH_CONTAINER_REGISTRY and _IMAGE): { source = "external", image = "<registry/repository:tag>" }, ' +
      `or { source = "repository", tag = "...", untagged_image_expiry_days = ${DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS} } for an ECR repository the module makes (immutable tags, scanned, KMS); ` +
      'null: Metaflow\'s default image, which needs NAT; required in ECR of the region with nat_gateways "none"',
    default: null,
    validation: jobImageRules(stack, options),
  });
  const split = splitImageHcl("var.job_image.image");
  return {
    source: expression("var.job_image == null ? null : var.job_image.source"),
    externalRegistry: expression(`try(${split.registry}, null)`),
    externalImage: expression(`try(${split.image}, null)`),
    tag: expression("try(var.job_image.tag, null)"),
    untaggedImageExpiryDays: Token.asNumber(rawExpression(`try(coalesce(var.job_image.untagged_image_expiry_days, ${DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS}), ${DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS})`)),
  };
}
