import { entryIn, ref } from "../support/json";
import { ECR_SERVICE_IMAGE, withUi } from "../support/configs";
import { envOf, only, rulesOn, shape, statementsOfRole, synthOnce, ui } from "./support";

/** The UI backend: the metadata service's image running the UI server, reading the datastore and the database. */

describe("the UI backend", () => {
  const out = synthOnce(withUi({ backend: { cpu: 2048, memoryMiB: 8192, desiredCount: 2 } }, { service: { imageTag: "v2.5.0" } }));
  const { backend, lbGroupRef } = ui(out);
  const c = backend.container;
  const env = envOf(c);
  const [dbId] = entryIn(out, "aws_db_instance", "database");
  const [dbGroupId] = entryIn(out, "aws_security_group", "database");
  const [bucketId] = entryIn(out, "aws_s3_bucket", "storage");
  const [datastoreKeyId] = entryIn(out, "aws_kms_key", "storage");
  const [dbKeyId] = entryIn(out, "aws_kms_key", "database");

  test("runs the metadata service's image and tag with the UI server on 8083", () => {
    expect(c.image).toBe("netflixoss/metaflow_metadata_service:v2.5.0");
    expect(c.command).toEqual(["/opt/latest/bin/python3", "-m", "services.ui_backend_service.ui_server"]);
    expect(c.portMappings).toEqual([{ containerPort: 8083, protocol: "tcp" }]);
  });

  test("serves under /api with its bundled frontend off", () => {
    expect(env).toMatchObject({ PATH_PREFIX: "/api", UI_ENABLED: "0" });
  });

  test("connects to the primary over TLS as the metadata user, for its reads too (there is no read replica)", () => {
    expect(env).toMatchObject({
      MF_METADATA_DB_HOST: ref("aws_db_instance", dbId, "address"), MF_METADATA_DB_PORT: "5432", MF_METADATA_DB_NAME: "metaflow",
      MF_METADATA_DB_USER: "metaflow", MF_METADATA_DB_SSL_MODE: "require",
    });
    expect(env.USE_SEPARATE_READER_POOL).toBeUndefined();
    expect(env.MF_METADATA_DB_READ_REPLICA_HOST).toBeUndefined();
    expect(out.resources("aws_db_instance")).toHaveLength(1);
  });

  test("gets the password only through ECS secrets, from the RDS-managed secret", () => {
    expect(c.secrets).toEqual([{ name: "MF_METADATA_DB_PSWD", valueFrom: `\${aws_db_instance.${dbId}.master_user_secret[0].secret_arn}:password::` }]);
    expect(Object.keys(env).filter((k) => /PSWD|PASSWORD|SECRET/.test(k))).toEqual([]);
  });

  test("reads the datastore through the Metaflow client of the same process", () => {
    const sysroot = `s3://${ref("aws_s3_bucket", bucketId, "bucket")}/metaflow`;
    expect(env).toMatchObject({
      MF_DATASTORE_ROOT: sysroot, METAFLOW_DATASTORE_SYSROOT_S3: sysroot, METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_DEFAULT_METADATA: "service",
      METAFLOW_SERVICE_URL: "http://localhost:8083/api/metadata",
    });
  });

  test("retries the database for five minutes at start (the schema may still be migrating)", () => {
    expect(Number(env.MF_SERVICE_CONNECTION_RETRIES) * Number(env.MF_SERVICE_CONNECTION_RETRY_WAITTIME_SECONDS)).toBe(300);
    expect(backend.ecs.health_check_grace_period_seconds).toBeGreaterThan(300);
  });

  test("is healthy only while it reaches the database (/api/metadata/healthcheck runs SELECT 1)", () => {
    expect(backend.targets.health_check).toMatchObject({ path: "/api/metadata/healthcheck", protocol: "HTTP", matcher: "200", port: "traffic-port" });
    expect(backend.targets).toMatchObject({ port: 8083, protocol: "HTTP", target_type: "ip", name_prefix: "mfuib-" });
  });

  test("does not flap during a Multi-AZ failover: unhealthy only after more than two minutes of failed checks", () => {
    const { interval, unhealthy_threshold: failures, healthy_threshold: passes } = backend.targets.health_check;
    expect(interval * failures).toBeGreaterThan(120);
    expect(passes).toBe(2);
  });

  test("runs its size and count on Fargate in the private subnets without public IPs", () => {
    expect(backend.task).toMatchObject({ cpu: "2048", memory: "8192", requires_compatibilities: ["FARGATE"], network_mode: "awsvpc" });
    expect(backend.ecs).toMatchObject({ desired_count: 2, launch_type: "FARGATE" });
    expect(backend.ecs.network_configuration.assign_public_ip).toBe(false);
  });

  test("rolls a failed deployment back", () => {
    expect(backend.ecs.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
  });

  test("runs in the UI's own cluster, with Container Insights", () => {
    const [clusterId, cluster] = only(out, "aws_ecs_cluster", "ui");
    expect(backend.ecs.cluster).toBe(ref("aws_ecs_cluster", clusterId, "arn"));
    expect(cluster).toMatchObject({ name: "metaflow-dev-ui", setting: [{ name: "containerInsights", value: "enabled" }] });
  });

  test("may reach HTTPS endpoints and the database only; the database admits it", () => {
    expect(rulesOn(out, backend.groupRef, "egress").map(shape)).toEqual(expect.arrayContaining([
      { protocol: "tcp", from: 443, to: 443, peer: "0.0.0.0/0" },
      { protocol: "tcp", from: 5432, to: 5432, peer: ref("aws_security_group", dbGroupId) },
    ]));
    expect(rulesOn(out, backend.groupRef, "egress")).toHaveLength(2);
    expect(rulesOn(out, ref("aws_security_group", dbGroupId), "ingress").map(shape)).toContainEqual({ protocol: "tcp", from: 5432, to: 5432, peer: backend.groupRef });
    expect(rulesOn(out, backend.groupRef, "ingress").map((r) => r.referenced_security_group_id)).toEqual([lbGroupRef]);
  });

  test("its task role reads the datastore: list and get, decrypt with the datastore key, nothing else", () => {
    const statements = statementsOfRole(out, "metaflow-dev-ui-backend-task");
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    expect(statements.find((s) => s.Sid === "DatastoreKey")?.Resource).toBe(ref("aws_kms_key", datastoreKeyId, "arn"));
  });

  test("its execution role reads the database secret and writes its logs; no ECR for a Docker Hub image", () => {
    const statements = statementsOfRole(out, "metaflow-dev-ui-backend-execution");
    expect(statements.map((s) => s.Sid).sort()).toEqual(["DatabaseSecret", "DatabaseSecretKey", "WriteLogs"]);
    expect(statements.find((s) => s.Sid === "DatabaseSecretKey")?.Resource).toBe(ref("aws_kms_key", dbKeyId, "arn"));
  });

  test("an ECR image gets the pull permissions for the region", () => {
    const ecr = synthOnce(withUi({}, { service: { image: ECR_SERVICE_IMAGE } }));
    const statements = statementsOfRole(ecr, "metaflow-dev-ui-backend-execution");
    expect(statements.find((s) => s.Sid === "PullImages")?.Resource).toBe("arn:aws:ecr:us-east-1:*:repository/*");
  });

  test("its logs are kept ui.logRetentionDays", () => {
    const days = synthOnce(withUi({ logRetentionDays: 30 })).resources("aws_cloudwatch_log_group").find((g) => g.name === "/metaflow/metaflow-dev/ui-backend");
    expect(days.retention_in_days).toBe(30);
  });
});
