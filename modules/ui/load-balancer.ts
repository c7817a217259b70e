import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule, LbListenerRuleAction } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { UiScheme } from "../config/ui-config";
import { Naming } from "../naming";
import { INetwork } from "../network";
import { suppress } from "../rules/suppress";

export interface UiLoadBalancerProps {
  readonly naming: Naming;
  readonly network: INetwork;
  /** `internal` sits in the private subnets; `internet-facing` in the public ones. */
  readonly scheme: UiScheme;
  /** The ACM certificate the HTTPS listener serves. */
  readonly certificateArn: string;
  /** The networks admitted on 443 (and on 80, which only redirects): the VPC and clientCidrs, or allowedCidrs. */
  readonly sourceCidrs: readonly string[];
  /** The name people type. @default the load balancer's DNS name */
  readonly hostname?: string;
  /**
   * The listener signs people in, so the load balancer calls the identity provider's token and user-info
   * endpoints (HTTPS out to anywhere). @default false
   */
  readonly signsIn?: boolean;
}

/** What a route sends to: a target group of tasks in a security group, on a port. */
export interface UiTargets {
  readonly targetGroup: LbTargetGroup;
  readonly securityGroup: SecurityGroup;
  readonly port: number;
}

export interface UiRoute {
  /** Rules are evaluated lowest first. */
  readonly priority: number;
  readonly pathPatterns: readonly string[];
  /** Actions before the forward: the sign-in (SignIn.authenticate), or none. */
  readonly before: readonly LbListenerRuleAction[];
}

/** A current TLS policy: TLS 1.3 and 1.2 with forward-secret ciphers only. */
export const UI_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const HTTPS_PORT = 443;
const HTTP_PORT = 80;
const ANYWHERE = "0.0.0.0/0";

/**
 * The UI's Application Load Balancer: HTTPS only (the user's ACM certificate, a TLS 1.3 policy; port 80
 * answers with a redirect to 443 and nothing else), invalid header fields dropped, in the private subnets
 * (internal, the default) or the public ones (internet-facing), admitting only `sourceCidrs`. Requests
 * reach the UI's services through `route` (path rules whose actions sign people in first) and nothing else:
 * what no rule matches gets a 404 from the load balancer itself.
 *
 * Deletion protection is off: it holds no data, comes back in minutes, and with it on turning the UI off
 * would take a second apply. Access logs are off: they need a bucket of their own (SSE-S3 only, with an
 * ELB delivery policy); sign-ins are logged by the identity provider, requests by the UI services' logs.
 */
export class UiLoadBalancer extends Construct {
  public readonly loadBalancer: Lb;
  public readonly securityGroup: SecurityGroup;
  public readonly httpsListener: LbListener;
  private readonly hostname?: string;

  constructor(scope: Construct, id: string, props: UiLoadBalancerProps) {
    super(scope, id);
    const { naming } = props;
    const internal = props.scheme === "internal";
    this.hostname = props.hostname;

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.securityGroup("ui-lb"),
      description: `Load balancer of the Metaflow UI (${props.scheme}): HTTPS and the HTTP redirect from ${internal ? "the VPC and clientCidrs" : "allowedCidrs"} only`,
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource("ui-lb") },
    });
    const fromCidr = (id: string, cidr: string, protocol: "https" | "http", port: number, extra: { forEach?: TerraformIterator } = {}) =>
      new VpcSecurityGroupIngressRule(this, id, {
        ...extra,
        securityGroupId: this.securityGroup.id,
        cidrIpv4: cidr,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `${protocol === "https" ? "The UI over HTTPS" : "HTTP, redirected to HTTPS"} from ${cidr}`,
      });
    const ports = [["https", HTTPS_PORT], ["http", HTTP_PORT]] as const;
    if (Token.isUnresolved(props.sourceCidrs)) {
      // A Terraform list (a module's variables): one rule per protocol over its CIDRs.
      const eachCidr = TerraformIterator.fromList(props.sourceCidrs as string[]);
      for (const [protocol, port] of ports) fromCidr(`from-cidrs-${protocol}`, eachCidr.value, protocol, port, { forEach: eachCidr });
    } else {
      props.sourceCidrs.forEach((cidr, i) => {
        for (const [protocol, port] of ports) fromCidr(`from-cidr-${i}-${protocol}`, cidr, protocol, port);
      });
    }
    if (props.signsIn) {
      // The identity provider's token and user-info endpoints (Cognito's or yours) have changing addresses.
      new VpcSecurityGroupEgressRule(this, "to-identity-provider", {
        securityGroupId: this.securityGroup.id,
        cidrIpv4: ANYWHERE,
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: "Sign-in: the identity provider's token and user-info endpoints (HTTPS)",
      });
    }

    this.loadBalancer = new Lb(this, "load-balancer", {
      name: naming.loadBalancer("ui"),
      internal,
      loadBalancerType: "application",
      subnets: internal ? props.network.privateSubnetIds : props.network.publicSubnetIds,
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: false,
    });
    if (!internal) {
      suppress(
        this.loadBalancer,
        "MF-ELB-1",
        "Internet-facing by choice (ui.scheme), for people outside the VPC: it admits only ui.allowedCidrs, and every route signs people in first (MF-ELB-5 checks)",
      );
    }

    new LbListener(this, "http-listener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: HTTP_PORT,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" } }],
    });
    this.httpsListener = new LbListener(this, "https-listener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: HTTPS_PORT,
      protocol: "HTTPS",
      sslPolicy: UI_TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } }],
    });
  }

  /** What people open, and what METAFLOW_UI_URL holds: `https://<hostname or the load balancer's DNS name>/`. */
  public get url(): string {
    return `https://${this.host}/`;
  }

  /** The host name requests and the sign-in callback use. */
  public get host(): string {
    return this.hostname ?? this.loadBalancer.dnsName;
  }

  /**
   * Sends requests whose path matches `route.pathPatterns` to `targets`, after `route.before` (the sign-in),
   * and opens the load balancer's way to the targets' port and the targets' way in from it.
   */
  public route(id: string, route: UiRoute, targets: UiTargets): LbListenerRule {
    new VpcSecurityGroupEgressRule(this, `to-${id}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: targets.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: targets.port,
      toPort: targets.port,
      description: `Forwarding and health checks to the ${id} tasks`,
    });
    new VpcSecurityGroupIngressRule(this, `${id}-from-lb`, {
      securityGroupId: targets.securityGroup.id,
      referencedSecurityGroupId: this.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: targets.port,
      toPort: targets.port,
      description: `The ${id} tasks from the UI load balancer`,
    });
    const before = route.before.map((action, i) => ({ ...action, order: i + 1 }));
    return new LbListenerRule(this, `route-${id}`, {
      listenerArn: this.httpsListener.arn,
      priority: route.priority,
      condition: [{ pathPattern: { values: [...route.pathPatterns] } }],
      action: [...before, { type: "forward", targetGroupArn: targets.targetGroup.arn, order: before.length + 1 }],
    });
  }

  /** Answers requests whose path matches with `statusCode` from the load balancer itself: they reach nothing. */
  public block(id: string, priority: number, pathPatterns: readonly string[], statusCode: number, why: string): LbListenerRule {
    return new LbListenerRule(this, `block-${id}`, {
      listenerArn: this.httpsListener.arn,
      priority,
      condition: [{ pathPattern: { values: [...pathPatterns] } }],
      action: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: String(statusCode), messageBody: why } }],
    });
  }
}
