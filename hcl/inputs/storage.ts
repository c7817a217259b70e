import { TerraformCondition } from "../../modules/condition";
import { BUCKET_ENCRYPTION } from "../../modules/config/storage-config";
import { TerraformStorageConfig } from "../../modules/datastore";
import { expression, rawExpression } from "../../modules/expression";
import { S3_RESERVED_PREFIXES, S3_RESERVED_SUFFIXES } from "../../modules/naming";
import { literal, matches, rule, Rule } from "../hcl-text";
import { ModuleStack } from "../module-stack";
import { oneOf, wholeNumber } from "./common";

/** The datastore's variables: encryption and lifecycle of a created bucket, or (metaflow module) an existing one. */

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
/** S3's bucket name rules (naming.ts NAME_RULES.bucket), in one pattern with the reserved starts and ends below. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface StorageInputOptions {
  /** Offer `existing_bucket` (the metaflow module); the storage module always creates one. */
  readonly existing: boolean;
}

/** A created bucket's settings; `moot` refuses each with existing_bucket set. */
const DEFAULTS = { encryption: "kms", noncurrent: 90, abort: 7, window: 30 } as const;

export function storageInputs(stack: ModuleStack, options: StorageInputOptions): TerraformStorageConfig {
  const moot = (name: string, given: string): Rule[] =>
    options.existing
      ? [rule(`var.existing_bucket == null ? true : !(${given})`, `${name} cannot take effect with existing_bucket set: an existing bucket keeps its own encryption and lifecycle rules; remove it or existing_bucket.`)]
      : [];
  const encryption = oneOf(stack, "encryption", "Server-side encryption: a customer-managed KMS key (rotated), or S3-managed keys", BUCKET_ENCRYPTION, DEFAULTS.encryption, moot("encryption", `var.encryption != "${DEFAULTS.encryption}"`));
  const window = stack.input("kms_key_deletion_window_days", {
    type: "number",
    description: "Waiting period before the KMS key is deleted, 7 to 30 days",
    default: DEFAULTS.window,
    validation: [
      rule("var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days", "kms_key_deletion_window_days must be a whole number from 7 to 30 (it is ${var.kms_key_deletion_window_days})."),
      rule(
        `var.encryption == "s3" ? var.kms_key_deletion_window_days == ${DEFAULTS.window} : true`,
        'kms_key_deletion_window_days cannot take effect: with encryption "s3" the bucket uses S3-managed keys and no KMS key is made; remove it or set encryption "kms".',
      ),
      ...moot("kms_key_deletion_window_days", `var.kms_key_deletion_window_days != ${DEFAULTS.window}`),
    ],
  }).numberValue;
  const created = {
    mode: "create" as const,
    encryption: encryption as "kms",
    noncurrentVersionRetentionDays: wholeNumber(stack, "noncurrent_version_retention_days", "Days a replaced or deleted object version is kept", DEFAULTS.noncurrent, 1, 3650, moot("noncurrent_version_retention_days", `var.noncurrent_version_retention_days != ${DEFAULTS.noncurrent}`)),
    abortIncompleteUploadsAfterDays: wholeNumber(stack, "abort_incomplete_uploads_after_days", "Days before an unfinished multipart upload is removed", DEFAULTS.abort, 1, 365, moot("abort_incomplete_uploads_after_days", `var.abort_incomplete_uploads_after_days != ${DEFAULTS.abort}`)),
    kmsKeyDeletionWindowDays: window,
  };
  if (!options.existing) return { create: true, created };

  const bucket = "var.existing_bucket";
  const name = `${bucket}.name`;
  stack.input("existing_bucket", {
    type: "object({ name = string, kms_key_arn = optional(string) })",
    description: "A bucket to reuse as the datastore instead of creating one (null: create it), and the KMS key it is encrypted with (null: SSE-S3)",
    default: null,
    validation: [
      rule(
        `${bucket} == null ? true : ${matches(BUCKET_NAME, name)} && !strcontains(${name}, "..") && !${matches(/^\d+\.\d+\.\d+\.\d+$/, name)} && !anytrue([for p in ${literal(S3_RESERVED_PREFIXES)} : startswith(${name}, p)]) && !anytrue([for s in ${literal(S3_RESERVED_SUFFIXES)} : endswith(${name}, s)])`,
        `existing_bucket.name (\${try(jsonencode(${name}), "null")}) is not a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, no "..", not an IP address, not starting with ${S3_RESERVED_PREFIXES.join(", ")} or ending with ${S3_RESERVED_SUFFIXES.join(", ")}; choose another name.`,
      ),
      rule(
        `${bucket} == null ? true : (${bucket}.kms_key_arn == null ? true : ${matches(KMS_KEY_ARN, `${bucket}.kms_key_arn`)})`,
        `existing_bucket.kms_key_arn (\${try(jsonencode(${bucket}.kms_key_arn), "null")}) must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<uuid>.`,
      ),
    ],
  });
  return {
    create: new TerraformCondition(rawExpression(`${bucket} == null`)),
    created,
    existing: {
      mode: "existing",
      bucketName: expression(`try(${name}, null)`),
      kmsKeyArn: expression(`try(${bucket}.kms_key_arn, null)`),
    },
  };
}
