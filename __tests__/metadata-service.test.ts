import * as fs from "fs";
import * as path from "path";
import { mockProvider } from "../hcl/example-test";
import { usageVariables } from "../hcl/module-test";
import { MODULES_DIR, synthesizeModules } from "../hcl/write-modules";
import { HclRoot, Run } from "./support/hcl-root";
import { synth } from "./support/synth";
import { describeWithTerraform } from "./support/terraform";
import { entries, entriesIn, entryIn, idOf, list, policyDoc, ref } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();



/** The metadata service's pieces, each found by construct and cross-checked through references. */
function metadata(out: Out) {
  const [clusterId, cluster] = entryIn(out, "aws_ecs_cluster", "metadata");
  const [taskId, task] = entryIn(out, "aws_ecs_task_definition", "metadata");
  const [, service] = entryIn(out, "aws_ecs_service", "metadata");
  const [lbId, lb] = entryIn(out, "aws_lb", "metadata");
  const [listenerId, listener] = entryIn(out, "aws_lb_listener", "metadata");
  const [targetsId, targets] = entryIn(out, "aws_lb_target_group", "metadata");
  const [instanceId] = entryIn(out, "aws_db_instance", "database");
  const [dbKeyId] = entryIn(out, "aws_kms_key", "database");
  const containers = policyDoc(task.container_definitions) as Body[];
  const container = (name: string) => {
    const found = containers.filter((c) => c.name === name);
    if (found.length !== 1) throw new Error(`expected one container ${name}, found ${found.length}`);
    return found[0];
  };
  const networkConfiguration = list(service.network_configuration)[0] as Body;
  const serviceGroups = list(networkConfiguration?.security_groups) as string[];
  const lbGroups = list(lb.security_groups) as string[];
  if (serviceGroups.length !== 1 || lbGroups.length !== 1) throw new Error("expected one security group each for service and load balancer");
  const privateSubnets = sorted(
    entriesIn(out, "aws_subnet", "network")
      .filter(([, s]) => s.tags?.Tier === "private")
      .map(([id]) => ref("aws_subnet", id)),
  );
  return {
    clusterId, cluster, taskId, task, service, lbId, lb, listenerId, listener, targetsId, targets,
    containers, container, privateSubnets, networkConfiguration,
    serviceGroup: serviceGroups[0],
    lbGroup: lbGroups[0],
    instanceAddress: ref("aws_db_instance", instanceId, "address"),
    secretArn: `\${aws_db_instance.${instanceId}.master_user_secret[0].secret_arn}`,
    dbKeyArn: ref("aws_kms_key", dbKeyId, "arn"),
  };
}

/** Rules of `direction` on security group `groupRef`, in any of the three ways Terraform can express one. */
function rulesOn(out: Out, groupRef: string, direction: "ingress" | "egress"): Body[] {
  const standalone = out.resources(`aws_vpc_security_group_${direction}_rule`).filter((r) => r.security_group_id === groupRef);
  const legacy = out.resources("aws_security_group_rule").filter((r) => r.security_group_id === groupRef && r.type === direction);
  const inline = entries(out, "aws_security_group")
    .filter(([id]) => ref("aws_security_group", id) === groupRef)
    .flatMap(([, g]) => list(g[direction]) as Body[]);
  return [...standalone, ...legacy, ...inline];
}

/** A rule reduced to what it allows: protocol, ports and the one source or destination it names. */
const shape = (r: Body) => ({
  protocol: r.ip_protocol,
  from: r.from_port,
  to: r.to_port,
  peer: r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id,
});

/** Statements of every inline policy attached to role `roleId`. */
function statementsOfRole(out: Out, roleId: string): Body[] {
  return out
    .resources("aws_iam_role_policy")
    .filter((p) => p.role === ref("aws_iam_role", roleId))
    .flatMap((p) => policyDoc(p.policy).Statement as Body[]);
}
const envOf = (c: Body) => Object.fromEntries((list(c.environment) as Body[]).map((e) => [e.name, e.value]));
const actionsOf = (statements: Body[]) => sorted(statements.flatMap((s) => list(s.Action)));

describe("Metadata service (defaults)", () => {
  const out = synth();
  const md = metadata(out);
  const computeGroup = ref("aws_security_group", entryIn(out, "aws_security_group", "compute")[0]);
  const logGroupRef = md.container("metadata-service").logConfiguration?.options?.["awslogs-group"] as string;
  const logGroupId = idOf("aws_cloudwatch_log_group", logGroupRef);
  const executionRoleId = idOf("aws_iam_role", md.task.execution_role_arn);

  describe("cluster and logs", () => {
    test("the ECS cluster has containerInsights enabled", () => {
      expect(list(md.cluster.setting)).toContainEqual({ name: "containerInsights", value: "enabled" });
    });

    test("the service runs in that cluster", () => {
      expect(md.service.cluster).toBe(ref("aws_ecs_cluster", md.clusterId, "arn"));
    });

    test("both containers log to the service's log group in the metadata area", () => {
      for (const c of md.containers) {
        expect(c.logConfiguration?.logDriver).toBe("awslogs");
        expect(c.logConfiguration?.options?.["awslogs-group"]).toBe(logGroupRef);
      }
      expect(entriesIn(out, "aws_cloudwatch_log_group", "metadata").map(([id]) => id)).toContain(logGroupId);
    });

    test("the log group keeps logs the default 90 days", () => {
      expect(out.json.resource.aws_cloudwatch_log_group[logGroupId].retention_in_days).toBe(90);
    });
  });

  describe("task definition", () => {
    test("is Fargate with awsvpc networking", () => {
      expect(list(md.task.requires_compatibilities)).toEqual(["FARGATE"]);
      expect(md.task.network_mode).toBe("awsvpc");
    });

    test("has the default size, 512 CPU units and 1024 MiB", () => {
      expect(String(md.task.cpu)).toBe("512");
      expect(String(md.task.memory)).toBe("1024");
    });

    test("every container runs the default image pinned to its tag", () => {
      for (const c of md.containers) expect(c.image).toBe("netflixoss/metaflow_metadata_service:v2.5.1");
    });

    test("has exactly two containers, migrate and metadata-service", () => {
      expect(sorted(md.containers.map((c) => c.name))).toEqual(["metadata-service", "migrate"]);
    });

    test("the service runs the task definition", () => {
      expect(md.service.task_definition).toBe(ref("aws_ecs_task_definition", md.taskId, "arn"));
    });
  });

  describe("the migrate container", () => {
    const migrate = md.container("migrate");

    test("is not essential", () => {
      expect(migrate.essential).toBe(false);
    });

    test("runs run_goose.py under the migration lock (one task at a time; migration-lock.test.ts runs it)", () => {
      const command = list(migrate.command) as string[];
      expect(command.slice(0, 2)).toEqual(["/opt/latest/bin/python3", "-c"]);
      expect(command[2]).toContain("pg_advisory_lock");
      expect(command.slice(3)).toEqual(["/opt/latest/bin/python3", "/root/run_goose.py"]);
    });

    test("maps no ports", () => {
      expect(list(migrate.portMappings)).toEqual([]);
    });
  });

  describe("the metadata-service container", () => {
    const server = md.container("metadata-service");

    test("is essential", () => {
      expect(server.essential).toBe(true);
    });

    test("maps port 8080 only", () => {
      const mappings = list(server.portMappings) as Body[];
      expect(mappings.map((m) => m.containerPort)).toEqual([8080]);
      for (const m of mappings) expect(m.hostPort ?? 8080).toBe(8080);
    });

    test("starts only after migrate completes successfully", () => {
      expect(list(server.dependsOn)).toEqual([{ containerName: "migrate", condition: "SUCCESS" }]);
    });

    test("has no MF_MIGRATION_ENDPOINTS_ENABLED: only the migration service reads it, and this container runs the API alone", () => {
      expect(envOf(server)).not.toHaveProperty("MF_MIGRATION_ENDPOINTS_ENABLED");
      expect(list(server.command)).toEqual(["/opt/latest/bin/python3", "-m", "services.metadata_service.server"]);
    });
  });

  describe("database settings of both containers", () => {
    test("MF_METADATA_DB_SSL_MODE is require", () => {
      for (const c of md.containers) expect([c.name, envOf(c).MF_METADATA_DB_SSL_MODE]).toEqual([c.name, "require"]);
    });

    test("MF_METADATA_DB_HOST is the database instance's address", () => {
      for (const c of md.containers) expect([c.name, envOf(c).MF_METADATA_DB_HOST]).toEqual([c.name, md.instanceAddress]);
    });

    test("MF_METADATA_DB_PSWD comes from the RDS-managed secret's password key, through secrets", () => {
      for (const c of md.containers) {
        const pswd = (list(c.secrets) as Body[]).filter((s) => s.name === "MF_METADATA_DB_PSWD");
        expect([c.name, pswd.map((s) => s.valueFrom)]).toEqual([c.name, [`${md.secretArn}:password::`]]);
      }
    });

    test("MF_METADATA_DB_PSWD is never in a container's environment", () => {
      for (const c of md.containers) expect([c.name, Object.keys(envOf(c)).filter((k) => /PSWD|PASSWORD/i.test(k))]).toEqual([c.name, []]);
    });

    test("no environment value references the database secret", () => {
      for (const c of md.containers) {
        for (const value of Object.values(envOf(c))) expect(String(value)).not.toMatch(/master_user_secret|password/i);
      }
    });
  });

  test("no container maps port 8082 (the migration service)", () => {
    for (const c of md.containers) {
      for (const m of list(c.portMappings) as Body[]) {
        expect(m.containerPort).not.toBe(8082);
        expect(m.hostPort).not.toBe(8082);
      }
    }
  });

  describe("execution role", () => {
    const statements = statementsOfRole(out, executionRoleId);
    const role = out.json.resource.aws_iam_role[executionRoleId];

    test("is assumed by ecs-tasks.amazonaws.com", () => {
      const trust = policyDoc(role.assume_role_policy).Statement as Body[];
      expect(trust.map((s) => s.Principal?.Service)).toEqual(["ecs-tasks.amazonaws.com"]);
    });

    test("may read exactly the database's master secret", () => {
      const secrets = statements.filter((s) => list(s.Action).some((a) => String(a).startsWith("secretsmanager:")));
      expect(secrets.length).toBeGreaterThan(0);
      for (const s of secrets) {
        expect(s.Effect).toBe("Allow");
        expect(list(s.Resource)).toEqual([md.secretArn]);
      }
      expect(actionsOf(secrets)).toEqual(["secretsmanager:GetSecretValue"]);
    });

    test("may decrypt with the database key, and no other key", () => {
      const kms = statements.filter((s) => list(s.Action).some((a) => String(a).startsWith("kms:")));
      expect(kms.length).toBeGreaterThan(0);
      for (const s of kms) expect(list(s.Resource)).toEqual([md.dbKeyArn]);
      expect(actionsOf(kms)).toContain("kms:Decrypt");
      expect(actionsOf(kms).filter((a) => !["kms:Decrypt", "kms:DescribeKey"].includes(a))).toEqual([]);
    });

    test("may write to the service's log group only", () => {
      const logs = statements.filter((s) => list(s.Action).some((a) => String(a).startsWith("logs:")));
      expect(actionsOf(logs)).toEqual(expect.arrayContaining(["logs:CreateLogStream", "logs:PutLogEvents"]));
      const groupArn = ref("aws_cloudwatch_log_group", logGroupId, "arn");
      for (const s of logs) for (const r of list(s.Resource)) expect([groupArn, `${groupArn}:*`]).toContain(r);
    });

    test("may pull images", () => {
      expect(actionsOf(statements)).toEqual(
        expect.arrayContaining(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]),
      );
    });

    test("has no permissions beyond ECR, logs, the secret and its key", () => {
      const services = new Set(actionsOf(statements).map((a) => a.split(":")[0]));
      expect([...services].sort()).toEqual(["ecr", "kms", "logs", "secretsmanager"]);
    });
  });

  describe("task role", () => {
    test("there is none: the service keeps everything in the database and calls no AWS API, so its containers get no credentials", () => {
      expect(md.task.task_role_arn).toBeUndefined();
    });

    test("its execution role may not read the datastore either", () => {
      const actions = actionsOf(statementsOfRole(out, executionRoleId));
      expect(actions.filter((a) => a.startsWith("s3:"))).toEqual([]);
    });
  });

  describe("ECS service", () => {
    test("runs the default 2 tasks", () => {
      expect(md.service.desired_count).toBe(2);
    });

    test("launches on FARGATE", () => {
      expect(md.service.launch_type).toBe("FARGATE");
    });

    test("runs in the private subnets", () => {
      expect(md.privateSubnets.length).toBeGreaterThan(0);
      expect(sorted(list(md.networkConfiguration.subnets))).toEqual(md.privateSubnets);
    });

    test("assigns no public IP", () => {
      expect(md.networkConfiguration.assign_public_ip).toBe(false);
    });

    test("has a deployment circuit breaker with rollback", () => {
      const breaker = list(md.service.deployment_circuit_breaker)[0] as Body;
      expect(breaker).toEqual({ enable: true, rollback: true });
    });

    test("has a positive health check grace period", () => {
      expect(md.service.health_check_grace_period_seconds).toBeGreaterThan(0);
    });

    test("registers container metadata-service, port 8080, with the target group", () => {
      expect(list(md.service.load_balancer)).toEqual([
        { container_name: "metadata-service", container_port: 8080, target_group_arn: ref("aws_lb_target_group", md.targetsId, "arn") },
      ]);
    });

    test("depends on the listener", () => {
      expect(list(md.service.depends_on)).toContain(`aws_lb_listener.${md.listenerId}`);
    });
  });

  describe("internal load balancer", () => {
    test("is an internal network load balancer", () => {
      expect(md.lb.internal).toBe(true);
      expect(md.lb.load_balancer_type).toBe("network");
    });

    test("is in the private subnets", () => {
      expect(sorted(list(md.lb.subnets))).toEqual(md.privateSubnets);
    });

    test("has one listener: TCP 80 forwarding to the target group", () => {
      expect(md.listener.load_balancer_arn).toBe(ref("aws_lb", md.lbId, "arn"));
      expect(md.listener.port).toBe(80);
      expect(md.listener.protocol).toBe("TCP");
      expect(list(md.listener.default_action)).toEqual([{ type: "forward", target_group_arn: ref("aws_lb_target_group", md.targetsId, "arn") }]);
    });

    test("the target group is TCP 8080 with target type ip", () => {
      expect(md.targets.port).toBe(8080);
      expect(md.targets.protocol).toBe("TCP");
      expect(md.targets.target_type).toBe("ip");
    });

    test("the target group health check is HTTP on /healthcheck, which queries the database (/ping does not)", () => {
      const check = list(md.targets.health_check)[0] as Body;
      expect(check.protocol).toBe("HTTP");
      expect(check.path).toBe("/healthcheck");
      expect(check.matcher).toBe("200");
    });

    test("a task is taken out only after failing for longer than a Multi-AZ failover (about 2 minutes)", () => {
      const check = list(md.targets.health_check)[0] as Body;
      expect(check.interval * check.unhealthy_threshold).toBeGreaterThan(120);
      expect(check.timeout).toBeLessThan(check.interval);
    });

    test("enforce_security_group_inbound_rules_on_private_link_traffic is off with the API gateway (default)", () => {
      expect(md.lb.enforce_security_group_inbound_rules_on_private_link_traffic).toBe("off");
    });
  });

  describe("security groups", () => {
    test("the load balancer and the service have different security groups", () => {
      expect(md.lbGroup).not.toBe(md.serviceGroup);
    });

    test("the load balancer allows port 80 from the Batch security group and nothing else", () => {
      expect(rulesOn(out, md.lbGroup, "ingress").map(shape)).toEqual([{ protocol: "tcp", from: 80, to: 80, peer: computeGroup }]);
    });

    test("the load balancer's egress goes only to the service security group on 8080", () => {
      expect(rulesOn(out, md.lbGroup, "egress").map(shape)).toEqual([{ protocol: "tcp", from: 8080, to: 8080, peer: md.serviceGroup }]);
    });

    test("the service allows 8080 only from the load balancer's security group", () => {
      expect(rulesOn(out, md.serviceGroup, "ingress").map(shape)).toEqual([{ protocol: "tcp", from: 8080, to: 8080, peer: md.lbGroup }]);
    });

    test("the service reaches out only over HTTPS and to the database on 5432", () => {
      const [databaseGroup] = entriesIn(out, "aws_security_group", "database").map(([id]) => ref("aws_security_group", id));
      const egress = rulesOn(out, md.serviceGroup, "egress").map(shape);
      expect(egress).toHaveLength(2);
      expect(egress).toEqual(expect.arrayContaining([
        { protocol: "tcp", from: 443, to: 443, peer: "0.0.0.0/0" },
        { protocol: "tcp", from: 5432, to: 5432, peer: databaseGroup },
      ]));
    });
  });
});

describe("Metadata service (configured)", () => {
  const CLIENT_CIDRS = ["10.50.0.0/16", "192.168.10.0/24"];
  const out = synth({
    service: {
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow/metadata",
      imageTag: "v2.4.12",
      cpu: 1024,
      memoryMiB: 4096,
      desiredCount: 3,
      logRetentionDays: 30,
      clientCidrs: CLIENT_CIDRS,
    },
  });
  const md = metadata(out);

  test("the task has the configured cpu and memory", () => {
    expect(String(md.task.cpu)).toBe("1024");
    expect(String(md.task.memory)).toBe("4096");
  });

  test("every container runs the configured image and tag", () => {
    for (const c of md.containers) expect(c.image).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow/metadata:v2.4.12");
  });

  test("the service runs the configured desiredCount", () => {
    expect(md.service.desired_count).toBe(3);
  });

  test("the log group keeps logs the configured logRetentionDays", () => {
    const logGroupId = idOf("aws_cloudwatch_log_group", md.container("metadata-service").logConfiguration.options["awslogs-group"]);
    expect(out.json.resource.aws_cloudwatch_log_group[logGroupId].retention_in_days).toBe(30);
  });

  test("the load balancer allows port 80 from the Batch security group and each clientCidrs entry, nothing else", () => {
    const computeGroup = ref("aws_security_group", entryIn(out, "aws_security_group", "compute")[0]);
    const expected = [computeGroup, ...CLIENT_CIDRS].map((peer) => ({ protocol: "tcp", from: 80, to: 80, peer }));
    const byPeer = (a: Body, b: Body) => String(a.peer).localeCompare(String(b.peer));
    expect(rulesOn(out, md.lbGroup, "ingress").map(shape).sort(byPeer)).toEqual(expected.sort(byPeer));
  });

  test("an imageTag of latest is rejected", () => {
    expect(() => synth({ service: { imageTag: "latest" } })).toThrow(/imageTag/);
  });
});

describe('Metadata service with publicAccess "internal"', () => {
  const md = metadata(synth({ service: { publicAccess: "internal" } }));

  test("enforce_security_group_inbound_rules_on_private_link_traffic is on", () => {
    expect(md.lb.enforce_security_group_inbound_rules_on_private_link_traffic).toBe("on");
  });
});

describe("After the database password rotates", () => {
  const out = synth({ accountId: "111122223333" });
  const rule = out.resource("aws_cloudwatch_event_rule");
  const target = out.resource("aws_cloudwatch_event_target");
  const machine = out.resource("aws_sfn_state_machine");
  const [instanceId] = entryIn(out, "aws_db_instance", "database");
  const secretArn = `\${aws_db_instance.${instanceId}.master_user_secret[0].secret_arn}`;
  const [serviceId] = entryIn(out, "aws_ecs_service", "metadata");
  const roleNamed = (name: string) => Object.entries<Body>(out.json.resource.aws_iam_role).find(([, r]) => r.name === name)!;
  const statementsOf = (roleId: string) =>
    out.resources("aws_iam_role_policy").filter((p) => p.role === ref("aws_iam_role", roleId, "id")).flatMap((p) => policyDoc(p.policy).Statement as Body[]);

  test("an EventBridge rule listens for Secrets Manager's RotationSucceeded of exactly the database's secret", () => {
    expect(policyDoc(rule.event_pattern)).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS Service Event via CloudTrail"],
      detail: { eventSource: ["secretsmanager.amazonaws.com"], eventName: ["RotationSucceeded"], additionalEventData: { SecretId: [secretArn] } },
    });
  });

  test("its one target is a state machine that forces a new deployment of exactly the metadata service", () => {
    expect(target.rule).toBe(ref("aws_cloudwatch_event_rule", entryIn(out, "aws_cloudwatch_event_rule", "metadata")[0], "name"));
    expect(target.arn).toBe(ref("aws_sfn_state_machine", entryIn(out, "aws_sfn_state_machine", "metadata")[0], "arn"));
    const definition = policyDoc(machine.definition) as Body;
    expect(Object.keys(definition.States)).toEqual(["ForceNewDeployment"]);
    expect(definition.States.ForceNewDeployment).toMatchObject({
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
      Parameters: { Service: ref("aws_ecs_service", serviceId, "id"), ForceNewDeployment: true },
    });
  });

  test("the rule's role may only start that state machine, and only this rule may use the role", () => {
    const [roleId, role] = roleNamed("metaflow-dev-restart-metadata-events");
    expect(statementsOf(roleId)).toEqual([{ Sid: "StartTheRestart", Effect: "Allow", Action: ["states:StartExecution"], Resource: target.arn }]);
    expect(target.role_arn).toBe(ref("aws_iam_role", roleId, "arn"));
    expect((policyDoc(role.assume_role_policy).Statement as Body[])[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "111122223333" },
      ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/metaflow-dev-db-password-rotated" },
    });
  });

  test("the state machine's role may update only the metadata service (and deliver its execution logs)", () => {
    const [roleId] = roleNamed("metaflow-dev-restart-metadata");
    const statements = statementsOf(roleId);
    const restart = statements.find((st) => st.Sid === "RestartTheService")!;
    expect(restart).toEqual({ Sid: "RestartTheService", Effect: "Allow", Action: ["ecs:UpdateService"], Resource: ref("aws_ecs_service", serviceId, "id") });
    const others = statements.filter((st) => st !== restart).flatMap((st) => list(st.Action));
    expect(others.every((a) => String(a).startsWith("logs:"))).toBe(true);
  });

  test("the state machine logs every run, with its input and output, to a log group with retention", () => {
    const logging = list(machine.logging_configuration)[0] as Body;
    expect(logging.level).toBe("ALL");
    expect(logging.include_execution_data).toBe(true);
    const group = out.resources("aws_cloudwatch_log_group").find((g) => String(g.name).endsWith("/restart-metadata"))!;
    expect(group.retention_in_days).toBe(90);
  });

  test("the new tasks read the new password: it comes through ECS secrets, read at every container start", () => {
    const md = metadata(out);
    for (const c of md.containers) expect(list(c.secrets).map((x: any) => x.name)).toEqual(["MF_METADATA_DB_PSWD"]);
  });
});

describe("The rotation schedule", () => {
  test("is every 7 days by default, set on the RDS-managed secret, and creating it rotates nothing", () => {
    const out = synth();
    const rotation = out.resource("aws_secretsmanager_secret_rotation");
    const [instanceId] = entryIn(out, "aws_db_instance", "database");
    expect(rotation.secret_id).toBe(`\${aws_db_instance.${instanceId}.master_user_secret[0].secret_arn}`);
    expect(rotation.rotation_rules).toEqual({ automatically_after_days: 7 });
    expect(rotation.rotate_immediately).toBe(false);
  });

  test("database.passwordRotationDays sets it", () => {
    expect(synth({ database: { passwordRotationDays: 30 } }).resource("aws_secretsmanager_secret_rotation").rotation_rules).toEqual({ automatically_after_days: 30 });
  });
});

describe("TLS to the database", () => {
  test("verify-full sets the CA bundle's path under both names: the service's and run_goose.py's", () => {
    const md = metadata(synth({ service: { databaseTls: { mode: "verify-full", rootCertPath: "/etc/ssl/certs/rds-global-bundle.pem" } } }));
    for (const c of md.containers) {
      expect([c.name, envOf(c).MF_METADATA_DB_SSL_MODE, envOf(c).MF_METADATA_DB_SSL_ROOT_CERT_PATH, envOf(c).MF_METADATA_DB_SSL_ROOT_CERT]).toEqual([
        c.name, "verify-full", "/etc/ssl/certs/rds-global-bundle.pem", "/etc/ssl/certs/rds-global-bundle.pem",
      ]);
    }
  });

  test("require (the default) names no certificate", () => {
    for (const c of metadata(synth()).containers) expect(Object.keys(envOf(c)).filter((k) => k.includes("ROOT_CERT"))).toEqual([]);
  });
});

describeWithTerraform("terraform: TLS to the database in the plain-Terraform service module", () => {
  let run: Run;
  const task = Object.keys(synthesizeModules().find((m) => m.name === "service")!.json.resource.aws_ecs_task_definition)[0];
  const env = `{ for c in jsondecode(aws_ecs_task_definition.${task}.container_definitions) : c.name => { for e in c.environment : e.name => e.value } }`;

  beforeAll(async () => {
    const modules = synthesizeModules();
    const root = new HclRoot("service-tls", `${MODULES_DIR}/service`, undefined, { offline: false });
    try {
      fs.writeFileSync(
        path.join(root.dir, "tls.tftest.hcl"),
        `${mockProvider(modules)}
${usageVariables(modules.find((m) => m.name === "service")!)}

run "verify_full" {
  command = apply
  variables {
    database_tls_mode       = "verify-full"
    database_root_cert_path = "/etc/ssl/certs/rds-global-bundle.pem"
  }
  assert {
    condition     = alltrue([for name, e in ${env} : e.MF_METADATA_DB_SSL_MODE == "verify-full" && e.MF_METADATA_DB_SSL_ROOT_CERT_PATH == "/etc/ssl/certs/rds-global-bundle.pem" && e.MF_METADATA_DB_SSL_ROOT_CERT == "/etc/ssl/certs/rds-global-bundle.pem"]) && length(${env}) == 2
    error_message = "verify-full must give both containers the mode and the bundle's path under both names"
  }
}

run "require" {
  command = apply
  assert {
    condition     = alltrue([for name, e in ${env} : e.MF_METADATA_DB_SSL_MODE == "require" && length([for k in keys(e) : k if strcontains(k, "ROOT_CERT")]) == 0]) && length(${env}) == 2
    error_message = "require (the default) must name no certificate"
  }
}
`,
      );
      await root.init();
      // This file only: the module's own generated test (tests/service.tftest.hcl) runs in terraform-modules.test.ts.
      run = await root.run("test", "-filter=tls.tftest.hcl");
    } finally {
      root.remove();
    }
  }, 600_000);

  test("verify-full gives both containers the bundle's path under both names, require (the default) names none, decided by Terraform", () => {
    expect([run.out.includes('run "verify_full"... pass'), run.out.includes('run "require"... pass'), run.out.match(/\d+ passed, \d+ failed/)?.[0]]).toEqual([true, true, "2 passed, 0 failed"]);
  });
});
