import { Fn, Token } from "cdktf";
import { ComputeConfig, KIND_DEFAULTS } from "../modules/config/compute-config";
import { CreateNetworkConfig } from "../modules/config/network-config";
import { SchedulingConfig } from "../modules/config/scheduling-config";
import { DatabaseConfig, ServiceConfig } from "../modules/config/service-config";
import { CreateStorageConfig } from "../modules/config/storage-config";
import { Datastore } from "../modules/datastore";
import { Naming } from "../modules/naming";
import { cidrCondition, ModuleStack } from "./module-stack";

/**
 * The Terraform variables of each area, as the typed config its construct takes: the area modules and the
 * `metaflow` module declare them with these functions, so a variable is declared once. The shape (zones,
 * NAT, one EC2 environment, the API gateway) is fixed; values are variables with validation blocks.
 */

/** Zones (and subnets per tier) the modules build. */
export const MODULE_ZONES = 2;

/** A whole number from `min` to `max`. */
export function wholeNumber(stack: ModuleStack, name: string, description: string, byDefault: number, min: number, max: number): number {
  return stack.input(name, {
    type: "number",
    description,
    default: byDefault,
    validation: [{ condition: `\${var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}}`, errorMessage: `${name} must be a whole number from ${min} to ${max}.` }],
  }).numberValue;
}

export function networkInputs(stack: ModuleStack): CreateNetworkConfig {
  const cidrList = (name: string, description: string, byDefault: string[]) =>
    stack.input(name, {
      type: "list(string)",
      description,
      default: byDefault,
      validation: [
        { condition: `\${length(var.${name}) == ${MODULE_ZONES}}`, errorMessage: `${name} must list ${MODULE_ZONES} CIDRs, one per zone.` },
        { condition: `\${alltrue([for c in var.${name} : ${cidrCondition("c")}])}`, errorMessage: `${name} must hold IPv4 network addresses in CIDR notation.` },
        {
          // Inside the VPC: at least as long a prefix, and the same network under the VPC's mask.
          condition: `\${alltrue([for c in var.${name} : can(cidrnetmask(c)) && tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) && cidrhost(format("%s/%s", cidrhost(c, 0), split("/", var.vpc_cidr)[1]), 0) == cidrhost(var.vpc_cidr, 0)])}`,
          errorMessage: `${name} must lie inside vpc_cidr.`,
        },
      ],
    }).listValue;

  const vpcCidr = stack.input("vpc_cidr", {
    type: "string",
    description: "IPv4 CIDR of the VPC, /16 to /22",
    default: "10.0.0.0/16",
    validation: [
      { condition: `\${${cidrCondition("var.vpc_cidr")}}`, errorMessage: "vpc_cidr must be an IPv4 network address in CIDR notation, e.g. 10.0.0.0/16." },
      { condition: `\${can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 22}`, errorMessage: "vpc_cidr must have a prefix length from /16 to /22." },
    ],
  }).stringValue;
  const zones = stack.input("availability_zones", {
    type: "list(string)",
    description: `${MODULE_ZONES} availability zones of the provider's region`,
    validation: [
      { condition: `\${length(var.availability_zones) == ${MODULE_ZONES} && length(distinct(var.availability_zones)) == ${MODULE_ZONES}}`, errorMessage: `availability_zones must list ${MODULE_ZONES} distinct zones.` },
    ],
  }).listValue;
  const privateCidrs = cidrList("private_subnet_cidrs", "One private subnet CIDR per zone (Batch, database, service)", ["10.0.0.0/19", "10.0.32.0/19"]);
  const publicCidrs = cidrList("public_subnet_cidrs", "One public subnet CIDR per zone (NAT)", ["10.0.224.0/22", "10.0.228.0/22"]);
  const at = (list: string[]) => Array.from({ length: MODULE_ZONES }, (_, i) => Fn.element(list, i));
  return {
    mode: "create",
    vpcCidr,
    availabilityZones: at(zones),
    privateSubnetCidrs: at(privateCidrs),
    publicSubnetCidrs: at(publicCidrs),
    natGateways: "single",
    interfaceEndpoints: [],
    flowLogs: { retentionDays: stack.retention("flow_log_retention_days", "Days VPC flow logs are kept", 90), trafficType: "ALL" },
  };
}

export function storageInputs(stack: ModuleStack): CreateStorageConfig {
  return {
    mode: "create",
    encryption: "kms",
    noncurrentVersionRetentionDays: wholeNumber(stack, "noncurrent_version_retention_days", "Days a replaced or deleted object version is kept", 90, 1, 3650),
    abortIncompleteUploadsAfterDays: wholeNumber(stack, "abort_incomplete_uploads_after_days", "Days before an unfinished multipart upload is removed", 7, 1, 365),
    kmsKeyDeletionWindowDays: wholeNumber(stack, "kms_key_deletion_window_days", "Waiting period before the KMS key is deleted", 30, 7, 30),
  };
}

export function computeInputs(stack: ModuleStack): ComputeConfig {
  return {
    computeEnvironments: [
      {
        name: "cpu",
        kind: "ec2",
        instanceTypes: stack.input("instance_types", { type: "list(string)", description: "EC2 instance types or families of the Batch environment", default: KIND_DEFAULTS.ec2.instanceTypes }).listValue,
        minVcpus: 0,
        desiredVcpus: 0,
        maxVcpus: wholeNumber(stack, "max_vcpus", "Most vCPUs the Batch environment scales to", KIND_DEFAULTS.ec2.maxVcpus, 1, 100000),
        rootVolumeGiB: wholeNumber(stack, "root_volume_gib", "Encrypted gp3 root volume of each instance, GiB", KIND_DEFAULTS.ec2.rootVolumeGiB!, 30, 16384),
        allocationStrategy: "BEST_FIT_PROGRESSIVE",
      },
    ],
    jobQueues: [{ name: "default", computeEnvironments: ["cpu"], priority: 1 }],
    defaultQueue: "default",
    batchServiceRole: "dedicated",
    jobRoleManagedPolicyArns: [],
  };
}

export function databaseInputs(stack: ModuleStack): DatabaseConfig {
  return {
    engineVersion: "17",
    instanceClass: stack.input("db_instance_class", {
      type: "string",
      description: "RDS instance class of the metadata database",
      default: "db.t4g.small",
      validation: [{ condition: '${can(regex("^db\\\\.[a-z0-9]+\\\\.[a-z0-9]+$", var.db_instance_class))}', errorMessage: "db_instance_class must be an RDS instance class like db.t4g.small." }],
    }).stringValue,
    allocatedStorageGiB: wholeNumber(stack, "db_allocated_storage_gib", "gp3 storage to start with, GiB", 20, 20, 65536),
    maxAllocatedStorageGiB: wholeNumber(stack, "db_max_allocated_storage_gib", "Storage autoscaling ceiling, GiB", 100, 20, 65536),
    // Escape hatch: a bool variable is a Terraform value; the construct passes it through untouched.
    multiAz: stack.input("db_multi_az", { type: "bool", description: "A standby database in a second zone", default: true }).booleanValue as unknown as boolean,
    backupRetentionDays: wholeNumber(stack, "db_backup_retention_days", "Days of point-in-time recovery", 7, 7, 35),
    performanceInsights: true,
    enhancedMonitoringSeconds: 0,
    logRetentionDays: stack.retention("db_log_retention_days", "Days the database's exported logs are kept", 90),
    passwordRotationDays: wholeNumber(stack, "db_password_rotation_days", "Days between rotations of the master password (the service's tasks are replaced after each)", 7, 1, 365),
  };
}

export function serviceInputs(stack: ModuleStack): ServiceConfig {
  return {
    image: stack.input("image", { type: "string", description: "Metadata service image repository", default: "netflixoss/metaflow_metadata_service" }).stringValue,
    imageTag: stack.input("image_tag", {
      type: "string",
      description: "Pinned metadata service image tag; v2.4.6 or later (its migrations connect with TLS, which the database requires)",
      default: "v2.5.1",
      validation: [{ condition: '${var.image_tag != "latest"}', errorMessage: "image_tag must be pinned to a version, not latest." }],
    }).stringValue,
    cpu: Token.asNumber(
      stack.input("cpu", {
        type: "number",
        description: "Fargate CPU units of a metadata service task",
        default: 512,
        validation: [{ condition: "${contains([256, 512, 1024, 2048, 4096], var.cpu)}", errorMessage: "cpu must be one of 256, 512, 1024, 2048, 4096." }],
      }).numberValue,
    ) as 512,
    memoryMiB: wholeNumber(stack, "memory_mib", "Fargate memory of a task, MiB (a size Fargate offers for the CPU)", 1024, 512, 30720),
    desiredCount: wholeNumber(stack, "desired_count", "Metadata service tasks, spread over zones", 2, 1, 20),
    logRetentionDays: stack.retention("log_retention_days", "Days metadata service logs are kept", 90),
    publicAccess: "apiGateway",
    apiGateway: {
      throttleRateLimit: wholeNumber(stack, "api_throttle_rate_limit", "Steady requests per second through the API gateway", 100, 1, 10000),
      throttleBurstLimit: wholeNumber(stack, "api_throttle_burst_limit", "Burst of requests through the API gateway", 200, 1, 5000),
      allowedSourceCidrs: [],
      accessLogRetentionDays: stack.retention("api_access_log_retention_days", "Days API access logs are kept", 90),
      accountLoggingRole: "create",
    },
    clientCidrs: [],
    databaseTls: { mode: "require" },
  };
}

export function schedulingInputs(stack: ModuleStack): SchedulingConfig {
  return {
    enabled: true,
    executionLogRetentionDays: stack.retention("execution_log_retention_days", "Days Step Functions execution history is kept", 90),
    users: { access: "policy", principalArns: [] },
  };
}

/** Inputs every module after the network takes: where it runs and which datastore it uses. */
export function placement(stack: ModuleStack) {
  const text = (name: string, description: string) => stack.input(name, { type: "string", description }).stringValue;
  const subnets = stack.input("private_subnet_ids", {
    type: "list(string)",
    description: "Private subnets in at least two zones (the network module's private_subnet_ids)",
    validation: [{ condition: "${length(var.private_subnet_ids) >= 2}", errorMessage: "private_subnet_ids must list at least two subnets." }],
  }).listValue;
  return {
    network: { vpcId: text("vpc_id", "The VPC (the network module's vpc_id)"), privateSubnetIds: subnets, publicSubnetIds: [] as string[] },
    bucketName: text("datastore_bucket_name", "The datastore bucket (the storage module's bucket_name)"),
    kmsKeyArn: text("datastore_kms_key_arn", "The datastore's KMS key (the storage module's kms_key_arn)"),
  };
}

/** The datastore of another module, for grants. */
export function existingDatastore(stack: ModuleStack, bucketName: string, kmsKeyArn: string, naming: Naming) {
  return new Datastore(stack, "storage", { naming, region: stack.region, config: { mode: "existing", bucketName, kmsKeyArn } });
}
