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

/** Delivery of VPC flow logs into one log group (resource: the group ARN and its streams). */
export const LOGS_DELIVER = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"] as const;

/** Trust: the one action a service principal needs to assume a role. */
export const STS_ASSUME_ROLE = ["sts:AssumeRole"] as const;

/** Every S3 action, for Deny statements in bucket policies only (never in an Allow). */
export const S3_ALL_FOR_DENY = ["s3:*"] as const;
