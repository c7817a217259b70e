/**
 * Every failed checkov check on the shipped stacks that is right as it is, with the reason: the one place
 * checkov's findings are excused (flow/checkov.ts applies it; __tests__/checkov.test.ts fails on a failed
 * check no entry excuses, and on an entry, a resource pattern or a stack of one that excuses nothing). As
 * with the rule pack's `suppress(construct, rule, reason)`, an entry names the check, where it applies (the
 * construct paths below the stack, `network/flow-logs`) and why; what checkov finds that is wrong is fixed
 * in the construct instead, and the rule pack learns it (MF-RDS-8, MF-SFN-1).
 *
 * The extended checks, decided:
 * - KMS on CloudWatch log groups (CKV_AWS_158): justified below.
 * - A customer-managed key for DynamoDB (CKV_AWS_119): justified below.
 * - RDS Performance Insights (CKV_AWS_353): fixed, on by default (database.performanceInsights, MF-RDS-8).
 * - RDS Enhanced Monitoring (CKV_AWS_118): an option, database.enhancedMonitoringSeconds, default 0 (off).
 * - Load balancer access logs (CKV_AWS_91): justified below.
 * - S3 access logging (CKV_AWS_18): justified below.
 */

export interface CheckovSuppression {
  /** checkov's check id: `CKV_AWS_158`, `CKV2_AWS_64`. */
  readonly check: string;
  /**
   * Construct paths below the stack it excuses, `*` matching within one path segment and `**` across
   * segments (`database/logs-*`); each must match a failed check. @default every resource
   */
  readonly resources?: readonly string[];
  /** Stack ids it is limited to, `metaflow-dev-small`; each must have a failure it excuses. @default every stack */
  readonly stacks?: readonly string[];
  /**
   * Only on one of the two readings: `synth` (the synthesized JSON) or `plan` (the offline plan's JSON), for
   * a finding only one of checkov's readers makes. @default both
   */
  readonly scan?: "synth" | "plan";
  /** Why the resource is right as it is. */
  readonly reason: string;
}

/** Every log group the environment stacks create. */
const LOG_GROUPS = [
  "api/access-logs",
  "database/logs-*",
  "metadata/logs",
  "metadata/restart-on-rotation/logs",
  "network/flow-logs",
  "scheduling/execution-logs",
  "ui/*/service/logs",
];
const DATASTORE = "storage/datastore/bucket";
const STATE_BUCKETS = "state-*/bucket";
const NAT_INSTANCE = ["network/nat-instance/instance"];
const STAGE = ["api/stage"];
const LOAD_BALANCER = ["metadata/load-balancer"];
const UI_LOAD_BALANCER = ["ui/load-balancer/load-balancer"];
const DATABASE = ["database/instance"];

export const CHECKOV_SUPPRESSIONS: readonly CheckovSuppression[] = [
  // --- logs
  {
    check: "CKV_AWS_158",
    resources: LOG_GROUPS,
    reason:
      "CloudWatch Logs encrypts every log group at rest already; a customer-managed key would add a second permission in front of reading " +
      "them, at the price of a key policy that grants `logs.<region>.amazonaws.com` the key for this account's log-group ARNs, which the " +
      "stack cannot write when `accountId` is unset (the default). The logs hold no credentials: containers get the database password " +
      "through ECS secrets (MF-ECS-1), the API's access-log format records the key's id, never the key, and the database logs errors and " +
      "slow statements; who reads them is decided by IAM. Extended check, decided: justified, not fixed",
  },
  {
    check: "CKV_AWS_338",
    resources: LOG_GROUPS,
    reason:
      "How long each log is kept is the config's choice, one `*RetentionDays` field per log (90 days by default; production.json keeps " +
      "its flow logs a year): every group has a retention (MF-LOG-1), so none grows forever, and a year of every log by default would " +
      "bill storage most environments do not need; set 365 where an audit asks for it",
  },
  // --- S3: the datastore and the state buckets
  {
    check: "CKV_AWS_18",
    resources: [DATASTORE, STATE_BUCKETS],
    reason:
      "Server access logging needs a second bucket per region that must not log to itself (checkov flags that one in turn), and S3 " +
      "delivers its records on a best-effort basis, hours late; CloudTrail data events are the complete record of who read or wrote " +
      "which object and belong to the account's trail, not to each stack. The buckets are private, TLS-only, versioned and " +
      "prevent_destroy. Extended check, decided: justified, not fixed",
  },
  {
    check: "CKV_AWS_144",
    resources: [DATASTORE, STATE_BUCKETS],
    reason:
      "Cross-region replication doubles the storage and needs a second bucket, KMS key and role in another region: a disaster-recovery " +
      "decision of the account, not a default. Deletion and overwrite are covered here: versioning keeps old versions, prevent_destroy " +
      "and the plan gate stop a delete of the bucket; a replication rule can be added to the bucket later without replacing it",
  },
  {
    check: "CKV2_AWS_62",
    resources: [DATASTORE, STATE_BUCKETS],
    reason:
      "Event notifications need a consumer (SNS, SQS, Lambda or EventBridge); nothing in Metaflow or Terraform acts on object events, " +
      "so a notification would send messages nobody reads",
  },
  {
    check: "CKV_AWS_145",
    resources: [STATE_BUCKETS],
    stacks: ["metaflow-state"],
    reason:
      "State buckets use S3-managed keys (SSE-S3), so every person and CI role that runs terraform needs access to the bucket only, not " +
      "to a KMS key in the bootstrap stack as well; every object is encrypted at rest, the bucket is private, TLS-only and versioned, " +
      "and the values in state that are secret (the API key) are marked sensitive",
  },
  {
    check: "CKV_AWS_145",
    resources: [DATASTORE],
    stacks: ["metaflow-no-nat"],
    reason:
      'no-nat.json chooses `storage.encryption` "s3" to show that option (the default is SSE-KMS under a rotated key of the stack\'s own, ' +
      "which the other examples use): S3-managed keys, no KMS request per object, every object still encrypted at rest",
  },
  // --- KMS
  {
    check: "CKV2_AWS_64",
    resources: ["database/key", "storage/key"],
    reason:
      "The keys keep KMS's default key policy, which lets the account's IAM decide; every grant of them is an identity-policy " +
      "statement with its reason in docs/iam.md (the datastore key to the job, Step Functions and users' roles, the database key " +
      "to the service's execution role for the secret). A policy of its own would have to name the account, unknown when `accountId` is unset",
  },
  // --- DynamoDB
  {
    check: "CKV_AWS_119",
    resources: ["scheduling/table"],
    reason:
      "The table holds Step Functions' bookkeeping for foreach joins (a run's task pathspecs and counts), no artifacts, parameters or " +
      "credentials, which live in S3 under the datastore's key; it is encrypted with KMS already (the AWS managed key `aws/dynamodb`, " +
      "each use in CloudTrail), with PITR and deletion protection. A key of its own would add a key and its policy for data that " +
      "needs neither. Extended check, decided: justified, not fixed",
  },
  // --- RDS
  {
    check: "CKV_AWS_118",
    resources: DATABASE,
    reason:
      "Enhanced Monitoring is an option, `database.enhancedMonitoringSeconds`, off by default: RDS writes it to the region-wide " +
      "`RDSOSMetrics` log group every instance of the account shares, which RDS creates without retention and this stack cannot own, and " +
      "CloudWatch bills its volume; Performance Insights (on, MF-RDS-8) shows what loads the database. Set 60 for the host's metrics. " +
      "Extended check, decided: an option with a stated default",
  },
  {
    check: "CKV_AWS_161",
    resources: DATABASE,
    reason:
      "The metadata service connects with the master user's password (`MF_METADATA_DB_PSWD`), which it cannot replace by IAM " +
      "authentication tokens; that password is created, kept and rotated by RDS in Secrets Manager, reaches the tasks through ECS " +
      "secrets only, and the database admits the service's security group alone, over TLS",
  },
  {
    check: "CKV_AWS_157",
    resources: DATABASE,
    stacks: ["metaflow-dev-small", "metaflow-no-nat"],
    reason:
      "These examples choose `database.multiAz` false to show the cheaper single-zone shape (dev-small is for development; no-nat shows " +
      "a minimal footprint); the default and production are Multi-AZ, and MF-RDS-3 warns on a single zone outside dev-like environments",
  },
  // --- the API gateway
  {
    check: "CKV2_AWS_29",
    resources: STAGE,
    reason:
      "Every method requires the API key, a usage plan throttles it (MF-APIGW-2, -3), the resource policy blocks /auth/token and can " +
      "allow only `service.apiGateway.allowedSourceCidrs`; a WAF web ACL would add $5 a month plus rules and requests for an API whose " +
      "callers are the team's own Metaflow clients",
  },
  {
    check: "CKV2_AWS_4",
    resources: STAGE,
    reason:
      "Execution logging (a logging level) needs the account-wide API Gateway CloudWatch role of the region (`aws_api_gateway_account`), " +
      "one setting per account and region that one environment's stack must not own; the stage's access log records every request " +
      "with its status and latency, and execution logs would copy request data into CloudWatch",
  },
  {
    check: "CKV2_AWS_51",
    resources: STAGE,
    reason:
      "A client certificate proves to an HTTP backend on the internet that requests come from API Gateway; this backend is reached only " +
      "through the VPC link to an internal load balancer, which nothing outside the VPC can address",
  },
  {
    check: "CKV_AWS_120",
    resources: STAGE,
    reason:
      "The metadata API's answers change as runs progress (task status, heartbeats, new artifacts), so a cache would hand clients stale " +
      "metadata; it would also bill by the hour ($0.02 an hour at its smallest)",
  },
  {
    check: "CKV_AWS_225",
    resources: ["api/method-settings"],
    reason: "Caching is off for every method for the same reason as on the stage (CKV_AWS_120): the metadata API's answers change as runs progress",
  },
  {
    check: "CKV_AWS_73",
    resources: STAGE,
    reason:
      "Nothing behind the API emits X-Ray segments (the load balancer and the metadata service do not), so a trace would show API " +
      "Gateway's own hop only, which the access log already records (integrationLatency per request)",
  },
  {
    check: "CKV2_AWS_53",
    resources: ["api/root-method", "api/proxy-method"],
    reason:
      "Both methods are proxies (`ANY /` and `ANY /{proxy+}`) for the metadata service's whole REST API, which validates its own requests; " +
      "a request validator needs a model per route, which would have to follow every Metaflow release",
  },
  {
    check: "CKV_AWS_237",
    resources: ["api/api"],
    reason:
      "Nothing in the config replaces the REST API (its name and description update in place), and the invoke URL holds the API's id: " +
      "a replacement gives clients a new `METAFLOW_SERVICE_URL` whichever is made first, so creating first would keep no client working",
  },
  // --- the metadata service's load balancer and security groups
  {
    check: "CKV_AWS_91",
    resources: LOAD_BALANCER,
    reason:
      "A network load balancer writes access logs for TLS listeners only, and this one listens on TCP 80 inside the VPC, so the log " +
      "would stay empty; requests from outside are recorded in the API's access log, and the VPC's flow logs record every connection. " +
      "Extended check, decided: justified, not fixed",
  },
  {
    check: "CKV2_AWS_20",
    resources: LOAD_BALANCER,
    reason:
      "It is a network load balancer forwarding TCP, with no HTTP listener to redirect; clients outside the VPC arrive over HTTPS at " +
      "the API gateway, and the hop to the service stays inside the VPC",
  },
  {
    check: "CKV_AWS_150",
    resources: [...LOAD_BALANCER, ...UI_LOAD_BALANCER],
    reason:
      "The load balancer holds no data and is replaced by config changes (a new name prefix renames it), which deletion protection " +
      "would turn into a failed apply; the project protects what holds data (MF-DATA-1 to -5) and the plan gate blocks their deletion",
  },
  // --- the UI's application load balancer and its targets
  {
    check: "CKV_AWS_91",
    resources: UI_LOAD_BALANCER,
    reason:
      "An application load balancer's access logs need a second bucket per environment with SSE-S3 only (ELB cannot write under a " +
      "customer-managed key) and a bucket policy naming the region's ELB delivery principal, a bucket that checkov then flags for its own " +
      "access logging; who signed in is recorded by Cognito (or the OIDC provider) and CloudTrail, each request is logged by the UI " +
      "backend to its log group, and the VPC's flow logs record every connection. Extended check, decided: justified, not fixed",
  },
  {
    check: "CKV_AWS_378",
    resources: ["ui/*/service/targets"],
    reason:
      "TLS ends at the load balancer (HTTPS only with a TLS 1.3 policy, MF-ELB-2, -3); the UI backend (8083) and the static UI (3000) " +
      "serve plain HTTP and carry no certificate, and the hop from the load balancer to the tasks stays inside the VPC's private " +
      "subnets, admitted by security group from the load balancer only",
  },
  {
    check: "CKV_AWS_336",
    resources: ["ui/static/service/task"],
    scan: "plan",
    reason:
      "The static UI's image (public.ecr.aws/outerbounds/metaflow_ui) is a web server that writes at start (its configuration from " +
      "METAFLOW_SERVICE, its cache and pid files), which a read-only root filesystem would stop, and that cannot be tried on these " +
      "machines without Docker; the task holds no data and has no task role (no AWS credentials). checkov reads only this task's container definitions " +
      "in the plan (the others hold values known after apply, such as secret ARNs)",
  },
  {
    check: "CKV_AWS_260",
    resources: ["metadata/lb-from-batch-jobs"],
    scan: "synth",
    reason:
      "checkov's reading of the synthesized JSON misses that this rule has no CIDR at all: it admits the Batch jobs' security group " +
      "(`referenced_security_group_id`) on port 80, which the plan's reading of the same rule passes",
  },
  {
    check: "CKV_AWS_382",
    resources: ["compute/security-group"],
    scan: "plan",
    reason:
      "Batch jobs run users' steps, which pull images, install packages and read data from anywhere on the internet as well as AWS " +
      "APIs; the group admits nothing inbound (the rule pack's MF-SG-3 is suppressed on it for the same reason, in modules/compute.ts)",
  },
  // --- Batch instances
  {
    check: "CKV_AWS_341",
    resources: ["compute/environment-*/launch-template"],
    reason:
      "Batch jobs run in containers on these instances, and Metaflow's task runtime reads the instance identity (instance type, zone) " +
      "from IMDS inside the container (`get_ec2_instance_metadata` in `metaflow/plugins/aws/aws_utils.py`): with one hop it would wait out " +
      "its 10-second timeout on every task and record nothing. IMDSv2 tokens are required (MF-EC2-1), and the instance role holds only " +
      "the ECS agent's calls (modules/batch-roles.ts)",
  },
  // --- the NAT instance of natGateways "instance" (dev-small)
  {
    check: "CKV_AWS_88",
    resources: NAT_INSTANCE,
    reason: "A NAT instance needs a public address to forward the private subnets' traffic to the internet; it is the only thing in the VPC with one, and admits HTTP and HTTPS from the private subnets only",
  },
  {
    check: "CKV2_AWS_41",
    resources: NAT_INSTANCE,
    reason: "The NAT instance forwards packets and calls no AWS API, so it has no instance profile: a role would only give anything running on it credentials it never needs",
  },
  {
    check: "CKV_AWS_8",
    resources: NAT_INSTANCE,
    reason:
      "Its root volume is defined in its launch template, encrypted gp3 (MF-EC2-2 follows the template); checkov reads the instance's " +
      "own `root_block_device`, which the instance does not set",
  },
  {
    check: "CKV_AWS_126",
    resources: NAT_INSTANCE,
    reason:
      "Detailed (one-minute) monitoring bills about $2 a month for a $7 instance in the cheap development shape; the five-minute basic " +
      "metrics come free, and a NAT that stops shows at once as jobs and the service failing to reach the internet",
  },
  {
    check: "CKV_AWS_135",
    resources: NAT_INSTANCE,
    reason:
      "The default t4g.nano, like every current-generation type, is EBS-optimized whatever the argument says; setting it would make " +
      "`network.natInstanceType` refuse older types that cannot be",
  },
  // --- Step Functions
  {
    check: "CKV_AWS_284",
    resources: ["metadata/restart-on-rotation/state-machine"],
    reason:
      "A one-step state machine that calls ecs:UpdateService once per password rotation; every run is logged with its input and output " +
      "(MF-SFN-1), and X-Ray would need the role to hold `xray:PutTraceSegments` on `*` for a trace of that one call",
  },
];
