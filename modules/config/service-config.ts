import { z } from "zod";
import { discriminatorError, duplicateIndexes, given, int, Ipv4Cidr, MootSetting, onlyWhere, rawObject, Report, RetentionDays, strict } from "./common";
import { ecrImageProblem, isEcrImage } from "./images";

/** Config of the metadata service area: its PostgreSQL database, the Fargate service and its front door. */

/** PostgreSQL majors RDS offers for new instances, with their parameter group family. */
export const POSTGRES_VERSIONS = { "16": "postgres16", "17": "postgres17" } as const;
export type PostgresVersion = keyof typeof POSTGRES_VERSIONS;

/** The intervals RDS Enhanced Monitoring accepts, in seconds; 0 is off. */
export const ENHANCED_MONITORING_SECONDS = [0, 1, 5, 10, 15, 30, 60] as const;
export const DB_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const IMAGE_REPOSITORY = /^[a-z0-9][a-z0-9._\/-]*$/;
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const DatabaseSchema = strict({
  /** @default "17" */
  engineVersion: z.enum(Object.keys(POSTGRES_VERSIONS) as [PostgresVersion, ...PostgresVersion[]]).default("17"),
  /** A current Graviton burstable class; t2 and t3 are on their way out. @default "db.t4g.small" */
  instanceClass: z.string().regex(DB_INSTANCE_CLASS, "must be an RDS instance class like db.t4g.small or db.m7g.large").default("db.t4g.small"),
  /** gp3 storage to start with. @default 20 */
  allocatedStorageGiB: int(20, 65536).default(20),
  /** Storage autoscaling ceiling. @default 100 */
  maxAllocatedStorageGiB: int(20, 65536).default(100),
  /** A standby in a second zone; turn off only for a dev environment. @default true */
  multiAz: z.boolean().default(true),
  /** At least a week of point-in-time recovery. @default 7 */
  backupRetentionDays: int(7, 35).default(7),
  /**
   * Performance Insights (CloudWatch Database Insights, Standard mode): database load by wait, statement
   * and host, 7 days of it at no charge, encrypted with the database's key. @default true
   */
  performanceInsights: z.boolean().default(true),
  /**
   * Enhanced Monitoring: the host's CPU, memory, file system and processes every N seconds, sent by an
   * agent on the instance through a role the stack makes. Off by default: RDS writes it to the
   * region-wide log group RDSOSMetrics, which every instance of the account shares and RDS creates
   * without retention (this stack cannot own it, or give it a key), and CloudWatch bills its volume;
   * Performance Insights already shows what loads the database. @default 0 (off)
   */
  enhancedMonitoringSeconds: z
    .number()
    .refine((n) => (ENHANCED_MONITORING_SECONDS as readonly number[]).includes(n), {
      message: `must be one of the intervals RDS accepts, in seconds: ${ENHANCED_MONITORING_SECONDS.join(", ")} (0 is off)`,
    })
    .default(0),
  /** Days the exported PostgreSQL logs are kept. @default 90 */
  logRetentionDays: RetentionDays.default(90),
  /**
   * Days between rotations of the master password, which RDS keeps in Secrets Manager. The metadata
   * service's tasks are replaced after each rotation (they read the password once, at start). The AWS
   * provider this project pins (5.100) cannot turn managed rotation off. @default 7 (RDS's own default)
   */
  passwordRotationDays: int(1, 365).default(7),
});

/** How people outside the VPC reach the metadata service. */
export const PUBLIC_ACCESS = ["internal", "apiGateway"] as const;
export type PublicAccess = (typeof PUBLIC_ACCESS)[number];

/** Fargate's allowed task sizes: CPU units to memory (MiB) range and step. */
export const FARGATE_SIZES: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 1024, max: 2048, step: 1024 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
};

/** Whether Fargate offers this cpu/memory pair (256 CPU units also take 512 MiB). */
export function fargateSizeAllowed(cpu: number, memoryMiB: number): boolean {
  const size = FARGATE_SIZES[cpu];
  if (!size) return false;
  if (cpu === 256 && memoryMiB === 512) return true;
  return memoryMiB >= size.min && memoryMiB <= size.max && memoryMiB % size.step === 0;
}

const ApiGatewaySchema = strict({
  /** Steady requests per second across all clients. @default 100 */
  throttleRateLimit: int(1, 10000).default(100),
  /** @default 200 */
  throttleBurstLimit: int(1, 5000).default(200),
  /** Only these source CIDRs may call the API. @default [] (any source with the key) */
  allowedSourceCidrs: z.array(Ipv4Cidr).default([]),
  /** @default 90 */
  accessLogRetentionDays: RetentionDays.default(90),
  /**
   * API Gateway writes logs through one role per account and region. `create` sets it (it replaces any
   * role set before); `existing` leaves the account's setting alone. @default "create"
   */
  accountLoggingRole: z.enum(["create", "existing"]).default("create"),
});

/** The first metadata-service release whose migrations (run_goose.py) pass MF_METADATA_DB_SSL_MODE on. */
export const FIRST_TLS_MIGRATIONS = [2, 4, 6] as const;

/**
 * TLS from the service to the database. `require` encrypts without checking the server's certificate;
 * `verify-full` also checks it against the RDS CA bundle, which must be in the image at `rootCertPath`
 * (the stock image carries none: build one that adds https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem).
 */
export const DATABASE_TLS_MODES = ["require", "verify-full"] as const;
/** An absolute path in the image, and what the config says of one that is not. */
export const ROOT_CERT_PATH = /^\/[A-Za-z0-9._\/-]+$/;
export const ROOT_CERT_PATH_MESSAGE = "must be an absolute path in the image, like /etc/ssl/certs/rds-global-bundle.pem";

const DatabaseTlsSchema = z.discriminatedUnion("mode", [
  strict({ mode: z.literal("require") }, onlyWhere("mode", "verify-full", ["rootCertPath"], "require checks no certificate")),
  strict({
    mode: z.literal("verify-full"),
    /** Where the RDS CA bundle is in the service's image. */
    rootCertPath: z.string().regex(ROOT_CERT_PATH, ROOT_CERT_PATH_MESSAGE),
  }),
], discriminatorError("mode", DATABASE_TLS_MODES.map((m) => `"${m}"`).join(", ")));

export const ServiceSchema = strict({
  /** @default "netflixoss/metaflow_metadata_service" */
  image: z.string().regex(IMAGE_REPOSITORY, "must be an image repository without a tag, like netflixoss/metaflow_metadata_service").default("netflixoss/metaflow_metadata_service"),
  /**
   * Pinned. A `vX.Y.Z` tag must be v2.4.6 or later: from that release on, run_goose.py passes
   * MF_METADATA_DB_SSL_MODE to the migrations, and RDS refuses them without TLS (rds.force_ssl).
   * @default "v2.5.1"
   */
  imageTag: z.string().regex(IMAGE_TAG, "must be an image tag like v2.5.1 (not latest: pin a version)").refine((t) => t !== "latest", "must be pinned to a version, not latest").default("v2.5.1"),
  /** Fargate CPU units. @default 512 */
  cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], { error: "must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096" }).default(512),
  /** @default 1024 */
  memoryMiB: int(512, 30720).default(1024),
  /** Tasks spread across zones. @default 2 */
  desiredCount: int(1, 20).default(2),
  /** @default 90 */
  logRetentionDays: RetentionDays.default(90),
  /** @default "apiGateway" */
  publicAccess: z.enum(PUBLIC_ACCESS).default("apiGateway"),
  apiGateway: ApiGatewaySchema.default({ throttleRateLimit: 100, throttleBurstLimit: 200, allowedSourceCidrs: [], accessLogRetentionDays: 90, accountLoggingRole: "create" }),
  /** Other networks (a VPN, a peered VPC) allowed to reach the internal load balancer. @default [] */
  clientCidrs: z.array(Ipv4Cidr).default([]),
  /** @default { mode: "require" } */
  databaseTls: DatabaseTlsSchema.default({ mode: "require" }),
}).default({
  image: "netflixoss/metaflow_metadata_service", imageTag: "v2.5.1", cpu: 512, memoryMiB: 1024, desiredCount: 2,
  logRetentionDays: 90, publicAccess: "apiGateway", databaseTls: { mode: "require" },
  apiGateway: { throttleRateLimit: 100, throttleBurstLimit: 200, allowedSourceCidrs: [], accessLogRetentionDays: 90, accountLoggingRole: "create" },
  clientCidrs: [],
});

export type ServiceConfig = z.output<typeof ServiceSchema>;
export type DatabaseConfig = z.output<typeof DatabaseSchema>;

export const DatabaseDefaultSchema = DatabaseSchema.default({
  engineVersion: "17", instanceClass: "db.t4g.small", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100,
  multiAz: true, backupRetentionDays: 7, performanceInsights: true, enhancedMonitoringSeconds: 0, logRetentionDays: 90, passwordRotationDays: 7,
});

/** Cross-field rules of the service; paths relative to `service`. */
export function checkService(input: ServiceConfig, fail: Report): void {
  if (!fargateSizeAllowed(input.cpu, input.memoryMiB)) {
    const size = FARGATE_SIZES[input.cpu];
    fail(["memoryMiB"], input.memoryMiB, `is not a Fargate size for cpu ${input.cpu}; use ${input.cpu === 256 ? "512, " : ""}${size.min} to ${size.max} in steps of ${size.step}`);
  }
  if (input.apiGateway.throttleBurstLimit < input.apiGateway.throttleRateLimit) {
    fail(["apiGateway", "throttleBurstLimit"], input.apiGateway.throttleBurstLimit, `must be >= throttleRateLimit (${input.apiGateway.throttleRateLimit})`);
  }
  for (const i of duplicateIndexes(input.apiGateway.allowedSourceCidrs)) {
    fail(["apiGateway", "allowedSourceCidrs", i], input.apiGateway.allowedSourceCidrs[i], "is listed twice");
  }
  const version = /^v(\d+)\.(\d+)\.(\d+)$/.exec(input.imageTag)?.slice(1).map(Number);
  const [major, minor, patch] = FIRST_TLS_MIGRATIONS;
  if (version && (version[0] - major || version[1] - minor || version[2] - patch) < 0) {
    fail(["imageTag"], input.imageTag, `is older than v${FIRST_TLS_MIGRATIONS.join(".")}, whose migrations are the first to connect with TLS, which the database requires (rds.force_ssl); use v2.4.6 or later`);
  }
}

/** A private ECR registry's image: `<account>.dkr.ecr[-fips].<region>.<domain>/<repository>`. */
/**
 * Rules across service and region: an image in a private ECR registry must be in the stack's region, with
 * the domain of its partition; the execution role may pull only from there (and a registry under the
 * other partition's domain does not exist).
 */
export function checkServiceRegion(input: ServiceConfig, region: string, fail: Report): void {
  const problem = ecrImageProblem(input.image, region, "the service's execution role");
  if (problem) fail(["image"], input.image, problem);
}

/** Rules across service and network: without NAT, the image must come from ECR in the stack's region. */
export function checkServiceNetwork(input: ServiceConfig, network: { mode: string; natGateways?: string }, region: string, fail: Report): void {
  // An ECR image of another region or partition is refused by checkServiceRegion, whatever the network.
  if (network.mode === "create" && network.natGateways === "none" && !isEcrImage(input.image)) {
    fail(["image"], input.image, `cannot be pulled without NAT (network.natGateways is "none"); copy it to ECR in ${region} (a pull-through cache works) and name that repository, or choose natGateways "single"`);
  }
}

/** Cross-field rules of the database; paths relative to `database`. */
export function checkDatabase(input: DatabaseConfig, fail: Report): void {
  if (input.maxAllocatedStorageGiB < input.allocatedStorageGiB) {
    fail(["maxAllocatedStorageGiB"], input.maxAllocatedStorageGiB, `must be >= allocatedStorageGiB (${input.allocatedStorageGiB})`);
  }
}

/** Service settings the raw input gives that cannot take effect; paths relative to `service`. */
export function mootService(raw: unknown): MootSetting[] {
  const service = rawObject(raw, "service");
  if (service?.publicAccess !== "internal" || !given(service, "apiGateway")) return [];
  return [{
    path: ["apiGateway"],
    value: service.apiGateway,
    message: 'cannot take effect: with publicAccess "internal" no API gateway is made; remove apiGateway or set publicAccess "apiGateway"',
  }];
}
