import { Construct } from "constructs";
import { Datastore } from "../modules/datastore";
import { storageInputs } from "./inputs/storage";
import { ModuleStack } from "./module-stack";

/** The storage area as a plain Terraform module: the Metaflow datastore bucket, with its KMS key or SSE-S3. */
export class StorageModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "The Metaflow datastore: private, versioned, encrypted (SSE-KMS with a rotated key, or SSE-S3), TLS-only S3 bucket protected from destroy");
    const datastore = new Datastore(this, "storage", { naming: this.naming(), region: this.region, config: storageInputs(this, { existing: false }) });
    this.output("bucket_name", datastore.bucketName, "The datastore bucket");
    this.output("bucket_arn", datastore.bucketArn, "ARN of the datastore bucket");
    this.output("kms_key_arn", datastore.kmsKeyArn, "The key objects are encrypted with (null with encryption \"s3\")");
    this.output("profile", datastore.profile, "The datastore keys of the Metaflow profile");
  }
}
