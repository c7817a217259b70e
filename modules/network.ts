import { Construct } from "constructs";
import { Fn, Op, TerraformOutput, Token } from "cdktf";
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

export interface NetworkProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: NetworkConfig;
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
    const built =
      props.config.mode === "create" ? this.create(props, props.config) : this.reuse(props.config);
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

  /**
   * An output with a precondition. Escape hatch: cdktf 0.21 accepts `precondition` on TerraformOutput but
   * never renders it, so it is written with addOverride (terraform-subnet-checks.test.ts proves it fires).
   */
  private guardedOutput(id: string, description: string, value: string[], check: { condition: unknown; errorMessage: string }) {
    const output = new TerraformOutput(this, id, { description, value });
    output.addOverride("precondition", [{ condition: check.condition, error_message: check.errorMessage }]);
  }

  private create(props: NetworkProps, config: CreateNetworkConfig): INetwork {
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

    for (const service of GATEWAY_ENDPOINTS) {
      new VpcEndpoint(this, `${service}-gateway-endpoint`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...privateRouteTables.map((rt) => rt.id), publicRouteTable.id],
        tags: { Name: naming.resource(`${service}-gateway`) },
      });
    }

    if (config.interfaceEndpoints.length > 0) {
      const endpointSg = new SecurityGroup(this, "endpoints-sg", {
        name: naming.securityGroup("vpc-endpoints"),
        description: "HTTPS from inside the VPC to interface endpoints",
        vpcId: vpc.id,
        ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: HTTPS, toPort: HTTPS, cidrBlocks: [vpc.cidrBlock] }],
        tags: { Name: naming.resource("vpc-endpoints") },
      });
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
