import { z } from "zod";
import { BucketName, int, modeError, strict } from "./common";

/** Config of the storage area: the Metaflow datastore bucket, created here or existing. */

const KmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<uuid>");

/** Server-side encryption of the datastore: a customer-managed KMS key, or S3-managed keys. */
export const BUCKET_ENCRYPTION = ["kms", "s3"] as const;
export type BucketEncryption = (typeof BUCKET_ENCRYPTION)[number];

const CreateStorageSchema = strict({
  mode: z.literal("create"),
  /** @default "kms" */
  encryption: z.enum(BUCKET_ENCRYPTION).default("kms"),
  /** Days a replaced or deleted object version is kept. @default 90 */
  noncurrentVersionRetentionDays: int(1, 3650).default(90),
  /** @default 7 */
  abortIncompleteUploadsAfterDays: int(1, 365).default(7),
  /** @default 30 */
  kmsKeyDeletionWindowDays: int(7, 30).default(30),
});

const ExistingStorageSchema = strict({
  mode: z.literal("existing"),
  bucketName: BucketName,
  /** The key the bucket is encrypted with, when SSE-KMS; grants then include it. @default none (SSE-S3) */
  kmsKeyArn: KmsKeyArn.optional(),
});

export const StorageSchema = z
  .discriminatedUnion("mode", [CreateStorageSchema, ExistingStorageSchema], modeError(`"create", "existing"`))
  .default({ mode: "create", encryption: "kms", noncurrentVersionRetentionDays: 90, abortIncompleteUploadsAfterDays: 7, kmsKeyDeletionWindowDays: 30 });

export type StorageConfig = z.output<typeof StorageSchema>;
export type CreateStorageConfig = z.output<typeof CreateStorageSchema>;
export type ExistingStorageConfig = z.output<typeof ExistingStorageSchema>;
