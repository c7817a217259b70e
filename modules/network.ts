import { Construct } from "constructs";
import { Fn, Op, TerraformIterator, TerraformLocal, TerraformOutput, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { CreateNetworkConfig, ExistingNetworkConfig, NetworkConfig } from "./config/schema";
import { and, choose, Condition, conditionHcl, equals, isTrue, not, notEmpty, onlyWhere } from "./condition";
import { addressOf, expression, hcl, instanceAttribute, listExpression } from "./expression";
import { NatInstance } from "./nat-instance";
import { Arns } from "./arns";
import { Naming } from "./naming";
import { LOGS_DELIVER } from "./perms";
import { Role } from "./role";

/** What every other module sees of the network, whether it was created here or reused. */
export interface INetwork {
  readonly vpcId: string;
  /** Where Batch instances, Fargate tasks and the database run. At least two, in distinct zones. */
  readonly privateSubnetIds: string[];
  /** Where load balancers and NAT gateways sit; may be empty for a reused VPC. */
  readonly publicSubnetIds: string[];
}

/**
 * The network as a plain Terraform module's variables choose it: created where `create` holds, with the
 * zones, subnet CIDRs, NAT and interface endpoints as Terraform values that Terraform loops over
 * (`for_each`), else the `existing` VPC and subnets.
 */
export interface TerraformNetworkConfig {
  readonly create: Condition;
  readonly created: CreateNetworkConfig;
  /** @default none: the network is always created */
  readonly existing?: ExistingNetworkConfig & {
    /** The variable that gives it, named in the subnet checks' messages. @default "the existing network" */
    readonly variable?: string;
  };
}

export interface NetworkProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: NetworkConfig | TerraformNetworkConfig;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: no source-account trust conditions */
  readonly accountId?: string;
}

const ANYWHERE = "0.0.0.0/0";
const HTTPS = 443;
/** Gateway endpoints are free and keep S3 and DynamoDB traffic off NAT. */
const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;

/**
 * The VPC Metaflow runs in. In `create` mode: a VPC over the configured zones with one public and one
 * private subnet per zone, an internet gateway, NAT gateways (none, single or per zone) or one NAT
 * instance, S3 and
 * DynamoDB gateway endpoints, optional interface endpoints, flow logs to CloudWatch, and a default
 * security group stripped of all rules. In `existing` mode: the given VPC and subnets, checked at plan
 * time when `verifySubnets` is on.
 */
export class Network extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly privateSubnetIds: string[];
  public readonly publicSubnetIds: string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const built = "created" in config ? this.chosen(props, config) : config.mode === "create" ? this.create(props, config) : this.reuse(config);
    this.vpcId = built.vpcId;
    this.privateSubnetIds = built.privateSubnetIds;
    this.publicSubnetIds = built.publicSubnetIds;
  }

  private reuse(config: ExistingNetworkConfig): INetwork {
    if (config.verifySubnets) {
      const subnets = config.privateSubnetIds.map(
        (subnetId, i) => new DataAwsSubnet(this, `private-subnet-${i}`, { id: subnetId }),
      );
      const zones = Fn.tolist(subnets.map((s) => s.availabilityZone));
      const vpcs = Fn.tolist(subnets.map((s) => s.vpcId));
      // Config cannot see where subnets given by id are; these checks fail the plan when they are wrong.
      this.guardedOutput("private-subnet-zones", "Availability zones of the reused private subnets", zones, {
        condition: Op.gte(Fn.lengthOf(Fn.distinct(zones)), 2),
        errorMessage: "network.privateSubnetIds must lie in at least two distinct availability zones.",
      });
      this.guardedOutput("private-subnet-vpcs", "VPC of each reused private subnet", vpcs, {
        condition: Op.eq(Fn.lengthOf(Fn.distinct(Fn.concat([vpcs, [config.vpcId]]))), 1),
        errorMessage: `network.privateSubnetIds must all belong to network.vpcId ${config.vpcId}.`,
      });
    }
    return { vpcId: config.vpcId, privateSubnetIds: config.privateSubnetIds, publicSubnetIds: config.publicSubnetIds };
  }

  /** The network a module's variables choose: both variants built, each only where it applies. */
  private chosen(props: NetworkProps, config: TerraformNetworkConfig): INetwork {
    const created = onlyWhere(this, config.create, () => this.createLooped(props, config.created));
    if (!config.existing) return created!;
    const existing = config.existing;
    this.verifyLooped(existing, and(not(config.create), isTrue(existing.verifySubnets)));
    if (!created) return { vpcId: existing.vpcId, privateSubnetIds: existing.privateSubnetIds, publicSubnetIds: existing.publicSubnetIds };
    return {
      vpcId: choose(config.create, created.vpcId, existing.vpcId),
      privateSubnetIds: choose(config.create, created.privateSubnetIds, existing.privateSubnetIds),
      publicSubnetIds: choose(config.create, created.publicSubnetIds, existing.publicSubnetIds),
    };
  }

  /**
   * The checks of `reuse` over subnets given as a Terraform list: one data source per subnet where `verify`
   * holds, and the same two output preconditions, which pass where it does not.
   */
  private verifyLooped(config: ExistingNetworkConfig & { readonly variable?: string }, verify: Condition): void {
    const subnets = onlyWhere(this, verify, () => {
      const eachSubnet = TerraformIterator.fromList(config.privateSubnetIds);
      return new DataAwsSubnet(this, "private-subnets", { forEach: eachSubnet, id: eachSubnet.value });
    });
    if (!subnets) return;
    const zones = listExpression(`[for s in values(${addressOf(subnets)}) : s.availability_zone]`);
    const vpcs = listExpression(`[for s in values(${addressOf(subnets)}) : s.vpc_id]`);
    const unless = (check: string) => expression(`!${conditionHcl(verify)} || ${check}`);
    const named = config.variable ?? "the existing network";
    // A module's outputs are its interface: named for what they hold, not by construct path.
    this.guardedOutput("private-subnet-zones", "Availability zones of the reused private subnets (empty unless they are looked up)", zones, {
      condition: unless(`length(distinct(${hcl(zones)})) >= 2`),
      errorMessage: `${named}.private_subnet_ids must lie in at least two distinct availability zones.`,
    }).overrideLogicalId("existing_private_subnet_zones");
    this.guardedOutput("private-subnet-vpcs", "VPC of each reused private subnet (empty unless they are looked up)", vpcs, {
      condition: unless(`length(distinct(concat(${hcl(vpcs)}, [${hcl(config.vpcId)}]))) == 1`),
      errorMessage: `${named}.private_subnet_ids must all belong to ${named}.vpc_id.`,
    }).overrideLogicalId("existing_private_subnet_vpcs");
  }

  /**
   * An output with a precondition. Escape hatch: cdktf 0.21 accepts `precondition` on TerraformOutput but
   * never renders it, so it is written with addOverride (terraform-subnet-checks.test.ts proves it fires).
   */
  private guardedOutput(id: string, description: string, value: string[], check: { condition: unknown; errorMessage: string }): TerraformOutput {
    const output = new TerraformOutput(this, id, { description, value });
    output.addOverride("precondition", [{ condition: check.condition, error_message: check.errorMessage }]);
    return output;
  }

  /** The VPC, its default security group (stripped), the internet gateway and the public route table. */
  private vpcAndGateway(props: NetworkProps, config: CreateNetworkConfig) {
    const { naming } = props;
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: config.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: naming.resource("vpc") },
    });

    // Take over the default security group and leave it with no rules, so nothing uses it by accident.
    new DefaultSecurityGroup(this, "default-sg", {
      vpcId: vpc.id,
      tags: { Name: naming.resource("default-do-not-use") },
    });

    const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: { Name: naming.resource("igw") } });
    const publicRouteTable = new RouteTable(this, "public-rt", { vpcId: vpc.id, tags: { Name: naming.resource("public") } });
    new Route(this, "public-default-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: ANYWHERE,
      gatewayId: igw.id,
    });
    return { vpc, igw, publicRouteTable };
  }

  private create(props: NetworkProps, config: CreateNetworkConfig): INetwork {
    const { naming } = props;
    const { vpc, igw, publicRouteTable } = this.vpcAndGateway(props, config);

    // `a`, `b` from the zone name; a zone given as a Terraform value (a module variable) is numbered.
    const zoneSuffix = (zone: string) =>
      Token.isUnresolved(zone) ? String(config.availabilityZones.indexOf(zone) + 1) : zone.slice(props.region.length);
    const publicSubnets = config.availabilityZones.map((zone, i) => {
      const s = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: config.publicSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: naming.resource(`public-${zoneSuffix(zone)}`), Tier: "public" },
      });
      new RouteTableAssociation(this, `public-${i}-rta`, { subnetId: s.id, routeTableId: publicRouteTable.id });
      return s;
    });

    const natCount = { none: 0, single: 1, perAz: config.availabilityZones.length, instance: 0 }[config.natGateways];
    const nats = publicSubnets.slice(0, natCount).map((s, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: naming.resource(`nat-${i}`) } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: s.id,
        tags: { Name: naming.resource(`nat-${zoneSuffix(config.availabilityZones[i])}`) },
        dependsOn: [igw],
      });
    });

    const natInstance =
      config.natGateways === "instance"
        ? new NatInstance(this, "nat-instance", {
            naming,
            vpcId: vpc.id,
            subnetId: publicSubnets[0].id,
            clientCidrs: config.privateSubnetCidrs,
            instanceType: config.natInstanceType,
          })
        : undefined;

    const privateRouteTables: RouteTable[] = [];
    const privateSubnets = config.availabilityZones.map((zone, i) => {
      const s = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: config.privateSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: naming.resource(`private-${zoneSuffix(zone)}`), Tier: "private" },
      });
      const rt = new RouteTable(this, `private-${i}-rt`, {
        vpcId: vpc.id,
        tags: { Name: naming.resource(`private-${zoneSuffix(zone)}`) },
      });
      new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: s.id, routeTableId: rt.id });
      if (nats.length > 0 || natInstance) {
        new Route(this, `private-${i}-default-route`, {
          routeTableId: rt.id,
          destinationCidrBlock: ANYWHERE,
          ...(natInstance ? { networkInterfaceId: natInstance.networkInterfaceId } : { natGatewayId: nats[Math.min(i, nats.length - 1)].id }),
        });
      }
      privateRouteTables.push(rt);
      return s;
    });

    this.gatewayEndpoints(props, vpc, [...privateRouteTables.map((rt) => rt.id), publicRouteTable.id]);

    if (config.interfaceEndpoints.length > 0) {
      const endpointSg = this.endpointsSecurityGroup(props, vpc);
      for (const service of config.interfaceEndpoints) {
        new VpcEndpoint(this, `${service.replace(".", "-")}-endpoint`, {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [endpointSg.id],
          tags: { Name: naming.resource(`${service}-endpoint`) },
        });
      }
    }

    this.flowLogs(props, config, vpc);
    return {
      vpcId: vpc.id,
      privateSubnetIds: privateSubnets.map((s) => s.id),
      publicSubnetIds: publicSubnets.map((s) => s.id),
    };
  }

  /**
   * `create` for zones, CIDRs, NAT and endpoints given as Terraform values: the same resources, each
   * per-zone one a single resource with `for_each` over the zones (keyed by zone name, so a zone added at
   * the end changes nothing else), NAT gateways for the zones the NAT mode picks, the NAT instance where the
   * mode is "instance", and one interface endpoint resource over the endpoint list.
   */
  private createLooped(props: NetworkProps, config: CreateNetworkConfig): INetwork {
    const { naming } = props;
    const { vpc, igw, publicRouteTable } = this.vpcAndGateway(props, config);
    const zoneList = config.availabilityZones;
    const nat = hcl(config.natGateways);
    // Each zone: its position, its name's suffix (`a`) and its subnets' CIDRs (lists in zone order).
    const zones = new TerraformLocal(
      this,
      "zones",
      expression(
        `{ for i, zone in ${hcl(zoneList)} : zone => { index = i, suffix = trimprefix(zone, ${hcl(props.region)}), ` +
          `private_cidr = ${hcl(config.privateSubnetCidrs)}[i], public_cidr = ${hcl(config.publicSubnetCidrs)}[i] } }`,
      ),
    );
    const firstZone = `${hcl(zoneList)}[0]`;
    const eachZone = TerraformIterator.fromMap(zones.asAnyMap);

    const publicSubnet = new Subnet(this, "public", {
      forEach: eachZone,
      vpcId: vpc.id,
      availabilityZone: eachZone.key,
      cidrBlock: eachZone.getString("public_cidr"),
      mapPublicIpOnLaunch: false,
      tags: { Name: naming.resource(`public-${eachZone.getString("suffix")}`), Tier: "public" },
    });
    new RouteTableAssociation(this, "public-rta", { forEach: eachZone, subnetId: instanceAttribute(publicSubnet, "each.key", "id"), routeTableId: publicRouteTable.id });

    // single: the first zone; perAz: every zone; none and instance: no gateway.
    const natZones = new TerraformLocal(
      this,
      "nat-zones",
      expression(`{ for zone, z in ${hcl(zones.asAnyMap)} : zone => z if ${nat} == "perAz" || (${nat} == "single" && z.index == 0) }`),
    );
    const eachNat = TerraformIterator.fromMap(natZones.asAnyMap);
    const eip = new Eip(this, "nat-eip", { forEach: eachNat, domain: "vpc", tags: { Name: naming.resource(`nat-${eachNat.getString("index")}`) } });
    const natGateway = new NatGateway(this, "nat", {
      forEach: eachNat,
      allocationId: instanceAttribute(eip, "each.key", "allocation_id"),
      subnetId: instanceAttribute(publicSubnet, "each.key", "id"),
      tags: { Name: naming.resource(`nat-${eachNat.getString("suffix")}`) },
      dependsOn: [igw],
    });
    const natInstance = onlyWhere(this, equals(config.natGateways, "instance"), () =>
      new NatInstance(this, "nat-instance", {
        naming,
        vpcId: vpc.id,
        subnetId: instanceAttribute(publicSubnet, firstZone, "id"),
        clientCidrs: config.privateSubnetCidrs,
        instanceType: config.natInstanceType,
      }),
    );

    const privateSubnet = new Subnet(this, "private", {
      forEach: eachZone,
      vpcId: vpc.id,
      availabilityZone: eachZone.key,
      cidrBlock: eachZone.getString("private_cidr"),
      mapPublicIpOnLaunch: false,
      tags: { Name: naming.resource(`private-${eachZone.getString("suffix")}`), Tier: "private" },
    });
    const privateRouteTable = new RouteTable(this, "private-rt", {
      forEach: eachZone,
      vpcId: vpc.id,
      tags: { Name: naming.resource(`private-${eachZone.getString("suffix")}`) },
    });
    new RouteTableAssociation(this, "private-rta", {
      forEach: eachZone,
      subnetId: instanceAttribute(privateSubnet, "each.key", "id"),
      routeTableId: instanceAttribute(privateRouteTable, "each.key", "id"),
    });
    // A default route per zone wherever there is a way out: its zone's gateway (perAz), the first zone's
    // (single), or the NAT instance.
    const routedZones = new TerraformLocal(this, "routed-zones", expression(`${nat} == "none" ? {} : ${hcl(zones.asAnyMap)}`));
    const eachRouted = TerraformIterator.fromMap(routedZones.asAnyMap);
    new Route(this, "private-default-route", {
      forEach: eachRouted,
      routeTableId: instanceAttribute(privateRouteTable, "each.key", "id"),
      destinationCidrBlock: ANYWHERE,
      natGatewayId: expression(`${nat} == "instance" ? null : ${addressOf(natGateway)}[${nat} == "perAz" ? each.key : ${firstZone}].id`),
      ...(natInstance && { networkInterfaceId: expression(`${nat} == "instance" ? ${hcl(natInstance.networkInterfaceId)} : null`) }),
    });

    const privateRouteTableIds = `[for zone in ${hcl(zoneList)} : ${addressOf(privateRouteTable)}[zone].id]`;
    this.gatewayEndpoints(props, vpc, listExpression(`concat(${privateRouteTableIds}, [${hcl(publicRouteTable.id)}])`));

    const privateSubnetIds = listExpression(`[for zone in ${hcl(zoneList)} : ${addressOf(privateSubnet)}[zone].id]`);
    const endpointSg = onlyWhere(this, notEmpty(config.interfaceEndpoints), () => this.endpointsSecurityGroup(props, vpc));
    if (endpointSg) {
      const eachEndpoint = TerraformIterator.fromList(config.interfaceEndpoints);
      new VpcEndpoint(this, "interface-endpoints", {
        forEach: eachEndpoint,
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.region}.${eachEndpoint.value}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: privateSubnetIds,
        securityGroupIds: [endpointSg.id],
        tags: { Name: naming.resource(`${eachEndpoint.value}-endpoint`) },
      });
    }

    this.flowLogs(props, config, vpc);
    return {
      vpcId: vpc.id,
      privateSubnetIds,
      publicSubnetIds: listExpression(`[for zone in ${hcl(zoneList)} : ${addressOf(publicSubnet)}[zone].id]`),
    };
  }

  /** Free S3 and DynamoDB gateway endpoints on every route table, so that traffic skips NAT. */
  private gatewayEndpoints(props: NetworkProps, vpc: Vpc, routeTableIds: string[]): void {
    for (const service of GATEWAY_ENDPOINTS) {
      new VpcEndpoint(this, `${service}-gateway-endpoint`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds,
        tags: { Name: props.naming.resource(`${service}-gateway`) },
      });
    }
  }

  private endpointsSecurityGroup(props: NetworkProps, vpc: Vpc): SecurityGroup {
    return new SecurityGroup(this, "endpoints-sg", {
      name: props.naming.securityGroup("vpc-endpoints"),
      description: "HTTPS from inside the VPC to interface endpoints",
      vpcId: vpc.id,
      ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: HTTPS, toPort: HTTPS, cidrBlocks: [vpc.cidrBlock] }],
      tags: { Name: props.naming.resource("vpc-endpoints") },
    });
  }

  private flowLogs(props: NetworkProps, config: CreateNetworkConfig, vpc: Vpc): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: props.naming.logGroup("vpc-flow-logs"),
      retentionInDays: config.flowLogs.retentionDays,
    });
    const arns = Arns.for(this, props.region, props.accountId);
    const role = new Role(this, "flow-logs-role", {
      name: props.naming.iamRole("vpc-flow-logs"),
      assumedBy: "vpc-flow-logs.amazonaws.com",
      description: "Delivers VPC flow logs to their CloudWatch log group",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      trustConditions: arns.trustConditions("vpc-flow-logs.amazonaws.com", arns.of("ec2", "vpc-flow-log/*")),
    });
    role.addPolicy("deliver-flow-logs", [
      { Sid: "DeliverFlowLogs", Effect: "Allow", Action: LOGS_DELIVER, Resource: [logGroup.arn, `${logGroup.arn}:*`] },
    ]);
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: config.flowLogs.trafficType,
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: props.naming.resource("vpc-flow-logs") },
    });
  }
}
