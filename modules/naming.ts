import { Token } from "cdktf";

/**
 * The one naming helper. Every AWS name this project sets comes from here, so the limits below are
 * checked in one place and a name prefix that passes config validation yields legal names everywhere.
 */

/** AWS limits on the names this project derives (characters). */
export const NAME_LIMITS = {
  /** `bucket_prefix`: Terraform appends a 26-character unique suffix; the bucket name limit is 63. */
  bucketPrefix: 37,
  iamRole: 64,
  /** `name_prefix` on IAM roles: Terraform appends 26 characters to a 64-character limit. */
  iamRolePrefix: 38,
  iamPolicy: 128,
  logGroup: 512,
  kmsAlias: 256,
  /** Batch compute environments and job queues. */
  batch: 128,
  /** `name_prefix` of launch templates (128) less Terraform's 26-character suffix. */
  launchTemplatePrefix: 102,
  instanceProfile: 128,
  /** RDS instance identifiers. */
  dbIdentifier: 63,
  /** Load balancer and target group names. */
  loadBalancer: 32,
  ecs: 255,
  dynamoTable: 255,
  securityGroup: 255,
  /** The `Name` tag value. */
  tagValue: 256,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

/** Longest name prefix and environment name, chosen so every kind above fits (see naming tests). */
export const MAX_PREFIX_LENGTH = 16;
export const MAX_ENVIRONMENT_LENGTH = 10;

export class NameTooLongError extends Error {}

/** S3 bucket names: 63 characters at most. */
const BUCKET_NAME_LIMIT = 63;

/**
 * The default name of the Terraform state bucket (one per account and region, shared by environments):
 * `<prefix>-tfstate-<account>-<region>`, or `<prefix>-tfstate-<region>` when the account is not configured.
 */
export function defaultStateBucketName(prefix: string, region: string, accountId?: string): string {
  const name = [prefix, "tfstate", accountId, region].filter(Boolean).join("-");
  if (name.length > BUCKET_NAME_LIMIT) throw new NameTooLongError(`state bucket name "${name}" is longer than ${BUCKET_NAME_LIMIT}; set state.bucket`);
  return name;
}

export class Naming {
  /** `<prefix>-<environment>`: the stem of every name. */
  public readonly base: string;

  constructor(
    public readonly prefix: string,
    public readonly environment: string,
  ) {
    this.base = `${prefix}-${environment}`;
  }

  /** A plain resource name, used for `Name` tags and security group names: `<base>-<purpose>`. */
  public resource(purpose: string): string {
    return this.check("tagValue", `${this.base}-${purpose}`);
  }

  public securityGroup(purpose: string): string {
    return this.check("securityGroup", `${this.base}-${purpose}`);
  }

  /** An S3 `bucket_prefix`; Terraform makes the name globally unique. */
  public bucketPrefix(purpose: string): string {
    return this.check("bucketPrefix", `${this.base}-${purpose}-`);
  }

  public iamRole(purpose: string): string {
    return this.check("iamRole", `${this.base}-${purpose}`);
  }

  /** A role `name_prefix`, for roles that must be replaced create-before-destroy. */
  public iamRolePrefix(purpose: string): string {
    return this.check("iamRolePrefix", `${this.base}-${purpose}-`);
  }

  /** A Batch job queue name. */
  public batch(purpose: string): string {
    return this.check("batch", `${this.base}-${purpose}`);
  }

  /** A `name_prefix` for resources replaced create-before-destroy (compute environments, security groups). */
  public batchPrefix(purpose: string): string {
    return this.check("batch", `${this.base}-${purpose}-`);
  }

  public launchTemplatePrefix(purpose: string): string {
    return this.check("launchTemplatePrefix", `${this.base}-${purpose}-`);
  }

  public instanceProfile(purpose: string): string {
    return this.check("instanceProfile", `${this.base}-${purpose}`);
  }

  /** An RDS instance identifier (fixed, so its log groups can be created first, with retention). */
  public dbIdentifier(purpose: string): string {
    return this.check("dbIdentifier", `${this.base}-${purpose}`);
  }

  /** Load balancer and target group names (32 characters at most). */
  public loadBalancer(purpose: string): string {
    return this.check("loadBalancer", `${this.base}-${purpose}`);
  }

  /** ECS cluster, service and task family names. */
  public ecs(purpose: string): string {
    return this.check("ecs", `${this.base}-${purpose}`);
  }

  public iamPolicy(purpose: string): string {
    return this.check("iamPolicy", `${this.base}-${purpose}`);
  }

  /**
   * A log group AWS services deliver into (Step Functions): under `/aws/vendedlogs/`, which keeps CloudWatch's
   * resource policy small. `/aws/vendedlogs/metaflow/<base>/<purpose>`.
   */
  public vendedLogGroup(purpose: string): string {
    return this.check("logGroup", `/aws/vendedlogs/metaflow/${this.base}/${purpose}`);
  }

  /**
   * METAFLOW_SFN_STATE_MACHINE_PREFIX. Metaflow names state machines (and their EventBridge rules)
   * `<prefix>_<flow>`, so IAM scopes to `<prefix>_*`, which no other environment's names can match.
   */
  public get stateMachinePrefix(): string {
    return this.base;
  }

  public dynamoTable(purpose: string): string {
    return this.check("dynamoTable", `${this.base}-${purpose}`);
  }

  /** CloudWatch log group: `/metaflow/<base>/<purpose>`. */
  public logGroup(purpose: string): string {
    return this.check("logGroup", `/metaflow/${this.base}/${purpose}`);
  }

  public kmsAlias(purpose: string): string {
    return this.check("kmsAlias", `alias/${this.base}-${purpose}`);
  }

  private check(kind: NameKind, name: string): string {
    // A name built from Terraform values (a module's variables) is checked by those variables' validation.
    if (Token.isUnresolved(name)) return name;
    const limit = NAME_LIMITS[kind];
    if (name.length > limit) {
      throw new NameTooLongError(
        `${kind} name "${name}" has ${name.length} characters; AWS allows ${limit}. Use a shorter namePrefix or environment name.`,
      );
    }
    return name;
  }
}
