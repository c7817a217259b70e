import { entryIn, ref } from "./support/json";
import { withUi } from "./support/configs";
import { synth } from "./support/synth";

/** The UI backend's read replica: made as the primary is, holding nothing of its own. */

describe("the read replica (ui.readReplica)", () => {
  const out = synth(withUi({ readReplica: {}, logRetentionDays: 30 }, { database: { instanceClass: "db.t4g.medium" } }));
  const [, replica] = entryIn(out, "aws_db_instance", "ui-replica");
  const [primaryId, primary] = entryIn(out, "aws_db_instance", "database");

  test("copies the metadata database", () => {
    expect(replica.replicate_source_db).toBe(ref("aws_db_instance", primaryId, "arn"));
    expect(replica.identifier).toBe("metaflow-dev-ui-replica");
  });

  test("has the primary's instance class unless another is configured", () => {
    expect(replica.instance_class).toBe("db.t4g.medium");
    const [, other] = entryIn(synth(withUi({ readReplica: { instanceClass: "db.t4g.small" } })), "aws_db_instance", "ui-replica");
    expect(other.instance_class).toBe("db.t4g.small");
  });

  test("is encrypted with the database's key", () => {
    expect(replica).toMatchObject({ storage_encrypted: true, kms_key_id: primary.kms_key_id, storage_type: "gp3" });
  });

  test("is private: the primary's subnet group and security group, not publicly accessible", () => {
    expect(replica).toMatchObject({ publicly_accessible: false, db_subnet_group_name: primary.db_subnet_group_name, vpc_security_group_ids: primary.vpc_security_group_ids });
  });

  test("forces TLS with the primary's parameter group and CA", () => {
    expect(replica).toMatchObject({ parameter_group_name: primary.parameter_group_name, ca_cert_identifier: primary.ca_cert_identifier });
  });

  test("has deletion protection on", () => {
    expect(replica.deletion_protection).toBe(true);
  });

  test("takes no final snapshot (RDS refuses one of a replica) and sets no password", () => {
    expect(replica.skip_final_snapshot).toBe(true);
    expect(replica.final_snapshot_identifier).toBeUndefined();
    expect(replica.password).toBeUndefined();
    expect(replica.manage_master_user_password).toBeUndefined();
  });

  test("exports its logs to groups created first, kept ui.logRetentionDays", () => {
    expect(replica.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = out.resources("aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/rds/instance/metaflow-dev-ui-replica/"));
    expect(groups.map((g) => [g.name, g.retention_in_days])).toEqual([
      ["/aws/rds/instance/metaflow-dev-ui-replica/postgresql", 30],
      ["/aws/rds/instance/metaflow-dev-ui-replica/upgrade", 30],
    ]);
    expect(replica.depends_on).toHaveLength(2);
  });

  test("is not made without ui.readReplica", () => {
    expect(synth(withUi()).resources("aws_db_instance")).toHaveLength(1);
  });
});
