import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { Arns } from "./arns";
import { Naming } from "./naming";
import { ECS_UPDATE_SERVICE, LOGS_DELIVERY_MANAGEMENT, STATES_START } from "./perms";
import { Role } from "./role";

export interface RestartOnRotationProps {
  readonly naming: Naming;
  readonly region: string;
  /** The secret whose rotation restarts the service: the database's RDS-managed master secret. */
  readonly secretArn: string;
  readonly clusterArn: string;
  /** The ECS service's ARN (its `id`). */
  readonly serviceArn: string;
  /** Retention of the state machine's log group. */
  readonly logRetentionDays: number;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs and no source-account trust conditions */
  readonly accountId?: string;
}

/** What ends a rotation: Secrets Manager's event once the new password is set and current. */
export const ROTATION_SUCCEEDED = "RotationSucceeded";

/**
 * Replaces the metadata service's tasks as soon as its database password rotates. ECS reads `secrets` once,
 * when a container starts, and the service reconnects with the password it started with; so after a
 * rotation every task would fail its database calls until restarted. An EventBridge rule listens for
 * Secrets Manager's RotationSucceeded event of exactly this secret (delivered through CloudTrail) and starts
 * a one-step state machine that forces a new deployment of exactly this service (the SDK integration
 * ecs:updateService, no code). New tasks start, read the new password, pass their health check (which
 * queries the database) and take over; the old ones drain. Each role may do only its one call, on only
 * this rule, state machine and service. If an event is ever missed, the health check replaces the stale
 * tasks once their pooled connections recycle (within ten minutes).
 */
export class RestartOnRotation extends Construct {
  public readonly rule: CloudwatchEventRule;
  public readonly stateMachine: SfnStateMachine;

  constructor(scope: Construct, id: string, props: RestartOnRotationProps) {
    super(scope, id);
    const { naming } = props;
    const arns = Arns.for(this, props.region, props.accountId);
    const machineName = naming.stateMachine("restart-metadata");
    const ruleName = naming.eventRule("db-password-rotated");

    const logs = new CloudwatchLogGroup(this, "logs", {
      name: naming.vendedLogGroup("restart-metadata"),
      retentionInDays: props.logRetentionDays,
    });

    const machineRole = new Role(this, "state-machine-role", {
      name: naming.iamRole("restart-metadata"),
      assumedBy: "states.amazonaws.com",
      description: "Forces a new deployment of the metadata service after its database password rotates",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      trustConditions: arns.trustConditions("states.amazonaws.com", arns.of("states", `stateMachine:${machineName}`)),
    });
    machineRole.addPolicy("restart-service", [
      { Sid: "RestartTheService", Effect: "Allow", Action: ECS_UPDATE_SERVICE, Resource: props.serviceArn },
      // Vended-log delivery APIs accept only "*" (AWS's Step Functions logging documentation).
      { Sid: "ExecutionLogDelivery", Effect: "Allow", Action: LOGS_DELIVERY_MANAGEMENT, Resource: "*" },
    ]);

    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name: machineName,
      type: "STANDARD",
      roleArn: machineRole.arn,
      definition: Fn.jsonencode({
        Comment: "Replace the metadata service's tasks, so they read the rotated database password",
        StartAt: "ForceNewDeployment",
        States: {
          ForceNewDeployment: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
            Parameters: { Cluster: props.clusterArn, Service: props.serviceArn, ForceNewDeployment: true },
            Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2 }],
            End: true,
          },
        },
      }),
      // Every run, with what it was given (the RotationSucceeded event: the secret's ARN, never its value)
      // and what ECS answered, so a restart after each rotation can be seen in the log (MF-SFN-1).
      loggingConfiguration: { level: "ALL", includeExecutionData: true, logDestination: `${logs.arn}:*` },
    });

    this.rule = new CloudwatchEventRule(this, "rule", {
      name: ruleName,
      description: "The metadata database's master password rotated: restart the metadata service",
      eventPattern: Fn.jsonencode({
        source: ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        detail: {
          eventSource: ["secretsmanager.amazonaws.com"],
          eventName: [ROTATION_SUCCEEDED],
          additionalEventData: { SecretId: [props.secretArn] },
        },
      }),
    });

    const eventsRole = new Role(this, "events-role", {
      name: naming.iamRole("restart-metadata-events"),
      assumedBy: "events.amazonaws.com",
      description: "EventBridge starts the metadata service's restart after a password rotation",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      trustConditions: arns.trustConditions("events.amazonaws.com", arns.of("events", `rule/${ruleName}`)),
    });
    eventsRole.addPolicy("start-restart", [{ Sid: "StartTheRestart", Effect: "Allow", Action: STATES_START, Resource: this.stateMachine.arn }]);

    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "restart-metadata-service",
      arn: this.stateMachine.arn,
      roleArn: eventsRole.arn,
    });
  }
}
