import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { architectureHcl, architectureOf } from "./config/compute-config";
import { expression, hcl } from "./expression";
import { Naming } from "./naming";

export interface NatInstanceProps {
  readonly naming: Naming;
  readonly vpcId: string;
  /** The public subnet it sits in (one zone). */
  readonly subnetId: string;
  /** The private subnets' CIDRs: the only sources it forwards for. */
  readonly clientCidrs: readonly string[];
  /** @default DEFAULT_NAT_INSTANCE_TYPE */
  readonly instanceType?: string;
}

/** The smallest Graviton instance: about a tenth of a NAT gateway's hourly price, enough for a development environment. */
export const DEFAULT_NAT_INSTANCE_TYPE = "t4g.nano";
/** What it forwards: HTTP and HTTPS (images, packages, AWS APIs). S3 and DynamoDB go through the gateway endpoints. */
export const NAT_INSTANCE_PORTS = [80, 443] as const;
const ROOT_VOLUME_GIB = 8;
const IMDS_HOP_LIMIT = 1;

/** Turns the instance into a NAT: IPv4 forwarding and masquerading out of its primary interface, kept across reboots. */
const USER_DATA = `#!/bin/bash
# NAT for the private subnets (modules/nat-instance.ts): forward IPv4 and masquerade it out of the primary interface.
set -euo pipefail
dnf install -y iptables-services
echo "net.ipv4.ip_forward = 1" > /etc/sysctl.d/90-metaflow-nat.conf
sysctl --system
iface=$(ip -4 route show default | awk '{print $5; exit}')
iptables -F FORWARD
iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables-save > /etc/sysconfig/iptables
systemctl enable --now iptables
`;

/**
 * A NAT instance for development environments: one small EC2 instance in a public subnet, with the public
 * IPv4 address it needs to reach the internet, that forwards HTTP and HTTPS from the private subnets. Batch
 * instances, Fargate tasks and the database stay in the private subnets without public addresses. It runs
 * Amazon Linux 2023 (the latest image, resolved by EC2 from its public SSM parameter at launch), IMDSv2
 * only, with an encrypted gp3 root volume and no SSH key or inbound access from the internet.
 *
 * Unlike a NAT gateway it has no managed failover and sits in one zone: if it stops, the private subnets
 * lose their way out until it is replaced (`terraform apply -replace`). For production use NAT gateways.
 */
export class NatInstance extends Construct {
  public readonly instance: Instance;
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const { naming } = props;
    const instanceType = props.instanceType ?? DEFAULT_NAT_INSTANCE_TYPE;

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.securityGroup("nat-instance"),
      description: "NAT instance: HTTP and HTTPS from the private subnets, out to the internet on the same ports",
      vpcId: props.vpcId,
      tags: { Name: naming.resource("nat-instance") },
    });
    // Standalone rules only: inline and standalone rules on one group fight each other.
    if (Token.isUnresolved(props.clientCidrs)) {
      // CIDRs given as a Terraform value (a module's variable): one rule resource over every CIDR and port.
      const eachRule = TerraformIterator.fromMap(
        Token.asAnyMap(expression(`{ for pair in setproduct(${hcl(props.clientCidrs)}, ${hcl(NAT_INSTANCE_PORTS)}) : "\${pair[1]} from \${pair[0]}" => { cidr = pair[0], port = pair[1] } }`)),
      );
      new VpcSecurityGroupIngressRule(this, "from-private", {
        forEach: eachRule,
        securityGroupId: this.securityGroup.id,
        cidrIpv4: eachRule.getString("cidr"),
        ipProtocol: "tcp",
        fromPort: eachRule.getNumber("port"),
        toPort: eachRule.getNumber("port"),
        description: `Port ${eachRule.getString("port")} from private subnet ${eachRule.getString("cidr")}, to forward`,
      });
    } else {
      for (const port of NAT_INSTANCE_PORTS) {
        props.clientCidrs.forEach((cidr, i) =>
          new VpcSecurityGroupIngressRule(this, `from-private-${i}-${port}`, {
            securityGroupId: this.securityGroup.id,
            cidrIpv4: cidr,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `Port ${port} from private subnet ${Token.isUnresolved(cidr) ? i : cidr}, to forward`,
          }),
        );
      }
    }
    for (const port of NAT_INSTANCE_PORTS) {
      new VpcSecurityGroupEgressRule(this, `to-internet-${port}`, {
        securityGroupId: this.securityGroup.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `Forwarded port ${port} to the internet, and the instance's own package downloads`,
      });
    }

    const metadataOptions = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: IMDS_HOP_LIMIT };
    // The image is resolved by EC2 at launch, so planning needs no AWS call; the root volume is set here
    // rather than on the instance, where the provider would look the SSM alias up as an AMI id.
    const arch = Token.isUnresolved(instanceType) ? expression(architectureHcl(hcl(instanceType))) : architectureOf(instanceType) === "arm64" ? "arm64" : "x86_64";
    const template = new LaunchTemplate(this, "launch-template", {
      namePrefix: naming.launchTemplatePrefix("nat"),
      description: `NAT instance of ${naming.base}: IMDSv2 only, encrypted root volume`,
      imageId: `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
      metadataOptions,
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: ROOT_VOLUME_GIB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      userData: Buffer.from(USER_DATA).toString("base64"),
      updateDefaultVersion: true,
    });

    this.instance = new Instance(this, "instance", {
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      // A NAT needs a public address; it is the only thing in the VPC with one.
      associatePublicIpAddress: true,
      sourceDestCheck: false,
      metadataOptions,
      tags: { Name: naming.resource("nat-instance") },
    });
  }

  /** Where the private subnets' default routes point. */
  public get networkInterfaceId(): string {
    return this.instance.primaryNetworkInterfaceId;
  }
}
