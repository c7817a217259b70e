import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { partitionFor } from "../partition";
import { Naming, targetGroupPrefix } from "../naming";
import { INetwork } from "../network";
import { ECR_AUTH, ECR_PULL, LOGS_WRITE } from "../perms";
import { PolicyStatement } from "../policy";
import { Role } from "../role";
import { HTTPS_PORT, UiLoadBalancer, UiRoute } from "./load-balancer";

/** One container's start: image, command, port, plain settings and the settings read from secrets. */
export interface UiContainer {
  readonly name: string;
  readonly image: string;
  /** @default the image's own command */
  readonly command?: readonly string[];
  readonly port: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Variables ECS fills from Secrets Manager (`valueFrom` ARNs): never in the task definition's environment. @default none */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** The target group's health check: a path that answers 200 only when the service can do its work. */
export interface UiHealthCheck {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** Time after a task starts before failed checks count against it. */
  readonly graceSeconds: number;
}

export interface UiServiceProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly cluster: EcsCluster;
  readonly loadBalancer: UiLoadBalancer;
  /** Its part of the names (roles, security group, log group, task family, service): `ui-backend`. */
  readonly purpose: string;
  /** The target group's `name_prefix` before its hyphen, at most five characters: `mfuib`. */
  readonly targetGroupPrefix: string;
  /** What it does, for descriptions: "UI backend". */
  readonly title: string;
  readonly container: UiContainer;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly route: UiRoute;
  readonly healthCheck: UiHealthCheck;
  readonly logRetentionDays: number;
  /** A task role (for grants); without one, the tasks get no AWS credentials. @default false */
  readonly taskRole?: boolean;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
}

const PRIVATE_ECR_IMAGE = /\.dkr\.ecr(-fips)?\./;

/**
 * One of the UI's Fargate services behind the UI load balancer: its tasks in the private subnets without
 * public IPs, in a security group that admits the load balancer on the container's port only and lets
 * out HTTPS (images, logs, secrets; more through `securityGroup`), a target group whose health check is
 * `healthCheck`, the route that forwards to it, a deployment circuit breaker that rolls back, logs with
 * retention, and an execution role that may pull from ECR in the region (only for an ECR image) and
 * write its logs.
 */
export class UiService extends Construct {
  public readonly securityGroup: SecurityGroup;
  public readonly executionRole: Role;
  /** Undefined unless `taskRole` was asked for. */
  public readonly taskRole?: Role;
  public readonly targetGroup: LbTargetGroup;
  public readonly service: EcsService;

  constructor(scope: Construct, id: string, props: UiServiceProps) {
    super(scope, id);
    const { naming, container } = props;
    const role = (roleId: string, purpose: string, description: string) =>
      new Role(this, roleId, { name: naming.iamRole(purpose), assumedBy: "ecs-tasks.amazonaws.com", description, permissionsBoundaryArn: props.permissionsBoundaryArn });

    const logs = new CloudwatchLogGroup(this, "logs", { name: naming.logGroup(props.purpose), retentionInDays: props.logRetentionDays });
    this.executionRole = role("execution-role", `${props.purpose}-execution`, `Starts the Metaflow ${props.title}: image pull, logs${container.secrets ? ", the database secret" : ""}`);
    const statements: PolicyStatement[] = [{ Sid: "WriteLogs", Effect: "Allow", Action: LOGS_WRITE, Resource: `${logs.arn}:*` }];
    if (Token.isUnresolved(container.image) || PRIVATE_ECR_IMAGE.test(container.image)) {
      statements.unshift(
        { Sid: "PullImages", Effect: "Allow", Action: ECR_PULL, Resource: `arn:${partitionFor(this, props.region)}:ecr:${props.region}:*:repository/*` },
        // GetAuthorizationToken has no resource-level permissions; AWS accepts only "*".
        { Sid: "EcrLogin", Effect: "Allow", Action: ECR_AUTH, Resource: "*" },
      );
    }
    this.executionRole.addPolicy("task-execution", statements);
    if (props.taskRole) this.taskRole = role("task-role", `${props.purpose}-task`, `The Metaflow ${props.title} at run time`);

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.securityGroup(props.purpose),
      description: `Metaflow ${props.title} tasks: ${container.port} from the UI load balancer; out to HTTPS endpoints`,
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource(props.purpose) },
    });
    new VpcSecurityGroupEgressRule(this, "to-https", {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      description: "Image pulls, secrets, logs and S3 (HTTPS)",
    });

    const check = props.healthCheck;
    this.targetGroup = new LbTargetGroup(this, "targets", {
      namePrefix: targetGroupPrefix(props.targetGroupPrefix),
      port: container.port,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: props.network.vpcId,
      deregistrationDelay: "30",
      healthCheck: {
        protocol: "HTTP",
        path: check.path,
        port: "traffic-port",
        matcher: "200",
        interval: check.intervalSeconds,
        timeout: check.timeoutSeconds,
        healthyThreshold: check.healthyThreshold,
        unhealthyThreshold: check.unhealthyThreshold,
      },
      lifecycle: { createBeforeDestroy: true },
    });
    const rule = props.loadBalancer.route(props.purpose, props.route, { targetGroup: this.targetGroup, securityGroup: this.securityGroup, port: container.port });

    const task = new EcsTaskDefinition(this, "task", {
      family: naming.ecs(props.purpose),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole?.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: Fn.jsonencode([
        {
          name: container.name,
          image: container.image,
          essential: true,
          ...(container.command && { command: [...container.command] }),
          portMappings: [{ containerPort: container.port, protocol: "tcp" }],
          environment: Object.entries(container.environment).map(([name, value]) => ({ name, value })),
          ...(container.secrets && { secrets: Object.entries(container.secrets).map(([name, valueFrom]) => ({ name, valueFrom })) }),
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logs.name, "awslogs-region": props.region, "awslogs-stream-prefix": container.name },
          },
        },
      ]),
    });

    this.service = new EcsService(this, "service", {
      name: naming.ecs(props.purpose),
      cluster: props.cluster.arn,
      taskDefinition: task.arn,
      desiredCount: props.desiredCount,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: { subnets: props.network.privateSubnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
      loadBalancer: [{ targetGroupArn: this.targetGroup.arn, containerName: container.name, containerPort: container.port }],
      healthCheckGracePeriodSeconds: check.graceSeconds,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      // ECS needs the target group attached to the load balancer (through the rule) before the service.
      dependsOn: [rule],
    });
  }
}
