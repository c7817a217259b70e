import { Construct } from "constructs";
import { Token } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Arns } from "./arns";
import { and, choose, Condition, equals, not, onlyWhere, or, TerraformCondition } from "./condition";
import { hcl, rawExpression } from "./expression";
import { CreateStorageConfig, ExistingStorageConfig, StorageConfig } from "./config/schema";
import { Naming } from "./naming";
import { KMS_DECRYPT, KMS_ENCRYPT, S3_BUCKET_READ, S3_MULTIPART_LIST, S3_OBJECT_DELETE, S3_OBJECT_READ, S3_OBJECT_WRITE } from "./perms";
import { PolicyPart, PolicyStatement, statementsWhere } from "./policy";
import { IRole } from "./role";
import { SecureBucket } from "./secure-bucket";

/**
 * The datastore as a plain Terraform module's variables choose it: a bucket created where `create` holds
 * (its encryption a Terraform value), else the `existing` one.
 */
export interface TerraformStorageConfig {
  readonly create: Condition;
  readonly created: CreateStorageConfig;
  /** @default none: the bucket is always created */
  readonly existing?: ExistingStorageConfig;
}

export interface DatastoreProps {
  readonly naming: Naming;
  readonly region: string;
  readonly config: StorageConfig | TerraformStorageConfig;
}

interface Made {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly kmsKeyArn?: string;
  /** Whether objects are encrypted with `kmsKeyArn`. */
  readonly encrypted: Condition;
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
  /** Whether objects are encrypted with `kmsKeyArn`: decided at synth, or by Terraform in a module. */
  public readonly encrypted: Condition;

  constructor(scope: Construct, id: string, props: DatastoreProps) {
    super(scope, id);
    const { config } = props;
    const made = "created" in config ? this.chosen(props, config) : config.mode === "create" ? this.create(props, config) : this.reuse(props, config);
    this.bucketName = made.bucketName;
    this.bucketArn = made.bucketArn;
    this.kmsKeyArn = made.kmsKeyArn;
    this.encrypted = made.encrypted;
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
    const statements: PolicyPart[] = [
      {
        Sid: "DistributedMapResults",
        Effect: "Allow",
        Action: [...S3_OBJECT_READ, ...S3_OBJECT_WRITE, ...S3_MULTIPART_LIST],
        Resource: `${this.bucketArn}/${DISTRIBUTED_MAP_PREFIX}/*`,
      },
    ];
    if (this.kmsKeyArn) {
      statements.push(...statementsWhere(this.encrypted, [{ Sid: "DistributedMapResultsKey", Effect: "Allow", Action: [...KMS_DECRYPT, ...KMS_ENCRYPT], Resource: this.kmsKeyArn }]));
    }
    role.addPolicy("distributed-map-results", statements);
  }

  /** The statements of `grantRead`, for a managed policy. */
  public readStatements(): PolicyPart[] {
    return this.statements(S3_OBJECT_READ, KMS_DECRYPT);
  }

  /** The statements of `grantReadWrite`; with `delete`, also deleting objects (people cleaning up by hand). */
  public readWriteStatements(options: { readonly delete?: boolean } = {}): PolicyPart[] {
    const objects = [...S3_OBJECT_READ, ...S3_OBJECT_WRITE, ...(options.delete ? S3_OBJECT_DELETE : [])];
    return this.statements(objects, [...KMS_DECRYPT, ...KMS_ENCRYPT]);
  }

  private statements(objectActions: readonly string[], kmsActions: readonly string[]): PolicyPart[] {
    const statements: PolicyPart[] = [
      { Sid: "DatastoreBucket", Effect: "Allow", Action: S3_BUCKET_READ, Resource: this.bucketArn },
      { Sid: "DatastoreObjects", Effect: "Allow", Action: objectActions, Resource: `${this.bucketArn}/*` },
    ];
    if (this.kmsKeyArn) {
      const key: PolicyStatement = { Sid: "DatastoreKey", Effect: "Allow", Action: kmsActions, Resource: this.kmsKeyArn };
      statements.push(...statementsWhere(this.encrypted, [key]));
    }
    return statements;
  }

  private reuse(props: DatastoreProps, config: ExistingStorageConfig): Made {
    // A key given as a Terraform value may be null (a bucket with SSE-S3).
    const arn = config.kmsKeyArn;
    const encrypted: Condition = arn === undefined ? false : Token.isUnresolved(arn) ? new TerraformCondition(rawExpression(`${hcl(arn)} != null`)) : true;
    return {
      bucketName: config.bucketName,
      bucketArn: Arns.for(this, props.region).bucket(config.bucketName),
      kmsKeyArn: arn,
      encrypted,
    };
  }

  private create(props: DatastoreProps, config: CreateStorageConfig): Made {
    const { naming } = props;
    const encrypted = equals(config.encryption, "kms");
    const key = onlyWhere(this, encrypted, () => {
      const made = new KmsKey(this, "key", {
        description: `Encrypts the Metaflow datastore of ${naming.base}`,
        enableKeyRotation: true,
        deletionWindowInDays: config.kmsKeyDeletionWindowDays,
        lifecycle: { preventDestroy: true },
      });
      new KmsAlias(this, "key-alias", { name: naming.kmsAlias("datastore"), targetKeyId: made.keyId });
      return made;
    });

    const { bucket } = new SecureBucket(this, "datastore", {
      namePrefix: naming.bucketPrefix("ds"),
      kmsKey: key,
      kmsKeyWhere: encrypted,
      noncurrentVersionRetentionDays: config.noncurrentVersionRetentionDays,
      abortIncompleteUploadsAfterDays: config.abortIncompleteUploadsAfterDays,
    });
    return { bucketName: bucket.bucket, bucketArn: bucket.arn, kmsKeyArn: key?.arn, encrypted };
  }

  /** The datastore a module's variables choose: a created bucket where `create` holds, else the existing one. */
  private chosen(props: DatastoreProps, config: TerraformStorageConfig): Made {
    const made = onlyWhere(this, config.create, () => this.create(props, config.created));
    if (!config.existing) return made!;
    const reused = this.reuse(props, config.existing);
    if (!made) return reused;
    const nothing = null as unknown as string;
    return {
      bucketName: choose(config.create, made.bucketName, reused.bucketName),
      bucketArn: choose(config.create, made.bucketArn, reused.bucketArn),
      kmsKeyArn: choose(config.create, made.kmsKeyArn ?? nothing, reused.kmsKeyArn ?? nothing),
      encrypted: or(and(config.create, made.encrypted), and(not(config.create), reused.encrypted)),
    };
  }
}
