import { Construct } from "constructs";
import { EnvironmentConfig } from "./config/schema";
import { Compute, TerraformComputeConfig } from "./compute";
import { choose, equals, isTerraformCondition, not, onlyWhere } from "./condition";
import { DatabaseConfig, SchedulingConfig, ServiceConfig } from "./config/schema";
import { UiConfig } from "./config/ui-config";
import { Database } from "./database";
import { Datastore, TerraformStorageConfig } from "./datastore";
import { MetadataService } from "./metadata-service";
import { MetaflowUsers } from "./metaflow-users";
import { Naming } from "./naming";
import { Network, TerraformNetworkConfig } from "./network";
import { profileJson, SECRET_PROFILE_KEYS } from "./profile";
import { PublicApi } from "./public-api";
import { Scheduling } from "./scheduling";
import { MetaflowUi } from "./ui/metaflow-ui";

/** What the composition needs of a config: every area (naming, region, tags and state are the caller's). */
export type DeploymentConfig = Pick<EnvironmentConfig, "network" | "storage" | "compute" | "database" | "service" | "scheduling"> & {
  /** @default off */
  readonly ui?: UiConfig;
};

/**
 * The composition's config as a plain Terraform module's variables give it: choices are Terraform values,
 * and the network, datastore and compute areas take their Terraform-driven variants.
 */
export interface TerraformDeploymentConfig {
  readonly network: TerraformNetworkConfig;
  readonly storage: TerraformStorageConfig;
  readonly compute: TerraformComputeConfig;
  readonly database: DatabaseConfig;
  readonly service: ServiceConfig;
  readonly scheduling: SchedulingConfig;
}

export interface MetaflowDeploymentProps {
  readonly naming: Naming;
  /** The region: a literal in the app, the provider's region in a plain Terraform module. */
  readonly region: string;
  readonly config: DeploymentConfig | TerraformDeploymentConfig;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** The account, when the config names it: ARNs name it, trust policies require it, and names that must be unique across accounts (the UI's Cognito domain) carry it. @default unknown */
  readonly accountId?: string;
}

/** One output of the deployment: name, value, description, sensitive. */
export type DeploymentOutput = readonly [string, unknown, string, boolean];

/**
 * The whole Metaflow deployment, composed once for both builds: the CDKTF app's `MetaflowStack` and the
 * plain Terraform `metaflow` module. It builds each area's construct directly in `scope` (so resource
 * addresses do not depend on which build made them) in the order network, storage, compute, database and
 * service, scheduling, and wires them the other way with grant and allow methods.
 */
export class MetaflowDeployment {
  public readonly network: Network;
  public readonly datastore: Datastore;
  public readonly compute: Compute;
  public readonly database: Database;
  public readonly metadataService: MetadataService;
  /** Undefined when the service is internal only. */
  public readonly publicApi?: PublicApi;
  /** The scheduling table always; Step Functions and EventBridge only while scheduling is on. */
  public readonly scheduling: Scheduling;
  /** Undefined when `scheduling.users.access` is "none". */
  public readonly users?: MetaflowUsers;
  /** Undefined unless `ui.enabled`. */
  public readonly ui?: MetaflowUi;
  /** Whether laptops reach the service through the API gateway: decided at synth, or by Terraform in a module. */
  private readonly viaApiGateway: ReturnType<typeof equals>;

  constructor(scope: Construct, props: MetaflowDeploymentProps) {
    const { config } = props;
    this.network = new Network(scope, "network", {
      naming: props.naming,
      region: props.region,
      config: config.network,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
    this.datastore = new Datastore(scope, "storage", { naming: props.naming, region: props.region, config: config.storage });
    this.compute = new Compute(scope, "compute", {
      naming: props.naming,
      region: props.region,
      network: this.network,
      config: config.compute,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
    this.datastore.grantReadWrite(this.compute.jobRole);

    this.database = new Database(scope, "database", {
      naming: props.naming,
      network: this.network,
      config: config.database,
      region: props.region,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
    this.viaApiGateway = equals(config.service.publicAccess, "apiGateway");
    this.metadataService = new MetadataService(scope, "metadata", {
      naming: props.naming,
      region: props.region,
      network: this.network,
      database: this.database,
      config: config.service,
      privateLinkClients: this.viaApiGateway,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
    this.metadataService.allowClients("batch-jobs", this.compute.securityGroup);
    this.publicApi = onlyWhere(scope, this.viaApiGateway, () =>
      new PublicApi(scope, "api", {
        naming: props.naming,
        region: props.region,
        loadBalancer: this.metadataService.loadBalancer,
        config: config.service.apiGateway,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      }),
    );

    // The plain-Terraform modules build the UI in a module of its own (hcl/ui-module.ts).
    const ui = "ui" in config ? config.ui : undefined;
    if (ui?.enabled) {
      this.ui = new MetaflowUi(scope, "ui", {
        naming: props.naming,
        region: props.region,
        network: this.network,
        vpcCidr: "mode" in config.network && config.network.mode === "create" ? config.network.vpcCidr : undefined,
        datastore: this.datastore,
        database: this.database,
        image: `${config.service.image}:${config.service.imageTag}`,
        config: ui,
        accountId: props.accountId,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
    }

    this.scheduling = new Scheduling(scope, "scheduling", {
      naming: props.naming,
      region: props.region,
      config: config.scheduling,
      batch: this.compute,
      datastore: this.datastore,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
    this.users = onlyWhere(scope, not(equals(config.scheduling.users.access, "none")), () =>
      new MetaflowUsers(scope, "users", {
        naming: props.naming,
        region: props.region,
        config: config.scheduling.users,
        batch: this.compute,
        datastore: this.datastore,
        scheduling: this.scheduling.stepFunctions,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
        accountId: props.accountId,
      }),
    );
  }

  /** Every Metaflow profile key this deployment has a value for. */
  public get profile(): Record<string, string> {
    return {
      ...this.datastore.profile,
      ...this.serviceProfile,
      ...(this.publicApi && { METAFLOW_SERVICE_AUTH_KEY: this.publicApi.apiKey.value }),
      ...this.compute.profile,
      ...this.scheduling.profile,
      ...(this.ui && { METAFLOW_UI_URL: this.ui.url }),
    };
  }

  /** The metadata keys of the Metaflow profile (reference §1), but the secret key. */
  public get serviceProfile(): Record<string, string> {
    const internal = this.metadataService.internalUrl;
    return {
      METAFLOW_DEFAULT_METADATA: "service",
      METAFLOW_SERVICE_URL: this.publicApi ? choose(this.viaApiGateway, this.publicApi.url, internal) : internal,
      METAFLOW_SERVICE_INTERNAL_URL: internal,
    };
  }

  /** The outputs both builds declare: ids of the network and datastore, queues, users, every profile key and the profile. */
  public get outputs(): DeploymentOutput[] {
    const outputs: DeploymentOutput[] = [];
    if (this.users) {
      outputs.push(["metaflow_users_policy_arn", this.users.policy.arn, "Managed policy for the people who run Metaflow", false]);
      if (this.users.role) outputs.push(["metaflow_users_role_arn", this.users.role.arn, "Role the configured principals assume to run Metaflow", false]);
    }
    outputs.push(
      ["vpc_id", this.network.vpcId, "VPC Metaflow runs in", false],
      ["private_subnet_ids", this.network.privateSubnetIds, "Private subnets (compute, database, service)", false],
      ["public_subnet_ids", this.network.publicSubnetIds, "Public subnets (NAT, load balancers)", false],
      ["datastore_bucket_name", this.datastore.bucketName, "S3 bucket of the Metaflow datastore", false],
      ["batch_job_queues", this.compute.queueArns, "ARNs of every Batch job queue", false],
    );
    if (this.ui) {
      outputs.push(["ui_load_balancer_dns_name", this.ui.loadBalancer.loadBalancer.dnsName, "DNS name of the UI's load balancer: point ui.hostname at it (CNAME or alias)", false]);
      const pool = this.ui.signIn.userPool;
      if (pool) outputs.push(["ui_user_pool_id", pool.pool.id, "The UI's Cognito user pool: admins add people with aws cognito-idp admin-create-user", false]);
    }
    const profile = this.profile;
    for (const [key, value] of Object.entries(profile)) {
      const secret = SECRET_PROFILE_KEYS.includes(key as never);
      outputs.push([key, value, `Metaflow profile key ${key}${secret ? " (secret)" : ""}`, secret]);
    }
    // Where Terraform decides which parts exist, keys of absent parts are null and left out of the profile.
    const someAbsent = [this.viaApiGateway, this.compute.executionRoleWhere, this.scheduling.stepFunctions?.where ?? false].some((c) => isTerraformCondition(c));
    outputs.push(["metaflow_profile_json", profileJson(profile, { withoutNulls: someAbsent }), "The Metaflow profile (`npm run profile` writes it to ~/.metaflowconfig); holds the API key", true]);
    return outputs;
  }
}
