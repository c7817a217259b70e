import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Arns } from "./arns";
import { CreateStorageConfig, ExistingStorageConfig, StorageConfig } from "./config/schema";
import { Naming } from "./naming";
import { KMS_DECRYPT, KMS_ENCRYPT, S3_BUCKET_READ, S3_MULTIPART_LIST, S3_OBJECT_DELETE, S3_OBJECT_READ, S3_OBJECT_WRITE } from "./perms";
import { PolicyStatement } from "./policy";
import { IRole } from "./role";
import { SecureBucket } from "./secure-bucket";

export interface DatastoreProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: StorageConfig;
}

/** Prefixes under the bucket that Metaflow uses (reference §1). */
export const SYSROOT_PREFIX = "metaflow";
export const DATATOOLS_PREFIX = "data";
/** Where a Distributed Map writes its results: Metaflow's default, `<sysroot>/sfn_distributed_map_output`. */
export const DISTRIBUTED_MAP_PREFIX = `${SYSROOT_PREFIX}/sfn_distributed_map_output`;

/**
 * The Metaflow datastore: an S3 bucket that is private, versioned, encrypted (SSE-KMS with a rotated
 * customer-managed key by default), TLS-only, cleaned of old versions and stale uploads, and protected
 * from `terraform destroy`. Or an existing bucket, by name. Either way, `grantRead`/`grantReadWrite`
 * give a role exactly what Metaflow needs, and `profile` holds the datastore keys of the Metaflow profile.
 */
export class Datastore extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** The key objects are encrypted with; undefined for SSE-S3. */
  public readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: DatastoreProps) {
    super(scope, id);
    const made = props.config.mode === "create" ? this.create(props, props.config) : this.reuse(props, props.config);
    this.bucketName = made.bucketName;
    this.bucketArn = made.bucketArn;
    this.kmsKeyArn = made.kmsKeyArn;
  }

  /** The datastore keys of the Metaflow profile (reference §1). */
  public get profile(): Record<string, string> {
    return {
      METAFLOW_DEFAULT_DATASTORE: "s3",
      METAFLOW_DATASTORE_SYSROOT_S3: `s3://${this.bucketName}/${SYSROOT_PREFIX}`,
      METAFLOW_DATATOOLS_S3ROOT: `s3://${this.bucketName}/${DATATOOLS_PREFIX}`,
    };
  }

  /** List the bucket and read objects (and decrypt them). */
  public grantRead(role: IRole): void {
    role.addPolicy("datastore-read", this.readStatements());
  }

  /** What Metaflow does with the datastore from a job: list, read and write objects (and their data keys). */
  public grantReadWrite(role: IRole): void {
    role.addPolicy("datastore-read-write", this.readWriteStatements());
  }

  /**
   * What a state machine does with the datastore: a Distributed Map writes its results under
   * DISTRIBUTED_MAP_PREFIX (ResultWriter) and reads them back (an s3:getObject task, the ItemReader).
   */
  public grantDistributedMapResults(role: IRole): void {
    const statements: PolicyStatement[] = [
      {
        Sid: "DistributedMapResults",
        Effect: "Allow",
        Action: [...S3_OBJECT_READ, ...S3_OBJECT_WRITE, ...S3_MULTIPART_LIST],
        Resource: `${this.bucketArn}/${DISTRIBUTED_MAP_PREFIX}/*`,
      },
    ];
    if (this.kmsKeyArn) statements.push({ Sid: "DistributedMapResultsKey", Effect: "Allow", Action: [...KMS_DECRYPT, ...KMS_ENCRYPT], Resource: this.kmsKeyArn });
    role.addPolicy("distributed-map-results", statements);
  }

  /** The statements of `grantRead`, for a managed policy. */
  public readStatements(): PolicyStatement[] {
    return this.statements(S3_OBJECT_READ, KMS_DECRYPT);
  }

  /** The statements of `grantReadWrite`; with `delete`, also deleting objects (people cleaning up by hand). */
  public readWriteStatements(options: { readonly delete?: boolean } = {}): PolicyStatement[] {
    const objects = [...S3_OBJECT_READ, ...S3_OBJECT_WRITE, ...(options.delete ? S3_OBJECT_DELETE : [])];
    return this.statements(objects, [...KMS_DECRYPT, ...KMS_ENCRYPT]);
  }

  private statements(objectActions: readonly string[], kmsActions: readonly string[]): PolicyStatement[] {
    const statements: PolicyStatement[] = [
      { Sid: "DatastoreBucket", Effect: "Allow", Action: S3_BUCKET_READ, Resource: this.bucketArn },
      { Sid: "DatastoreObjects", Effect: "Allow", Action: objectActions, Resource: `${this.bucketArn}/*` },
    ];
    if (this.kmsKeyArn) {
      statements.push({ Sid: "DatastoreKey", Effect: "Allow", Action: kmsActions, Resource: this.kmsKeyArn });
    }
    return statements;
  }

  private reuse(props: DatastoreProps, config: ExistingStorageConfig) {
    return {
      bucketName: config.bucketName,
      bucketArn: Arns.for(this, props.region).bucket(config.bucketName),
      kmsKeyArn: config.kmsKeyArn,
    };
  }

  private create(props: DatastoreProps, config: CreateStorageConfig) {
    const { naming } = props;
    const key =
      config.encryption === "kms"
        ? new KmsKey(this, "key", {
            description: `Encrypts the Metaflow datastore of ${naming.base}`,
            enableKeyRotation: true,
            deletionWindowInDays: config.kmsKeyDeletionWindowDays,
            lifecycle: { preventDestroy: true },
          })
        : undefined;
    if (key) new KmsAlias(this, "key-alias", { name: naming.kmsAlias("datastore"), targetKeyId: key.keyId });

    const { bucket } = new SecureBucket(this, "datastore", {
      namePrefix: naming.bucketPrefix("ds"),
      kmsKey: key,
      noncurrentVersionRetentionDays: config.noncurrentVersionRetentionDays,
      abortIncompleteUploadsAfterDays: config.abortIncompleteUploadsAfterDays,
    });
    return { bucketName: bucket.bucket, bucketArn: bucket.arn, kmsKeyArn: key?.arn };
  }
}
