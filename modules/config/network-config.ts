import { z } from "zod";
import { contains, formatCidr, Ipv4Network, overlaps, parseIpv4Cidr, subnet } from "./cidr";
import { awsId, duplicateIndexes, Ipv4Cidr, modeError, onlyWhere, Report, RetentionDays, strict } from "./common";
import { AwsRegion, defaultAvailabilityZones } from "./regions";

/** Config of the network area: a VPC this project creates, or one that exists. */

/**
 * The private subnets' way out: `none` (endpoints only), one shared NAT gateway (`single`), one per zone
 * (`perAz`), or one NAT `instance` (a small EC2 instance, a fraction of a gateway's price, without its
 * failover: for development environments; modules/nat-instance.ts).
 */
export const NAT_GATEWAYS = ["none", "single", "perAz", "instance"] as const;
export type NatGateways = (typeof NAT_GATEWAYS)[number];

/** Interface endpoints the network can create (service names under `com.amazonaws.<region>.`). */
export const INTERFACE_ENDPOINTS = [
  "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts", "secretsmanager", "kms", "ssm",
] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/**
 * What Batch instances and Fargate tasks in private subnets need when there is no NAT: images from ECR,
 * the ECS agent, logs, role credentials, and the database secret of the metadata service.
 */
export const ENDPOINTS_REQUIRED_WITHOUT_NAT: readonly InterfaceEndpoint[] = [
  "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts", "secretsmanager",
];

const FlowLogsSchema = strict({
  /** @default 90 */
  retentionDays: RetentionDays.default(90),
  /** @default "ALL" */
  trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
});

/** Fields of each mode, for the messages that refuse them in the other. */
const CREATE_ONLY = ["vpcCidr", "availabilityZones", "privateSubnetCidrs", "publicSubnetCidrs", "natGateways", "interfaceEndpoints", "flowLogs"];
const EXISTING_ONLY = ["vpcId", "privateSubnetIds", "publicSubnetIds", "verifySubnets"];

const CreateNetworkSchema = strict({
  mode: z.literal("create"),
  /** @default "10.0.0.0/16" */
  vpcCidr: Ipv4Cidr.default("10.0.0.0/16"),
  /** @default the region's first two zones */
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "must be an availability zone name like us-east-1a"))
    .min(2, "list at least two availability zones")
    .max(6, "list at most six availability zones")
    .optional(),
  /** @default one eighth of the VPC per zone (a /19 of a /16) */
  privateSubnetCidrs: z.array(Ipv4Cidr).optional(),
  /** @default one sixty-fourth of the VPC per zone, from its last eighth (a /22 of a /16) */
  publicSubnetCidrs: z.array(Ipv4Cidr).optional(),
  /** @default "single" */
  natGateways: z.enum(NAT_GATEWAYS).default("single"),
  /** The NAT instance's type, with natGateways "instance" only. @default "t4g.nano" */
  natInstanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[0-9a-z]+$/, "must be an EC2 instance type with its size, like t4g.nano or t3.micro")
    .optional(),
  /** @default [] */
  interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)).default([]),
  flowLogs: FlowLogsSchema.default({ retentionDays: 90, trafficType: "ALL" }),
}, onlyWhere("mode", "existing", EXISTING_ONLY, "a created network makes its own VPC and subnets"));

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
}, onlyWhere("mode", "create", CREATE_ONLY, "an existing network keeps its own CIDRs, zones, NAT, endpoints and flow logs"));

export const NetworkSchema = z
  .discriminatedUnion("mode", [CreateNetworkSchema, ExistingNetworkSchema], modeError(`"create", "existing"`))
  .default({ mode: "create", vpcCidr: "10.0.0.0/16", natGateways: "single", interfaceEndpoints: [], flowLogs: { retentionDays: 90, trafficType: "ALL" } });

type CreateNetworkInput = z.output<typeof CreateNetworkSchema>;
export type NetworkInput = z.output<typeof NetworkSchema>;

export interface CreateNetworkConfig extends Omit<CreateNetworkInput, "availabilityZones" | "privateSubnetCidrs" | "publicSubnetCidrs"> {
  readonly availabilityZones: string[];
  readonly privateSubnetCidrs: string[];
  readonly publicSubnetCidrs: string[];
}
export type ExistingNetworkConfig = z.output<typeof ExistingNetworkSchema>;
export type NetworkConfig = CreateNetworkConfig | ExistingNetworkConfig;

/** Default split: private subnets take eighths of the VPC, public ones sixty-fourths of its last eighth. */
export const PRIVATE_NEW_BITS = 3;
export const PUBLIC_NEW_BITS = 6;
export const PUBLIC_FIRST_INDEX = 56;
export const SMALLEST_SUBNET_PREFIX = 28;
export const LARGEST_SUBNET_PREFIX = 16;

/** Zones and subnet CIDRs of a created network, defaults filled in; `undefined` CIDRs: VPC too small to split. */
function resolveSubnets(input: CreateNetworkInput, region: AwsRegion) {
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

/** Fills zones and subnet CIDRs. Only called on a network that passed `checkNetwork`. */
export function resolveNetwork(input: NetworkInput, region: AwsRegion): NetworkConfig {
  if (input.mode === "existing") return input;
  const { zones, privateCidrs, publicCidrs } = resolveSubnets(input, region);
  return { ...input, availabilityZones: zones, privateSubnetCidrs: privateCidrs!, publicSubnetCidrs: publicCidrs! };
}

/** Cross-field rules of a created network: zones of the region, subnets inside the VPC and apart, endpoints. */
function checkCreatedNetwork(input: CreateNetworkInput, region: AwsRegion, fail: Report): void {
  const { zones, vpc, privateCidrs, publicCidrs } = resolveSubnets(input, region);

  zones.forEach((zone, i) => {
    if (!new RegExp(`^${region}[a-z]$`).test(zone)) fail(["availabilityZones", i], zone, `must be a zone of region ${region}, like ${region}a`);
  });
  for (const i of duplicateIndexes(zones)) fail(["availabilityZones", i], zones[i], "is listed twice; each zone once");
  for (const i of duplicateIndexes(input.interfaceEndpoints)) {
    fail(["interfaceEndpoints", i], input.interfaceEndpoints[i], "is listed twice; each endpoint once");
  }
  if (input.natInstanceType !== undefined && input.natGateways !== "instance") {
    fail(["natInstanceType"], input.natInstanceType, `applies only with natGateways "instance" (it is "${input.natGateways}"); remove it or set natGateways to "instance"`);
  }
  if (input.natGateways === "none") {
    const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((e) => !input.interfaceEndpoints.includes(e));
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

function checkExistingNetwork(input: ExistingNetworkConfig, fail: Report): void {
  const all = [...input.privateSubnetIds, ...input.publicSubnetIds];
  for (const i of duplicateIndexes(all)) {
    const [field, index] = i < input.privateSubnetIds.length ? ["privateSubnetIds", i] : ["publicSubnetIds", i - input.privateSubnetIds.length];
    fail([field, index], all[i], "is listed twice; list each subnet once");
  }
}

/** The network's cross-field rules; paths are relative to `network`. */
export function checkNetwork(input: NetworkInput, region: AwsRegion, fail: Report): void {
  if (input.mode === "existing") checkExistingNetwork(input, fail);
  else checkCreatedNetwork(input, region, fail);
}
