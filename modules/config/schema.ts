import { z } from "zod";
import { MAX_ENVIRONMENT_LENGTH, MAX_PREFIX_LENGTH } from "../naming";
import { contains, formatCidr, Ipv4Network, overlaps, parseIpv4Cidr, subnet } from "./cidr";
import { AWS_REGIONS, defaultAvailabilityZones } from "./regions";

/**
 * The configuration of one environment. Every field has a default, so `{}` is a complete config.
 * Parsing checks types, enums, unknown keys and cross-field rules, and fills derived defaults
 * (availability zones, subnet CIDRs) so constructs receive a fully resolved `EnvironmentConfig`.
 */

/** A `z.strictObject` whose unknown-key error lists the keys that are allowed. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).filter((k) => k !== "$schema");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unknown key; allowed keys are: ${allowed.join(", ")}` : undefined,
  });
}

/** Lower-case name segment legal in S3 bucket names, IAM names and log groups. */
function nameSegment(what: string, maxLength: number) {
  return z
    .string()
    .min(2, `${what} must have 2 to ${maxLength} characters`)
    .max(maxLength, `${what} must have 2 to ${maxLength} characters (it is part of bucket and IAM role names)`)
    .regex(
      /^[a-z][a-z0-9-]*[a-z0-9]$/,
      `${what} may hold lower-case letters, digits and hyphens, must start with a letter and end with a letter or digit`,
    )
    .refine((s) => !s.includes("--"), `${what} must not contain "--"`)
    .refine(
      (s) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(s),
      `${what} must not start with "xn--", "sthree-" or "amzn-s3-demo-" (prefixes S3 reserves)`,
    );
}

export const NamePrefixSchema = nameSegment("namePrefix", MAX_PREFIX_LENGTH);
export const EnvironmentNameSchema = nameSegment("the environment name", MAX_ENVIRONMENT_LENGTH);

const Ipv4Cidr = z
  .string()
  .refine((s) => parseIpv4Cidr(s) !== undefined, "must be an IPv4 network address in CIDR notation, e.g. 10.0.0.0/16");

const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), `must be an id like ${prefix}-0123456789abcdef0`);

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const RetentionDays = z
  .number()
  .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
    message: `must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
  });

const int = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** NAT gateways for the private subnets: none (endpoints only), one shared, or one per zone. */
export const NAT_GATEWAYS = ["none", "single", "perAz"] as const;
export type NatGateways = (typeof NAT_GATEWAYS)[number];

/** Interface endpoints the network can create (service names under `com.amazonaws.<region>.`). */
export const INTERFACE_ENDPOINTS = [
  "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts", "secretsmanager", "kms", "ssm",
] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/** What Batch instances and Fargate tasks in private subnets need when there is no NAT. */
export const ENDPOINTS_REQUIRED_WITHOUT_NAT: readonly InterfaceEndpoint[] = [
  "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts",
];

const FlowLogsSchema = strict({
  /** @default 90 */
  retentionDays: RetentionDays.default(90),
  /** @default "ALL" */
  trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
});

const CreateNetworkSchema = strict({
  mode: z.literal("create"),
  /** @default "10.0.0.0/16" */
  vpcCidr: Ipv4Cidr.default("10.0.0.0/16"),
  /** @default the region's first two zones */
  availabilityZones: z.array(z.string()).min(2, "list at least two availability zones").max(6, "list at most six availability zones").optional(),
  /** @default one /19 per zone carved from a /16 VPC (vpcCidr split in eighths) */
  privateSubnetCidrs: z.array(Ipv4Cidr).optional(),
  /** @default one /22 per zone from the last eighth of the VPC */
  publicSubnetCidrs: z.array(Ipv4Cidr).optional(),
  /** @default "single" */
  natGateways: z.enum(NAT_GATEWAYS).default("single"),
  /** @default [] */
  interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)).default([]),
  flowLogs: FlowLogsSchema.default({ retentionDays: 90, trafficType: "ALL" }),
});

const ExistingNetworkSchema = strict({
  mode: z.literal("existing"),
  vpcId: awsId("vpc"),
  privateSubnetIds: z.array(awsId("subnet")).min(2, "list at least two private subnets, in distinct availability zones"),
  /** @default [] */
  publicSubnetIds: z.array(awsId("subnet")).default([]),
  /**
   * Look the subnets up at plan time and fail unless the private ones sit in at least two distinct zones
   * of the VPC. Needs AWS credentials at plan time.
   * @default true
   */
  verifySubnets: z.boolean().default(true),
});

const modeError = (allowed: string) => ({
  error: (issue: { code: string }) =>
    issue.code === "invalid_union" || issue.code === "invalid_type" ? `mode must be one of ${allowed}` : undefined,
});

const NetworkSchema = z.discriminatedUnion("mode", [CreateNetworkSchema, ExistingNetworkSchema], modeError(`"create", "existing"`));

const KmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<uuid>");

/** Server-side encryption of the datastore: a customer-managed KMS key, or S3-managed keys. */
export const BUCKET_ENCRYPTION = ["kms", "s3"] as const;
export type BucketEncryption = (typeof BUCKET_ENCRYPTION)[number];

const CreateStorageSchema = strict({
  mode: z.literal("create"),
  /** @default "kms" */
  encryption: z.enum(BUCKET_ENCRYPTION).default("kms"),
  /** Days a replaced or deleted object version is kept. @default 90 */
  noncurrentVersionRetentionDays: int(1, 3650).default(90),
  /** @default 7 */
  abortIncompleteUploadsAfterDays: int(1, 365).default(7),
  /** @default 30 */
  kmsKeyDeletionWindowDays: int(7, 30).default(30),
});

const ExistingStorageSchema = strict({
  mode: z.literal("existing"),
  bucketName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens"),
  /** The key the bucket is encrypted with, when SSE-KMS; grants then include it. @default none (SSE-S3) */
  kmsKeyArn: KmsKeyArn.optional(),
});

const StorageSchema = z.discriminatedUnion("mode", [CreateStorageSchema, ExistingStorageSchema], modeError(`"create", "existing"`));

/** Tag keys the project sets itself through the provider's default tags. */
export const RESERVED_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;

const TagsSchema = z.record(
  z
    .string()
    .min(1)
    .max(128, "tag keys have at most 128 characters")
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, "tag keys may hold letters, digits, spaces and _ . : / = + - @")
    .refine((k) => !k.toLowerCase().startsWith("aws:"), "tag keys must not start with aws: (reserved by AWS)")
    .refine((k) => !(RESERVED_TAG_KEYS as readonly string[]).includes(k), `${RESERVED_TAG_KEYS.join(", ")} are set by the project; remove them`),
  z.string().max(256, "tag values have at most 256 characters").regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "tag values may hold letters, digits, spaces and _ . : / = + - @"),
);

const ConfigInputSchema = strict({
  /** Lets editors find the JSON schema; ignored. */
  $schema: z.string().optional(),
  /** @default "us-east-1" */
  region: z.enum(AWS_REGIONS).default("us-east-1"),
  /** First part of every name. @default "metaflow" */
  namePrefix: NamePrefixSchema.default("metaflow"),
  /** Extra tags on every resource, besides Project, Environment and ManagedBy. @default {} */
  tags: TagsSchema.default({}),
  /** Permissions boundary attached to every IAM role the project creates. @default none */
  permissionsBoundaryArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@\/-]+$/, "must be an IAM policy ARN like arn:aws:iam::123456789012:policy/boundary")
    .optional(),
  network: NetworkSchema.default({
    mode: "create", vpcCidr: "10.0.0.0/16", natGateways: "single", interfaceEndpoints: [],
    flowLogs: { retentionDays: 90, trafficType: "ALL" },
  }),
  storage: StorageSchema.default({
    mode: "create", encryption: "kms", noncurrentVersionRetentionDays: 90, abortIncompleteUploadsAfterDays: 7, kmsKeyDeletionWindowDays: 30,
  }),
});

type ConfigInput = z.output<typeof ConfigInputSchema>;
type CreateNetworkInput = z.output<typeof CreateNetworkSchema>;

export interface CreateNetworkConfig extends Omit<CreateNetworkInput, "availabilityZones" | "privateSubnetCidrs" | "publicSubnetCidrs"> {
  readonly availabilityZones: string[];
  readonly privateSubnetCidrs: string[];
  readonly publicSubnetCidrs: string[];
}
export type ExistingNetworkConfig = z.output<typeof ExistingNetworkSchema>;
export type NetworkConfig = CreateNetworkConfig | ExistingNetworkConfig;
export type StorageConfig = z.output<typeof StorageSchema>;
export type CreateStorageConfig = z.output<typeof CreateStorageSchema>;
export type ExistingStorageConfig = z.output<typeof ExistingStorageSchema>;

/** A fully resolved environment config: what constructs receive. */
export interface EnvironmentConfig extends Omit<ConfigInput, "$schema" | "network"> {
  readonly network: NetworkConfig;
}

/** Default split: private subnets take eighths of the VPC, public ones sixty-fourths of its last eighth. */
const PRIVATE_NEW_BITS = 3;
const PUBLIC_NEW_BITS = 6;
const PUBLIC_FIRST_INDEX = 56;
const SMALLEST_SUBNET_PREFIX = 28;
const LARGEST_SUBNET_PREFIX = 16;

type Issues = z.core.$RefinementCtx<ConfigInput>;

/** Zones and subnet CIDRs of a created network, defaults filled in; `undefined` CIDRs: VPC too small to split. */
function resolveSubnets(input: CreateNetworkInput, region: ConfigInput["region"]) {
  const zones = input.availabilityZones ?? defaultAvailabilityZones(region);
  const vpc = parseIpv4Cidr(input.vpcCidr)!;
  const derive = (newBits: number, first: number): string[] | undefined =>
    vpc.prefix + newBits > SMALLEST_SUBNET_PREFIX ? undefined : zones.map((_, i) => formatCidr(subnet(vpc, newBits, first + i)));
  return {
    zones,
    vpc,
    privateCidrs: input.privateSubnetCidrs ?? derive(PRIVATE_NEW_BITS, 0),
    publicCidrs: input.publicSubnetCidrs ?? derive(PUBLIC_NEW_BITS, PUBLIC_FIRST_INDEX),
  };
}

/** Cross-field rules of a created network: zones of the region, subnets inside the VPC and apart, endpoints. */
function checkCreatedNetwork(input: CreateNetworkInput, region: ConfigInput["region"], ctx: Issues): void {
  const fail = (path: (string | number)[], value: unknown, message: string) =>
    ctx.issues.push({ code: "custom", path: ["network", ...path], input: value, message });
  const { zones, vpc, privateCidrs, publicCidrs } = resolveSubnets(input, region);

  zones.forEach((zone, i) => {
    if (!new RegExp(`^${region}[a-z]$`).test(zone)) {
      fail(["availabilityZones", i], zone, `must be a zone of region ${region}, like ${region}a`);
    } else if (zones.indexOf(zone) !== i) {
      fail(["availabilityZones", i], zone, "is listed twice; each zone once");
    }
  });

  const seen = new Set<string>();
  input.interfaceEndpoints.forEach((endpoint, i) => {
    if (seen.has(endpoint)) fail(["interfaceEndpoints", i], endpoint, "is listed twice; each endpoint once");
    seen.add(endpoint);
  });
  if (input.natGateways === "none") {
    const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((e) => !seen.has(e));
    if (missing.length > 0) {
      fail(
        ["interfaceEndpoints"],
        input.interfaceEndpoints,
        `with natGateways "none", private subnets reach AWS only through endpoints; add ${missing.map((m) => `"${m}"`).join(", ")} or choose natGateways "single" or "perAz"`,
      );
    }
  }

  if (vpc.prefix < 16 || vpc.prefix > 28) {
    // Subnets derived from an impossible VPC would only repeat this error.
    fail(["vpcCidr"], input.vpcCidr, "must have a prefix length from /16 to /28 (the sizes AWS allows for a VPC)");
    return;
  }
  if (!privateCidrs || !publicCidrs) {
    fail(["vpcCidr"], input.vpcCidr, `is too small to split into default subnets; use /${SMALLEST_SUBNET_PREFIX - PUBLIC_NEW_BITS} or larger, or set privateSubnetCidrs and publicSubnetCidrs`);
    return;
  }
  const all: { field: string; index: number; text: string; net: Ipv4Network }[] = [];
  for (const [field, list] of [["privateSubnetCidrs", privateCidrs], ["publicSubnetCidrs", publicCidrs]] as const) {
    if (list.length !== zones.length) {
      fail([field], list, `must list one CIDR per availability zone (${zones.length}: ${zones.join(", ")}), not ${list.length}`);
    }
    list.forEach((text, index) => {
      const net = parseIpv4Cidr(text)!;
      if (!contains(vpc, net)) {
        fail([field, index], text, `must lie inside vpcCidr ${input.vpcCidr}`);
      } else if (net.prefix < LARGEST_SUBNET_PREFIX || net.prefix > SMALLEST_SUBNET_PREFIX) {
        fail([field, index], text, `must have a prefix length from /${LARGEST_SUBNET_PREFIX} to /${SMALLEST_SUBNET_PREFIX}`);
      }
      const clash = all.find((other) => overlaps(other.net, net));
      if (clash) fail([field, index], text, `overlaps ${clash.field}[${clash.index}] (${clash.text}); subnets must not overlap`);
      all.push({ field, index, text, net });
    });
  }
}

function checkExistingNetwork(input: ExistingNetworkConfig, ctx: Issues): void {
  const all = [...input.privateSubnetIds, ...input.publicSubnetIds];
  all.forEach((id, i) => {
    if (all.indexOf(id) === i) return;
    const [field, index] = i < input.privateSubnetIds.length ? ["privateSubnetIds", i] : ["publicSubnetIds", i - input.privateSubnetIds.length];
    ctx.issues.push({ code: "custom", path: ["network", field, index], input: id, message: "is listed twice; list each subnet once" });
  });
}

function checkNetwork(input: ConfigInput, ctx: Issues): void {
  if (input.network.mode === "existing") checkExistingNetwork(input.network, ctx);
  else checkCreatedNetwork(input.network, input.region, ctx);
}

/**
 * The cross-field network check runs whenever `region` and `network` themselves parsed, even if other
 * fields failed, so one run reports every problem. (Zod's default is to skip checks after any issue;
 * `when` on the check's definition is zod 4's documented way to widen that.)
 */
const networkCheck = z.superRefine(checkNetwork);
networkCheck._zod.def.when = (payload) =>
  !payload.issues.some((issue) => !issue.path?.length || issue.path[0] === "network" || issue.path[0] === "region");

function resolve(input: ConfigInput): EnvironmentConfig {
  const { $schema: _ignored, network, ...rest } = input;
  if (network.mode === "existing") return { ...rest, network };
  const { zones, privateCidrs, publicCidrs } = resolveSubnets(network, input.region);
  return { ...rest, network: { ...network, availabilityZones: zones, privateSubnetCidrs: privateCidrs!, publicSubnetCidrs: publicCidrs! } };
}

export const ConfigSchema = ConfigInputSchema.check(networkCheck).transform(resolve);
