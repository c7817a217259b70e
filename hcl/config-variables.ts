import { parseEnvironment } from "../modules/config/load";
import { AwsRegion, defaultAvailabilityZones } from "../modules/config/regions";
import { cognitoDomainPrefix, EnabledUiConfig, STATIC_UI_IMAGE } from "../modules/config/ui-config";
import { Naming } from "../modules/naming";

/**
 * The app's config in the `metaflow` module's variables: every config field and the variable it becomes,
 * in one place. `npm run modules` writes the HCL twins of the app's example environments with it
 * (example-roots.ts), and the tests compare each twin's plan with the app's plan of the same config. A
 * field's variable takes the value as it is unless a conversion is given; fields of the root module (the
 * region, tags, account: the provider's) and of the app alone (the state backend, the plan gate's
 * protected resources) have no variable.
 */

type Raw = Record<string, any>;

/** Config fields (dotted paths) that are the root module's, not the metaflow module's, and why. */
export const ROOT_FIELDS: Readonly<Record<string, string>> = {
  region: "the provider's region, set in the root module",
  tags: "the provider's default_tags, set in the root module",
  accountId: "the provider's allowed_account_ids, set in the root module",
  state: "the backend is the root module's",
  protectedResources: "the plan gate is the app's (npm run plan); Terraform's own plans have prevent_destroy and deletion protection",
  $schema: "an editor hint",
};

/** `[config path, variable]`: fields that become a variable as they are. */
export const SAME: readonly [string, string][] = [
  ["namePrefix", "name_prefix"],
  ["permissionsBoundaryArn", "permissions_boundary_arn"],
  ["network.vpcCidr", "vpc_cidr"],
  ["network.availabilityZones", "availability_zones"],
  ["network.privateSubnetCidrs", "private_subnet_cidrs"],
  ["network.publicSubnetCidrs", "public_subnet_cidrs"],
  ["network.natGateways", "nat_gateways"],
  ["network.natInstanceType", "nat_instance_type"],
  ["network.interfaceEndpoints", "interface_endpoints"],
  ["network.flowLogs.retentionDays", "flow_log_retention_days"],
  ["network.flowLogs.trafficType", "flow_log_traffic_type"],
  ["storage.encryption", "encryption"],
  ["storage.noncurrentVersionRetentionDays", "noncurrent_version_retention_days"],
  ["storage.abortIncompleteUploadsAfterDays", "abort_incomplete_uploads_after_days"],
  ["storage.kmsKeyDeletionWindowDays", "kms_key_deletion_window_days"],
  ["compute.defaultQueue", "default_queue"],
  ["compute.batchServiceRole", "batch_service_role"],
  ["compute.jobRoleManagedPolicyArns", "job_role_managed_policy_arns"],
  ["database.engineVersion", "db_engine_version"],
  ["database.instanceClass", "db_instance_class"],
  ["database.allocatedStorageGiB", "db_allocated_storage_gib"],
  ["database.maxAllocatedStorageGiB", "db_max_allocated_storage_gib"],
  ["database.multiAz", "db_multi_az"],
  ["database.backupRetentionDays", "db_backup_retention_days"],
  ["database.performanceInsights", "db_performance_insights"],
  ["database.enhancedMonitoringSeconds", "db_enhanced_monitoring_seconds"],
  ["database.logRetentionDays", "db_log_retention_days"],
  ["database.passwordRotationDays", "db_password_rotation_days"],
  ["service.image", "image"],
  ["service.imageTag", "image_tag"],
  ["service.cpu", "cpu"],
  ["service.memoryMiB", "memory_mib"],
  ["service.desiredCount", "desired_count"],
  ["service.logRetentionDays", "log_retention_days"],
  ["service.publicAccess", "public_access"],
  ["service.apiGateway.throttleRateLimit", "api_throttle_rate_limit"],
  ["service.apiGateway.throttleBurstLimit", "api_throttle_burst_limit"],
  ["service.apiGateway.allowedSourceCidrs", "api_allowed_source_cidrs"],
  ["service.apiGateway.accessLogRetentionDays", "api_access_log_retention_days"],
  ["service.apiGateway.accountLoggingRole", "api_account_logging_role"],
  ["service.clientCidrs", "client_cidrs"],
  ["service.databaseTls.mode", "database_tls_mode"],
  ["service.databaseTls.rootCertPath", "database_root_cert_path"],
  ["scheduling.enabled", "scheduling_enabled"],
  ["scheduling.executionLogRetentionDays", "execution_log_retention_days"],
  ["scheduling.users.access", "users_access"],
  ["scheduling.users.principalArns", "users_principal_arns"],
];

/** Config fields that become one variable in another shape: `[variable, the fields, how]`. */
export const RESHAPED: readonly [string, readonly string[], string][] = [
  ["existing_network", ["network.mode", "network.vpcId", "network.privateSubnetIds", "network.publicSubnetIds", "network.verifySubnets"], 'mode "existing" and its fields: the object existing_network (null: create)'],
  ["existing_bucket", ["storage.mode", "storage.bucketName", "storage.kmsKeyArn"], 'mode "existing" and its fields: the object existing_bucket (null: create)'],
  ["compute_environments", ["compute.computeEnvironments"], "a map by name of objects with the same fields in snake_case"],
  ["job_queues", ["compute.jobQueues"], "a map by name: compute_environments and priority"],
  ["job_image", ["compute.jobImage.source", "compute.jobImage.image", "compute.jobImage.tag", "compute.jobImage.untaggedImageExpiryDays"], "the object job_image with the same fields in snake_case (null: Metaflow's default image)"],
];

/** Every variable of the metaflow module a config field sets, besides `environment` (the config's file name). */
export const CONFIG_VARIABLES: readonly string[] = [...SAME.map(([, v]) => v), ...RESHAPED.map(([v]) => v)];

const at = (raw: Raw, path: string): unknown => path.split(".").reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k]), raw);
const snake = (key: string) => key.replace(/GiB$/, "Gib").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snakeObject = (o: Raw) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "name").map(([k, v]) => [snake(k), v]));

/**
 * The metaflow module's arguments for environment `environment` of config `raw` (as written, defaults
 * left out), in the module's spelling. Where the app derives a default the module cannot (the region's
 * zones, a queue over the first environment, the first queue as the default), it is given.
 */
export function moduleArguments(environment: string, raw: Raw): [string, unknown][] {
  const args: [string, unknown][] = [["name_prefix", raw.namePrefix ?? "metaflow"], ["environment", environment]];
  for (const [path, variable] of SAME) {
    const value = at(raw, path);
    if (value !== undefined && variable !== "name_prefix") args.push([variable, value]);
  }
  const network = raw.network ?? { mode: "create" };
  if (network.mode === "existing") {
    args.push(["existing_network", { vpc_id: network.vpcId, private_subnet_ids: network.privateSubnetIds, public_subnet_ids: network.publicSubnetIds ?? [], verify_subnets: network.verifySubnets ?? true }]);
  } else if (network.availabilityZones === undefined) {
    args.push(["availability_zones", defaultAvailabilityZones((raw.region ?? "us-east-1") as AwsRegion)]);
  }
  if (raw.storage?.mode === "existing") {
    args.push(["existing_bucket", { name: raw.storage.bucketName, ...(raw.storage.kmsKeyArn && { kms_key_arn: raw.storage.kmsKeyArn }) }]);
  }
  if (raw.compute?.jobImage) args.push(["job_image", snakeObject(raw.compute.jobImage)]);
  const environments: Raw[] | undefined = raw.compute?.computeEnvironments;
  if (environments) args.push(["compute_environments", Object.fromEntries(environments.map((ce) => [ce.name, snakeObject(ce)]))]);
  const queues: Raw[] | undefined = raw.compute?.jobQueues ?? (environments && [{ name: "default", computeEnvironments: [environments[0].name] }]);
  if (queues) {
    args.push(["job_queues", Object.fromEntries(queues.map((q) => [q.name, snakeObject(q)]))]);
    if (raw.compute?.defaultQueue === undefined && queues.length > 1) args.push(["default_queue", queues[0].name]);
  }
  return args;
}

/*
 * The UI (config area `ui`): the plain-Terraform `ui` module beside the metaflow module. The module has one
 * shape (an internal load balancer, Cognito sign-in, the app's default sizes), so a config's ui fields
 * either set one of its variables or must hold the one value the module builds, with the reason.
 */

/** `[config path, ui module variable]`: ui fields that become a variable of the ui module as they are. */
export const UI_SAME: readonly [string, string][] = [
  ["ui.certificateArn", "certificate_arn"],
  ["ui.hostname", "hostname"],
  ["ui.clientCidrs", "client_cidrs"],
  ["ui.cognito.domainPrefix", "cognito_domain_prefix"],
  ["ui.sessionTimeoutSeconds", "session_timeout_seconds"],
  ["ui.staticUi.imageTag", "static_image_tag"],
  ["ui.logRetentionDays", "log_retention_days"],
];

/** `[config path, ui module variable]`: fields of other areas that the ui module takes too. */
export const UI_FROM_CONFIG: readonly [string, string][] = [
  ["namePrefix", "name_prefix"],
  ["permissionsBoundaryArn", "permissions_boundary_arn"],
  ["service.image", "image"],
  ["service.imageTag", "image_tag"],
];

/** `[ui module variable, metaflow module output]`: what the ui module takes of the deployment. */
export const UI_FROM_METAFLOW: readonly [string, string][] = [
  ["vpc_id", "vpc_id"],
  ["vpc_cidr", "vpc_cidr"],
  ["private_subnet_ids", "private_subnet_ids"],
  ["datastore_bucket_name", "datastore_bucket_name"],
  ["datastore_kms_key_arn", "datastore_kms_key_arn"],
  ["database_address", "database_address"],
  ["database_secret_arn", "database_secret_arn"],
  ["database_secret_kms_key_arn", "database_secret_kms_key_arn"],
  ["database_security_group_id", "database_security_group_id"],
];

/**
 * ui fields without a variable: the one value the ui module builds (as the app resolves the config) and
 * why. A field under `ui.oidc` has no value: the module never signs in with OIDC.
 */
export const UI_FIXED: Readonly<Record<string, readonly [unknown, string]>> = {
  "ui.enabled": [true, "the ui module is the UI: a root module calls it or not"],
  "ui.scheme": ["internal", "the ui module has one shape: an internal load balancer admitting the VPC and client_cidrs"],
  "ui.allowedCidrs": [[], "only for an internet-facing load balancer, which the ui module does not make"],
  "ui.auth": ["cognito", "the ui module signs people in with its own Cognito user pool"],
  "ui.oidc": [undefined, "OIDC sign-in is the app's only; the ui module uses Cognito"],
  "ui.backend.cpu": [1024, "the ui module runs the UI backend at the app's default size"],
  "ui.backend.memoryMiB": [4096, "the ui module runs the UI backend at the app's default size"],
  "ui.backend.desiredCount": [1, "the ui module runs one UI backend task, the app's default"],
  "ui.staticUi.image": [STATIC_UI_IMAGE, "the ui module runs the pinned metaflow-ui image (its tag is static_image_tag)"],
  "ui.staticUi.cpu": [256, "the ui module runs the static UI at the app's default size"],
  "ui.staticUi.memoryMiB": [512, "the ui module runs the static UI at the app's default size"],
  "ui.staticUi.desiredCount": [1, "the ui module runs one static UI task, the app's default"],
};

/** Every variable of the ui module, and where its value comes from: a ui field, another area's field, the metaflow module, or `environment`. */
export const UI_VARIABLES: readonly string[] = [
  ...UI_SAME.map(([, v]) => v), ...UI_FROM_CONFIG.map(([, v]) => v), ...UI_FROM_METAFLOW.map(([v]) => v), "environment",
];

/**
 * The ui module's arguments for environment `environment` of config `raw`, or undefined when the UI is
 * off: the ui fields as written (defaults left out), the other areas' fields it shares, and the Cognito
 * domain prefix the app derives when none is given. Wiring from the metaflow module (UI_FROM_METAFLOW) is
 * the caller's. Throws for a config the module cannot express (a field of UI_FIXED at another value, or no
 * hostname), naming the field and why.
 */
export function uiModuleArguments(environment: string, raw: Raw): [string, unknown][] | undefined {
  if (raw.ui?.enabled !== true) return undefined;
  const ui = parseEnvironment(environment, raw).config.ui as EnabledUiConfig;
  for (const [path, [value, why]] of Object.entries(UI_FIXED)) {
    const actual = at({ ui }, path);
    if (JSON.stringify(actual) !== JSON.stringify(value)) throw new Error(`${path} is ${JSON.stringify(actual)}, which the ui module cannot express: ${why}`);
  }
  if (ui.hostname === undefined) throw new Error("ui.hostname is required by the ui module: the certificate must cover the name people type");
  const args: [string, unknown][] = [["name_prefix", raw.namePrefix ?? "metaflow"], ["environment", environment]];
  for (const [path, variable] of [...UI_FROM_CONFIG, ...UI_SAME]) {
    const value = at(raw, path);
    if (value !== undefined && variable !== "name_prefix") args.push([variable, value]);
  }
  if (raw.ui.cognito?.domainPrefix === undefined) {
    args.push(["cognito_domain_prefix", cognitoDomainPrefix(ui, new Naming(raw.namePrefix ?? "metaflow", environment), raw.accountId)]);
  }
  return args;
}
