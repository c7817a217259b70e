/**
 * Every IAM action this project grants, each spelled once. Grant methods combine these lists; nothing
 * else writes an action string. Sources: ../shared/reference/metaflow-on-aws.md §2 and AWS service docs.
 */

/** Bucket-level read (resource: the bucket ARN). */
export const S3_BUCKET_READ = ["s3:ListBucket", "s3:GetBucketLocation"] as const;
/** Object-level read (resource: `<bucket ARN>/*`). */
export const S3_OBJECT_READ = ["s3:GetObject"] as const;
/** Object-level write, on top of read: Metaflow writes and cleans up artifacts. */
export const S3_OBJECT_WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"] as const;

/** Use of a KMS key to read data encrypted under it. */
export const KMS_DECRYPT = ["kms:Decrypt", "kms:DescribeKey"] as const;
/** Use of a KMS key to write data (S3 asks for a data key on each PutObject with SSE-KMS). */
export const KMS_ENCRYPT = ["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"] as const;

/** Writing log events into an existing group (resource: `<group ARN>:*`). */
export const LOGS_WRITE = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;
/** Delivery of VPC flow logs into one log group (resource: the group ARN and its streams). */
export const LOGS_DELIVER = [...LOGS_WRITE, "logs:DescribeLogStreams"] as const;

/** Pulling an image from ECR (resource: repository ARNs). */
export const ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] as const;
/** The ECR login token; AWS offers no resource-level permission for it (resource: `*`). */
export const ECR_AUTH = ["ecr:GetAuthorizationToken"] as const;

/** What the ECS agent on a Batch instance does to its cluster and its own container instance. */
export const ECS_AGENT = [
  "ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:Poll", "ecs:StartTelemetrySession",
  "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange", "ecs:SubmitAttachmentStateChanges",
  "ecs:UpdateContainerInstancesState",
] as const;
/** Finding the ECS endpoint; AWS offers no resource-level permission for it (resource: `*`). */
export const ECS_DISCOVER = ["ecs:DiscoverPollEndpoint"] as const;

/** Reading one secret's value (resource: the secret ARN). */
export const SECRETS_READ = ["secretsmanager:GetSecretValue"] as const;

/** Calling an API Gateway REST API (resource policies). */
export const EXECUTE_API_INVOKE = ["execute-api:Invoke"] as const;

/** Items of the Step Functions table (reference §2: these three are the complete set). */
export const DYNAMODB_ITEMS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"] as const;

/** Submitting a Batch job (resource: job queues and `job-definition/*`). */
export const BATCH_SUBMIT = ["batch:SubmitJob"] as const;
/** Batch reads with no resource-level permissions (resource: `*`). */
export const BATCH_DESCRIBE = ["batch:DescribeJobs", "batch:DescribeJobDefinitions", "batch:DescribeJobQueues", "batch:DescribeComputeEnvironments"] as const;
/** Stopping a Batch job (resource: `job/*`). */
export const BATCH_TERMINATE = ["batch:TerminateJob"] as const;
/** Registering and tagging job definitions (resource: `job-definition/*`). */
export const BATCH_REGISTER = ["batch:RegisterJobDefinition", "batch:TagResource"] as const;

/** The managed EventBridge rule Step Functions uses for `.sync` Batch tasks. */
export const EVENTS_SYNC_RULE = ["events:PutTargets", "events:PutRule", "events:DescribeRule"] as const;
/** What `step-functions create` and `@schedule` do to EventBridge rules (resource: rules). */
export const EVENTS_SCHEDULE = ["events:PutRule", "events:PutTargets", "events:DisableRule", "events:RemoveTargets", "events:DeleteRule"] as const;

/** Starting an execution (resource: state machines). */
export const STATES_START = ["states:StartExecution"] as const;
/** Starting and watching executions (resource: state machines and executions). */
export const STATES_EXECUTE = [...STATES_START, "states:DescribeExecution", "states:StopExecution"] as const;
/** What `step-functions create/trigger/list-runs` do (resource: state machines and executions). */
export const STATES_MANAGE = [
  "states:CreateStateMachine", "states:UpdateStateMachine", "states:DescribeStateMachine", "states:DeleteStateMachine",
  "states:ListExecutions", ...STATES_EXECUTE,
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
  ...Object.fromEntries(STATES_LIST.map((a) => [a, "listing state machines has no resource"])),
  ...Object.fromEntries(LOGS_DELIVERY_MANAGEMENT.map((a) => [a, "CloudWatch Logs delivery APIs require resource *"])),
};

/** Trust: the one action a service principal needs to assume a role. */
export const STS_ASSUME_ROLE = ["sts:AssumeRole"] as const;

/** Every S3 action, for Deny statements in bucket policies only (never in an Allow). */
export const S3_ALL_FOR_DENY = ["s3:*"] as const;
