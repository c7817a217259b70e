import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { choose, Condition, conditionHcl, isTerraformCondition } from "./condition";
import { rawExpression } from "./expression";
import { S3_ALL_FOR_DENY } from "./perms";
import { policyJson } from "./policy";

export interface SecureBucketProps {
  /** The exact name, or (with `namePrefix`) none: Terraform then makes a unique one. */
  readonly name?: string;
  /** A `bucket_prefix`; used when `name` is not given. */
  readonly namePrefix?: string;
  /** Customer-managed key for SSE-KMS (bucket key on); without it, SSE-S3. @default SSE-S3 */
  readonly kmsKey?: KmsKey;
  /** Where the key is used, when that is a Terraform condition (a module's choice). @default wherever `kmsKey` is given */
  readonly kmsKeyWhere?: Condition;
  /** Days a replaced or deleted object version is kept. */
  readonly noncurrentVersionRetentionDays: number;
  /** Noncurrent versions kept regardless of age. @default none */
  readonly keepNoncurrentVersions?: number;
  readonly abortIncompleteUploadsAfterDays: number;
  /** For a bucket in another region than the stack's default provider. @default the stack's provider */
  readonly provider?: TerraformProvider;
}

/** Requests older than TLS 1.2 are refused along with plain HTTP. */
const MIN_TLS_VERSION = "1.2";

/**
 * A private S3 bucket for data that must not be lost: all four public-access blocks, objects owned by the
 * bucket owner (ACLs off), default encryption, versioning, lifecycle rules for noncurrent versions and
 * incomplete uploads, a policy refusing plain HTTP and TLS below 1.2, `force_destroy` off and
 * `prevent_destroy` on. The datastore and the Terraform state bucket are both one of these.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { provider } = props;
    const bucket = new S3Bucket(this, "bucket", {
      bucket: props.name,
      bucketPrefix: props.name ? undefined : props.namePrefix,
      forceDestroy: false,
      provider,
      lifecycle: { preventDestroy: true },
    });
    this.bucket = bucket;

    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      provider,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucket.id,
      provider,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      provider,
      rule: [
        props.kmsKey && props.kmsKeyWhere !== undefined && isTerraformCondition(props.kmsKeyWhere)
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: choose(props.kmsKeyWhere, "aws:kms", "AES256"),
                kmsMasterKeyId: choose(props.kmsKeyWhere, props.kmsKey.arn, null as unknown as string),
              },
              bucketKeyEnabled: rawExpression(`${conditionHcl(props.kmsKeyWhere)} ? true : null`),
            }
          : props.kmsKey
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: bucket.id,
      provider,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      provider,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [
            { noncurrentDays: props.noncurrentVersionRetentionDays, newerNoncurrentVersions: props.keepNoncurrentVersions },
          ],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteUploadsAfterDays }],
        },
      ],
      dependsOn: [versioning],
    });
    const everything = [bucket.arn, `${bucket.arn}/*`];
    new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
      provider,
      policy: policyJson([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: S3_ALL_FOR_DENY,
          Resource: everything,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "DenyOutdatedTls",
          Effect: "Deny",
          Principal: "*",
          Action: S3_ALL_FOR_DENY,
          Resource: everything,
          Condition: { NumericLessThan: { "s3:TlsVersion": MIN_TLS_VERSION } },
        },
      ]),
      // A policy put while the public access block is being created can be refused; order them.
      dependsOn: [publicAccess],
    });
  }
}
