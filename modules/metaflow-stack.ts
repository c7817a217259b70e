import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Environment } from "./config/load";
import { Compute } from "./compute";
import { Database } from "./database";
import { Datastore } from "./datastore";
import { MetadataService } from "./metadata-service";
import { MetaflowUsers } from "./metaflow-users";
import { profileJson, SECRET_PROFILE_KEYS } from "./profile";
import { PublicApi } from "./public-api";
import { Scheduling } from "./scheduling";
import { Naming } from "./naming";
import { Network } from "./network";
import { applyRules } from "./rules";
import { stateKey, stateLocation, useLocalBackend, useS3Backend } from "./state-backend";

/** The hashicorp/aws version `@cdktf/provider-aws` 20.1.0 wraps; the synthesized `required_providers` pins it. */
export const AWS_PROVIDER_VERSION = "5.100.0";

/** Stack id of an environment: `metaflow-<environment>`. */
export function stackName(environment: string): string {
  return `metaflow-${environment}`;
}

/**
 * One environment's deployment. It only composes: each area is a construct of its own, wired in the
 * order network, storage (and, as they land, compute, service, scheduling), then outputs.
 */
export class MetaflowStack extends TerraformStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly datastore: Datastore;
  public readonly compute: Compute;
  public readonly database: Database;
  public readonly metadataService: MetadataService;
  /** Undefined when the service is internal only. */
  public readonly publicApi?: PublicApi;
  /** Undefined when scheduling is off. */
  public readonly scheduling?: Scheduling;
  /** Undefined when `scheduling.users.access` is "none". */
  public readonly users?: MetaflowUsers;

  constructor(scope: Construct, environment: Environment) {
    super(scope, stackName(environment.name));
    // The security and data-safety rules (modules/rules/README.md) check every resource of this stack at synth.
    applyRules(this, environment.name);
    const { config } = environment;
    this.naming = new Naming(config.namePrefix, environment.name);

    const state = stateLocation(environment);
    if (state) useS3Backend(this, state, stateKey(state, environment.name, this.node.id));
    else useLocalBackend(this);

    new AwsProvider(this, "aws", {
      region: config.region,
      allowedAccountIds: config.accountId ? [config.accountId] : undefined,
      defaultTags: [
        { tags: { ...config.tags, Project: config.namePrefix, Environment: environment.name, ManagedBy: "cdktf" } },
      ],
    });

    this.network = new Network(this, "network", {
      naming: this.naming,
      region: config.region,
      config: config.network,
      permissionsBoundaryArn: config.permissionsBoundaryArn,
    });
    this.datastore = new Datastore(this, "storage", { naming: this.naming, region: config.region, config: config.storage });
    this.compute = new Compute(this, "compute", {
      naming: this.naming,
      region: config.region,
      network: this.network,
      config: config.compute,
      permissionsBoundaryArn: config.permissionsBoundaryArn,
    });
    this.datastore.grantReadWrite(this.compute.jobRole);

    this.database = new Database(this, "database", { naming: this.naming, network: this.network, config: config.database });
    const viaApiGateway = config.service.publicAccess === "apiGateway";
    this.metadataService = new MetadataService(this, "metadata", {
      naming: this.naming,
      region: config.region,
      network: this.network,
      database: this.database,
      config: config.service,
      privateLinkClients: viaApiGateway,
      permissionsBoundaryArn: config.permissionsBoundaryArn,
    });
    this.metadataService.allowClients("batch-jobs", this.compute.securityGroup);
    this.datastore.grantRead(this.metadataService.taskRole);
    if (viaApiGateway) {
      this.publicApi = new PublicApi(this, "api", {
        naming: this.naming,
        region: config.region,
        loadBalancer: this.metadataService.loadBalancer,
        config: config.service.apiGateway,
        permissionsBoundaryArn: config.permissionsBoundaryArn,
      });
    }

    if (config.scheduling.enabled) {
      this.scheduling = new Scheduling(this, "scheduling", {
        naming: this.naming,
        region: config.region,
        config: config.scheduling,
        batch: this.compute,
        datastore: this.datastore,
        permissionsBoundaryArn: config.permissionsBoundaryArn,
      });
    }
    if (config.scheduling.users.access !== "none") {
      this.users = new MetaflowUsers(this, "users", {
        naming: this.naming,
        region: config.region,
        config: config.scheduling.users,
        batch: this.compute,
        datastore: this.datastore,
        scheduling: this.scheduling,
        permissionsBoundaryArn: config.permissionsBoundaryArn,
      });
      this.output("metaflow_users_policy_arn", this.users.policy.arn, "Managed policy for the people who run Metaflow");
      if (this.users.role) this.output("metaflow_users_role_arn", this.users.role.arn, "Role the configured principals assume to run Metaflow");
    }

    this.output("vpc_id", this.network.vpcId, "VPC Metaflow runs in");
    this.output("private_subnet_ids", this.network.privateSubnetIds, "Private subnets (compute, database, service)");
    this.output("public_subnet_ids", this.network.publicSubnetIds, "Public subnets (NAT, load balancers)");
    this.output("datastore_bucket_name", this.datastore.bucketName, "S3 bucket of the Metaflow datastore");
    this.output("batch_job_queues", Object.values(this.compute.queues).map((q) => q.arn), "ARNs of every Batch job queue");
    const profile = this.profile;
    for (const [key, value] of Object.entries(profile)) {
      const secret = SECRET_PROFILE_KEYS.includes(key as never);
      this.output(key, value, `Metaflow profile key ${key}${secret ? " (secret)" : ""}`, secret);
    }
    this.output("metaflow_profile_json", profileJson(profile), "The Metaflow profile (`npm run profile` writes it to ~/.metaflowconfig); holds the API key", true);
  }

  /** Every Metaflow profile key this deployment has a value for. */
  public get profile(): Record<string, string> {
    return {
      ...this.datastore.profile,
      ...this.serviceProfile,
      ...(this.publicApi && { METAFLOW_SERVICE_AUTH_KEY: this.publicApi.apiKey.value }),
      ...this.compute.profile,
      ...this.scheduling?.profile,
    };
  }

  /** The metadata keys of the Metaflow profile (reference §1), but the secret key. */
  public get serviceProfile(): Record<string, string> {
    const internal = this.metadataService.internalUrl;
    return {
      METAFLOW_DEFAULT_METADATA: "service",
      METAFLOW_SERVICE_URL: this.publicApi?.url ?? internal,
      METAFLOW_SERVICE_INTERNAL_URL: internal,
    };
  }

  private output(name: string, value: string | string[], description: string, sensitive = false): void {
    new TerraformOutput(this, name, { value, description, sensitive }).overrideLogicalId(name);
  }
}
