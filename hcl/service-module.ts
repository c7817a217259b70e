import { Construct } from "constructs";
import { Database } from "../modules/database";
import { MetadataService } from "../modules/metadata-service";
import { PublicApi } from "../modules/public-api";
import { ModuleStack } from "./module-stack";
import { databaseInputs, placement, serviceInputs } from "./inputs";

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

    const database = new Database(this, "database", { naming, network: where.network, config: databaseInputs(this) });
    const config = serviceInputs(this);
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
