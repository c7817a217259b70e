import { Construct } from "constructs";
import { Datastore } from "../modules/datastore";
import { ModuleStack } from "./module-stack";

const days = (stack: ModuleStack, name: string, description: string, byDefault: number, min: number, max: number) =>
  stack.input(name, {
    type: "number",
    description,
    default: byDefault,
    validation: [{ condition: `\${var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}}`, errorMessage: `${name} must be a whole number from ${min} to ${max}.` }],
  }).numberValue;

/** The storage area as a plain Terraform module: the Metaflow datastore bucket with its KMS key. */
export class StorageModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "The Metaflow datastore: private, versioned, SSE-KMS, TLS-only S3 bucket protected from destroy");
    const naming = this.naming();
    const datastore = new Datastore(this, "storage", {
      naming,
      region: this.region,
      config: {
        mode: "create",
        encryption: "kms",
        noncurrentVersionRetentionDays: days(this, "noncurrent_version_retention_days", "Days a replaced or deleted object version is kept", 90, 1, 3650),
        abortIncompleteUploadsAfterDays: days(this, "abort_incomplete_uploads_after_days", "Days before an unfinished multipart upload is removed", 7, 1, 365),
        kmsKeyDeletionWindowDays: days(this, "kms_key_deletion_window_days", "Waiting period before the KMS key is deleted", 30, 7, 30),
      },
    });
    this.output("bucket_name", datastore.bucketName, "The datastore bucket");
    this.output("bucket_arn", datastore.bucketArn, "ARN of the datastore bucket");
    this.output("kms_key_arn", datastore.kmsKeyArn, "The key objects are encrypted with");
    this.output("profile", datastore.profile, "The datastore keys of the Metaflow profile");
  }
}

export { days };
