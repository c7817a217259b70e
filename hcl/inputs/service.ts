import { Token } from "cdktf";
import {
  DATABASE_TLS_MODES, DatabaseConfig, DB_INSTANCE_CLASS, ENHANCED_MONITORING_SECONDS, FARGATE_SIZES, FIRST_TLS_MIGRATIONS, IMAGE_REPOSITORY, IMAGE_TAG, POSTGRES_VERSIONS, PUBLIC_ACCESS,
  ROOT_CERT_PATH, ROOT_CERT_PATH_MESSAGE, ServiceConfig,
} from "../../modules/config/service-config";
import { ECR_IMAGE } from "../../modules/config/images";
import { hcl } from "../../modules/expression";
import { cidrCondition, literal, matches, quoted, rule, Rule, shown, unlessNull } from "../hcl-text";
import { ModuleStack } from "../module-stack";
import { oneOf, wholeNumber } from "./common";

/** The metadata service's variables: its database, its Fargate tasks, and how laptops reach it. */

export interface ServiceInputOptions {
  /** Cross-area checks with the network's variables (the metaflow module has both). */
  readonly withNetwork: boolean;
}

/** A list of CIDRs, each listed once. */
export function cidrListRules(name: string): Rule[] {
  const list = `var.${name}`;
  return [
    rule(`alltrue([for c in ${list} : ${cidrCondition("c")}])`, `${name}: ${shown(quoted(`[for c in ${list} : c if !(${cidrCondition("c")})]`))} must be IPv4 network addresses in CIDR notation, in plain decimal, like 203.0.113.0/24.`),
    rule(`length(distinct(${list})) == length(${list})`, `${name} lists ${shown(quoted(`distinct([for i, c in ${list} : c if contains(slice(${list}, 0, i), c)])`))} more than once; list each once.`),
  ];
}

export function databaseInputs(stack: ModuleStack): DatabaseConfig {
  return {
    engineVersion: oneOf(stack, "db_engine_version", "PostgreSQL major version of the metadata database", Object.keys(POSTGRES_VERSIONS), "17") as "17",
    instanceClass: stack.input("db_instance_class", {
      type: "string",
      description: "RDS instance class of the metadata database",
      default: "db.t4g.small",
      validation: [rule(matches(DB_INSTANCE_CLASS, "var.db_instance_class"), "db_instance_class (${var.db_instance_class}) must be an RDS instance class like db.t4g.small or db.m7g.large.")],
    }).stringValue,
    allocatedStorageGiB: wholeNumber(stack, "db_allocated_storage_gib", "gp3 storage to start with, GiB", 20, 20, 65536),
    maxAllocatedStorageGiB: wholeNumber(stack, "db_max_allocated_storage_gib", "Storage autoscaling ceiling, GiB", 100, 20, 65536, [
      rule("var.db_max_allocated_storage_gib >= var.db_allocated_storage_gib", "db_max_allocated_storage_gib (${var.db_max_allocated_storage_gib}) must be >= db_allocated_storage_gib (${var.db_allocated_storage_gib})."),
    ]),
    // A bool variable is a Terraform value; the construct passes it through untouched.
    multiAz: stack.input("db_multi_az", { type: "bool", description: "A standby database in a second zone; turn off only for a development environment", default: true }).booleanValue as unknown as boolean,
    backupRetentionDays: wholeNumber(stack, "db_backup_retention_days", "Days of point-in-time recovery", 7, 7, 35),
    performanceInsights: stack.input("db_performance_insights", { type: "bool", description: "Performance Insights (7 days, the free tier), encrypted with the database key", default: true }).booleanValue as unknown as boolean,
    enhancedMonitoringSeconds: Token.asNumber(
      stack.input("db_enhanced_monitoring_seconds", {
        type: "number",
        description: "RDS Enhanced Monitoring interval in seconds (0: off); RDS writes it to the region's RDSOSMetrics log group",
        default: 0,
        validation: [
          rule(
            `contains(${literal(ENHANCED_MONITORING_SECONDS)}, var.db_enhanced_monitoring_seconds)`,
            `db_enhanced_monitoring_seconds (\${var.db_enhanced_monitoring_seconds}) must be one of ${ENHANCED_MONITORING_SECONDS.join(", ")} (0 turns it off).`,
          ),
        ],
      }).numberValue,
    ) as 0,
    logRetentionDays: stack.retention("db_log_retention_days", "Days the database's exported logs are kept", 90),
    passwordRotationDays: wholeNumber(stack, "db_password_rotation_days", "Days between rotations of the master password (the service's tasks are replaced after each)", 7, 1, 365),
  };
}

/** A release tag, `vX.Y.Z`, and its number X*10^6 + Y*10^3 + Z for comparing releases in HCL. */
const RELEASE = /^v([0-9]+)\.([0-9]+)\.([0-9]+)$/;
const releaseNumber = `(tonumber(regex(${JSON.stringify(RELEASE.source)}, var.image_tag)[0]) * 1000000 + tonumber(regex(${JSON.stringify(RELEASE.source)}, var.image_tag)[1]) * 1000 + tonumber(regex(${JSON.stringify(RELEASE.source)}, var.image_tag)[2]))`;

export function serviceInputs(stack: ModuleStack, options: ServiceInputOptions): ServiceConfig {
  const region = hcl(stack.region);
  const imageRules: Rule[] = [
    rule(matches(IMAGE_REPOSITORY, "var.image"), "image (${var.image}) must be an image repository without a tag, like netflixoss/metaflow_metadata_service."),
    rule(
      `${matches(ECR_IMAGE, "var.image")} ? regex(${JSON.stringify(ECR_IMAGE.source)}, var.image)[2] == ${region} : true`,
      `image (\${var.image}) is in ECR of region ${shown(`regex(${JSON.stringify(ECR_IMAGE.source)}, var.image)[2]`)}, but the service's execution role may pull only from ECR in \${${region}}; copy it there.`,
    ),
  ];
  if (options.withNetwork) {
    imageRules.push(
      rule(
        `var.existing_network == null && var.nat_gateways == "none" ? ${matches(ECR_IMAGE, "var.image")} : true`,
        `image (\${var.image}) cannot be pulled without NAT (nat_gateways is "none"); copy it to ECR in \${${region}} (a pull-through cache works) and name that repository, or choose nat_gateways "single".`,
      ),
    );
  }
  const cpuSizes = Object.keys(FARGATE_SIZES).map(Number);
  const size = `lookup(${literal(FARGATE_SIZES)}, tostring(var.cpu), null)`;
  const internal = 'var.public_access == "internal"';
  // API gateway settings at values other than their defaults, with no API gateway: moot.
  const moot = (name: string, given: string): Rule =>
    rule(`${internal} ? !(${given}) : true`, `${name} cannot take effect: with public_access "internal" no API gateway is made; remove it or set public_access "apiGateway".`);
  const publicAccess = oneOf(stack, "public_access", 'How people outside the VPC reach the metadata service: "internal" (no public endpoint), or the API gateway with an API key', PUBLIC_ACCESS, "apiGateway");

  return {
    image: stack.input("image", { type: "string", description: "Metadata service image repository, without a tag (with nat_gateways \"none\", one in ECR of the region)", default: "netflixoss/metaflow_metadata_service", validation: imageRules }).stringValue,
    imageTag: stack.input("image_tag", {
      type: "string",
      description: "Pinned metadata service image tag; v2.4.6 or later (its migrations connect with TLS, which the database requires)",
      default: "v2.5.1",
      validation: [
        rule(matches(IMAGE_TAG, "var.image_tag"), "image_tag (${var.image_tag}) must be an image tag like v2.5.1."),
        rule('var.image_tag != "latest"', "image_tag must be pinned to a version, not latest."),
        rule(
          `${matches(RELEASE, "var.image_tag")} ? ${releaseNumber} >= ${FIRST_TLS_MIGRATIONS[0] * 1e6 + FIRST_TLS_MIGRATIONS[1] * 1e3 + FIRST_TLS_MIGRATIONS[2]} : true`,
          `image_tag (\${var.image_tag}) is older than v${FIRST_TLS_MIGRATIONS.join(".")}, whose migrations are the first to connect with TLS, which the database requires (rds.force_ssl); use v${FIRST_TLS_MIGRATIONS.join(".")} or later.`,
        ),
      ],
    }).stringValue,
    cpu: Token.asNumber(
      stack.input("cpu", {
        type: "number",
        description: "Fargate CPU units of a metadata service task",
        default: 512,
        validation: [rule(`contains(${literal(cpuSizes)}, var.cpu)`, `cpu (\${var.cpu}) must be one of the Fargate CPU sizes ${cpuSizes.join(", ")}.`)],
      }).numberValue,
    ) as 512,
    memoryMiB: wholeNumber(stack, "memory_mib", "Fargate memory of a task, MiB: a size Fargate offers for the cpu", 1024, 512, 30720, [
      rule(
        `${size} == null ? true : (var.cpu == 256 && var.memory_mib == 512) || (var.memory_mib >= ${size}.min && var.memory_mib <= ${size}.max && var.memory_mib % ${size}.step == 0)`,
        `memory_mib (\${var.memory_mib}) is not a Fargate size for cpu \${var.cpu}; use ${shown(`format("%s%d to %d in steps of %d", var.cpu == 256 ? "512, " : "", ${size}.min, ${size}.max, ${size}.step)`)}.`,
      ),
    ]),
    desiredCount: wholeNumber(stack, "desired_count", "Metadata service tasks, spread over zones", 2, 1, 20),
    logRetentionDays: stack.retention("log_retention_days", "Days metadata service logs are kept", 90),
    publicAccess: publicAccess as "apiGateway",
    apiGateway: {
      throttleRateLimit: wholeNumber(stack, "api_throttle_rate_limit", "Steady requests per second through the API gateway", 100, 1, 10000, [moot("api_throttle_rate_limit", "var.api_throttle_rate_limit != 100")]),
      throttleBurstLimit: wholeNumber(stack, "api_throttle_burst_limit", "Burst of requests through the API gateway", 200, 1, 5000, [
        rule("var.api_throttle_burst_limit >= var.api_throttle_rate_limit", "api_throttle_burst_limit (${var.api_throttle_burst_limit}) must be >= api_throttle_rate_limit (${var.api_throttle_rate_limit})."),
        moot("api_throttle_burst_limit", "var.api_throttle_burst_limit != 200"),
      ]),
      allowedSourceCidrs: stack.input("api_allowed_source_cidrs", {
        type: "list(string)",
        description: "Only these source CIDRs may call the API gateway ([]: any source with the key)",
        default: [],
        validation: [...cidrListRules("api_allowed_source_cidrs"), moot("api_allowed_source_cidrs", "length(var.api_allowed_source_cidrs) > 0")],
      }).listValue,
      accessLogRetentionDays: stack.retention("api_access_log_retention_days", "Days API access logs are kept", 90),
      accountLoggingRole: oneOf(
        stack, "api_account_logging_role", "API Gateway's logging role, one per account and region: create (replaces any set before) or leave the existing one", ["create", "existing"], "create",
        [moot("api_account_logging_role", 'var.api_account_logging_role != "create"')],
      ) as "create",
    },
    clientCidrs: stack.input("client_cidrs", {
      type: "list(string)",
      description: "Other networks (a VPN, a peered VPC) allowed to reach the internal load balancer",
      default: [],
      validation: cidrListRules("client_cidrs"),
    }).listValue,
    databaseTls: databaseTlsInputs(stack),
  };
}

/**
 * TLS from the service to the database (the config's service.databaseTls): the mode, and with verify-full
 * where the RDS CA bundle is in the image. The construct takes both as Terraform values.
 */
function databaseTlsInputs(stack: ModuleStack): ServiceConfig["databaseTls"] {
  const mode = oneOf(
    stack, "database_tls_mode",
    "TLS from the metadata service to the database (require encrypts without checking the server's certificate, as the stock image carries no RDS CA bundle; verify-full also checks it against the bundle at database_root_cert_path)",
    DATABASE_TLS_MODES, "require",
  );
  const path = "var.database_root_cert_path";
  const rootCertPath = stack.input("database_root_cert_path", {
    type: "string",
    description: "With database_tls_mode \"verify-full\": where the RDS CA bundle is in the service's image, like /etc/ssl/certs/rds-global-bundle.pem (null otherwise)",
    default: null,
    validation: [
      rule(unlessNull(path, matches(ROOT_CERT_PATH, path)), `database_root_cert_path (${shown(`jsonencode(${path})`)}) ${ROOT_CERT_PATH_MESSAGE}.`),
      rule(
        `var.database_tls_mode == "verify-full" ? ${path} != null : true`,
        'database_root_cert_path is required with database_tls_mode "verify-full": give where the RDS CA bundle is in the service\'s image, like /etc/ssl/certs/rds-global-bundle.pem.',
      ),
      rule(
        `var.database_tls_mode == "verify-full" ? true : ${path} == null`,
        'database_root_cert_path applies only with database_tls_mode "verify-full" (require checks no certificate); remove it.',
      ),
    ],
  }).stringValue;
  return { mode: mode as "verify-full", rootCertPath };
}
