import { TerraformCondition } from "../../modules/condition";
import { expression, hcl, listExpression, rawExpression } from "../../modules/expression";
import {
  ENDPOINTS_REQUIRED_WITHOUT_NAT, INTERFACE_ENDPOINTS, LARGEST_SUBNET_PREFIX, NAT_GATEWAYS, PRIVATE_NEW_BITS, PUBLIC_FIRST_INDEX,
  PUBLIC_NEW_BITS, SMALLEST_SUBNET_PREFIX,
} from "../../modules/config/network-config";
import { DEFAULT_NAT_INSTANCE_TYPE } from "../../modules/nat-instance";
import { TerraformNetworkConfig } from "../../modules/network";
import { cidrCondition, cidrInside, cidrsOverlap, literal, matches, prefixOf, quoted, rule, Rule, unlessNull } from "../hcl-text";
import { ModuleStack } from "../module-stack";
import { local, oneOf } from "./common";

/** The network's variables: zones, CIDRs, NAT, endpoints, flow logs, and (metaflow module) an existing VPC. */

const ZONE_NAME = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const AWS_ID = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[0-9a-z]+$/;
const DEFAULT_VPC_CIDR = "10.0.0.0/16";
const MIN_ZONES = 2;
const MAX_ZONES = 6;

export interface NetworkInputOptions {
  /** Offer `existing_network` (the metaflow module); the network module always creates one. */
  readonly existing: boolean;
}

/** Checks of one subnet CIDR list against the zones, the VPC and the CIDRs listed before it. */
function subnetCidrRules(name: string, zones: string, vpcCidr: string, earlier: string, newBits: number): Rule[] {
  const list = `var.${name}`;
  return [
    rule(
      `${list} != null ? true : try(${prefixOf(vpcCidr)} + ${newBits} <= ${SMALLEST_SUBNET_PREFIX}, true)`,
      `vpc_cidr (\${${vpcCidr}}) is too small to split into default subnets; use /${SMALLEST_SUBNET_PREFIX - PUBLIC_NEW_BITS} or larger, or set private_subnet_cidrs and public_subnet_cidrs.`,
    ),
    rule(
      unlessNull(list, `length(${list}) == length(${zones})`),
      `${name} must list one CIDR per availability zone (\${length(${zones})}: \${join(", ", ${zones})}), not \${length(coalesce(${list}, []))}.`,
    ),
    rule(
      unlessNull(list, `alltrue([for c in ${list} : ${cidrCondition("c")}])`),
      `${name} must hold IPv4 network addresses in CIDR notation, in plain decimal, like 10.0.0.0/19 (\${${quoted(`[for c in coalesce(${list}, []) : c if !(${cidrCondition("c")})]`)}} are not).`,
    ),
    rule(
      unlessNull(list, `alltrue([for c in ${list} : ${cidrInside("c", vpcCidr)}])`),
      `${name}: \${${quoted(`[for c in coalesce(${list}, []) : c if !(${cidrInside("c", vpcCidr)})]`)}} must lie inside vpc_cidr \${${vpcCidr}}.`,
    ),
    rule(
      unlessNull(list, `alltrue([for c in ${list} : try(${prefixOf("c")} >= ${LARGEST_SUBNET_PREFIX} && ${prefixOf("c")} <= ${SMALLEST_SUBNET_PREFIX}, false)])`),
      `${name}: each CIDR must have a prefix length from /${LARGEST_SUBNET_PREFIX} to /${SMALLEST_SUBNET_PREFIX}.`,
    ),
    rule(
      unlessNull(list, `!anytrue(flatten([for i, c in ${list} : [for o in concat(${earlier}, slice(${list}, 0, i)) : ${cidrsOverlap("c", "o")}]]))`),
      `${name}: \${${quoted(`[for i, c in coalesce(${list}, []) : c if anytrue([for o in concat(${earlier}, slice(coalesce(${list}, []), 0, i)) : ${cidrsOverlap("c", "o")}])]`)}} overlap another subnet; subnets must not overlap.`,
    ),
  ];
}

/**
 * The network's variables as the Network construct takes them: zones, subnet CIDRs (derived from the VPC
 * as the app derives them when not given), NAT mode and interface endpoints as Terraform values.
 */
export function networkInputs(stack: ModuleStack, options: NetworkInputOptions): TerraformNetworkConfig {
  const existingGiven = options.existing ? "var.existing_network != null" : "false";
  // A created network's setting, given (at a value other than its default) with existing_network: moot.
  // Terraform cannot tell a default from the same value given, so only other values are refused.
  const moot = (name: string, given: string): Rule[] =>
    options.existing
      ? [rule(`var.existing_network == null ? true : !(${given})`, `${name} cannot take effect with existing_network set: an existing network keeps its own CIDRs, zones, NAT and endpoints; remove it or existing_network.`)]
      : [];
  const zones = "local.availability_zones";
  const vpcCidr = "var.vpc_cidr";

  stack.input("availability_zones", {
    type: "list(string)",
    description: `${MIN_ZONES} to ${MAX_ZONES} availability zones of the provider's region, one public and one private subnet in each${options.existing ? " (not with existing_network)" : ""}`,
    ...(options.existing && { default: null }),
    validation: [
      ...(options.existing
        ? [rule("var.availability_zones == null ? var.existing_network != null : true", "availability_zones must list the zones to create the network in, or set existing_network to reuse a VPC.")]
        : []),
      ...moot("availability_zones", "var.availability_zones != null"),
      rule(
        unlessNull("var.availability_zones", `length(var.availability_zones) >= ${MIN_ZONES} && length(var.availability_zones) <= ${MAX_ZONES}`),
        `availability_zones must list ${MIN_ZONES} to ${MAX_ZONES} availability zones (it lists \${length(coalesce(var.availability_zones, []))}).`,
      ),
      rule(
        unlessNull("var.availability_zones", `alltrue([for z in var.availability_zones : ${matches(ZONE_NAME, "z")}])`),
        `availability_zones: \${${quoted(`[for z in coalesce(var.availability_zones, []) : z if !${matches(ZONE_NAME, "z")}]`)}} must be availability zone names like us-east-1a.`,
      ),
      rule(
        unlessNull("var.availability_zones", "length(distinct(var.availability_zones)) == length(var.availability_zones)"),
        `availability_zones lists \${${quoted(`distinct([for i, z in coalesce(var.availability_zones, []) : z if contains(slice(coalesce(var.availability_zones, []), 0, i), z)])`)}} more than once; each zone once.`,
      ),
      rule(
        unlessNull("var.availability_zones", `alltrue([for z in var.availability_zones : startswith(z, ${hcl(stack.region)}) && length(z) == length(${hcl(stack.region)}) + 1])`),
        `availability_zones: \${${quoted(`[for z in coalesce(var.availability_zones, []) : z if !(startswith(z, ${hcl(stack.region)}) && length(z) == length(${hcl(stack.region)}) + 1)]`)}} must be zones of the provider's region \${${hcl(stack.region)}}, like \${${hcl(stack.region)}}a.`,
      ),
    ],
  });
  local(stack, "availability_zones", "var.availability_zones == null ? [] : var.availability_zones");

  const vpcCidrValue = stack.input("vpc_cidr", {
    type: "string",
    description: `IPv4 CIDR of the VPC, /16 to /${SMALLEST_SUBNET_PREFIX}`,
    default: DEFAULT_VPC_CIDR,
    validation: [
      ...moot("vpc_cidr", `var.vpc_cidr != ${literal(DEFAULT_VPC_CIDR)}`),
      rule(cidrCondition(vpcCidr), "vpc_cidr (${var.vpc_cidr}) must be an IPv4 network address in CIDR notation, in plain decimal, like 10.0.0.0/16."),
      rule(`try(${prefixOf(vpcCidr)} >= 16 && ${prefixOf(vpcCidr)} <= ${SMALLEST_SUBNET_PREFIX}, false)`, `vpc_cidr (\${var.vpc_cidr}) must have a prefix length from /16 to /${SMALLEST_SUBNET_PREFIX} (the sizes AWS allows for a VPC).`),
    ],
  }).stringValue;
  const derived = (newBits: number, first: number) => `[for i, z in ${zones} : try(cidrsubnet(${vpcCidr}, ${newBits}, ${first} + i), "")]`;
  const privateCidrs = local(stack, "private_subnet_cidrs", `var.private_subnet_cidrs != null ? var.private_subnet_cidrs : ${derived(PRIVATE_NEW_BITS, 0)}`);
  const publicCidrs = local(stack, "public_subnet_cidrs", `var.public_subnet_cidrs != null ? var.public_subnet_cidrs : ${derived(PUBLIC_NEW_BITS, PUBLIC_FIRST_INDEX)}`);
  stack.input("private_subnet_cidrs", {
    type: "list(string)",
    description: "One private subnet CIDR per zone, for Batch, the database and the service (null: an eighth of the VPC each, from its start)",
    default: null,
    validation: [...moot("private_subnet_cidrs", "var.private_subnet_cidrs != null"), ...subnetCidrRules("private_subnet_cidrs", zones, vpcCidr, "[]", PRIVATE_NEW_BITS)],
  });
  stack.input("public_subnet_cidrs", {
    type: "list(string)",
    description: "One public subnet CIDR per zone, for NAT (null: a sixty-fourth of the VPC each, from its last eighth)",
    default: null,
    validation: [...moot("public_subnet_cidrs", "var.public_subnet_cidrs != null"), ...subnetCidrRules("public_subnet_cidrs", zones, vpcCidr, "local.private_subnet_cidrs", PUBLIC_NEW_BITS)],
  });

  const natGateways = oneOf(
    stack, "nat_gateways", "The private subnets' way out: no NAT (endpoints only), one NAT gateway, one per zone, or one NAT instance (development)", NAT_GATEWAYS, "single",
    moot("nat_gateways", 'var.nat_gateways != "single"'),
  );
  stack.input("nat_instance_type", {
    type: "string",
    description: `The NAT instance's type, with nat_gateways "instance" only (null: ${DEFAULT_NAT_INSTANCE_TYPE})`,
    default: null,
    validation: [
      ...moot("nat_instance_type", "var.nat_instance_type != null"),
      rule(unlessNull("var.nat_instance_type", matches(INSTANCE_TYPE, "var.nat_instance_type")), "nat_instance_type (${jsonencode(var.nat_instance_type)}) must be an EC2 instance type with its size, like t4g.nano or t3.micro."),
      rule(
        unlessNull("var.nat_instance_type", `var.nat_gateways == "instance"`),
        'nat_instance_type applies only with nat_gateways "instance" (it is "${var.nat_gateways}"); remove it or set nat_gateways to "instance".',
      ),
    ],
  });
  const endpoints = stack.input("interface_endpoints", {
    type: "list(string)",
    description: `Interface endpoints in the private subnets, of ${INTERFACE_ENDPOINTS.join(", ")}`,
    default: [],
    validation: [
      ...moot("interface_endpoints", "length(var.interface_endpoints) > 0"),
      rule(
        `alltrue([for e in var.interface_endpoints : contains(${literal(INTERFACE_ENDPOINTS)}, e)])`,
        `interface_endpoints: \${${quoted(`[for e in var.interface_endpoints : e if !contains(${literal(INTERFACE_ENDPOINTS)}, e)]`)}} must be among ${INTERFACE_ENDPOINTS.join(", ")}.`,
      ),
      rule(
        "length(distinct(var.interface_endpoints)) == length(var.interface_endpoints)",
        `interface_endpoints lists \${${quoted(`distinct([for i, e in var.interface_endpoints : e if contains(slice(var.interface_endpoints, 0, i), e)])`)}} more than once; each endpoint once.`,
      ),
      rule(
        `${existingGiven} || var.nat_gateways != "none" ? true : alltrue([for e in ${literal(ENDPOINTS_REQUIRED_WITHOUT_NAT)} : contains(var.interface_endpoints, e)])`,
        `interface_endpoints: with nat_gateways "none", private subnets reach AWS only through endpoints; add \${${quoted(`[for e in ${literal(ENDPOINTS_REQUIRED_WITHOUT_NAT)} : e if !contains(var.interface_endpoints, e)]`)}} or choose nat_gateways "single" or "perAz".`,
      ),
    ],
  }).listValue;

  const created = {
    mode: "create" as const,
    vpcCidr: vpcCidrValue,
    availabilityZones: listExpression(zones),
    privateSubnetCidrs: privateCidrs.asList,
    publicSubnetCidrs: publicCidrs.asList,
    natGateways: natGateways as never,
    natInstanceType: expression(`coalesce(var.nat_instance_type, ${literal(DEFAULT_NAT_INSTANCE_TYPE)})`),
    interfaceEndpoints: endpoints as never[],
    flowLogs: {
      retentionDays: stack.retention("flow_log_retention_days", "Days VPC flow logs are kept", 90),
      trafficType: oneOf(stack, "flow_log_traffic_type", "Traffic the flow logs record", ["ALL", "ACCEPT", "REJECT"], "ALL") as "ALL",
    },
  };
  if (!options.existing) return { create: true, created };
  return { create: new TerraformCondition(rawExpression("var.existing_network == null")), created, existing: existingNetwork(stack) };
}

/** `existing_network`: a VPC and subnets to reuse instead of creating them. */
function existingNetwork(stack: ModuleStack): NonNullable<TerraformNetworkConfig["existing"]> {
  const net = "var.existing_network";
  const subnets = `concat(${net}.private_subnet_ids, ${net}.public_subnet_ids)`;
  stack.input("existing_network", {
    type: "object({ vpc_id = string, private_subnet_ids = list(string), public_subnet_ids = optional(list(string), []), verify_subnets = optional(bool, true) })",
    description:
      "A VPC to reuse instead of creating one (null: create it): its id, private subnets in at least two zones, public subnets, and whether to check at plan time that the private subnets are in two zones of the VPC (needs AWS credentials at plan time)",
    default: null,
    validation: [
      rule(unlessNull(net, matches(AWS_ID("vpc"), `${net}.vpc_id`)), 'existing_network.vpc_id (${try(jsonencode(var.existing_network.vpc_id), "null")}) must be an id like vpc-0123456789abcdef0.'),
      rule(unlessNull(net, `length(${net}.private_subnet_ids) >= 2`), "existing_network.private_subnet_ids must list at least two private subnets, in distinct availability zones."),
      rule(
        unlessNull(net, `alltrue([for s in ${subnets} : ${matches(AWS_ID("subnet"), "s")}])`),
        `existing_network: \${${quoted(`[for s in try(${subnets}, []) : s if !${matches(AWS_ID("subnet"), "s")}]`)}} must be subnet ids like subnet-0123456789abcdef0.`,
      ),
      rule(
        unlessNull(net, `length(distinct(${subnets})) == length(${subnets})`),
        `existing_network lists \${${quoted(`distinct([for i, s in try(${subnets}, []) : s if contains(slice(try(${subnets}, []), 0, i), s)])`)}} more than once; list each subnet once.`,
      ),
    ],
  });
  return {
    mode: "existing",
    vpcId: expression(`try(${net}.vpc_id, null)`),
    privateSubnetIds: listExpression(`try(${net}.private_subnet_ids, [])`),
    publicSubnetIds: listExpression(`try(${net}.public_subnet_ids, [])`),
    verifySubnets: rawExpression(`try(${net}.verify_subnets, false)`) as unknown as boolean,
    variable: "existing_network",
  };
}
