import { Construct } from "constructs";
import { BatchJobQueue } from "@cdktf/provider-aws/lib/batch-job-queue";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ComputeConfig, isFargate } from "./config/compute-config";
import { BatchRoles } from "./batch-roles";
import { ComputeEnvironment } from "./compute-environment";
import { splitImage } from "./config/images";
import { JobImageRepository } from "./job-image-repository";
import { Naming } from "./naming";
import { INetwork } from "./network";
import { IRole, Role } from "./role";
import { suppress } from "./rules/suppress";

/** What scheduling and users' access need of Batch: the queues and the roles job definitions name. */
export interface IBatch {
  readonly queueArns: string[];
  readonly jobRole: IRole;
  /** Set when a queue runs on Fargate. */
  readonly executionRoleArn?: string;
}

export interface ComputeProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly config: ComputeConfig;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /** @default unknown: `*` in ARNs and no source-account trust conditions */
  readonly accountId?: string;
}

/**
 * AWS Batch for Metaflow: the compute environments of the config (on-demand, spot, GPU, Fargate, Fargate
 * Spot) in the private subnets behind one egress-only security group, the job queues over them, and the
 * roles (`BatchRoles`). Data access for the job role is granted by the constructs that own the data.
 */
export class Compute extends Construct implements IBatch {
  public readonly roles: BatchRoles;
  public readonly securityGroup: SecurityGroup;
  public readonly environments: Record<string, ComputeEnvironment> = {};
  public readonly queues: Record<string, BatchJobQueue> = {};
  public readonly defaultQueue: BatchJobQueue;
  /** The ECR repository of the jobs' image, when `compute.jobImage.source` is "repository". */
  public readonly jobImageRepository?: JobImageRepository;
  private readonly jobImage?: { readonly registry?: string; readonly image: string };

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { config, naming } = props;

    this.roles = new BatchRoles(this, "roles", {
      naming,
      region: props.region,
      dedicatedServiceRole: config.batchServiceRole === "dedicated",
      ec2Environments: config.computeEnvironments.filter((ce) => !isFargate(ce.kind)).map((ce) => ce.name),
      fargate: config.computeEnvironments.some((ce) => isFargate(ce.kind)),
      jobRoleManagedPolicyArns: config.jobRoleManagedPolicyArns,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      accountId: props.accountId,
    });

    this.securityGroup = new SecurityGroup(this, "security-group", {
      namePrefix: naming.securityGroupPrefix("batch"),
      description: "Metaflow Batch jobs: no inbound, all outbound (images, packages, AWS APIs)",
      vpcId: props.network.vpcId,
      egress: [{ description: "All outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      tags: { Name: naming.resource("batch") },
      lifecycle: { createBeforeDestroy: true },
    });
    suppress(
      this.securityGroup,
      "MF-SG-3",
      "Batch jobs run users' steps, which pull images, install packages and read data from anywhere on the internet as well as AWS APIs; the group admits nothing inbound",
    );

    for (const ce of config.computeEnvironments) {
      this.environments[ce.name] = new ComputeEnvironment(this, `environment-${ce.name}`, {
        naming,
        config: ce,
        roles: this.roles,
        subnetIds: props.network.privateSubnetIds,
        securityGroupId: this.securityGroup.id,
      });
    }

    for (const queue of config.jobQueues) {
      this.queues[queue.name] = new BatchJobQueue(this, `queue-${queue.name}`, {
        name: naming.batch(queue.name),
        state: "ENABLED",
        priority: queue.priority,
        computeEnvironmentOrder: queue.computeEnvironments.map((name, order) => ({
          order: order + 1,
          computeEnvironment: this.environments[name].arn,
        })),
      });
    }
    this.defaultQueue = this.queues[config.defaultQueue];

    const image = config.jobImage;
    if (image?.source === "repository") {
      this.jobImageRepository = new JobImageRepository(this, "job-images", { naming, region: props.region, untaggedImageExpiryDays: image.untaggedImageExpiryDays });
      this.jobImage = { registry: this.jobImageRepository.registry, image: `${this.jobImageRepository.repository.name}:${image.tag}` };
    } else if (image?.source === "external") {
      this.jobImage = splitImage(image.image);
    }
  }

  public get queueArns(): string[] {
    return Object.values(this.queues).map((q) => q.arn);
  }

  public get executionRoleArn(): string | undefined {
    return this.roles.executionRole?.arn;
  }

  /** The role Metaflow's Batch jobs run as. */
  public get jobRole(): Role {
    return this.roles.jobRole;
  }

  /** The compute keys of the Metaflow profile (reference §1); the image keys only with `compute.jobImage`. */
  public get profile(): Record<string, string> {
    return {
      METAFLOW_BATCH_JOB_QUEUE: this.defaultQueue.name,
      METAFLOW_ECS_S3_ACCESS_IAM_ROLE: this.roles.jobRole.arn,
      ...(this.roles.executionRole && { METAFLOW_ECS_FARGATE_EXECUTION_ROLE: this.roles.executionRole.arn }),
      ...(this.jobImage?.registry && { METAFLOW_BATCH_CONTAINER_REGISTRY: this.jobImage.registry }),
      ...(this.jobImage && { METAFLOW_BATCH_CONTAINER_IMAGE: this.jobImage.image }),
    };
  }
}
