import { z } from "zod";
import { discriminatorError, duplicateIndexes, iamPolicyArn, int, onlyWhere, PurposeName, Report, strict } from "./common";
import { ecrImageProblem, isEcrImage, isEcrImageIn } from "./images";

/** Config of the compute area: AWS Batch compute environments and the job queues over them. */

/**
 * What a compute environment runs on. `ec2` on-demand and `spot` EC2 instances, `gpu` on-demand GPU
 * instances with the ECS GPU-optimized AMI, `fargate` and `fargateSpot` serverless containers.
 */
export const COMPUTE_KINDS = ["ec2", "spot", "gpu", "fargate", "fargateSpot"] as const;
export type ComputeKind = (typeof COMPUTE_KINDS)[number];

export const FARGATE_KINDS: readonly ComputeKind[] = ["fargate", "fargateSpot"];
export const isFargate = (kind: ComputeKind) => FARGATE_KINDS.includes(kind);

/** Batch allocation strategies allowed per kind. The first is the default. */
export const ALLOCATION_STRATEGIES: Record<ComputeKind, readonly string[]> = {
  ec2: ["BEST_FIT_PROGRESSIVE", "BEST_FIT"],
  gpu: ["BEST_FIT_PROGRESSIVE", "BEST_FIT"],
  spot: ["SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"],
  fargate: [],
  fargateSpot: [],
};

/**
 * Defaults that cost nothing when idle (min 0 vCPUs) and run on current-generation families offered in
 * every commercial region. GPU: NVIDIA families the ECS GPU-optimized AMI supports.
 */
export const KIND_DEFAULTS: Record<ComputeKind, { instanceTypes: string[]; maxVcpus: number; rootVolumeGiB?: number }> = {
  ec2: { instanceTypes: ["c6i", "m6i", "r6i"], maxVcpus: 256, rootVolumeGiB: 50 },
  spot: { instanceTypes: ["c6i", "m6i", "r6i", "c5", "m5", "r5"], maxVcpus: 256, rootVolumeGiB: 50 },
  gpu: { instanceTypes: ["g5", "g4dn"], maxVcpus: 64, rootVolumeGiB: 100 },
  fargate: { instanceTypes: [], maxVcpus: 64 },
  fargateSpot: { instanceTypes: [], maxVcpus: 64 },
};

/** NVIDIA GPU instance families (what the ECS GPU-optimized AMI drives). */
export const GPU_FAMILIES = ["g4dn", "g5", "g6", "g6e", "g6f", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"] as const;

const InstanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*[0-9][a-z0-9-]*(\.[0-9a-z]+)?$/, "must be an EC2 instance type or family, like m6i or m6i.xlarge");

const ComputeEnvironmentSchema = strict({
  name: PurposeName,
  kind: z.enum(COMPUTE_KINDS),
  /** EC2 kinds only. @default per kind: KIND_DEFAULTS */
  instanceTypes: z.array(InstanceType).min(1, "list at least one instance type, or leave the field out for the defaults").optional(),
  /** EC2 kinds only. @default 0 */
  minVcpus: int(0, 100000).optional(),
  /** EC2 kinds only; ignored after creation (Batch scales it). @default minVcpus */
  desiredVcpus: int(0, 100000).optional(),
  /** @default per kind: KIND_DEFAULTS */
  maxVcpus: int(1, 100000).optional(),
  /** Encrypted gp3 root volume, EC2 kinds only. @default 50 (100 for gpu) */
  rootVolumeGiB: int(30, 16384).optional(),
  /** EC2 kinds only. @default BEST_FIT_PROGRESSIVE; SPOT_CAPACITY_OPTIMIZED for spot */
  allocationStrategy: z.enum(["BEST_FIT_PROGRESSIVE", "BEST_FIT", "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"]).optional(),
});

const JobQueueSchema = strict({
  name: PurposeName,
  /** Tried in this order. One to three, all EC2 kinds or all Fargate kinds (a Batch rule). */
  computeEnvironments: z.array(z.string()).min(1, "list one to three compute environments").max(3, "list one to three compute environments (a Batch limit)"),
  /** Higher runs first when queues share compute environments. @default 1 */
  priority: int(0, 1000).default(1),
});

/** The job image's rules and messages, shared with the plain-Terraform modules' validation (hcl/inputs/compute.ts). */
export const JOB_IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const JOB_IMAGE_TAG_MESSAGE = "must be an image tag like py311-2026-12 (letters, digits, _ . -)";
export const PINNED_JOB_IMAGE = /^[a-z0-9][a-z0-9._:\/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/;
export const PINNED_JOB_IMAGE_MESSAGE = "must be an image with a tag or digest, like 123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow-jobs:py311-2026-12";
export const JOB_IMAGE_SOURCES = ["external", "repository"] as const;
/** Days an untagged image is kept in the stack's repository, by default. */
export const DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS = 14;

/** An image tag: no `latest`, which would run whatever was pushed last. */
const ImageTag = z
  .string()
  .regex(JOB_IMAGE_TAG, JOB_IMAGE_TAG_MESSAGE)
  .refine((t) => t !== "latest", "must be pinned to a version, not latest");
/** `[registry/]repository:tag` or `...@sha256:<digest>`, pinned. */
const PinnedImage = z
  .string()
  .regex(PINNED_JOB_IMAGE, PINNED_JOB_IMAGE_MESSAGE)
  .refine((i) => !i.endsWith(":latest"), "must be pinned to a version or digest, not latest");

/**
 * The image Metaflow's Batch jobs run (METAFLOW_BATCH_CONTAINER_REGISTRY and _IMAGE in the profile).
 * `external`: an image you name in full. `repository`: the stack makes a private ECR repository for it
 * (immutable tags, scanned on push, encrypted, untagged images expired) and jobs run `tag` from it; build
 * and push the image yourself (docs/job-image.md). Without NAT one of the two is required, in ECR of the
 * stack's region: Metaflow's default image is on Docker Hub and its tasks install packages from PyPI.
 */
const ExternalJobImageSchema = strict({
  source: z.literal("external"),
  image: PinnedImage,
}, onlyWhere("source", "repository", ["tag", "untaggedImageExpiryDays"], "an external image is yours; the stack makes no repository for it"));

const RepositoryJobImageSchema = strict({
  source: z.literal("repository"),
  tag: ImageTag,
  /** Days an untagged image (one a push of the same tag replaced, or a failed push) is kept. @default 14 */
  untaggedImageExpiryDays: int(1, 365).default(DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS),
}, onlyWhere("source", "external", ["image"], "the stack's repository names the image; give only the tag"));

export const JobImageSchema = z.discriminatedUnion(
  "source", [ExternalJobImageSchema, RepositoryJobImageSchema], discriminatorError("source", JOB_IMAGE_SOURCES.map((s) => `"${s}"`).join(", ")),
);
export type JobImageConfig = z.output<typeof JobImageSchema>;

/** Trust for the Batch service: the dedicated role this project creates, or AWS's service-linked role. */
export const BATCH_SERVICE_ROLES = ["dedicated", "serviceLinked"] as const;

export const ComputeSchema = strict({
  /** @default one on-demand EC2 environment, `cpu` */
  computeEnvironments: z.array(ComputeEnvironmentSchema).min(1, "list at least one compute environment").default([{ name: "cpu", kind: "ec2" }]),
  /** @default one queue, `default`, over the first compute environment */
  jobQueues: z.array(JobQueueSchema).min(1, "list at least one job queue, or leave the field out for one over the first environment").optional(),
  /** The queue Metaflow submits to unless a step names another (METAFLOW_BATCH_JOB_QUEUE). @default the first queue */
  defaultQueue: z.string().optional(),
  /**
   * `dedicated` creates a Batch service role (it can carry the permissions boundary); `serviceLinked` uses
   * AWSServiceRoleForBatch. @default "dedicated"
   */
  batchServiceRole: z.enum(BATCH_SERVICE_ROLES).default("dedicated"),
  /** Extra managed policies for the job role, e.g. access to data outside the datastore. @default [] */
  jobRoleManagedPolicyArns: z
    .array(iamPolicyArn("must be an IAM policy ARN"))
    .default([]),
  /** @default Metaflow's own (python:<version> from Docker Hub, installing packages from PyPI in every task; needs NAT) */
  jobImage: JobImageSchema.optional(),
}).default({
  computeEnvironments: [{ name: "cpu", kind: "ec2" }],
  batchServiceRole: "dedicated",
  jobRoleManagedPolicyArns: [],
});

type ComputeInput = z.output<typeof ComputeSchema>;
export type JobQueueConfig = z.output<typeof JobQueueSchema>;

/** The queues of a config: as listed, or one `default` queue over the first environment. */
function jobQueuesOf(input: ComputeInput): JobQueueConfig[] {
  return input.jobQueues ?? [{ name: "default", computeEnvironments: [input.computeEnvironments[0].name], priority: 1 }];
}

/** `arm64` for Graviton families (a `g` after the generation digit: m7g, c6gn, x2gd), else `x86_64`. */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
  const suffix = /^[a-z-]*?\d+([a-z-]*)/.exec(instanceType.split(".")[0])?.[1] ?? "";
  return suffix.includes("g") ? "arm64" : "x86_64";
}
/** `architectureOf` in HCL, for an instance type given as a Terraform value (`type` is an HCL expression). */
export function architectureHcl(type: string): string {
  return `(strcontains(regex("^[a-z-]*?[0-9]+([a-z-]*)", split(".", ${type})[0])[0], "g") ? "arm64" : "x86_64")`;
}
type ComputeEnvironmentInput = z.output<typeof ComputeEnvironmentSchema>;

/** A compute environment with every default resolved. EC2-only fields are undefined for Fargate. */
export interface ComputeEnvironmentConfig {
  readonly name: string;
  readonly kind: ComputeKind;
  readonly instanceTypes: string[];
  readonly minVcpus?: number;
  readonly desiredVcpus?: number;
  readonly maxVcpus: number;
  readonly rootVolumeGiB?: number;
  readonly allocationStrategy?: string;
}

export interface ComputeConfig extends Omit<ComputeInput, "computeEnvironments" | "jobQueues" | "defaultQueue"> {
  readonly computeEnvironments: ComputeEnvironmentConfig[];
  readonly jobQueues: JobQueueConfig[];
  readonly defaultQueue: string;
}

const EC2_ONLY_FIELDS = ["instanceTypes", "minVcpus", "desiredVcpus", "rootVolumeGiB", "allocationStrategy"] as const;

function checkEnvironment(ce: ComputeEnvironmentInput, fail: Report): void {
  if (isFargate(ce.kind)) {
    for (const field of EC2_ONLY_FIELDS) {
      if (ce[field] !== undefined) fail([field], ce[field], `does not apply to ${ce.kind} environments (Fargate picks the hosts); remove it`);
    }
    return;
  }
  const min = ce.minVcpus ?? 0;
  const max = ce.maxVcpus ?? KIND_DEFAULTS[ce.kind].maxVcpus;
  if (min > max) fail(["minVcpus"], min, `must be <= maxVcpus (${max})`);
  if (ce.desiredVcpus !== undefined && (ce.desiredVcpus < min || ce.desiredVcpus > max)) {
    fail(["desiredVcpus"], ce.desiredVcpus, `must lie between minVcpus (${min}) and maxVcpus (${max})`);
  }
  if (ce.allocationStrategy && !ALLOCATION_STRATEGIES[ce.kind].includes(ce.allocationStrategy)) {
    fail(["allocationStrategy"], ce.allocationStrategy, `must be one of ${ALLOCATION_STRATEGIES[ce.kind].join(", ")} for ${ce.kind} environments`);
  }
  if (ce.kind === "gpu") {
    (ce.instanceTypes ?? []).forEach((type, i) => {
      if (!(GPU_FAMILIES as readonly string[]).includes(type.split(".")[0])) {
        fail(["instanceTypes", i], type, `is not an NVIDIA GPU instance type; gpu environments take families ${GPU_FAMILIES.join(", ")}`);
      }
    });
  } else {
    const types = ce.instanceTypes ?? [];
    const architectures = new Set(types.map(architectureOf));
    if (architectures.size > 1) {
      fail(["instanceTypes"], types, "mixes Graviton (arm64) and x86_64 types; Batch needs one architecture per environment, so make two environments");
    }
    types.forEach((type, i) => {
      if ((GPU_FAMILIES as readonly string[]).includes(type.split(".")[0])) {
        fail(["instanceTypes", i], type, `is a GPU instance type; put it in an environment of kind "gpu" so it gets the GPU AMI`);
      }
    });
  }
}

/** Cross-field rules of the compute area; paths are relative to `compute`. */
export function checkCompute(input: ComputeInput, fail: Report): void {
  const byName = new Map(input.computeEnvironments.map((ce) => [ce.name, ce]));
  const jobQueues = jobQueuesOf(input);
  input.computeEnvironments.forEach((ce, i) =>
    checkEnvironment(ce, (path, value, message) => fail(["computeEnvironments", i, ...path], value, message)),
  );
  for (const i of duplicateIndexes(input.computeEnvironments, (ce) => ce.name)) {
    fail(["computeEnvironments", i, "name"], input.computeEnvironments[i].name, "is used twice; compute environment names must be unique");
  }
  for (const i of duplicateIndexes(jobQueues, (q) => q.name)) {
    fail(["jobQueues", i, "name"], jobQueues[i].name, "is used twice; job queue names must be unique");
  }
  for (const i of duplicateIndexes(input.jobRoleManagedPolicyArns)) {
    fail(["jobRoleManagedPolicyArns", i], input.jobRoleManagedPolicyArns[i], "is listed twice; attach each policy once");
  }
  jobQueues.forEach((queue, q) => {
    queue.computeEnvironments.forEach((name, i) => {
      if (!byName.has(name)) {
        fail(["jobQueues", q, "computeEnvironments", i], name, `names no compute environment; choose from ${[...byName.keys()].join(", ")}`);
      }
    });
    for (const i of duplicateIndexes(queue.computeEnvironments)) {
      fail(["jobQueues", q, "computeEnvironments", i], queue.computeEnvironments[i], "is listed twice in this queue");
    }
    const kinds = queue.computeEnvironments.flatMap((name) => (byName.has(name) ? [byName.get(name)!.kind] : []));
    if (kinds.some(isFargate) && !kinds.every(isFargate)) {
      fail(["jobQueues", q, "computeEnvironments"], queue.computeEnvironments, "mixes Fargate and EC2 environments; Batch needs one or the other in a queue");
    }
  });
  const queued = new Set(jobQueues.flatMap((q) => q.computeEnvironments));
  input.computeEnvironments.forEach((ce, i) => {
    if (!queued.has(ce.name)) {
      fail(
        ["computeEnvironments", i, "name"],
        ce.name,
        `is in no job queue, so no job can run on it and its settings cannot take effect; add it to a queue in jobQueues${input.jobQueues ? "" : " (without jobQueues there is one queue, over the first environment)"} or remove it`,
      );
    }
  });
  if (input.defaultQueue !== undefined && !jobQueues.some((q) => q.name === input.defaultQueue)) {
    fail(["defaultQueue"], input.defaultQueue, `names no job queue; choose from ${jobQueues.map((q) => q.name).join(", ")}`);
  }
}

/**
 * Rules across compute and network: Fargate job definitions ask for a public IP and pull public images,
 * so Fargate needs subnets with a route out (reference §2).
 */
export function checkComputeNetwork(input: ComputeInput, network: { mode: string; natGateways?: string }, region: string, fail: Report): void {
  // An ECR image of another region or partition cannot be pulled by the instance or execution role, NAT or not.
  const image = input.jobImage?.source === "external" ? input.jobImage.image : undefined;
  const wrongRegistry = image === undefined ? undefined : ecrImageProblem(image, region, "the Batch instance and execution roles");
  if (image !== undefined && wrongRegistry) fail(["jobImage", "image"], image, wrongRegistry);
  if (network.mode !== "create" || network.natGateways !== "none") return;
  if (input.jobImage === undefined) {
    fail(
      ["jobImage"],
      undefined,
      `is required with network.natGateways "none": Metaflow's default job image is on Docker Hub and each task first installs boto3 and requests from PyPI, neither reachable without NAT; add { "source": "repository", "tag": "..." } (the stack makes an ECR repository; push an image built as docs/job-image.md says) or { "source": "external", "image": "<an image in ECR in ${region}>" }`,
    );
  } else if (image !== undefined && !wrongRegistry && !(isEcrImage(image) && isEcrImageIn(image, region))) {
    fail(["jobImage", "image"], image, `cannot be pulled without NAT (network.natGateways is "none"); copy it to ECR in ${region} and name it there, or use { "source": "repository", "tag": "..." }`);
  }
  input.computeEnvironments.forEach((ce, i) => {
    if (isFargate(ce.kind)) {
      fail(["computeEnvironments", i, "kind"], ce.kind, `needs a route out of the private subnets, but network.natGateways is "none"; choose "single" or "perAz", or an EC2 kind`);
    }
  });
}

/** Fills per-kind defaults. Only called on compute config that passed `checkCompute`. */
export function resolveCompute(input: ComputeInput): ComputeConfig {
  const computeEnvironments = input.computeEnvironments.map((ce): ComputeEnvironmentConfig => {
    const defaults = KIND_DEFAULTS[ce.kind];
    if (isFargate(ce.kind)) return { name: ce.name, kind: ce.kind, instanceTypes: [], maxVcpus: ce.maxVcpus ?? defaults.maxVcpus };
    const minVcpus = ce.minVcpus ?? 0;
    return {
      name: ce.name,
      kind: ce.kind,
      instanceTypes: ce.instanceTypes ?? defaults.instanceTypes,
      minVcpus,
      desiredVcpus: ce.desiredVcpus ?? minVcpus,
      maxVcpus: ce.maxVcpus ?? defaults.maxVcpus,
      rootVolumeGiB: ce.rootVolumeGiB ?? defaults.rootVolumeGiB,
      allocationStrategy: ce.allocationStrategy ?? ALLOCATION_STRATEGIES[ce.kind][0],
    };
  });
  const jobQueues = jobQueuesOf(input);
  return { ...input, computeEnvironments, jobQueues, defaultQueue: input.defaultQueue ?? jobQueues[0].name };
}
