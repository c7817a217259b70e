import { Construct } from "constructs";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Token } from "cdktf";
import { Condition, notEmpty, onlyWhere } from "./condition";
import { hcl, listExpression } from "./expression";
import { partitionFor } from "./partition";
import { Naming } from "./naming";
import { ECR_AUTH, ECR_PULL, ECS_AGENT, ECS_DISCOVER, LOGS_WRITE } from "./perms";
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
}

/** Where Batch's awslogs driver writes job output (Batch's own default group). */
export const BATCH_JOB_LOG_GROUP = "/aws/batch/job";

/**
 * The IAM that Batch and Metaflow jobs run with, each role with its own least-privilege policy:
 * the Batch service role, the ECS instance role and its instance profile, the job role Metaflow passes to
 * Batch (`METAFLOW_ECS_S3_ACCESS_IAM_ROLE`; other constructs grant it data access), and the Fargate
 * execution role. No `*` action; `*` resources only for the two calls AWS cannot scope.
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
    const partition = partitionFor(this, props.region);
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${props.region}:*:${resource}`;
    const role = (roleId: string, purpose: string, assumedBy: string, description: string) =>
      new Role(this, roleId, { name: naming.iamRole(purpose), assumedBy, description, permissionsBoundaryArn: props.permissionsBoundaryArn });

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
      const policy = serviceRole.attachManagedPolicy("batch-service", `arn:${partition}:iam::aws:policy/service-role/AWSBatchServiceRole`);
      return { serviceRole, policy };
    });
    this.serviceRole = service?.serviceRole;
    this.serviceRolePolicy = service?.policy;

    const instance = onlyWhere(this, notEmpty(props.ec2Environments), () => {
      const instanceRole = role("instance-role", "batch-instance", "ec2.amazonaws.com", "ECS agent on AWS Batch instances");
      // Batch names each environment's ECS cluster after the environment (`<prefix><terraform suffix>_Batch_<id>`).
      // Terraform's suffix starts with the year ("20..."), while a longer environment name would go on with a
      // letter, so `<prefix>20*` matches this environment's clusters and no other's.
      const clusterArns = (name: string) => [arn("ecs", `cluster/${naming.batchPrefix(name)}20*`), arn("ecs", `container-instance/${naming.batchPrefix(name)}20*`)];
      const resources = Token.isUnresolved(props.ec2Environments)
        ? listExpression(`flatten([for name in ${hcl(props.ec2Environments)} : ${hcl(clusterArns("${name}"))}])`)
        : props.ec2Environments.flatMap(clusterArns);
      instanceRole.addPolicy("ecs-agent", [
        { Sid: "EcsAgent", Effect: "Allow", Action: ECS_AGENT, Resource: resources },
        // DiscoverPollEndpoint has no resource-level permissions; AWS accepts only "*".
        { Sid: "EcsDiscover", Effect: "Allow", Action: ECS_DISCOVER, Resource: "*" },
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

    this.jobRole = role("job-role", "batch-job", "ecs-tasks.amazonaws.com", "Metaflow steps on AWS Batch run as this role");
    this.jobRole.addPolicy("job-logs", [writeJobLogs]);
    const extra = props.jobRoleManagedPolicyArns ?? [];
    if (Token.isUnresolved(extra)) this.jobRole.attachManagedPolicies("extra", extra);
    else extra.forEach((policyArn, i) => this.jobRole.attachManagedPolicy(`extra-${i}`, policyArn));

    this.executionRoleWhere = props.fargate;
    this.executionRole = onlyWhere(this, props.fargate, () => {
      const executionRole = role("execution-role", "batch-execution", "ecs-tasks.amazonaws.com", "Starts Metaflow's Fargate jobs: image pull and logs");
      executionRole.addPolicy("task-execution", [...pullImages, writeJobLogs]);
      return executionRole;
    });
  }
}
