/**
 * Every IAM action this project grants, each spelled once. Grant methods combine these lists; nothing
 * else writes an action string. Each list is traced to the calls that need it (docs/iam.md has the table,
 * and a test holds the synthesized policies to it). Sources: Metaflow's own clients (metaflow/plugins/aws,
 * metaflow/plugins/datatools/s3), ../shared/reference/metaflow-on-aws.md §2 and AWS service docs.
 */

/** Listing the bucket (metaflow.S3 list_paths and the datastore's listings; resource: the bucket ARN). */
export const S3_BUCKET_READ = ["s3:ListBucket"] as const;
/** Object-level read: get_object, head_object, download_file (resource: `<bucket ARN>/*`). */
export const S3_OBJECT_READ = ["s3:GetObject"] as const;
/**
 * Object-level write: put_object and upload_file, whose multipart uploads PutObject covers but for the
 * abort boto3 sends when an upload fails. Metaflow never deletes objects.
 */
export const S3_OBJECT_WRITE = ["s3:PutObject", "s3:AbortMultipartUpload"] as const;
/** Deleting objects: people cleaning up old runs' artifacts by hand (not Metaflow, not jobs). */
export const S3_OBJECT_DELETE = ["s3:DeleteObject"] as const;
/** A Distributed Map's ResultWriter lists the parts of its multipart uploads (Step Functions' documentation). */
export const S3_MULTIPART_LIST = ["s3:ListMultipartUploadParts"] as const;

/** Use of a KMS key to read data encrypted under it (SSE-KMS GetObject, a secret's value). */
export const KMS_DECRYPT = ["kms:Decrypt"] as const;
/** Use of a KMS key to write data: S3 asks for a data key on each SSE-KMS PutObject (no Encrypt, no ReEncrypt). */
export const KMS_ENCRYPT = ["kms:GenerateDataKey"] as const;

/** Writing log events into an existing group (resource: `<group ARN>:*`). */
export const LOGS_WRITE = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;
/** Delivery of VPC flow logs into one log group (resource: the group ARN and its streams). */
export const LOGS_DELIVER = [...LOGS_WRITE, "logs:DescribeLogStreams"] as const;

/** Pulling an image from ECR (resource: repository ARNs). */
export const ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] as const;
/** The ECR login token; AWS offers no resource-level permission for it (resource: `*`). */
export const ECR_AUTH = ["ecr:GetAuthorizationToken"] as const;

/**
 * What the ECS agent on a Batch instance does to its cluster and its own container instance (the actions of
 * AWS's AmazonEC2ContainerServiceforEC2Role, but CreateCluster: Batch makes the cluster).
 */
export const ECS_AGENT = [
  "ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:Poll", "ecs:StartTelemetrySession",
  "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange", "ecs:SubmitAttachmentStateChanges",
  "ecs:UpdateContainerInstancesState",
] as const;
/** Finding the ECS endpoint; AWS offers no resource-level permission for it (resource: `*`). */
export const ECS_DISCOVER = ["ecs:DiscoverPollEndpoint"] as const;
/**
 * Tagging the container instance as the agent registers it with the instance's tags (the managed policy
 * grants it only on that create action: condition ecs:CreateAction = RegisterContainerInstance).
 */
export const ECS_TAG = ["ecs:TagResource"] as const;
/** The agent reads its instance's tags to propagate them; EC2 offers no resource-level permission (resource: `*`). */
export const EC2_DESCRIBE_TAGS = ["ec2:DescribeTags"] as const;
/** Replacing a service's tasks (a forced new deployment, after the database password rotates). */
export const ECS_UPDATE_SERVICE = ["ecs:UpdateService"] as const;

/** Reading one secret's value (resource: the secret ARN). */
export const SECRETS_READ = ["secretsmanager:GetSecretValue"] as const;

/** Calling an API Gateway REST API (resource policies). */
export const EXECUTE_API_INVOKE = ["execute-api:Invoke"] as const;

/** Items of the Step Functions table as jobs use them (dynamo_db_client.py: put_item, get_item, update_item). */
export const DYNAMODB_ITEMS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"] as const;
/** The state machine reads a foreach's cardinality from the table (a dynamodb:getItem task). */
export const DYNAMODB_GET_ITEM = ["dynamodb:GetItem"] as const;

/** Submitting a Batch job (resource: job queues and `job-definition/*`). */
export const BATCH_SUBMIT = ["batch:SubmitJob"] as const;
/**
 * Batch reads Metaflow's client makes before and while it runs jobs (batch_client.py: describe_job_queues,
 * describe_compute_environments, describe_job_definitions, describe_jobs); no resource-level permissions
 * (resource: `*`).
 */
export const BATCH_DESCRIBE = ["batch:DescribeJobs", "batch:DescribeJobDefinitions", "batch:DescribeJobQueues", "batch:DescribeComputeEnvironments"] as const;
/** What a state machine's `.sync` Batch task polls (resource: `*`). */
export const BATCH_DESCRIBE_JOBS = ["batch:DescribeJobs"] as const;
/** `batch list` and `batch kill` page through list_jobs; no resource-level permission (resource: `*`). */
export const BATCH_LIST = ["batch:ListJobs"] as const;
/** Stopping a Batch job (resource: `job/*`). */
export const BATCH_TERMINATE = ["batch:TerminateJob"] as const;
/** Registering a job definition (resource: `job-definition/*`). */
export const BATCH_REGISTER = ["batch:RegisterJobDefinition"] as const;
/** Tags on submitted jobs and registered definitions (METAFLOW_BATCH_EMIT_TAGS; resource: `job/*`, `job-definition/*`). */
export const BATCH_TAG = ["batch:TagResource"] as const;

/** The managed EventBridge rule Step Functions uses for `.sync` Batch tasks. */
export const EVENTS_SYNC_RULE = ["events:PutTargets", "events:PutRule", "events:DescribeRule"] as const;
/** What `step-functions create` and `@schedule` do to EventBridge rules (resource: rules). */
export const EVENTS_SCHEDULE = ["events:PutRule", "events:PutTargets", "events:DisableRule", "events:RemoveTargets", "events:DeleteRule"] as const;

/** Starting an execution (resource: state machines). */
export const STATES_START = ["states:StartExecution"] as const;
/** A Distributed Map starts and watches its child executions (resource: state machines and executions). */
export const STATES_EXECUTE = [...STATES_START, "states:DescribeExecution", "states:StopExecution"] as const;
/**
 * What `step-functions create`, `delete`, `trigger`, `terminate` and `list-runs` do
 * (step_functions_client.py; resource: state machines and executions).
 */
export const STATES_MANAGE = [
  "states:CreateStateMachine", "states:UpdateStateMachine", "states:DescribeStateMachine", "states:DeleteStateMachine",
  "states:ListExecutions", "states:StartExecution", "states:StopExecution",
] as const;
/** Listing state machines has no resource-level permission (resource: `*`). */
export const STATES_LIST = ["states:ListStateMachines"] as const;

/** Vended-log delivery set-up for Step Functions logging; AWS documents resource `*` for these. */
export const LOGS_DELIVERY_MANAGEMENT = [
  "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
] as const;
/** Reading job logs (resource: the job log group). */
export const LOGS_READ = ["logs:GetLogEvents"] as const;

/** Handing a role to Batch, Step Functions or EventBridge (resource: exactly those roles). */
export const IAM_PASS_ROLE = ["iam:PassRole"] as const;

/**
 * The only actions granted on Resource `*`, each with the reason: AWS offers no resource-level
 * permission for them. Tests and the rule pack check every `*` resource against this list.
 */
export const UNSCOPABLE_ACTIONS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(ECR_AUTH.map((a) => [a, "ECR login tokens are account-wide"])),
  ...Object.fromEntries(ECS_DISCOVER.map((a) => [a, "the ECS endpoint lookup has no resource"])),
  ...Object.fromEntries(BATCH_DESCRIBE.map((a) => [a, "Batch Describe calls have no resource-level permissions"])),
  ...Object.fromEntries(BATCH_LIST.map((a) => [a, "listing Batch jobs has no resource-level permission"])),
  ...Object.fromEntries(EC2_DESCRIBE_TAGS.map((a) => [a, "EC2 Describe calls have no resource-level permissions"])),
  ...Object.fromEntries(STATES_LIST.map((a) => [a, "listing state machines has no resource"])),
  ...Object.fromEntries(LOGS_DELIVERY_MANAGEMENT.map((a) => [a, "CloudWatch Logs delivery APIs require resource *"])),
};

/** Trust: the one action a service principal needs to assume a role. */
export const STS_ASSUME_ROLE = ["sts:AssumeRole"] as const;

/** Every S3 action, for Deny statements in bucket policies only (never in an Allow). */
export const S3_ALL_FOR_DENY = ["s3:*"] as const;
