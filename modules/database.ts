import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Arns } from "./arns";
import { DatabaseConfig, POSTGRES_VERSIONS } from "./config/service-config";
import { choose, isTrue, onlyWhere, TerraformCondition } from "./condition";
import { hcl, lookupIn, rawExpression } from "./expression";
import { Naming } from "./naming";
import { INetwork } from "./network";
import { KMS_DECRYPT, SECRETS_READ } from "./perms";
import { PolicyStatement } from "./policy";
import { IRole, Role } from "./role";

/** What the services that use the metadata database see of it, whether this stack made it or not. */
export interface IDatabase {
  /** The primary's DNS address. */
  readonly address: string;
  /** The master user's secret (JSON with `username` and `password`), created and rotated by RDS. */
  readonly secretArn: string;
  /** The database's security group (clients' egress rules name it). */
  readonly securityGroupId: string;
  /** Opens 5432 to one security group. */
  allowFrom(id: string, source: { readonly id: string }): void;
  /** Reading the master secret, and decrypting it with the database key. */
  grantReadSecret(role: IRole): void;
}

/** A database made elsewhere (another module), by its attributes. */
export interface DatabaseAttributes {
  readonly address: string;
  readonly secretArn: string;
  /** The KMS key the master secret is encrypted with. */
  readonly secretKeyArn: string;
  readonly securityGroupId: string;
}

export interface DatabaseProps {
  readonly naming: Naming;
  readonly network: INetwork;
  readonly config: DatabaseConfig;
  /** For the Enhanced Monitoring role's managed policy ARN. @default "us-east-1" (the aws partition) */
  readonly region?: string;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown */
  readonly accountId?: string;
}

export const POSTGRES_PORT = 5432;
/** The database and master user the metadata service uses. */
export const DATABASE_NAME = "metaflow";
export const MASTER_USERNAME = "metaflow";
/** PostgreSQL logs exported to CloudWatch Logs. */
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;
/** Days Performance Insights keeps data on the free tier. */
const PERFORMANCE_INSIGHTS_DAYS = 7;

/**
 * The metadata service's PostgreSQL on RDS: private subnets, reachable on 5432 only from security groups
 * that `allowFrom` names, encrypted with its own rotated KMS key, Multi-AZ, a week or more of backups,
 * deletion protection and a final snapshot, TLS forced (`rds.force_ssl`), logs exported, Performance
 * Insights on (its 7 free days, encrypted with the database key). The master password is created and
 * kept by RDS in Secrets Manager: it is never in config, state, outputs or a container's environment;
 * `grantReadSecret` lets a role read it.
 */
export class Database extends Construct implements IDatabase {
  public readonly instance: DbInstance;
  public readonly key: KmsKey;
  public readonly securityGroup: SecurityGroup;
  /** The role RDS's Enhanced Monitoring agent sends through, when database.enhancedMonitoringSeconds is set. */
  public readonly monitoringRole?: Role;

  /** A database made elsewhere, for the services that use it: its address, secret, key and security group. */
  public static fromAttributes(scope: Construct, id: string, attributes: DatabaseAttributes): IDatabase {
    return new ExistingDatabase(scope, id, attributes);
  }

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { naming, config } = props;

    this.key = new KmsKey(this, "key", {
      description: `Encrypts the Metaflow metadata database of ${naming.base} and its master secret`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "key-alias", { name: naming.kmsAlias("database"), targetKeyId: this.key.keyId });

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.securityGroup("database"),
      description: `PostgreSQL of the Metaflow metadata service, ${naming.base}: 5432 from the service only`,
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource("database") },
    });

    const subnets = new DbSubnetGroup(this, "subnet-group", {
      name: naming.resource("database"),
      description: "Private subnets of the Metaflow metadata database",
      subnetIds: props.network.privateSubnetIds,
    });

    const family = lookupIn(POSTGRES_VERSIONS, config.engineVersion);
    const parameters = new DbParameterGroup(this, "parameters", {
      namePrefix: naming.dbParameterGroupPrefix(family),
      family,
      description: "Metaflow metadata database: TLS only, slow statements logged",
      parameter: [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_min_duration_statement", value: "1000" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    // RDS would create its log groups itself, without retention; created first, they keep logs for a set time.
    const identifier = naming.dbIdentifier("metadata");
    const logGroups = LOG_EXPORTS.map(
      (kind) =>
        new CloudwatchLogGroup(this, `logs-${kind}`, {
          name: `/aws/rds/instance/${identifier}/${kind}`,
          retentionInDays: config.logRetentionDays,
        }),
    );

    const insights = isTrue(config.performanceInsights);
    // Enhanced Monitoring, where its interval is above 0: decided at synth, or by Terraform in a module.
    const seconds = config.enhancedMonitoringSeconds;
    const monitoring = Token.isUnresolved(seconds) ? new TerraformCondition(rawExpression(`${hcl(seconds)} > 0`)) : seconds > 0;
    this.monitoringRole = onlyWhere(this, monitoring, () => {
      const arns = Arns.for(this, props.region ?? "us-east-1", props.accountId);
      const role = new Role(this, "monitoring-role", {
        name: naming.iamRole("rds-monitoring"),
        assumedBy: "monitoring.rds.amazonaws.com",
        description: `RDS Enhanced Monitoring of the Metaflow metadata database of ${naming.base}`,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
      // AWS's policy for it: writing to the RDSOSMetrics log group, nothing else.
      role.attachManagedPolicy("enhanced-monitoring", arns.managedPolicy("service-role/AmazonRDSEnhancedMonitoringRole"));
      return role;
    });

    this.instance = new DbInstance(this, "instance", {
      identifier,
      engine: "postgres",
      engineVersion: config.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: config.instanceClass,
      storageType: "gp3",
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: this.key.arn,
      dbName: DATABASE_NAME,
      username: MASTER_USERNAME,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: this.key.arn,
      port: POSTGRES_PORT,
      multiAz: config.multiAz,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: parameters.name,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      backupRetentionPeriod: config.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: naming.dbSnapshot("metadata-final"),
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      performanceInsightsEnabled: config.performanceInsights,
      performanceInsightsKmsKeyId: choose(insights, this.key.arn, undefined),
      performanceInsightsRetentionPeriod: choose(insights, PERFORMANCE_INSIGHTS_DAYS, undefined),
      monitoringInterval: choose(monitoring, seconds, undefined),
      monitoringRoleArn: this.monitoringRole?.arn,
      applyImmediately: false,
      dependsOn: logGroups,
    });

    // RDS rotates the master password itself (managed rotation, no Lambda); this sets how often. Not on
    // apply: the first rotation comes a schedule's length after the secret was made.
    new SecretsmanagerSecretRotation(this, "password-rotation", {
      secretId: this.secretArn,
      rotationRules: { automaticallyAfterDays: config.passwordRotationDays },
      rotateImmediately: false,
    });
  }

  public get address(): string {
    return this.instance.address;
  }

  public get securityGroupId(): string {
    return this.securityGroup.id;
  }

  /** The master user's secret (JSON with `username` and `password`), created and rotated by RDS. */
  public get secretArn(): string {
    return this.instance.masterUserSecret.get(0).secretArn;
  }

  /** Opens 5432 to one security group. */
  public allowFrom(id: string, source: { readonly id: string }): void {
    allowPostgres(this, this.securityGroup.id, id, source);
  }

  /** Reading the master secret, and decrypting it with the database key. */
  public grantReadSecret(role: IRole): void {
    grantSecret(role, this.secretArn, this.key.arn);
  }
}

function allowPostgres(scope: Construct, securityGroupId: string, id: string, source: { readonly id: string }): void {
  new VpcSecurityGroupIngressRule(scope, `from-${id}`, {
    securityGroupId,
    referencedSecurityGroupId: source.id,
    ipProtocol: "tcp",
    fromPort: POSTGRES_PORT,
    toPort: POSTGRES_PORT,
    description: `PostgreSQL from ${id}`,
  });
}

function grantSecret(role: IRole, secretArn: string, keyArn: string): void {
  const statements: PolicyStatement[] = [
    { Sid: "DatabaseSecret", Effect: "Allow", Action: SECRETS_READ, Resource: secretArn },
    { Sid: "DatabaseSecretKey", Effect: "Allow", Action: KMS_DECRYPT, Resource: keyArn },
  ];
  role.addPolicy("database-secret", statements);
}

/** `Database.fromAttributes`: the grants and rules of a database another module made. */
class ExistingDatabase extends Construct implements IDatabase {
  public readonly address: string;
  public readonly secretArn: string;
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, private readonly attributes: DatabaseAttributes) {
    super(scope, id);
    this.address = attributes.address;
    this.secretArn = attributes.secretArn;
    this.securityGroupId = attributes.securityGroupId;
  }

  public allowFrom(id: string, source: { readonly id: string }): void {
    allowPostgres(this, this.securityGroupId, id, source);
  }

  public grantReadSecret(role: IRole): void {
    grantSecret(role, this.secretArn, this.attributes.secretKeyArn);
  }
}
