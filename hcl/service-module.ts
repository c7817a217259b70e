import { Construct } from "constructs";
import { Token } from "cdktf";
import { Database } from "../modules/database";
import { MetadataService } from "../modules/metadata-service";
import { PublicApi } from "../modules/public-api";
import { existingDatastore, placement } from "./compute-module";
import { ModuleStack } from "./module-stack";
import { days } from "./storage-module";

/**
 * The metadata service area as a plain Terraform module: PostgreSQL on RDS with an RDS-managed password,
 * the service on ECS Fargate behind an internal load balancer, and the API gateway with a key.
 */
export class ServiceModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "Metaflow metadata service: RDS PostgreSQL, ECS Fargate behind an internal NLB, API gateway with an API key");
    const naming = this.naming();
    const where = placement(this);
    const boundary = this.boundary();
    const batchJobs = this.input("batch_security_group_id", {
      type: "string",
      description: "Security group of Batch jobs, allowed to call the internal load balancer (the compute module's security_group_id)",
    }).stringValue;

    const database = new Database(this, "database", {
      naming,
      network: where.network,
      config: {
        engineVersion: "17",
        instanceClass: this.input("db_instance_class", {
          type: "string",
          description: "RDS instance class",
          default: "db.t4g.small",
          validation: [{ condition: '${can(regex("^db\\\\.[a-z0-9]+\\\\.[a-z0-9]+$", var.db_instance_class))}', errorMessage: "db_instance_class must be an RDS instance class like db.t4g.small." }],
        }).stringValue,
        allocatedStorageGiB: days(this, "db_allocated_storage_gib", "gp3 storage to start with, GiB", 20, 20, 65536),
        maxAllocatedStorageGiB: days(this, "db_max_allocated_storage_gib", "Storage autoscaling ceiling, GiB", 100, 20, 65536),
        multiAz: this.input("db_multi_az", { type: "bool", description: "A standby in a second zone", default: true }).booleanValue as unknown as boolean,
        backupRetentionDays: days(this, "db_backup_retention_days", "Days of point-in-time recovery", 7, 7, 35),
        performanceInsights: false,
      },
    });
    const config = {
      image: this.input("image", { type: "string", description: "Metadata service image repository", default: "netflixoss/metaflow_metadata_service" }).stringValue,
      imageTag: this.input("image_tag", {
        type: "string",
        description: "Pinned image tag; v2.5.0 or later for PostgreSQL 16+",
        default: "v2.5.1",
        validation: [{ condition: '${var.image_tag != "latest"}', errorMessage: "image_tag must be pinned to a version, not latest." }],
      }).stringValue,
      cpu: Token.asNumber(this.input("cpu", {
        type: "number",
        description: "Fargate CPU units",
        default: 512,
        validation: [{ condition: "${contains([256, 512, 1024, 2048, 4096], var.cpu)}", errorMessage: "cpu must be one of 256, 512, 1024, 2048, 4096." }],
      }).numberValue) as 512,
      memoryMiB: days(this, "memory_mib", "Fargate memory, MiB (a size Fargate offers for the CPU)", 1024, 512, 30720),
      desiredCount: days(this, "desired_count", "Tasks, spread over zones", 2, 1, 20),
      logRetentionDays: this.retention("log_retention_days", "Days service logs are kept", 90),
      publicAccess: "apiGateway" as const,
      apiGateway: {
        throttleRateLimit: days(this, "api_throttle_rate_limit", "Steady requests per second", 100, 1, 10000),
        throttleBurstLimit: days(this, "api_throttle_burst_limit", "Burst of requests", 200, 1, 5000),
        allowedSourceCidrs: [],
        accessLogRetentionDays: this.retention("api_access_log_retention_days", "Days API access logs are kept", 90),
        accountLoggingRole: "create" as const,
      },
      clientCidrs: [],
    };
    const service = new MetadataService(this, "metadata", {
      naming,
      region: this.region,
      network: where.network,
      database,
      config,
      privateLinkClients: true,
      permissionsBoundaryArn: boundary,
    });
    service.allowClients("batch-jobs", { id: batchJobs });
    existingDatastore(this, where.bucketName, where.kmsKeyArn, naming).grantRead(service.taskRole);
    const api = new PublicApi(this, "api", {
      naming,
      region: this.region,
      loadBalancer: service.loadBalancer,
      config: config.apiGateway,
      permissionsBoundaryArn: boundary,
    });

    this.output("service_url", api.url, "URL laptops use: the API gateway stage");
    this.output("service_internal_url", service.internalUrl, "URL Batch jobs use: the internal load balancer");
    this.output("api_key", api.apiKey.value, "The API key (METAFLOW_SERVICE_AUTH_KEY)", true);
    this.output("profile", { METAFLOW_DEFAULT_METADATA: "service", METAFLOW_SERVICE_URL: api.url, METAFLOW_SERVICE_INTERNAL_URL: service.internalUrl, METAFLOW_SERVICE_AUTH_KEY: api.apiKey.value }, "The metadata keys of the Metaflow profile (holds the API key)", true);
  }
}
