import { Construct } from "constructs";
import { TerraformIterator, TerraformLocal, Token } from "cdktf";
import { BatchJobQueue } from "@cdktf/provider-aws/lib/batch-job-queue";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ComputeConfig, isFargate } from "./config/compute-config";
import { BatchRoles } from "./batch-roles";
import { choose, Condition, equals, onlyWhere, TerraformCondition } from "./condition";
import { addressOf, expression, hcl, listExpression, rawExpression } from "./expression";
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
  /** Set when a queue runs on Fargate (or may: see `executionRoleWhere`). */
  readonly executionRoleArn?: string;
  /** Where the execution role exists, when Terraform decides (its ARN is null elsewhere). @default wherever its ARN is set */
  readonly executionRoleWhere?: Condition;
}

/**
 * Compute as a plain Terraform module's variables give it: the environments and queues are Terraform maps
 * by name (HCL objects with the config's fields in snake_case and every default resolved; environments
 * also carry `fargate`), which Terraform loops over.
 */
export interface TerraformComputeConfig extends Omit<ComputeConfig, "computeEnvironments" | "jobQueues" | "batchServiceRole" | "jobImage"> {
  /** kind, instance_types, min_vcpus, desired_vcpus, max_vcpus, root_volume_gib, allocation_strategy, fargate */
  readonly computeEnvironments: { readonly [name: string]: unknown };
  /** compute_environments (names, in order), priority */
  readonly jobQueues: { readonly [name: string]: unknown };
  readonly batchServiceRole: string;
  readonly jobImage: TerraformJobImage;
}

/** `compute.jobImage` as a module's variable gives it: HCL values, null where the variable leaves them out. */
export interface TerraformJobImage {
  /** "external", "repository", or null: Metaflow's default image. */
  readonly source: string;
  /** With "external": the image's registry part (null when it has none) and the rest, as splitImage splits them. */
  readonly externalRegistry: string;
  readonly externalImage: string;
  /** With "repository": the tag jobs run from it, and the days an untagged image is kept. */
  readonly tag: string;
  readonly untaggedImageExpiryDays: number;
}

export interface ComputeProps {
  readonly naming: Naming;
  readonly region: string;
  readonly network: INetwork;
  readonly config: ComputeConfig | TerraformComputeConfig;
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
  /** By name; empty when the environments are a Terraform map (see `environmentArns`). */
  public readonly environments: Record<string, ComputeEnvironment> = {};
  /** By name; empty when the queues are a Terraform map. */
  public readonly queues: Record<string, BatchJobQueue> = {};
  public readonly queueArns: string[];
  /** The queue Metaflow submits to (METAFLOW_BATCH_JOB_QUEUE). */
  public readonly defaultQueueName: string;
  public readonly defaultQueueArn: string;
  /** The ECR repository of the jobs' image, when `compute.jobImage.source` is "repository". */
  public readonly jobImageRepository?: JobImageRepository;
  private readonly jobImage?: { readonly registry?: string; readonly image: string };

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { config, naming } = props;
    const looped = !Array.isArray(config.computeEnvironments);
    const environments = config.computeEnvironments as ComputeConfig["computeEnvironments"];
    const map = hcl(config.computeEnvironments);

    this.roles = new BatchRoles(this, "roles", {
      naming,
      region: props.region,
      dedicatedServiceRole: equals(config.batchServiceRole, "dedicated"),
      ec2Environments: looped ? listExpression(`[for name, ce in ${map} : name if !ce.fargate]`) : environments.filter((ce) => !isFargate(ce.kind)).map((ce) => ce.name),
      fargate: looped ? new TerraformCondition(rawExpression(`anytrue([for ce in values(${map}) : ce.fargate])`)) : environments.some((ce) => isFargate(ce.kind)),
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

    // The jobs' image: the config's choice at synth, or the module variable's in Terraform.
    const image = looped ? undefined : (config as ComputeConfig).jobImage;
    if (looped) {
      const chosen = this.terraformJobImage(props, (config as TerraformComputeConfig).jobImage);
      this.jobImageRepository = chosen.repository;
      this.jobImage = chosen.image;
    } else if (image?.source === "repository") {
      this.jobImageRepository = new JobImageRepository(this, "job-images", { naming, region: props.region, untaggedImageExpiryDays: image.untaggedImageExpiryDays });
      this.jobImage = { registry: this.jobImageRepository.registry, image: `${this.jobImageRepository.repository.name}:${image.tag}` };
    } else if (image?.source === "external") {
      this.jobImage = splitImage(image.image);
    }

    if (looped) {
      const built = this.looped(props, config as TerraformComputeConfig);
      this.queueArns = built.queueArns;
      this.defaultQueueName = built.defaultQueueName;
      this.defaultQueueArn = built.defaultQueueArn;
      return;
    }
    const literal = config as ComputeConfig;
    for (const ce of literal.computeEnvironments) {
      this.environments[ce.name] = new ComputeEnvironment(this, `environment-${ce.name}`, {
        naming,
        config: ce,
        roles: this.roles,
        subnetIds: props.network.privateSubnetIds,
        securityGroupId: this.securityGroup.id,
      });
    }

    for (const queue of literal.jobQueues) {
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
    this.queueArns = Object.values(this.queues).map((q) => q.arn);
    this.defaultQueueName = this.queues[literal.defaultQueue].name;
    this.defaultQueueArn = this.queues[literal.defaultQueue].arn;
  }

  /**
   * Environments and queues of Terraform maps: one launch template and environment resource over the
   * EC2-backed environments, one environment resource over the Fargate ones (their resources differ in
   * shape), and one queue resource over the queues, each naming its environments in order.
   */
  private looped(props: ComputeProps, config: TerraformComputeConfig) {
    const { naming } = props;
    const map = hcl(config.computeEnvironments);
    const family = (fargate: boolean) => {
      const members = new TerraformLocal(this, `${fargate ? "fargate" : "ec2"}-environments`, expression(`{ for name, ce in ${map} : name => ce if ${fargate ? "" : "!"}ce.fargate }`));
      const iterator = TerraformIterator.fromMap(members.asAnyMap);
      return new ComputeEnvironment(this, `environments-${fargate ? "fargate" : "ec2"}`, {
        naming,
        forEach: { iterator, fargate },
        config: {
          name: iterator.key,
          kind: iterator.getString("kind") as never,
          instanceTypes: iterator.getList("instance_types"),
          minVcpus: iterator.getNumber("min_vcpus"),
          desiredVcpus: iterator.getNumber("desired_vcpus"),
          maxVcpus: iterator.getNumber("max_vcpus"),
          rootVolumeGiB: iterator.getNumber("root_volume_gib"),
          allocationStrategy: iterator.getString("allocation_strategy"),
        },
        roles: this.roles,
        subnetIds: props.network.privateSubnetIds,
        securityGroupId: this.securityGroup.id,
      });
    };
    const families = [family(false), family(true)];
    const arns = new TerraformLocal(
      this,
      "environment-arns",
      expression(`merge(${families.map((f) => `{ for name, ce in ${addressOf(f.environment)} : name => ce.arn }`).join(", ")})`),
    );

    const eachQueue = TerraformIterator.fromMap(Token.asAnyMap(config.jobQueues));
    // By position (a list's for_each would be a set, losing the order): `each.key` is "0", "1", ...
    const inOrder = TerraformIterator.fromMap(Token.asAnyMap(expression(`{ for i, name in ${hcl(eachQueue.getList("compute_environments"))} : tostring(i) => name }`)));
    const queue = new BatchJobQueue(this, "queues", {
      forEach: eachQueue,
      name: naming.batch(eachQueue.key),
      state: "ENABLED",
      priority: eachQueue.getNumber("priority"),
      // A dynamic block: `each` in its content is the queue's list of environment names.
      // Escape hatch: cdktf writes a dynamic block's content as given, so its keys are Terraform's.
      computeEnvironmentOrder: inOrder.dynamic({
        order: expression("tonumber(each.key) + 1"),
        compute_environment: expression(`${hcl(arns.asAnyMap)}[each.value]`),
      }),
    });
    return {
      queueArns: listExpression(`values(${addressOf(queue)})[*].arn`),
      defaultQueueName: expression(`${addressOf(queue)}[${hcl(config.defaultQueue)}].name`),
      defaultQueueArn: expression(`${addressOf(queue)}[${hcl(config.defaultQueue)}].arn`),
    };
  }

  /**
   * The jobs' image of a module's variable: the repository only where the source is "repository"
   * (onlyWhere), and the profile's registry and image from it, from the external image, or null.
   */
  private terraformJobImage(props: ComputeProps, image: TerraformJobImage) {
    const fromRepository = equals(image.source, "repository");
    const external = equals(image.source, "external");
    const repository = onlyWhere(this, fromRepository, () =>
      new JobImageRepository(this, "job-images", { naming: props.naming, region: props.region, untaggedImageExpiryDays: image.untaggedImageExpiryDays }),
    )!;
    return {
      repository,
      image: {
        registry: choose(fromRepository, repository.registry, choose(external, image.externalRegistry, null as unknown as string)),
        image: choose(fromRepository, `${repository.repository.name}:${image.tag}`, choose(external, image.externalImage, null as unknown as string)),
      },
    };
  }

  public get executionRoleArn(): string | undefined {
    return this.roles.executionRole?.arn;
  }

  public get executionRoleWhere(): Condition {
    return this.roles.executionRoleWhere;
  }

  /** The role Metaflow's Batch jobs run as. */
  public get jobRole(): Role {
    return this.roles.jobRole;
  }

  /** The compute keys of the Metaflow profile (reference §1); the image keys only with `compute.jobImage`. */
  public get profile(): Record<string, string> {
    return {
      METAFLOW_BATCH_JOB_QUEUE: this.defaultQueueName,
      METAFLOW_ECS_S3_ACCESS_IAM_ROLE: this.roles.jobRole.arn,
      ...(this.roles.executionRole && { METAFLOW_ECS_FARGATE_EXECUTION_ROLE: this.roles.executionRole.arn }),
      ...(this.jobImage?.registry && { METAFLOW_BATCH_CONTAINER_REGISTRY: this.jobImage.registry }),
      ...(this.jobImage && { METAFLOW_BATCH_CONTAINER_IMAGE: this.jobImage.image }),
    };
  }
}
