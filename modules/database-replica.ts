import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { Database, DATABASE_LOG_EXPORTS, POSTGRES_PORT, RDS_CA } from "./database";
import { Naming } from "./naming";

export interface DatabaseReplicaProps {
  readonly naming: Naming;
  /** The primary it copies. */
  readonly source: Database;
  /** What the replica is for, in its identifier (`ui-replica`). */
  readonly purpose: string;
  readonly instanceClass: string;
  /** Days its exported PostgreSQL logs are kept. */
  readonly logRetentionDays: number;
}

/**
 * A read replica of the metadata database in the same region, made as the primary is: in its private
 * subnet group behind its security group (so `Database.allowFrom` opens both), encrypted with its KMS key,
 * TLS forced by its parameter group, not publicly accessible, deletion protection on, logs exported to
 * groups with retention. It holds no data of its own: RDS takes no final snapshot of a replica (and refuses
 * one), and the master password is the primary's, read from the primary's secret.
 */
export class DatabaseReplica extends Construct {
  public readonly instance: DbInstance;

  constructor(scope: Construct, id: string, props: DatabaseReplicaProps) {
    super(scope, id);
    const { source } = props;
    const identifier = props.naming.dbIdentifier(props.purpose);
    const logGroups = DATABASE_LOG_EXPORTS.map(
      (kind) =>
        new CloudwatchLogGroup(this, `logs-${kind}`, {
          name: `/aws/rds/instance/${identifier}/${kind}`,
          retentionInDays: props.logRetentionDays,
        }),
    );
    this.instance = new DbInstance(this, "instance", {
      identifier,
      // The provider wants an ARN with a subnet group (which a same-region replica may name: the primary's).
      replicateSourceDb: source.instance.arn,
      instanceClass: props.instanceClass,
      autoMinorVersionUpgrade: true,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: source.key.arn,
      port: POSTGRES_PORT,
      multiAz: false,
      dbSubnetGroupName: source.subnetGroup.name,
      vpcSecurityGroupIds: [source.securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: source.parameterGroup.name,
      caCertIdentifier: RDS_CA,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: true,
      enabledCloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
      applyImmediately: false,
      dependsOn: logGroups,
    });
  }

  public get address(): string {
    return this.instance.address;
  }
}
