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

/** Trust: the one action a service principal needs to assume a role. */
export const STS_ASSUME_ROLE = ["sts:AssumeRole"] as const;

/** Every S3 action, for Deny statements in bucket policies only (never in an Allow). */
export const S3_ALL_FOR_DENY = ["s3:*"] as const;
