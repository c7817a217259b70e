import * as fs from "fs";
import * as path from "path";
import { exampleDir, HCL_EXAMPLES } from "../hcl/example-roots";
import { hclAttributes } from "../hcl/hcl-text";
import { mockProvider } from "../hcl/example-test";
import { synthesizeModules } from "../hcl/write-modules";
import { HclRoot, Run } from "./support/hcl-root";
import { describeWithTerraform } from "./support/terraform";

/**
 * The metaflow module's variable validation (and the ui module's) with bad values, through real Terraform:
 * each case plans a root that calls the module with them and must fail at plan time with each expected
 * message, which names the variable and says what is allowed (the app's config message, in Terraform's
 * spelling).
 */

interface Case {
  readonly name: string;
  /** The module the root calls. @default "metaflow" */
  readonly module?: "metaflow" | "ui";
  readonly region?: string;
  /** Module arguments besides the base ones (name_prefix, environment, availability_zones). */
  readonly args: Record<string, unknown>;
  /** Base arguments to leave out. */
  readonly without?: readonly string[];
  readonly messages: readonly string[];
}

const BASE = { name_prefix: "mf", environment: "dev", availability_zones: ["us-east-1a", "us-east-1b"] };
/** The ui module's required arguments, as the metaflow module's outputs would give them. */
const UI_BASE = {
  name_prefix: "mf",
  environment: "dev",
  vpc_id: "vpc-0a1b2c3d4e5f60718",
  vpc_cidr: "10.0.0.0/16",
  private_subnet_ids: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
  datastore_bucket_name: "mf-dev-datastore",
  database_address: "mf-dev-metadata.abc.us-east-1.rds.amazonaws.com",
  database_secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-master-AbCdEf",
  database_secret_kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ac",
  database_security_group_id: "sg-0123456789abcdef0",
  certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/4f1c2a9e-7b3d-4e8a-9c61-2d5f0b8e7a13",
  hostname: "metaflow.example.com",
  cognito_domain_prefix: "mf-dev-ui",
};

/*
 * A plan reports every failing check of a variable on its own value, but skips the checks that read other
 * variables (or data sources) once any check has failed, and the checks of variables that read a failed
 * one. So each case fails either checks of values alone or checks across values, never both.
 */
const CASES: readonly Case[] = [
  {
    name: "compute environments, each value on its own",
    args: {
      compute_environments: {
        minmax: { kind: "ec2", min_vcpus: 8, max_vcpus: 4 },
        desired: { kind: "ec2", desired_vcpus: 9, max_vcpus: 4 },
        spotgpu: { kind: "spot", instance_types: ["g5"] },
        gpucpu: { kind: "gpu", instance_types: ["m6i"] },
        mixed: { kind: "ec2", instance_types: ["m7g", "m6i"] },
        serverless: { kind: "fargate", instance_types: ["m6i"], min_vcpus: 0 },
        odd: { kind: "big" },
        spotfit: { kind: "spot", allocation_strategy: "BEST_FIT" },
        tiny: { kind: "ec2", root_volume_gib: 10 },
        badtype: { kind: "ec2", instance_types: ["M6I.large"] },
        X: { kind: "ec2" },
      },
    },
    messages: [
      "minmax.min_vcpus (8) must be <= max_vcpus (4)",
      "desired.desired_vcpus (9) must lie between min_vcpus (0) and max_vcpus (4)",
      'spotgpu.instance_types: "g5" GPU instance types; put them in an environment of kind "gpu" so they get the GPU AMI',
      'gpucpu.instance_types: "m6i" not NVIDIA GPU instance types; gpu environments take families g4dn, g5',
      '"mixed": instance_types mixes Graviton (arm64) and x86_64 types; Batch needs one architecture per environment, so make two environments',
      "serverless: instance_types, min_vcpus do not apply to Fargate environments (Fargate picks the hosts); remove them",
      'odd.kind ("big") must be one of ec2, spot, gpu, fargate, fargateSpot',
      'spotfit.allocation_strategy ("BEST_FIT") must be one of SPOT_CAPACITY_OPTIMIZED, SPOT_PRICE_CAPACITY_OPTIMIZED for spot environments',
      "tiny.root_volume_gib (10) must be a whole number from 30 to 16384",
      'badtype.instance_types: "M6I.large" must be EC2 instance types or families, like m6i or m6i.xlarge',
      'compute_environments: "X": a name must be 2 to 24 lower-case letters, digits and hyphens, starting with a letter',
    ],
  },
  {
    name: "a queue naming an unknown environment, an environment in no queue",
    args: { compute_environments: { cpu: { kind: "ec2" }, spare: { kind: "spot" } }, job_queues: { q1: { compute_environments: ["cpu", "nope"] } } },
    messages: [
      'q1.compute_environments names "nope", which is no compute environment; choose from cpu, spare',
      'compute_environments: "spare" in no job queue, so no job can run there and their settings cannot take effect; add them to a queue in job_queues or remove them',
    ],
  },
  {
    name: "job queues, each value on its own",
    args: { job_queues: { many: { compute_environments: ["cpu", "cpu", "cpu", "cpu"], priority: 2000 } } },
    messages: [
      'job_queues: "many": compute_environments must list one to three compute environments (a Batch limit)',
      'job_queues: "many": compute_environments lists an environment twice; list each once',
      'job_queues: "many": priority must be a whole number from 0 to 1000',
    ],
  },
  {
    name: "a queue over Fargate and EC2 environments",
    args: { compute_environments: { cpu: { kind: "ec2" }, serverless: { kind: "fargate" } }, job_queues: { mix: { compute_environments: ["cpu", "serverless"] } } },
    messages: ['job_queues: "mix": compute_environments mixes Fargate and EC2 environments; Batch needs one or the other in a queue'],
  },
  {
    name: "a default queue that is no queue",
    args: { job_queues: { first: { compute_environments: ["cpu"] }, second: { compute_environments: ["cpu"] } }, default_queue: "gone" },
    messages: ['default_queue ("gone") must name one of the job queues: first, second'],
  },
  {
    name: "several queues and no default queue",
    args: { job_queues: { first: { compute_environments: ["cpu"] }, second: { compute_environments: ["cpu"] } } },
    messages: ["default_queue (null) must name one of the job queues: first, second (it may be left out when there is only one)"],
  },
  {
    name: "no NAT without endpoints, with Fargate, a public image and no job image",
    args: {
      nat_gateways: "none",
      interface_endpoints: ["ecr.api", "logs"],
      compute_environments: { serverless: { kind: "fargate" } },
      job_queues: { default: { compute_environments: ["serverless"] } },
    },
    messages: [
      'interface_endpoints: with nat_gateways "none", private subnets reach AWS only through endpoints; add "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "sts", "secretsmanager" or choose nat_gateways "single" or "perAz"',
      'compute_environments: "serverless" need a route out of the private subnets, but nat_gateways is "none"; choose "single" or "perAz", or an EC2 kind',
      'image (netflixoss/metaflow_metadata_service) cannot be pulled without NAT (nat_gateways is "none"); copy it to ECR in us-east-1',
      'job_image is required with nat_gateways "none": Metaflow\'s default job image is on Docker Hub and each task first installs boto3 and requests from PyPI, neither reachable without NAT',
    ],
  },
  {
    name: "one zone; a NAT mode that is none of them",
    args: { availability_zones: ["us-east-1a"], nat_gateways: "double" },
    messages: ["availability_zones must list 2 to 6 availability zones (it lists 1)", 'nat_gateways must be one of none, single, perAz, instance (it is "double")'],
  },
  {
    name: "endpoints unknown and twice",
    args: { interface_endpoints: ["ecr.api", "ecr.api", "s3"] },
    messages: ['interface_endpoints: "s3" must be among ecr.api, ecr.dkr', 'interface_endpoints lists "ecr.api" more than once; each endpoint once'],
  },
  {
    name: "a zone twice",
    args: { availability_zones: ["us-east-1a", "us-east-1a"] },
    messages: ['availability_zones lists "us-east-1a" more than once; each zone once'],
  },
  {
    name: "zones of another region",
    args: { availability_zones: ["eu-west-1a", "eu-west-1b"] },
    messages: ['availability_zones: "eu-west-1a", "eu-west-1b" must be zones of the provider\'s region us-east-1, like us-east-1a'],
  },
  {
    name: "a NAT instance type without the NAT instance",
    args: { nat_instance_type: "t4g.nano" },
    messages: ['nat_instance_type applies only with nat_gateways "instance" (it is "single"); remove it or set nat_gateways to "instance"'],
  },
  {
    name: "a private subnet outside the VPC",
    args: { vpc_cidr: "10.0.0.0/16", private_subnet_cidrs: ["10.0.0.0/19", "10.9.0.0/19"] },
    messages: ['private_subnet_cidrs: "10.9.0.0/19" must lie inside vpc_cidr 10.0.0.0/16'],
  },
  {
    name: "public subnets overlapping a private one, one too many",
    args: { vpc_cidr: "10.0.0.0/16", public_subnet_cidrs: ["10.0.16.0/20", "10.0.228.0/22", "10.0.232.0/22"] },
    messages: [
      "public_subnet_cidrs must list one CIDR per availability zone (2: us-east-1a, us-east-1b), not 3",
      'public_subnet_cidrs: "10.0.16.0/20" overlap another subnet; subnets must not overlap',
    ],
  },
  {
    name: "a VPC CIDR with host bits",
    args: { vpc_cidr: "10.0.0.1/16" },
    messages: ["vpc_cidr (10.0.0.1/16) must be an IPv4 network address in CIDR notation, in plain decimal, like 10.0.0.0/16"],
  },
  {
    name: "a VPC too small for the default subnets",
    args: { vpc_cidr: "10.0.0.0/24" },
    messages: ["vpc_cidr (10.0.0.0/24) is too small to split into default subnets; use /22 or larger, or set private_subnet_cidrs and public_subnet_cidrs"],
  },
  {
    name: "an existing network, its values on their own",
    without: ["availability_zones"],
    args: { existing_network: { vpc_id: "vpc-123", private_subnet_ids: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60711"] } },
    messages: [
      'existing_network.vpc_id ("vpc-123") must be an id like vpc-0123456789abcdef0',
      'existing_network lists "subnet-0a1b2c3d4e5f60711" more than once; list each subnet once',
    ],
  },
  {
    name: "an existing network with a created network's settings",
    args: { existing_network: { vpc_id: "vpc-0a1b2c3d4e5f60718", private_subnet_ids: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"] }, nat_gateways: "perAz" },
    messages: [
      "availability_zones cannot take effect with existing_network set: an existing network keeps its own CIDRs, zones, NAT and endpoints; remove it or existing_network",
      "nat_gateways cannot take effect with existing_network set",
    ],
  },
  {
    name: "a KMS key deletion window with SSE-S3",
    args: { encryption: "s3", kms_key_deletion_window_days: 10 },
    messages: ['kms_key_deletion_window_days cannot take effect: with encryption "s3" the bucket uses S3-managed keys and no KMS key is made; remove it or set encryption "kms"'],
  },
  {
    name: "an existing bucket with a name S3 refuses",
    args: { existing_bucket: { name: "Bad_Bucket" } },
    messages: ['existing_bucket.name ("Bad_Bucket") is not a valid S3 bucket name'],
  },
  {
    name: "an existing bucket with a created bucket's settings",
    args: { existing_bucket: { name: "acme-metaflow-datastore" }, encryption: "s3", noncurrent_version_retention_days: 30 },
    messages: [
      "encryption cannot take effect with existing_bucket set: an existing bucket keeps its own encryption and lifecycle rules; remove it or existing_bucket",
      "noncurrent_version_retention_days cannot take effect with existing_bucket set",
    ],
  },
  {
    name: "API gateway settings without the API gateway, a memory Fargate does not offer",
    args: { public_access: "internal", api_throttle_rate_limit: 50, cpu: 512, memory_mib: 3000 },
    messages: [
      'api_throttle_rate_limit cannot take effect: with public_access "internal" no API gateway is made; remove it or set public_access "apiGateway"',
      "memory_mib (3000) is not a Fargate size for cpu 512; use 1024 to 4096 in steps of 1024",
    ],
  },
  {
    name: "a burst below the steady rate",
    args: { api_throttle_rate_limit: 50, api_throttle_burst_limit: 10 },
    messages: ["api_throttle_burst_limit (10) must be >= api_throttle_rate_limit (50)"],
  },
  {
    name: "an unpinned image, a CPU size Fargate has not, a boundary that is no ARN",
    args: { image_tag: "latest", cpu: 384, permissions_boundary_arn: "boundary" },
    messages: [
      "image_tag must be pinned to a version, not latest",
      "cpu (384) must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096",
      'permissions_boundary_arn ("boundary") must be an IAM policy ARN',
    ],
  },
  {
    name: "an ECR image of another region, a database ceiling below its start",
    args: { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow_metadata_service", db_allocated_storage_gib: 200, db_max_allocated_storage_gib: 100 },
    messages: [
      "is in ECR of region eu-west-1, but the service's execution role may pull only from ECR in us-east-1",
      "db_max_allocated_storage_gib (100) must be >= db_allocated_storage_gib (200)",
    ],
  },
  {
    name: "an external job image with a repository's fields, unpinned and without a tag",
    args: { job_image: { source: "external", image: "python", tag: "latest", untagged_image_expiry_days: 0 } },
    messages: [
      'job_image.image ("python") must be an image with a tag or digest, like <account>.dkr.ecr.<region>.amazonaws.com/metaflow-jobs:py311-2026-12',
      'job_image.tag applies only with source "repository" (an external image is yours; the stack makes no repository for it); remove it',
      'job_image.untagged_image_expiry_days applies only with source "repository"',
      "job_image.tag must be pinned to a version, not latest",
      "job_image.untagged_image_expiry_days must be a whole number from 1 to 365 (it is 0)",
    ],
  },
  {
    name: "a job image repository given an image and no tag",
    args: { job_image: { source: "repository", image: "python:latest" } },
    messages: [
      'job_image.image applies only with source "external" (the stack\'s repository names the image; give only the tag); remove it',
      "job_image.image must be pinned to a version or digest, not latest",
      'job_image.tag is required with source "repository"',
    ],
  },
  {
    name: "an external job image without the image",
    args: { job_image: { source: "external" } },
    messages: ['job_image.image is required with source "external"'],
  },
  {
    name: "a job image source that is none of them",
    args: { job_image: { source: "dockerhub" } },
    messages: ['job_image.source must be one of external, repository (it is "dockerhub")'],
  },
  {
    name: "an external job image in ECR of another region",
    args: { job_image: { source: "external", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow-jobs:py311" } },
    messages: ['job_image.image ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow-jobs:py311") is in ECR of region eu-west-1, but the Batch instance and execution roles may pull only from ECR in us-east-1'],
  },
  {
    name: "no NAT with a job image from Docker Hub",
    args: {
      nat_gateways: "none",
      interface_endpoints: ["ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "logs", "sts", "secretsmanager"],
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow_metadata_service",
      job_image: { source: "external", image: "python:3.11" },
    },
    messages: ['job_image.image ("python:3.11") cannot be pulled without NAT (nat_gateways is "none"); copy it to ECR in us-east-1 and name it there, or use { source = "repository", tag = "..." }'],
  },
  {
    module: "ui",
    name: "the ui module: client CIDRs with host bits, listed twice, the whole internet",
    args: { client_cidrs: ["10.200.0.1/16", "10.9.0.0/16", "10.9.0.0/16", "0.0.0.0/0"] },
    messages: [
      'client_cidrs: "10.200.0.1/16" must be IPv4 network addresses in CIDR notation, in plain decimal, like 203.0.113.0/24',
      'client_cidrs lists "10.9.0.0/16" more than once; list each once',
      'client_cidrs: "0.0.0.0/0" admits the whole internet; the rule pack refuses ingress from 0.0.0.0/0 (MF-SG-1): list the networks people use the UI from',
    ],
  },
  {
    name: "a TLS mode that is none of them",
    args: { database_tls_mode: "disable" },
    messages: ['database_tls_mode must be one of require, verify-full (it is "disable")'],
  },
  {
    name: "a CA bundle path that is not absolute",
    args: { database_tls_mode: "verify-full", database_root_cert_path: "certs/rds.pem" },
    messages: ['database_root_cert_path ("certs/rds.pem") must be an absolute path in the image, like /etc/ssl/certs/rds-global-bundle.pem'],
  },
  {
    name: "verify-full without the CA bundle's path",
    args: { database_tls_mode: "verify-full" },
    messages: ['database_root_cert_path is required with database_tls_mode "verify-full": give where the RDS CA bundle is in the service\'s image'],
  },
  {
    name: "a CA bundle path with require",
    args: { database_root_cert_path: "/etc/ssl/certs/rds-global-bundle.pem" },
    messages: ['database_root_cert_path applies only with database_tls_mode "verify-full" (require checks no certificate); remove it'],
  },
  {
    name: "the users' role with nobody to assume it; execution log retention with scheduling off",
    args: { users_access: "role", scheduling_enabled: false, execution_log_retention_days: 30 },
    messages: [
      'users_principal_arns lists nobody; users_access "role" needs at least one principal that may assume it',
      "execution_log_retention_days cannot take effect: with scheduling_enabled false there is no Step Functions execution log",
    ],
  },
  {
    name: "principals without the users' role",
    args: { users_principal_arns: ["arn:aws:iam::123456789012:role/data-scientists"] },
    messages: ['users_principal_arns applies only with users_access "role"; set users_access to "role" or remove the list'],
  },
  {
    name: "a principal that is no IAM principal",
    args: { users_access: "role", users_principal_arns: ["arn:aws:s3:::bucket"] },
    messages: ['users_principal_arns: "arn:aws:s3:::bucket" must be IAM principal ARNs'],
  },
];

function mainTf(c: Case): string {
  const module = c.module ?? "metaflow";
  const base = module === "ui" ? UI_BASE : BASE;
  const args = { ...Object.fromEntries(Object.entries(base).filter(([k]) => !(c.without ?? []).includes(k))), ...c.args };
  return `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region = "${c.region ?? "us-east-1"}"
}

module "${module}" {
  source = "../terraform-modules/${module}"

${hclAttributes(Object.entries(args), "  ")}
}
`;
}

/** Runs `work` over `items`, `limit` at a time. */
async function inTurns<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

describeWithTerraform("terraform: the metaflow module's variable validation stops bad values at plan time", () => {
  const plans = new Map<string, Run>();
  let subnetCheck: Run;

  beforeAll(async () => {
    const runs = await inTurns(CASES, 2, async (c) => {
      const root = new HclRoot("validation", "root", { "main.tf": mainTf(c) });
      try {
        await root.init();
        return await root.run("plan", "-refresh=false", "-input=false", "-lock=false");
      } finally {
        root.remove();
      }
    });
    CASES.forEach((c, i) => plans.set(c.name, runs[i]));

    // The reused subnets' checks (data sources, so a mocked plan): both subnets in one zone fails the plan.
    const example = HCL_EXAMPLES.find((e) => e.name === "shared-vpc")!;
    const root = new HclRoot("subnet-check", exampleDir(example), undefined, { offline: false });
    try {
      const data = Object.keys(synthesizeModules().find((m) => m.name === "metaflow")!.json.data.aws_subnet)[0];
      fs.rmSync(path.join(root.dir, "tests"), { recursive: true, force: true });
      fs.writeFileSync(
        path.join(root.dir, "one-zone.tftest.hcl"),
        `${mockProvider(synthesizeModules(), "us-east-1")}
override_data {
  target = module.metaflow.data.aws_subnet.${data}
  values = { vpc_id = "vpc-0a1b2c3d4e5f60718", availability_zone = "us-east-1a" }
}

run "one_zone" {
  command = plan
}
`,
      );
      await root.init();
      subnetCheck = await root.run("test");
    } finally {
      root.remove();
    }
  }, 600_000);

  test.each(CASES.map((c) => [c.name, c] as const))("%s: the plan fails with each expected message", (name, c) => {
    const plan = plans.get(name)!;
    expect(plan.ok).toBe(false);
    expect(plan.out).toContain("Invalid value for variable");
    const missing = c.messages.filter((m) => !plan.out.includes(m));
    expect([missing, missing.length ? plan.out.slice(0, 6000) : ""]).toEqual([[], ""]);
  });

  test("reused private subnets in one zone fail the plan, naming existing_network", () => {
    expect(subnetCheck.out).toContain('run "one_zone"... fail');
    expect(subnetCheck.out).toContain("existing_network.private_subnet_ids must lie in at least two distinct availability zones.");
  });
});
