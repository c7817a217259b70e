import { isTrue } from "./terraform-json";
import { Rule } from "./types";

/** RDS: encrypted, private, highly available, backed up, protected, with a password nobody types. */

const INSTANCE = "aws_db_instance";
const CLUSTER = "aws_rds_cluster";
export const MIN_BACKUP_DAYS = 7;

/**
 * Environments where one zone is an accepted trade: names like dev, test, sandbox, ci, demo, with an optional
 * number or hyphenated suffix (`dev2`, `test-eu`); not `devops` or `prod`.
 */
export const DEV_LIKE_ENVIRONMENT = /^(dev|development|test|testing|sandbox|sbx|ci|demo|local|scratch)(\d+|-[a-z0-9-]+)?$/;
export const isDevLike = (environment: string | undefined): boolean => environment !== undefined && DEV_LIKE_ENVIRONMENT.test(environment);

/** An instance that copies another (a read replica) takes its password and backups from its source. */
const isReplica = (body: Record<string, unknown>) => body.replicate_source_db !== undefined;

export const RDS_RULES: readonly Rule[] = [
  {
    id: "MF-RDS-1",
    level: "error",
    description: "Database storage is encrypted.",
    fix: "Set storage_encrypted = true with a customer-managed kms_key_id (Database does); an existing instance must be restored from an encrypted snapshot copy.",
    appliesTo: [INSTANCE, CLUSTER],
    check: (r) => (isTrue(r.body.storage_encrypted) ? [] : ["storage_encrypted is not true"]),
  },
  {
    id: "MF-RDS-2",
    level: "error",
    description: "Database instances are not publicly accessible.",
    fix: "Set publicly_accessible = false and keep the instance in private subnets; reach it through the VPC.",
    appliesTo: [INSTANCE],
    check: (r) => (isTrue(r.body.publicly_accessible) ? ["publicly_accessible is true"] : []),
  },
  {
    id: "MF-RDS-3",
    level: "warning",
    description: "Database instances run Multi-AZ, except in dev-like environments (dev, test, sandbox, ci, demo...).",
    fix: "Set database.multiAz to true (the default); a single zone is for dev-like environments only.",
    appliesTo: [INSTANCE],
    check: (r, context) =>
      isTrue(r.body.multi_az) || isReplica(r.body) || isDevLike(context.environment)
        ? []
        : [`multi_az is not true in environment ${context.environment ?? "(none)"}, which is not dev-like`],
  },
  {
    id: "MF-RDS-4",
    level: "error",
    description: `Automated backups are kept at least ${MIN_BACKUP_DAYS} days.`,
    fix: `Set backup_retention_period to ${MIN_BACKUP_DAYS} or more (database.backupRetentionDays).`,
    appliesTo: [INSTANCE, CLUSTER],
    check(r) {
      if (isReplica(r.body)) return [];
      const days = r.body.backup_retention_period;
      if (days === undefined) return [`backup_retention_period is not set (RDS then keeps 1 day)`];
      if (typeof days === "number" && days < MIN_BACKUP_DAYS) return [`backup_retention_period is ${days}`];
      return [];
    },
  },
  {
    id: "MF-RDS-5",
    level: "error",
    description: "Deletion protection is on.",
    fix: "Set deletion_protection = true; turn it off in a separate, reviewed apply before a planned removal.",
    appliesTo: [INSTANCE, CLUSTER],
    check: (r) => (isTrue(r.body.deletion_protection) ? [] : ["deletion_protection is not true"]),
  },
  {
    id: "MF-RDS-6",
    level: "error",
    description: "The master password is managed by RDS in Secrets Manager: manage_master_user_password on, no password argument.",
    fix: "Remove password and set manage_master_user_password = true; hand the secret to containers through ECS secrets (Database.grantReadSecret).",
    appliesTo: [INSTANCE, CLUSTER],
    check(r) {
      const problems: string[] = [];
      if (r.body.password !== undefined || r.body.master_password !== undefined) problems.push("a password argument is set (it ends up in state and plan output)");
      if (!isReplica(r.body) && r.body.snapshot_identifier === undefined && !isTrue(r.body.manage_master_user_password)) {
        problems.push("manage_master_user_password is not true");
      }
      return problems;
    },
  },
  {
    id: "MF-RDS-7",
    level: "error",
    description: "A final snapshot is taken when the database is deleted.",
    fix: "Set skip_final_snapshot = false and a final_snapshot_identifier.",
    appliesTo: [INSTANCE, CLUSTER],
    check: (r) => (isTrue(r.body.skip_final_snapshot) ? ["skip_final_snapshot is true"] : []),
  },
];
