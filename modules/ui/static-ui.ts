import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Naming } from "../naming";
import { INetwork } from "../network";
import { UiLoadBalancer } from "./load-balancer";
import { SignIn } from "./sign-in";
import { UiService } from "./ui-service";

export interface StaticUiProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly cluster: EcsCluster;
  readonly loadBalancer: UiLoadBalancer;
  readonly signIn: SignIn;
  /** The metaflow-ui image with its pinned tag. */
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly logRetentionDays: number;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
}

/** The metaflow-ui image's nginx listens on $PORT, 3000 (reference §7). */
export const STATIC_UI_PORT = 3000;
/** nginx answers every path with the app (index.html): healthy means nginx serves files. */
const HEALTH = { path: "/", intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, graceSeconds: 60 } as const;

/**
 * The static UI: metaflow-ui's nginx build on 3000, which serves the app for every path the load balancer
 * does not send to the backend (`/*`, after `/api/*`; signed in, a request without a sign-in is sent to
 * sign in). The app calls its API at `/api` on the same host (METAFLOW_SERVICE), so the browser never
 * talks to anything but the load balancer. Its tasks need no AWS access of their own (no task role).
 */
export class StaticUi extends Construct {
  public readonly service: UiService;

  constructor(scope: Construct, id: string, props: StaticUiProps) {
    super(scope, id);
    this.service = new UiService(this, "service", {
      naming: props.naming,
      region: props.region,
      network: props.network,
      cluster: props.cluster,
      loadBalancer: props.loadBalancer,
      purpose: "ui-static",
      targetGroupPrefix: "mfuis",
      title: "static UI",
      container: {
        name: "static-ui",
        image: props.image,
        port: STATIC_UI_PORT,
        environment: { PORT: String(STATIC_UI_PORT), METAFLOW_SERVICE: "/api" },
      },
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      desiredCount: props.desiredCount,
      route: { priority: 30, pathPatterns: ["/*"], before: props.signIn.authenticate("authenticate") },
      healthCheck: HEALTH,
      logRetentionDays: props.logRetentionDays,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
  }
}
