import { z } from "zod";
import { BucketName, given, int, modeError, MootSetting, onlyWhere, rawObject, strict } from "./common";

/** Config of the storage area: the Metaflow datastore bucket, created here or existing. */

const KmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<uuid>");

/** Server-side encryption of the datastore: a customer-managed KMS key, or S3-managed keys. */
export const BUCKET_ENCRYPTION = ["kms", "s3"] as const;
export type BucketEncryption = (typeof BUCKET_ENCRYPTION)[number];

const CREATE_ONLY = ["encryption", "noncurrentVersionRetentionDays", "abortIncompleteUploadsAfterDays", "kmsKeyDeletionWindowDays"];
const EXISTING_ONLY = ["bucketName", "kmsKeyArn"];

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
}, onlyWhere("mode", "existing", EXISTING_ONLY, "a created bucket gets a generated name and, with encryption \"kms\", a key of its own"));

const ExistingStorageSchema = strict({
  mode: z.literal("existing"),
  bucketName: BucketName,
  /** The key the bucket is encrypted with, when SSE-KMS; grants then include it. @default none (SSE-S3) */
  kmsKeyArn: KmsKeyArn.optional(),
}, onlyWhere("mode", "create", CREATE_ONLY, "an existing bucket keeps its own encryption and lifecycle rules"));

export const StorageSchema = z
  .discriminatedUnion("mode", [CreateStorageSchema, ExistingStorageSchema], modeError(`"create", "existing"`))
  .default({ mode: "create", encryption: "kms", noncurrentVersionRetentionDays: 90, abortIncompleteUploadsAfterDays: 7, kmsKeyDeletionWindowDays: 30 });

export type StorageConfig = z.output<typeof StorageSchema>;
export type CreateStorageConfig = z.output<typeof CreateStorageSchema>;
export type ExistingStorageConfig = z.output<typeof ExistingStorageSchema>;

/** Storage settings the raw input gives that cannot take effect; paths relative to `storage`. */
export function mootStorage(raw: unknown): MootSetting[] {
  const storage = rawObject(raw, "storage");
  if (storage?.mode !== "create" || storage.encryption !== "s3" || !given(storage, "kmsKeyDeletionWindowDays")) return [];
  return [{
    path: ["kmsKeyDeletionWindowDays"],
    value: storage.kmsKeyDeletionWindowDays,
    message: 'cannot take effect: with encryption "s3" the bucket uses S3-managed keys and no KMS key is made; remove it or set encryption "kms"',
  }];
}
