import { z } from "zod";
import { MAX_ENVIRONMENT_LENGTH, MAX_PREFIX_LENGTH, TAG_LIMITS } from "../naming";
import { DEFAULT_PROTECTED_TYPES } from "../../review/gate";
import { arnScopeProblem, duplicateIndexes, iamPolicyArn, MootSetting, nameSegment, Report, strict } from "./common";
import { checkCompute, checkComputeNetwork, ComputeConfig, ComputeSchema, resolveCompute } from "./compute-config";
import { checkNetwork, NetworkConfig, NetworkSchema, resolveNetwork } from "./network-config";
import { checkDatabase, checkService, checkServiceNetwork, checkServiceRegion, DatabaseDefaultSchema, mootService, ServiceSchema } from "./service-config";
import { checkScheduling, mootScheduling, SchedulingSchema } from "./scheduling-config";
import { StateSchema } from "./state-config";
import { mootStorage, StorageSchema } from "./storage-config";
import { checkUi, checkUiNetwork, checkUiRegion, mootUi, UiSchema } from "./ui-config";
import { AWS_REGIONS } from "./regions";

/**
 * The configuration of one environment. Every field has a default, so `{}` is a complete config.
 * Parsing checks types, enums, unknown keys and each area's cross-field rules, then fills derived
 * defaults (zones, subnet CIDRs, per-kind compute settings) so constructs get an `EnvironmentConfig`.
 * Each area's schema and rules live in `<area>-config.ts`.
 */

export * from "./common";
export * from "./compute-config";
export * from "./network-config";
export * from "./service-config";
export * from "./scheduling-config";
export * from "./state-config";
export * from "./storage-config";
export * from "./ui-config";

export const NamePrefixSchema = nameSegment("namePrefix", MAX_PREFIX_LENGTH);
export const EnvironmentNameSchema = nameSegment("the environment name", MAX_ENVIRONMENT_LENGTH);

/** Tag keys the project sets itself through the provider's default tags. */
export const RESERVED_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;
/** Tag keys the project sets on resources themselves (`Name` on most, `Tier` on subnets): they override default tags. */
export const RESOURCE_TAG_KEYS = ["Name", "Tier"] as const;
/** The most tags a config may add: AWS's limit per resource less every key the project sets on one. */
export const MAX_USER_TAGS = TAG_LIMITS.perResource - RESERVED_TAG_KEYS.length - RESOURCE_TAG_KEYS.length;

/** Length in characters as AWS counts them (code points, not UTF-16 units). */
const characters = (s: string) => [...s].length;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const TagsSchema = z
  .record(
    z
      .string()
      .min(1, "tag keys must not be empty")
      .refine((k) => characters(k) <= TAG_LIMITS.keyCharacters, `tag keys have at most ${TAG_LIMITS.keyCharacters} characters`)
      .regex(TAG_TEXT, "tag keys may hold letters, digits, spaces and _ . : / = + - @")
      .refine((k) => !k.toLowerCase().startsWith("aws:"), "tag keys must not start with aws: (reserved by AWS)")
      .refine((k) => !(RESERVED_TAG_KEYS as readonly string[]).includes(k), `${RESERVED_TAG_KEYS.join(", ")} are set by the project; remove them`)
      .refine(
        (k) => !(RESOURCE_TAG_KEYS as readonly string[]).includes(k),
        "Name and Tier are set on resources by the project (Name on most, Tier on subnets), which would override yours there; use another key",
      ),
    z
      .string()
      .refine((v) => characters(v) <= TAG_LIMITS.valueCharacters, `tag values have at most ${TAG_LIMITS.valueCharacters} characters`)
      .regex(TAG_TEXT, "tag values may hold letters, digits, spaces and _ . : / = + - @"),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_USER_TAGS, {
    error: (issue) =>
      `has ${Object.keys(issue.input as object).length} tags; AWS allows ${TAG_LIMITS.perResource} per resource and the project sets ` +
      `${TAG_LIMITS.perResource - MAX_USER_TAGS} of its own (${[...RESERVED_TAG_KEYS, ...RESOURCE_TAG_KEYS].join(", ")}), so list at most ${MAX_USER_TAGS}`,
  });

const ConfigInputSchema = strict({
  /** Lets editors find a JSON schema; ignored. */
  $schema: z.string().optional(),
  /** @default "us-east-1" */
  region: z.enum(AWS_REGIONS).default("us-east-1"),
  /** First part of every name. @default "metaflow" */
  namePrefix: NamePrefixSchema.default("metaflow"),
  /** Extra tags on every resource, besides Project, Environment and ManagedBy. @default {} */
  tags: TagsSchema.default({}),
  /**
   * The AWS account this environment deploys to. The provider refuses any other account, and the
   * default state bucket name includes it. @default none (any account)
   */
  accountId: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id").optional(),
  /** Permissions boundary attached to every IAM role the project creates. @default none */
  permissionsBoundaryArn: iamPolicyArn("must be an IAM policy ARN like arn:aws:iam::123456789012:policy/boundary").optional(),
  /**
   * More resource types (`aws_efs_file_system`) or addresses the plan gate blocks from deletion,
   * replacement or forgetting, besides buckets, databases, tables, keys and secrets. @default []
   */
  protectedResources: z
    .array(z.string().regex(/^(module\.[\w-]+(\[[^\]]+\])?\.)*(data\.)?[a-z][a-z0-9_]*(\.[\w-]+(\[[^\]]+\])?)?$/, "must be a resource type like aws_efs_file_system or an address like aws_s3_bucket.logs"))
    .default([]),
  network: NetworkSchema,
  storage: StorageSchema,
  compute: ComputeSchema,
  database: DatabaseDefaultSchema,
  service: ServiceSchema,
  scheduling: SchedulingSchema,
  ui: UiSchema,
  state: StateSchema,
});

type ConfigInput = z.output<typeof ConfigInputSchema>;

/** A fully resolved environment config: what constructs receive. */
export interface EnvironmentConfig extends Omit<ConfigInput, "$schema" | "network" | "compute"> {
  readonly network: NetworkConfig;
  readonly compute: ComputeConfig;
}

/**
 * An area's cross-field rules, run whenever the fields it reads parsed, even if other fields failed, so
 * one run reports every problem. (Zod skips checks after any issue by default; a check's `when` is zod
 * 4's way to widen that.)
 */
function areaCheck(reads: readonly string[], run: (input: ConfigInput, fail: Report) => void, area?: string) {
  const check = z.superRefine<ConfigInput>((input, ctx) =>
    run(input, (path, value, message) => ctx.issues.push({ code: "custom", path: area ? [area, ...path] : [...path], input: value, message })),
  );
  check._zod.def.when = (payload) => !payload.issues.some((issue) => !issue.path?.length || reads.includes(String(issue.path[0])));
  return check;
}

const networkCheck = areaCheck(["network", "region"], (input, fail) => checkNetwork(input.network, input.region, fail), "network");
const computeCheck = areaCheck(["compute"], (input, fail) => checkCompute(input.compute, fail), "compute");
const serviceCheck = areaCheck(["service"], (input, fail) => checkService(input.service, fail), "service");
const serviceNetworkCheck = areaCheck(["service", "network", "region"], (input, fail) => checkServiceNetwork(input.service, input.network, input.region, fail), "service");
const schedulingCheck = areaCheck(["scheduling"], (input, fail) => checkScheduling(input.scheduling, fail), "scheduling");
const serviceRegionCheck = areaCheck(["service", "region"], (input, fail) => checkServiceRegion(input.service, input.region, fail), "service");

/**
 * ARNs the stack uses must be of its partition, and policies IAM attaches to its roles of its account
 * (when accountId is set) or AWS managed; the principals and the KMS key may be in another account.
 */
function checkArnScopes(input: ConfigInput, fail: Report): void {
  const check = (path: (string | number)[], arn: string | undefined, sameAccount: boolean) => {
    const problem = arn === undefined ? undefined : arnScopeProblem(arn, input.region, input.accountId, sameAccount);
    if (problem) fail(path, arn, problem);
  };
  check(["permissionsBoundaryArn"], input.permissionsBoundaryArn, true);
  input.compute.jobRoleManagedPolicyArns.forEach((arn, i) => check(["compute", "jobRoleManagedPolicyArns", i], arn, true));
  input.scheduling.users.principalArns.forEach((arn, i) => check(["scheduling", "users", "principalArns", i], arn, false));
  if (input.storage.mode === "existing") check(["storage", "kmsKeyArn"], input.storage.kmsKeyArn, false);
}

const arnCheck = areaCheck(
  ["region", "accountId", "permissionsBoundaryArn", "compute", "scheduling", "storage"],
  (input, fail) => checkArnScopes(input, fail),
);
const databaseCheck = areaCheck(["database"], (input, fail) => checkDatabase(input.database, fail), "database");
const computeNetworkCheck = areaCheck(["compute", "network", "region"], (input, fail) => checkComputeNetwork(input.compute, input.network, input.region, fail), "compute");
const uiCheck = areaCheck(["ui"], (input, fail) => checkUi(input.ui, fail), "ui");
const uiRegionCheck = areaCheck(["ui", "region", "accountId"], (input, fail) => checkUiRegion(input.ui, input.region, input.accountId, fail), "ui");
const uiNetworkCheck = areaCheck(["ui", "network", "region"], (input, fail) => checkUiNetwork(input.ui, input.network, input.region, fail), "ui");

/** The resource type an entry of protectedResources names: `aws_s3_bucket` of `module.a.aws_s3_bucket.b[0]`. */
const protectedType = (entry: string) => entry.replace(/^(module\.[\w-]+(\[[^\]]+\])?\.)*/, "").split(".")[0];

/** protectedResources entries that cannot take effect: types the gate protects anyway, and repeats. */
function checkProtectedResources(input: ConfigInput, fail: Report): void {
  input.protectedResources.forEach((entry, i) => {
    const type = protectedType(entry);
    if (DEFAULT_PROTECTED_TYPES.includes(type)) {
      fail(["protectedResources", i], entry, `cannot take effect: the plan gate protects every ${type} already; remove it`);
    }
  });
  for (const i of duplicateIndexes(input.protectedResources)) fail(["protectedResources", i], input.protectedResources[i], "is listed twice");
}

const protectedCheck = areaCheck(["protectedResources"], checkProtectedResources);

/**
 * Settings the raw input gives that another setting makes moot (API gateway settings with publicAccess
 * "internal", a KMS deletion window with SSE-S3, execution log retention with scheduling off), each with
 * its full path. Read from the raw input: the parsed config holds defaults, which hide what was given.
 * Keys of another variant (flow logs for an existing network) are refused by the schemas themselves.
 */
export function mootSettings(raw: unknown): MootSetting[] {
  const within = (area: string, settings: MootSetting[]) => settings.map((s) => ({ ...s, path: [area, ...s.path] }));
  return [
    ...within("storage", mootStorage(raw)), ...within("service", mootService(raw)), ...within("scheduling", mootScheduling(raw)), ...within("ui", mootUi(raw)),
  ];
}

function resolve(input: ConfigInput): EnvironmentConfig {
  const { $schema: _ignored, network, compute, ...rest } = input;
  return { ...rest, network: resolveNetwork(network, input.region), compute: resolveCompute(compute) };
}

export const ConfigSchema = ConfigInputSchema.check(
  networkCheck, computeCheck, computeNetworkCheck, serviceCheck, serviceNetworkCheck, serviceRegionCheck, databaseCheck, schedulingCheck,
  protectedCheck, arnCheck, uiCheck, uiRegionCheck, uiNetworkCheck,
).transform(resolve);
