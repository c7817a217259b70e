import { Construct } from "constructs";
import { Fn, TerraformIterator, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Arns } from "./arns";
import { choose, Condition, equals } from "./condition";
import { concatLists } from "./expression";
import { ServiceConfig } from "./config/service-config";
import { Database, DATABASE_NAME, MASTER_USERNAME, POSTGRES_PORT } from "./database";
import { Naming } from "./naming";
import { INetwork } from "./network";
import { migrateCommand } from "./migration-lock";
import { ECR_AUTH, ECR_PULL, LOGS_WRITE } from "./perms";
import { RestartOnRotation } from "./restart-on-rotation";
import { Role } from "./role";

export interface MetadataServiceProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly database: Database;
  readonly config: ServiceConfig;
  /** The API gateway reaches the load balancer through PrivateLink (a VPC link). @default false */
  readonly privateLinkClients?: Condition;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs and no source-account trust conditions */
  readonly accountId?: string;
}

/** The metadata API (reference §3). The migration service's port, 8082, is never mapped. */
export const SERVICE_PORT = 8080;
const LISTENER_PORT = 80;
const HTTPS_PORT = 443;
/**
 * The health check that decides whether a task serves: `/healthcheck` runs `SELECT 1` through the service's
 * own connection pool, so a task that cannot reach the database, or holds a rotated-away password, fails
 * it (`/ping` never touches the database). Every 30 s, out after 5 failures in a row: 2.5 minutes, longer
 * than a Multi-AZ failover (about 2), so a failover does not take every task out at once.
 */
export const HEALTH_CHECK = { path: "/healthcheck", intervalSeconds: 30, unhealthyThreshold: 5, healthyThreshold: 2, timeoutSeconds: 10 } as const;
/** Time for a new task to migrate the schema and start before health checks count. */
const HEALTH_GRACE_SECONDS = 180;
const SERVICE_CONTAINER = "metadata-service";
const MIGRATE_CONTAINER = "migrate";
const PYTHON = "/opt/latest/bin/python3";

/**
 * The Metaflow metadata service on ECS Fargate behind an internal Network Load Balancer (80 to 8080,
 * HTTP health check on /healthcheck, which queries the database). Each task first migrates the schema to
 * its image's version in a one-shot `migrate` container, one task at a time (a PostgreSQL advisory lock:
 * migration-lock.ts), then the API starts; so deploying a new image tag is the upgrade, and a failed
 * migration stops the new task before it serves, the circuit breaker rolling the deployment back. The
 * database password reaches containers only through ECS `secrets` from the RDS-managed secret, and every
 * rotation of it replaces the tasks (restart-on-rotation.ts). Two tasks by default, spread over zones, in
 * private subnets without public IPs.
 */
export class MetadataService extends Construct {
  public readonly cluster: EcsCluster;
  public readonly loadBalancer: Lb;
  public readonly service: EcsService;
  public readonly executionRole: Role;
  public readonly serviceSecurityGroup: SecurityGroup;
  public readonly loadBalancerSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: MetadataServiceProps) {
    super(scope, id);
    const { naming, config, database } = props;
    const arns = Arns.for(this, props.region, props.accountId);
    const role = (roleId: string, purpose: string, description: string) =>
      new Role(this, roleId, {
        name: naming.iamRole(purpose),
        assumedBy: "ecs-tasks.amazonaws.com",
        description,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
        trustConditions: arns.trustConditions("ecs-tasks.amazonaws.com", arns.of("ecs", "*")),
      });

    this.cluster = new EcsCluster(this, "cluster", {
      name: naming.ecs("metadata"),
      setting: [{ name: "containerInsights", value: "enabled" }],
    });

    const logs = new CloudwatchLogGroup(this, "logs", {
      name: naming.logGroup("metadata-service"),
      retentionInDays: config.logRetentionDays,
    });

    this.executionRole = role("execution-role", "metadata-execution", "Starts the metadata service: image pull, logs, the database secret");
    this.executionRole.addPolicy("task-execution", [
      { Sid: "PullImages", Effect: "Allow", Action: ECR_PULL, Resource: arns.of("ecr", "repository/*") },
      // GetAuthorizationToken has no resource-level permissions; AWS accepts only "*".
      { Sid: "EcrLogin", Effect: "Allow", Action: ECR_AUTH, Resource: "*" },
      { Sid: "WriteLogs", Effect: "Allow", Action: LOGS_WRITE, Resource: `${logs.arn}:*` },
    ]);
    database.grantReadSecret(this.executionRole);

    this.loadBalancerSecurityGroup = new SecurityGroup(this, "lb-security-group", {
      name: naming.securityGroup("metadata-lb"),
      description: "Internal load balancer of the metadata service: port 80 from Metaflow clients in the VPC",
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource("metadata-lb") },
    });
    this.serviceSecurityGroup = new SecurityGroup(this, "service-security-group", {
      name: naming.securityGroup("metadata-service"),
      description: "Metadata service tasks: 8080 from the load balancer; out to the database and to HTTPS endpoints only",
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource("metadata-service") },
    });
    // Out: HTTPS (image registries, Secrets Manager, CloudWatch Logs, whose addresses change) and the
    // database. Standalone rules only: inline and standalone rules on one group fight each other.
    new VpcSecurityGroupEgressRule(this, "service-to-https", {
      securityGroupId: this.serviceSecurityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      description: "Image pulls, the database secret and logs (HTTPS)",
    });
    new VpcSecurityGroupEgressRule(this, "service-to-database", {
      securityGroupId: this.serviceSecurityGroup.id,
      referencedSecurityGroupId: database.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: "PostgreSQL to the metadata database",
    });
    new VpcSecurityGroupIngressRule(this, "service-from-lb", {
      securityGroupId: this.serviceSecurityGroup.id,
      referencedSecurityGroupId: this.loadBalancerSecurityGroup.id,
      ipProtocol: "tcp",
      fromPort: SERVICE_PORT,
      toPort: SERVICE_PORT,
      description: "Metadata API from the load balancer",
    });
    // Terraform strips the default allow-all egress: the load balancer may reach the tasks only.
    new VpcSecurityGroupEgressRule(this, "lb-to-service", {
      securityGroupId: this.loadBalancerSecurityGroup.id,
      referencedSecurityGroupId: this.serviceSecurityGroup.id,
      ipProtocol: "tcp",
      fromPort: SERVICE_PORT,
      toPort: SERVICE_PORT,
      description: "Forwarding and health checks to the metadata service tasks",
    });
    const fromCidr = (id: string, cidr: string, extra: { forEach?: TerraformIterator } = {}) =>
      new VpcSecurityGroupIngressRule(this, id, {
        ...extra,
        securityGroupId: this.loadBalancerSecurityGroup.id,
        cidrIpv4: cidr,
        ipProtocol: "tcp",
        fromPort: LISTENER_PORT,
        toPort: LISTENER_PORT,
        description: `Metadata API from ${cidr} (service.clientCidrs)`,
      });
    if (Token.isUnresolved(config.clientCidrs)) {
      const eachCidr = TerraformIterator.fromList(config.clientCidrs);
      fromCidr("lb-from-cidrs", eachCidr.value, { forEach: eachCidr });
    } else {
      config.clientCidrs.forEach((cidr, i) => fromCidr(`lb-from-cidr-${i}`, cidr));
    }
    database.allowFrom("metadata-service", this.serviceSecurityGroup);

    this.loadBalancer = new Lb(this, "load-balancer", {
      name: naming.loadBalancer("md"),
      internal: true,
      loadBalancerType: "network",
      subnets: props.network.privateSubnetIds,
      securityGroups: [this.loadBalancerSecurityGroup.id],
      // The API gateway's VPC link arrives over PrivateLink, which security groups cannot name.
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: choose(props.privateLinkClients ?? false, "off", "on"),
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: false,
    });
    const targets = new LbTargetGroup(this, "targets", {
      namePrefix: "mfmd-",
      port: SERVICE_PORT,
      protocol: "TCP",
      targetType: "ip",
      vpcId: props.network.vpcId,
      deregistrationDelay: "30",
      healthCheck: {
        protocol: "HTTP",
        path: HEALTH_CHECK.path,
        port: "traffic-port",
        matcher: "200",
        interval: HEALTH_CHECK.intervalSeconds,
        timeout: HEALTH_CHECK.timeoutSeconds,
        healthyThreshold: HEALTH_CHECK.healthyThreshold,
        unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
      },
      lifecycle: { createBeforeDestroy: true },
    });
    const listener = new LbListener(this, "listener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: LISTENER_PORT,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: targets.arn }],
    });

    const image = `${config.image}:${config.imageTag}`;
    const tls = config.databaseTls;
    // A literal mode (the app's config) decides at synth; a Terraform value (a module's variable) in Terraform.
    const verifyFull = equals(tls.mode, "verify-full");
    const rootCertPath = "rootCertPath" in tls ? tls.rootCertPath : undefined;
    const databaseEnv = concatLists<{ name: string; value: string | undefined }>(
      [
        { name: "MF_METADATA_DB_HOST", value: database.instance.address },
        { name: "MF_METADATA_DB_PORT", value: String(POSTGRES_PORT) },
        { name: "MF_METADATA_DB_NAME", value: DATABASE_NAME },
        { name: "MF_METADATA_DB_USER", value: MASTER_USERNAME },
        // The database refuses plain connections (rds.force_ssl); run_goose.py passes the mode on from v2.4.6.
        { name: "MF_METADATA_DB_SSL_MODE", value: tls.mode },
      ],
      // verify-full: the service reads MF_METADATA_DB_SSL_ROOT_CERT_PATH, run_goose.py (and the migration
      // lock) MF_METADATA_DB_SSL_ROOT_CERT.
      choose(
        verifyFull,
        [{ name: "MF_METADATA_DB_SSL_ROOT_CERT_PATH", value: rootCertPath }, { name: "MF_METADATA_DB_SSL_ROOT_CERT", value: rootCertPath }],
        [],
      ),
    );
    const secrets = [{ name: "MF_METADATA_DB_PSWD", valueFrom: `${database.secretArn}:password::` }];
    const logging = (prefix: string) => ({
      logDriver: "awslogs",
      options: { "awslogs-group": logs.name, "awslogs-region": props.region, "awslogs-stream-prefix": prefix },
    });
    const task = new EcsTaskDefinition(this, "task", {
      family: naming.ecs("metadata"),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(config.cpu),
      memory: String(config.memoryMiB),
      executionRoleArn: this.executionRole.arn,
      // No task role: the metadata service keeps everything in the database and calls no AWS API, so its
      // containers get no AWS credentials at all.
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: Fn.jsonencode([
        {
          name: MIGRATE_CONTAINER,
          image,
          essential: false,
          command: migrateCommand(PYTHON, [PYTHON, "/root/run_goose.py"]),
          environment: databaseEnv,
          secrets,
          logConfiguration: logging("migrate"),
        },
        {
          name: SERVICE_CONTAINER,
          image,
          essential: true,
          command: [PYTHON, "-m", "services.metadata_service.server"],
          portMappings: [{ containerPort: SERVICE_PORT, protocol: "tcp" }],
          // No MF_MIGRATION_ENDPOINTS_ENABLED: only the migration service (8082) reads it, and this task runs
          // the metadata API alone, which never serves /upgrade.
          environment: databaseEnv,
          secrets,
          dependsOn: [{ containerName: MIGRATE_CONTAINER, condition: "SUCCESS" }],
          logConfiguration: logging("service"),
        },
      ]),
    });

    this.service = new EcsService(this, "service", {
      name: naming.ecs("metadata"),
      cluster: this.cluster.arn,
      taskDefinition: task.arn,
      desiredCount: config.desiredCount,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: props.network.privateSubnetIds,
        securityGroups: [this.serviceSecurityGroup.id],
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: targets.arn, containerName: SERVICE_CONTAINER, containerPort: SERVICE_PORT }],
      healthCheckGracePeriodSeconds: HEALTH_GRACE_SECONDS,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      dependsOn: [listener],
    });

    new RestartOnRotation(this, "restart-on-rotation", {
      naming,
      region: props.region,
      secretArn: database.secretArn,
      clusterArn: this.cluster.arn,
      serviceArn: this.service.id,
      logRetentionDays: config.logRetentionDays,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });
  }

  /** What Batch jobs and Step Functions use: `http://<load balancer>/`. */
  public get internalUrl(): string {
    return `http://${this.loadBalancer.dnsName}/`;
  }

  /** Opens the load balancer's port to one security group (Batch jobs, a bastion). */
  public allowClients(id: string, source: { readonly id: string }): void {
    new VpcSecurityGroupIngressRule(this, `lb-from-${id}`, {
      securityGroupId: this.loadBalancerSecurityGroup.id,
      referencedSecurityGroupId: source.id,
      ipProtocol: "tcp",
      fromPort: LISTENER_PORT,
      toPort: LISTENER_PORT,
      description: `Metadata API from ${id}`,
    });
  }
}
