import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { DATABASE_NAME, IDatabase, MASTER_USERNAME, POSTGRES_PORT } from "../database";
import { Datastore } from "../datastore";
import { Naming } from "../naming";
import { INetwork } from "../network";
import { UiLoadBalancer } from "./load-balancer";
import { SignIn } from "./sign-in";
import { UiService } from "./ui-service";

export interface UiBackendProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly cluster: EcsCluster;
  readonly loadBalancer: UiLoadBalancer;
  readonly signIn: SignIn;
  readonly datastore: Datastore;
  /** The metadata database, which the backend reads and writes (its triggers, LISTEN) on the primary. */
  readonly database: IDatabase;
  /** The metadata service's image with its tag: the UI server must match the schema it migrated. */
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly logRetentionDays: number;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
}

/** The UI server (reference §7). */
export const UI_BACKEND_PORT = 8083;
const PYTHON = "/opt/latest/bin/python3";
/** Everything of the backend is served under /api (PATH_PREFIX), which the load balancer routes to it. */
const PATH_PREFIX = "/api";
/**
 * The metadata API the UI server mounts at /api/metadata: its /healthcheck runs `SELECT 1` on the
 * database, so a task that cannot reach the database is not healthy (the UI's own /api/ping never asks it).
 */
export const UI_BACKEND_HEALTH_PATH = `${PATH_PREFIX}/metadata/healthcheck`;
/**
 * The service retries its database connections (and trigger set-up) this often, this many seconds apart,
 * before it gives up: five minutes, for a first deploy whose schema the metadata service is still migrating
 * and for a database that is failing over.
 */
const CONNECTION_RETRIES = 30;
const CONNECTION_RETRY_SECONDS = 10;
/**
 * Health checks every 30 s, unhealthy after 5 failures (2.5 minutes): a Multi-AZ failover (one to two
 * minutes) does not replace the tasks, a database that stays away does. Healthy again after 2 passes.
 */
const HEALTH = { intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 5 } as const;
/** The connection retries above, and a minute to start: failed checks do not count before that. */
const HEALTH_GRACE_SECONDS = CONNECTION_RETRIES * CONNECTION_RETRY_SECONDS + 60;

/**
 * The UI backend: the metadata service's image running `services.ui_backend_service.ui_server` on 8083
 * under /api, reached only through the UI load balancer's `/api/*` route (signed in; a request without a
 * sign-in gets 401, which the frontend answers by reloading into the sign-in). It reads the datastore (S3
 * and its key: artifacts, logs, cards) with its task role, connects to the database over TLS
 * (`sslmode=require`; rds.force_ssl refuses anything else) as the master user, whose password comes only
 * through ECS `secrets` from the RDS-managed secret; it reads the primary (RDS makes no read replica of a
 * database whose master password it manages, see ui-config.ts). Its bundled frontend is off (UI_ENABLED=0):
 * StaticUi serves the frontend, and the bundle's catch-all route would answer unknown API paths with a page.
 */
export class UiBackend extends Construct {
  public readonly service: UiService;

  constructor(scope: Construct, id: string, props: UiBackendProps) {
    super(scope, id);
    const sysroot = props.datastore.profile.METAFLOW_DATASTORE_SYSROOT_S3;
    const environment: Record<string, string> = {
      MF_METADATA_DB_HOST: props.database.address,
      MF_METADATA_DB_PORT: String(POSTGRES_PORT),
      MF_METADATA_DB_NAME: DATABASE_NAME,
      MF_METADATA_DB_USER: MASTER_USERNAME,
      MF_METADATA_DB_SSL_MODE: "require",
      MF_SERVICE_CONNECTION_RETRIES: String(CONNECTION_RETRIES),
      MF_SERVICE_CONNECTION_RETRY_WAITTIME_SECONDS: String(CONNECTION_RETRY_SECONDS),
      UI_ENABLED: "0",
      PATH_PREFIX,
      MF_DATASTORE_ROOT: sysroot,
      METAFLOW_DATASTORE_SYSROOT_S3: sysroot,
      METAFLOW_DEFAULT_DATASTORE: "s3",
      METAFLOW_DEFAULT_METADATA: "service",
      // The Metaflow client inside reads run metadata from this same process.
      METAFLOW_SERVICE_URL: `http://localhost:${UI_BACKEND_PORT}${PATH_PREFIX}/metadata`,
      AWS_DEFAULT_REGION: props.region,
    };
    this.service = new UiService(this, "service", {
      naming: props.naming,
      region: props.region,
      network: props.network,
      cluster: props.cluster,
      loadBalancer: props.loadBalancer,
      purpose: "ui-backend",
      targetGroupPrefix: "mfuib",
      title: "UI backend",
      container: {
        name: "ui-backend",
        image: props.image,
        command: [PYTHON, "-m", "services.ui_backend_service.ui_server"],
        port: UI_BACKEND_PORT,
        environment,
        secrets: { MF_METADATA_DB_PSWD: `${props.database.secretArn}:password::` },
      },
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      desiredCount: props.desiredCount,
      route: { priority: 20, pathPatterns: [`${PATH_PREFIX}/*`], before: props.signIn.authenticate("deny") },
      healthCheck: { path: UI_BACKEND_HEALTH_PATH, ...HEALTH, graceSeconds: HEALTH_GRACE_SECONDS },
      logRetentionDays: props.logRetentionDays,
      taskRole: true,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    props.database.grantReadSecret(this.service.executionRole);
    props.datastore.grantRead(this.service.taskRole!);
    new VpcSecurityGroupEgressRule(this, "to-database", {
      securityGroupId: this.service.securityGroup.id,
      referencedSecurityGroupId: props.database.securityGroupId,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: "PostgreSQL to the metadata database",
    });
    props.database.allowFrom("ui-backend", this.service.securityGroup);
  }
}
