import { Construct } from "constructs";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Token } from "cdktf";
import { Arns } from "./arns";
import { Condition, notEmpty, onlyWhere } from "./condition";
import { hcl, listExpression } from "./expression";
import { Naming } from "./naming";
import { EC2_DESCRIBE_TAGS, ECR_AUTH, ECR_PULL, ECS_AGENT, ECS_DISCOVER, ECS_TAG, LOGS_WRITE } from "./perms";
import { PolicyStatement } from "./policy";
import { Role } from "./role";

export interface BatchRolesProps {
  readonly naming: Naming;
  readonly region: string;
  /** Create the Batch service role; when false, Batch uses its service-linked role. */
  readonly dedicatedServiceRole: Condition;
  /**
   * Names of the EC2-kind environments (a literal list, or a Terraform list in a module); the instance role
   * and profile exist only when there is one.
   */
  readonly ec2Environments: readonly string[];
  /** Create the Fargate execution role (only when a Fargate environment exists). */
  readonly fargate: Condition;
  /** @default [] */
  readonly jobRoleManagedPolicyArns?: readonly string[];
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs and no source-account trust conditions */
  readonly accountId?: string;
}

/** Where Batch's awslogs driver writes job output (Batch's own default group). */
export const BATCH_JOB_LOG_GROUP = "/aws/batch/job";

/**
 * The IAM that Batch and Metaflow jobs run with, each role with its own least-privilege policy:
 * the Batch service role, the ECS instance role and its instance profile, the job role Metaflow passes to
 * Batch (`METAFLOW_ECS_S3_ACCESS_IAM_ROLE`; other constructs grant it data access, and it writes no logs:
 * the awslogs driver writes with the instance role on EC2 and the execution role on Fargate), and the
 * Fargate execution role. No `*` action; `*` resources only for the calls AWS cannot scope. Roles that
 * ECS tasks assume trust it only for this account's tasks when the account is known.
 */
export class BatchRoles extends Construct {
  /** Undefined when Batch uses its service-linked role. */
  public readonly serviceRole?: Role;
  /** Attachment of the service role's policy: environments depend on it so it outlives them on destroy. */
  public readonly serviceRolePolicy?: IamRolePolicyAttachment;
  /** Undefined when every environment is Fargate. */
  public readonly instanceRole?: Role;
  public readonly instanceProfile?: IamInstanceProfile;
  public readonly jobRole: Role;
  /** Undefined without a Fargate environment. */
  public readonly executionRole?: Role;
  /** Where the execution role exists: decided at synth, or by Terraform in a module. */
  public readonly executionRoleWhere: Condition;

  constructor(scope: Construct, id: string, props: BatchRolesProps) {
    super(scope, id);
    const { naming } = props;
    const arns = Arns.for(this, props.region, props.accountId);
    const arn = (service: string, resource: string) => arns.of(service, resource);
    const role = (roleId: string, purpose: string, assumedBy: string, description: string, sourceArn?: string) =>
      new Role(this, roleId, {
        name: naming.iamRole(purpose),
        assumedBy,
        description,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
        trustConditions: arns.trustConditions(assumedBy, sourceArn),
      });
    // ECS assumes task roles for tasks of this account's clusters (Batch's included).
    const ecsTasks = arn("ecs", "*");

    const pullImages: PolicyStatement[] = [
      { Sid: "PullImages", Effect: "Allow", Action: ECR_PULL, Resource: arn("ecr", "repository/*") },
      // GetAuthorizationToken has no resource-level permissions; AWS accepts only "*".
      { Sid: "EcrLogin", Effect: "Allow", Action: ECR_AUTH, Resource: "*" },
    ];
    const writeJobLogs: PolicyStatement = {
      Sid: "WriteJobLogs",
      Effect: "Allow",
      Action: LOGS_WRITE,
      Resource: arn("logs", `log-group:${BATCH_JOB_LOG_GROUP}:*`),
    };

    const service = onlyWhere(this, props.dedicatedServiceRole, () => {
      const serviceRole = role("service-role", "batch-service", "batch.amazonaws.com", "AWS Batch manages compute environments with this role");
      // AWS maintains this policy for exactly this trust; Batch's needs (EC2, Auto Scaling, ECS) change with the service.
      const policy = serviceRole.attachManagedPolicy("batch-service", arns.managedPolicy("service-role/AWSBatchServiceRole"));
      return { serviceRole, policy };
    });
    this.serviceRole = service?.serviceRole;
    this.serviceRolePolicy = service?.policy;

    const instance = onlyWhere(this, notEmpty(props.ec2Environments), () => {
      const instanceRole = role("instance-role", "batch-instance", "ec2.amazonaws.com", "ECS agent on AWS Batch instances");
      // Batch names each environment's ECS cluster after the environment (`<prefix><terraform suffix>_Batch_<id>`).
      // Terraform's suffix starts with the year ("20..."), while a longer environment name would go on with a
      // letter, so `<prefix>20*` matches this environment's clusters and no other's.
      // ARNs per environment's clusters, over a literal list or a Terraform list of environment names.
      const eachEnvironment = (arnsOf: (clusters: string) => string[]) =>
        Token.isUnresolved(props.ec2Environments)
          ? listExpression(`flatten([for name in ${hcl(props.ec2Environments)} : ${hcl(arnsOf(`${naming.batchPrefix("${name}")}20*`))}])`)
          : props.ec2Environments.flatMap((name) => arnsOf(`${naming.batchPrefix(name)}20*`));
      instanceRole.addPolicy("ecs-agent", [
        { Sid: "EcsAgent", Effect: "Allow", Action: ECS_AGENT, Resource: eachEnvironment((c) => [arn("ecs", `cluster/${c}`), arn("ecs", `container-instance/${c}`)]) },
        // The agent tags its container instance as it registers it, with the instance's tags, which it reads.
        {
          Sid: "EcsTagOnRegister",
          Effect: "Allow",
          Action: ECS_TAG,
          Resource: eachEnvironment((c) => [arn("ecs", `container-instance/${c}`)]),
          Condition: { StringEquals: { "ecs:CreateAction": "RegisterContainerInstance" } },
        },
        // DiscoverPollEndpoint and DescribeTags have no resource-level permissions; AWS accepts only "*".
        { Sid: "EcsDiscover", Effect: "Allow", Action: [...ECS_DISCOVER, ...EC2_DESCRIBE_TAGS], Resource: "*" },
        ...pullImages,
        writeJobLogs,
      ]);
      const instanceProfile = new IamInstanceProfile(this, "instance-profile", {
        name: naming.instanceProfile("batch-instance"),
        role: instanceRole.name,
      });
      return { instanceRole, instanceProfile };
    });
    this.instanceRole = instance?.instanceRole;
    this.instanceProfile = instance?.instanceProfile;

    this.jobRole = role("job-role", "batch-job", "ecs-tasks.amazonaws.com", "Metaflow steps on AWS Batch run as this role", ecsTasks);
    const extra = props.jobRoleManagedPolicyArns ?? [];
    if (Token.isUnresolved(extra)) this.jobRole.attachManagedPolicies("extra", extra);
    else extra.forEach((policyArn, i) => this.jobRole.attachManagedPolicy(`extra-${i}`, policyArn));

    this.executionRoleWhere = props.fargate;
    this.executionRole = onlyWhere(this, props.fargate, () => {
      const executionRole = role("execution-role", "batch-execution", "ecs-tasks.amazonaws.com", "Starts Metaflow's Fargate jobs: image pull and logs", ecsTasks);
      executionRole.addPolicy("task-execution", [...pullImages, writeJobLogs]);
      return executionRole;
    });
  }
}
