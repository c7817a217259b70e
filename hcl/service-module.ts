import { Construct } from "constructs";
import { choose, equals, onlyWhere } from "../modules/condition";
import { Database } from "../modules/database";
import { MetadataService } from "../modules/metadata-service";
import { PublicApi } from "../modules/public-api";
import { placement } from "./inputs/common";
import { databaseInputs, serviceInputs } from "./inputs/service";
import { ModuleStack } from "./module-stack";

/**
 * The metadata service area as a plain Terraform module: PostgreSQL on RDS with an RDS-managed password,
 * the service on ECS Fargate behind an internal load balancer, and (public_access "apiGateway") the API
 * gateway with a key.
 */
export class ServiceModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "Metaflow metadata service: RDS PostgreSQL, ECS Fargate behind an internal NLB, and an API gateway with an API key or internal access only");
    const naming = this.naming();
    const where = placement(this);
    const boundary = this.boundary();
    const batchJobs = this.input("batch_security_group_id", {
      type: "string",
      description: "Security group of Batch jobs, allowed to call the internal load balancer (the compute module's security_group_id)",
    }).stringValue;

    const database = new Database(this, "database", { naming, network: where.network, config: databaseInputs(this) });
    const config = serviceInputs(this, { withNetwork: false });
    const viaApiGateway = equals(config.publicAccess, "apiGateway");
    const service = new MetadataService(this, "metadata", {
      naming,
      region: this.region,
      network: where.network,
      database,
      config,
      privateLinkClients: viaApiGateway,
      permissionsBoundaryArn: boundary,
    });
    service.allowClients("batch-jobs", { id: batchJobs });
    const api = onlyWhere(this, viaApiGateway, () =>
      new PublicApi(this, "api", {
        naming,
        region: this.region,
        loadBalancer: service.loadBalancer,
        config: config.apiGateway,
        permissionsBoundaryArn: boundary,
      }),
    )!;

    const url = choose(viaApiGateway, api.url, service.internalUrl);
    this.output("service_url", url, "URL laptops use: the API gateway stage, or the internal load balancer with public_access \"internal\"");
    this.output("service_internal_url", service.internalUrl, "URL Batch jobs use: the internal load balancer");
    this.output("api_key", api.apiKey.value, "The API key, METAFLOW_SERVICE_AUTH_KEY (null with public_access \"internal\")", true);
    this.output(
      "profile",
      { METAFLOW_DEFAULT_METADATA: "service", METAFLOW_SERVICE_URL: url, METAFLOW_SERVICE_INTERNAL_URL: service.internalUrl, METAFLOW_SERVICE_AUTH_KEY: api.apiKey.value },
      "The metadata keys of the Metaflow profile (holds the API key; null values for parts this configuration has not)",
      true,
    );
  }
}
