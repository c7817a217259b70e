import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Network } from "../modules/network";
import { cidrCondition, ModuleStack } from "./module-stack";

/** Zones (and subnets per tier) the network module builds. */
export const MODULE_ZONES = 2;

/**
 * The network area as a plain Terraform module: a VPC over two zones with public and private subnets, one
 * NAT gateway, S3 and DynamoDB gateway endpoints, flow logs, and the default security group stripped.
 */
export class NetworkModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "VPC for Metaflow: public and private subnets in two zones, NAT, gateway endpoints, flow logs");
    const naming = this.naming();
    const cidrList = (name: string, description: string, byDefault: string[]) =>
      this.input(name, {
        type: "list(string)",
        description,
        default: byDefault,
        validation: [
          { condition: `\${length(var.${name}) == ${MODULE_ZONES}}`, errorMessage: `${name} must list ${MODULE_ZONES} CIDRs, one per zone.` },
          { condition: `\${alltrue([for c in var.${name} : ${cidrCondition("c")}])}`, errorMessage: `${name} must hold IPv4 network addresses in CIDR notation.` },
          {
            // Inside the VPC: at least as long a prefix, and the same network under the VPC's mask.
            condition: `\${alltrue([for c in var.${name} : can(cidrnetmask(c)) && tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrhost(format("%s/%s", cidrhost(c, 0), split("/", var.vpc_cidr)[1]), 0) == cidrhost(var.vpc_cidr, 0)])}`,
            errorMessage: `${name} must lie inside vpc_cidr.`,
          },
        ],
      }).listValue;

    const vpcCidr = this.input("vpc_cidr", {
      type: "string",
      description: "IPv4 CIDR of the VPC, /16 to /22",
      default: "10.0.0.0/16",
      validation: [
        { condition: `\${${cidrCondition("var.vpc_cidr")}}`, errorMessage: "vpc_cidr must be an IPv4 network address in CIDR notation, e.g. 10.0.0.0/16." },
        { condition: `\${can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 22}`, errorMessage: "vpc_cidr must have a prefix length from /16 to /22." },
      ],
    }).stringValue;
    const zones = this.input("availability_zones", {
      type: "list(string)",
      description: `${MODULE_ZONES} availability zones of the provider's region`,
      validation: [
        { condition: `\${length(var.availability_zones) == ${MODULE_ZONES} && length(distinct(var.availability_zones)) == ${MODULE_ZONES}}`, errorMessage: `availability_zones must list ${MODULE_ZONES} distinct zones.` },
      ],
    }).listValue;
    const privateCidrs = cidrList("private_subnet_cidrs", "One private subnet CIDR per zone (Batch, database, service)", ["10.0.0.0/19", "10.0.32.0/19"]);
    const publicCidrs = cidrList("public_subnet_cidrs", "One public subnet CIDR per zone (NAT)", ["10.0.224.0/22", "10.0.228.0/22"]);
    const retentionDays = this.retention("flow_log_retention_days", "Days VPC flow logs are kept", 90);

    const at = (list: string[]) => Array.from({ length: MODULE_ZONES }, (_, i) => Fn.element(list, i));
    const network = new Network(this, "network", {
      naming,
      region: this.region,
      config: {
        mode: "create",
        vpcCidr,
        availabilityZones: at(zones),
        privateSubnetCidrs: at(privateCidrs),
        publicSubnetCidrs: at(publicCidrs),
        natGateways: "single",
        interfaceEndpoints: [],
        flowLogs: { retentionDays, trafficType: "ALL" },
      },
      permissionsBoundaryArn: this.boundary(),
    });

    this.output("vpc_id", network.vpcId, "The VPC");
    this.output("private_subnet_ids", network.privateSubnetIds, "Private subnets, one per zone");
    this.output("public_subnet_ids", network.publicSubnetIds, "Public subnets, one per zone");
  }
}
