import { Construct } from "constructs";
import { MapTerraformIterator, Token } from "cdktf";
import { BatchComputeEnvironment } from "@cdktf/provider-aws/lib/batch-compute-environment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { ComputeEnvironmentConfig, ComputeKind, isFargate } from "./config/compute-config";
import { addressOf, instanceAttribute, lookupIn } from "./expression";
import { Naming } from "./naming";
import { BatchRoles } from "./batch-roles";

export interface ComputeEnvironmentProps {
  readonly naming: Naming;
  /** The environment; with `forEach`, its fields are the iterator's (`each.value.kind`, ...). */
  readonly config: ComputeEnvironmentConfig;
  /**
   * Environments given as a Terraform map (a module's variable): one launch template and one environment
   * resource over the map, all of one family (`fargate`). @default one environment, `config`
   */
  readonly forEach?: { readonly iterator: MapTerraformIterator; readonly fargate: boolean };
  readonly roles: BatchRoles;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/** Batch's compute resource type per kind. */
const BATCH_TYPE: Record<ComputeKind, string> = {
  ec2: "EC2",
  spot: "SPOT",
  gpu: "EC2",
  fargate: "FARGATE",
  fargateSpot: "FARGATE_SPOT",
};

/** The ECS-optimized Amazon Linux 2023 AMI; its GPU variant carries the NVIDIA driver and container toolkit. */
const IMAGE_TYPE: Partial<Record<ComputeKind, string>> = {
  ec2: "ECS_AL2023",
  spot: "ECS_AL2023",
  gpu: "ECS_AL2023_NVIDIA",
};

/** Instance metadata: IMDSv2 only, two hops so containers on the instance reach it. */
const IMDS_HOP_LIMIT = 2;
const ROOT_DEVICE = "/dev/xvda";

/**
 * One managed Batch compute environment, in private subnets. EC2 kinds get a launch template (IMDSv2
 * required, encrypted gp3 root volume, no SSH key); a new template version replaces the environment (see
 * the lifecycle below). Replacement is safe for the queues using it: the name is a prefix and the new
 * environment is created, and the queues moved to it, before the old one is destroyed; desired vCPUs,
 * which Batch scales itself, are ignored after creation.
 */
export class ComputeEnvironment extends Construct {
  public readonly environment: BatchComputeEnvironment;

  constructor(scope: Construct, id: string, props: ComputeEnvironmentProps) {
    super(scope, id);
    const { config, naming, roles } = props;
    const replaceSafely = { createBeforeDestroy: true };
    const fargate = props.forEach ? props.forEach.fargate : isFargate(config.kind);
    const forEach = props.forEach?.iterator;

    const launchTemplate = fargate
      ? undefined
      : new LaunchTemplate(this, "launch-template", {
          forEach,
          namePrefix: naming.launchTemplatePrefix(`batch-${config.name}`),
          description: `Batch instances of ${naming.base} ${config.name}: IMDSv2 only, encrypted root volume`,
          metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: IMDS_HOP_LIMIT,
          },
          blockDeviceMappings: [
            {
              deviceName: ROOT_DEVICE,
              ebs: { volumeSize: config.rootVolumeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
          ],
          lifecycle: replaceSafely,
        });

    this.environment = new BatchComputeEnvironment(this, "environment", {
      forEach,
      computeEnvironmentNamePrefix: naming.batchPrefix(config.name),
      type: "MANAGED",
      state: "ENABLED",
      serviceRole: roles.serviceRole?.arn,
      computeResources: {
        type: lookupIn(BATCH_TYPE, config.kind),
        maxVcpus: config.maxVcpus,
        subnets: props.subnetIds,
        securityGroupIds: [props.securityGroupId],
        ...(launchTemplate && {
          allocationStrategy: config.allocationStrategy,
          instanceRole: roles.instanceProfile!.arn,
          instanceType: config.instanceTypes,
          minVcpus: config.minVcpus,
          desiredVcpus: config.desiredVcpus,
          launchTemplate: forEach
            ? { launchTemplateId: instanceAttribute(launchTemplate, "each.key", "id"), version: instanceAttribute(launchTemplate, "each.key", "latest_version") }
            : { launchTemplateId: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
          ec2Configuration: [{ imageType: lookupIn(IMAGE_TYPE, config.kind) }],
        }),
      },
      lifecycle: {
        ...replaceSafely,
        ignoreChanges: fargate ? [] : ["compute_resources[0].desired_vcpus"],
        // A template change makes a new template version, unknown until applied; the provider plans that
        // as an in-place update of the environment and then, at apply, finds it must replace it ("Provider
        // produced inconsistent final plan", terraform-provider-aws #39470, #37440): the first apply of every
        // template change failed. Replacing the environment whenever its template gets a new version makes
        // the plan say so from the start; with create_before_destroy and the name prefix, the new
        // environment exists and the queues point at it before the old one is deleted.
        ...(launchTemplate && { replaceTriggeredBy: [`${addressOf(launchTemplate)}${forEach ? "[each.key]" : ""}.latest_version`] }),
      },
      // Keep the service role's policy until the environment is gone, or Batch cannot delete it.
      dependsOn: roles.serviceRolePolicy ? [roles.serviceRolePolicy] : undefined,
    });
  }

  public get arn(): string {
    return this.environment.arn;
  }
}
