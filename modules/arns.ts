import { Construct } from "constructs";
import { partitionFor } from "./partition";
import { PolicyStatement } from "./policy";

/**
 * ARNs of one stack's resources, and the trust conditions against the confused deputy: the partition (from
 * the region), the region, and the account when the config names it (`accountId`). Every construct builds
 * the ARNs it grants on here, so an ARN names the real account wherever it is known and `*` only where it
 * is not (the plain Terraform modules, a config without accountId).
 */
export class Arns {
  constructor(
    public readonly partition: string,
    public readonly region: string,
    /** @default unknown: `*` in ARNs, and no source-account conditions */
    public readonly accountId?: string,
  ) {}

  /** The ARNs of a stack in `region` (a literal, or a module's Terraform value). */
  public static for(scope: Construct, region: string, accountId?: string): Arns {
    return new Arns(partitionFor(scope, region), region, accountId);
  }

  /** The account in ARNs: the configured one, or `*`. */
  public get account(): string {
    return this.accountId ?? "*";
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  public of(service: string, resource: string, region = this.region): string {
    return `arn:${this.partition}:${service}:${region}:${this.account}:${resource}`;
  }

  /** An IAM ARN (IAM has no region): `arn:<partition>:iam::<account>:<resource>`. */
  public iam(resource: string): string {
    return `arn:${this.partition}:iam::${this.account}:${resource}`;
  }

  /** An AWS managed policy: `arn:<partition>:iam::aws:policy/<path and name>`. */
  public managedPolicy(name: string): string {
    return `arn:${this.partition}:iam::aws:policy/${name}`;
  }

  /** An S3 bucket (S3 ARNs have neither region nor account). */
  public bucket(name: string): string {
    return `arn:${this.partition}:s3:::${name}`;
  }

  /**
   * Conditions for a service's trust statement, so the service can assume the role only on behalf of this
   * account (and of resources matching `sourceArn`, when given): undefined when the account is not known.
   * Only for services that set these keys when they assume a role (see SOURCE_AWARE_SERVICES).
   */
  public trustConditions(service: string, sourceArn?: string): PolicyStatement["Condition"] {
    if (!this.accountId || !SOURCE_AWARE_SERVICES.has(service)) return undefined;
    return {
      StringEquals: { "aws:SourceAccount": this.accountId },
      ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
    };
  }
}

/**
 * Service principals that set aws:SourceAccount and aws:SourceArn when they assume a role, as their
 * documentation's confused-deputy sections show: Step Functions (state machines), EventBridge (rules'
 * targets), VPC Flow Logs (flow logs), and ECS tasks (task and execution roles, Batch jobs included). Not
 * EC2 (instance profiles carry no source), and not Batch's service role or API Gateway's logging role,
 * whose documentation names no such keys: a condition on a key a service does not set denies it.
 */
export const SOURCE_AWARE_SERVICES: ReadonlySet<string> = new Set([
  "states.amazonaws.com",
  "events.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "ecs-tasks.amazonaws.com",
]);
