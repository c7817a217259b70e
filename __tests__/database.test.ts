import { synth } from "./support/synth";
import { entries, entriesIn, list, policyDoc, ref, resourcesIn } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

/** `[logical id, body]` of the only resource of `type` under construct `area`; fails otherwise. */
function onlyIn(out: Out, type: string, area: string): [string, Body] {
  const found = entriesIn(out, type, area);
  if (found.length !== 1) throw new Error(`expected one ${type} under ${area}, found ${found.length}`);
  return found[0];
}

/** The database's pieces, found by construct and by the instance's own references. */
function database(out: Out) {
  const [instanceId, instance] = onlyIn(out, "aws_db_instance", "database");
  const [keyId, key] = onlyIn(out, "aws_kms_key", "database");
  const [parametersId, parameters] = onlyIn(out, "aws_db_parameter_group", "database");
  const [subnetGroupId, subnetGroup] = onlyIn(out, "aws_db_subnet_group", "database");
  const securityGroupRefs = list(instance.vpc_security_group_ids) as string[];
  return { instanceId, instance, keyId, key, parametersId, parameters, subnetGroupId, subnetGroup, securityGroupRefs };
}

/** The metadata service's security group, as the ECS service uses it. */
function serviceSecurityGroupRef(out: Out): string {
  const [, service] = onlyIn(out, "aws_ecs_service", "metadata");
  const networkConfiguration = list(service.network_configuration)[0] as Body | undefined;
  const groups = list(networkConfiguration?.security_groups);
  if (groups.length !== 1) throw new Error(`expected the metadata service in one security group, found ${groups.length}`);
  return groups[0] as string;
}

/** Every ingress rule on security group `groupRef`, in any of the three ways Terraform can express one. */
function ingressRulesOn(out: Out, groupRef: string): Body[] {
  const standalone = out.resources("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === groupRef);
  const legacy = out.resources("aws_security_group_rule").filter((r) => r.security_group_id === groupRef && r.type === "ingress");
  const inline = entries(out, "aws_security_group")
    .filter(([id]) => ref("aws_security_group", id) === groupRef)
    .flatMap(([, g]) => list(g.ingress) as Body[]);
  return [...standalone, ...legacy, ...inline];
}

describe("Database (defaults)", () => {
  const out = synth();
  const db = database(out);
  const keyArn = ref("aws_kms_key", db.keyId, "arn");

  test("the engine is postgres", () => {
    expect(db.instance.engine).toBe("postgres");
  });

  test("the default major version is 17 with the postgres17 parameter group family", () => {
    expect(db.instance.engine_version).toBe("17");
    expect(db.parameters.family).toBe("postgres17");
  });

  test("the instance uses the stack's parameter group", () => {
    expect(db.instance.parameter_group_name).toBe(ref("aws_db_parameter_group", db.parametersId, "name"));
  });

  test("storage is gp3", () => {
    expect(db.instance.storage_type).toBe("gp3");
  });

  test("storage is encrypted with the database's own KMS key", () => {
    expect(db.instance.storage_encrypted).toBe(true);
    expect(db.instance.kms_key_id).toBe(keyArn);
  });

  test("the database's KMS key is not the datastore's", () => {
    for (const [id] of entriesIn(out, "aws_kms_key", "storage")) expect(id).not.toBe(db.keyId);
  });

  test("the database key rotates", () => {
    expect(db.key.enable_key_rotation).toBe(true);
  });

  test("the database key has lifecycle prevent_destroy", () => {
    expect(db.key.lifecycle?.prevent_destroy).toBe(true);
  });

  test("RDS manages the master password (manage_master_user_password)", () => {
    expect(db.instance.manage_master_user_password).toBe(true);
  });

  test("no password argument is given to the instance", () => {
    expect(db.instance.password).toBeUndefined();
    expect(db.instance.password_wo).toBeUndefined();
    expect(Object.keys(db.instance).filter((k) => /password/.test(k))).toEqual(["manage_master_user_password"]);
  });

  test("the master secret is encrypted with the database key", () => {
    expect(db.instance.master_user_secret_kms_key_id).toBe(keyArn);
  });

  test("Multi-AZ is on by default", () => {
    expect(db.instance.multi_az).toBe(true);
  });

  test("backups are kept the default 7 days", () => {
    expect(db.instance.backup_retention_period).toBe(7);
  });

  test("deletion protection is on", () => {
    expect(db.instance.deletion_protection).toBe(true);
  });

  test("a final snapshot is taken, with an identifier", () => {
    expect(db.instance.skip_final_snapshot).toBe(false);
    expect(typeof db.instance.final_snapshot_identifier).toBe("string");
    expect(db.instance.final_snapshot_identifier.length).toBeGreaterThan(0);
  });

  test("tags are copied to snapshots", () => {
    expect(db.instance.copy_tags_to_snapshot).toBe(true);
  });

  test("the postgresql and upgrade logs are exported", () => {
    expect([...list(db.instance.enabled_cloudwatch_logs_exports)].sort()).toEqual(["postgresql", "upgrade"]);
  });

  test("Performance Insights is on by default, encrypted with the database key, for the 7 days that cost nothing", () => {
    expect(db.instance.performance_insights_enabled).toBe(true);
    expect(db.instance.performance_insights_kms_key_id).toBe(ref("aws_kms_key", db.keyId, "arn"));
    expect(db.instance.performance_insights_retention_period).toBe(7);
  });

  test("the parameter group sets rds.force_ssl to 1", () => {
    const forceSsl = (list(db.parameters.parameter) as Body[]).filter((p) => p.name === "rds.force_ssl");
    expect(forceSsl).toHaveLength(1);
    expect(String(forceSsl[0].value)).toBe("1");
  });

  test("the instance is not publicly accessible", () => {
    expect(db.instance.publicly_accessible).toBe(false);
  });

  test("the subnet group is exactly the private subnets", () => {
    const privateSubnets = entriesIn(out, "aws_subnet", "network")
      .filter(([, s]) => s.tags?.Tier === "private")
      .map(([id]) => ref("aws_subnet", id));
    expect(privateSubnets.length).toBeGreaterThan(0);
    expect([...list(db.subnetGroup.subnet_ids)].sort()).toEqual([...privateSubnets].sort());
  });

  test("the instance uses the subnet group", () => {
    expect(db.instance.db_subnet_group_name).toBe(ref("aws_db_subnet_group", db.subnetGroupId, "name"));
  });

  test("the instance is in exactly one security group, the database's own", () => {
    expect(db.securityGroupRefs).toHaveLength(1);
    const [groupId] = onlyIn(out, "aws_security_group", "database");
    expect(db.securityGroupRefs[0]).toBe(ref("aws_security_group", groupId));
  });

  test("the database security group has exactly one ingress rule", () => {
    expect(ingressRulesOn(out, db.securityGroupRefs[0])).toHaveLength(1);
  });

  test("that ingress rule is TCP 5432 only", () => {
    const [rule] = ingressRulesOn(out, db.securityGroupRefs[0]);
    expect(rule.ip_protocol).toBe("tcp");
    expect(rule.from_port).toBe(5432);
    expect(rule.to_port).toBe(5432);
  });

  test("that ingress rule comes from the metadata service's security group, with no CIDR or prefix list", () => {
    const [rule] = ingressRulesOn(out, db.securityGroupRefs[0]);
    expect(rule.referenced_security_group_id).toBe(serviceSecurityGroupRef(out));
    expect(rule.cidr_ipv4).toBeUndefined();
    expect(rule.cidr_ipv6).toBeUndefined();
    expect(rule.prefix_list_id).toBeUndefined();
  });

  test("the instance identifier is fixed, from the naming helper", () => {
    expect(db.instance.identifier).toBe(`${out.stack.naming.base}-metadata`);
    expect(db.instance).not.toHaveProperty("identifier_prefix");
  });

  test("the exported logs' groups are created first, with retention, under the names RDS uses", () => {
    const groups = resourcesIn(out, "aws_cloudwatch_log_group", "database");
    expect(groups.map((g) => g.name).sort()).toEqual(["postgresql", "upgrade"].map((k) => `/aws/rds/instance/${db.instance.identifier}/${k}`));
    for (const g of groups) expect(g.retention_in_days).toBe(90);
    expect(db.instance.depends_on).toHaveLength(2);
    expect(synth({ database: { logRetentionDays: 30 } }).resources("aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/rds/")).map((g) => g.retention_in_days)).toEqual([30, 30]);
  });
});

describe("Database (configured)", () => {
  test("engineVersion 16 uses the postgres16 parameter group family", () => {
    const db = database(synth({ database: { engineVersion: "16" } }));
    expect(db.instance.engine_version).toBe("16");
    expect(db.parameters.family).toBe("postgres16");
  });

  test("multiAz false turns Multi-AZ off", () => {
    expect(database(synth({ database: { multiAz: false } })).instance.multi_az).toBe(false);
  });

  test("a configured backupRetentionDays is used", () => {
    expect(database(synth({ database: { backupRetentionDays: 21 } })).instance.backup_retention_period).toBe(21);
  });

  test("a backupRetentionDays below 7 is rejected", () => {
    expect(() => synth({ database: { backupRetentionDays: 6 } })).toThrow(/backupRetentionDays/);
  });

  test("Enhanced Monitoring is off by default: no interval and no monitoring role", () => {
    const out = synth();
    const db = database(out);
    expect(db.instance.monitoring_interval).toBeUndefined();
    expect(db.instance.monitoring_role_arn).toBeUndefined();
    expect(out.resources("aws_iam_role").map((r) => r.name)).not.toContain("metaflow-dev-rds-monitoring");
  });

  test("enhancedMonitoringSeconds 60 sends the host's metrics every minute through a role only RDS's monitoring may assume, with AWS's policy for it", () => {
    const out = synth({ database: { enhancedMonitoringSeconds: 60 }, permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary" });
    const db = database(out);
    const role = out.role("metaflow-dev-rds-monitoring");
    const [roleId] = entriesIn(out, "aws_iam_role", "database").find(([, r]) => r.name === "metaflow-dev-rds-monitoring")!;
    expect(db.instance.monitoring_interval).toBe(60);
    expect(db.instance.monitoring_role_arn).toBe(ref("aws_iam_role", roleId, "arn"));
    expect(policyDoc(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Action: ["sts:AssumeRole"], Principal: { Service: "monitoring.rds.amazonaws.com" } },
    ]);
    expect(role.permissions_boundary).toBe("arn:aws:iam::123456789012:policy/boundary");
    const attachments = resourcesIn(out, "aws_iam_role_policy_attachment", "database");
    expect(attachments.map((a) => [a.role, a.policy_arn])).toEqual([
      [ref("aws_iam_role", roleId, "name"), "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
    ]);
    expect(resourcesIn(out, "aws_iam_role_policy", "database")).toEqual([]);
  });

  test("performanceInsights false turns it off, with no key or retention", () => {
    const db = database(synth({ database: { performanceInsights: false } }));
    expect(db.instance.performance_insights_enabled).toBe(false);
    expect(db.instance.performance_insights_kms_key_id).toBeUndefined();
    expect(db.instance.performance_insights_retention_period).toBeUndefined();
  });
});
