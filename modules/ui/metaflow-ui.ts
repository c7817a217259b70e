import { Construct } from "constructs";
import { Token } from "cdktf";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { cognitoDomainPrefix, EnabledUiConfig } from "../config/ui-config";
import { IDatabase } from "../database";
import { Datastore } from "../datastore";
import { hcl, listExpression } from "../expression";
import { Naming } from "../naming";
import { INetwork } from "../network";
import { UiLoadBalancer } from "./load-balancer";
import { SignIn } from "./sign-in";
import { StaticUi } from "./static-ui";
import { UiBackend } from "./ui-backend";

export interface MetaflowUiProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  /** The VPC's CIDR, which an internal load balancer admits. @default looked up at plan time (an aws_vpc data source) */
  readonly vpcCidr?: string;
  readonly datastore: Datastore;
  readonly database: IDatabase;
  /** The metadata service's image and tag, which the backend runs. */
  readonly image: string;
  readonly config: EnabledUiConfig;
  /** For the default Cognito domain prefix. @default unknown: the prefix goes without it */
  readonly accountId?: string;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
}

/**
 * The Metaflow UI (reference §7), private and behind real sign-in: an HTTPS-only Application Load Balancer
 * (UiLoadBalancer) whose every route signs people in first (SignIn: a Cognito user pool, the user's OIDC
 * identity provider, or none on an internal load balancer), `/api/*` to the UI backend (UiBackend) and
 * the rest to the static UI (StaticUi), both on Fargate in the private subnets of their own ECS cluster,
 * without public IPs. The metadata API's legacy `/auth/token`, which the backend mounts under
 * /api/metadata, is answered 403 by the load balancer itself.
 */
export class MetaflowUi extends Construct {
  public readonly cluster: EcsCluster;
  public readonly loadBalancer: UiLoadBalancer;
  public readonly signIn: SignIn;
  public readonly backend: UiBackend;
  public readonly staticUi: StaticUi;

  constructor(scope: Construct, id: string, props: MetaflowUiProps) {
    super(scope, id);
    const { naming, config } = props;
    const internal = config.scheme === "internal";
    const vpcCidr = internal ? (props.vpcCidr ?? new DataAwsVpc(this, "vpc", { id: props.network.vpcId }).cidrBlock) : undefined;

    this.cluster = new EcsCluster(this, "cluster", { name: naming.ecs("ui"), setting: [{ name: "containerInsights", value: "enabled" }] });
    this.loadBalancer = new UiLoadBalancer(this, "load-balancer", {
      naming,
      network: props.network,
      scheme: config.scheme,
      certificateArn: config.certificateArn,
      sourceCidrs: internal ? withVpc(vpcCidr!, config.clientCidrs) : config.allowedCidrs,
      hostname: config.hostname,
      signsIn: config.auth !== "none",
    });
    this.signIn = new SignIn(this, "sign-in", {
      naming,
      config,
      host: this.loadBalancer.host,
      domainPrefix: config.auth === "cognito" ? cognitoDomainPrefix(config, naming, props.accountId) : undefined,
    });
    this.loadBalancer.block("auth-token", 10, ["/api/metadata/auth/*"], 403, "Forbidden: the metadata API's token route is not served");

    const common = {
      naming, region: props.region, network: props.network, cluster: this.cluster, loadBalancer: this.loadBalancer, signIn: this.signIn,
      logRetentionDays: config.logRetentionDays, permissionsBoundaryArn: props.permissionsBoundaryArn,
    };
    this.backend = new UiBackend(this, "backend", {
      ...common,
      datastore: props.datastore,
      database: props.database,
      image: props.image,
      ...config.backend,
    });
    this.staticUi = new StaticUi(this, "static", { ...common, image: `${config.staticUi.image}:${config.staticUi.imageTag}`, ...sizeOf(config.staticUi) });
  }

  /** METAFLOW_UI_URL: `https://<hostname or the load balancer's DNS name>/`. */
  public get url(): string {
    return this.loadBalancer.url;
  }
}

/** The VPC's CIDR and the client CIDRs; a Terraform list of them (the ui module's variable) joined by Terraform. */
function withVpc(vpcCidr: string, clientCidrs: readonly string[]): readonly string[] {
  return Token.isUnresolved(clientCidrs) ? listExpression(`concat([${hcl(vpcCidr)}], ${hcl(clientCidrs)})`) : [vpcCidr, ...clientCidrs];
}

const sizeOf = (s: { cpu: number; memoryMiB: number; desiredCount: number }) => ({ cpu: s.cpu, memoryMiB: s.memoryMiB, desiredCount: s.desiredCount });
