import * as fs from "fs";
import * as path from "path";
import { ComputeKind, FARGATE_KINDS, KIND_DEFAULTS } from "../modules/config/compute-config";
import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";
import { entriesIn, entryIn, list, policyDoc, ref, resourcesIn } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

/** One environment of every kind, none with overrides, so every per-kind default shows. */
/** Config name of the ALL_KINDS environment of each kind. */
const NAME_OF_KIND: Record<ComputeKind, string> = { ec2: "ondemand", spot: "spot", gpu: "gpu", fargate: "fargate", fargateSpot: "fargate-spot" };
const EC2_KINDS: ComputeKind[] = ["ec2", "spot", "gpu"];
const BATCH_TYPE: Record<ComputeKind, string> = { ec2: "EC2", spot: "SPOT", gpu: "EC2", fargate: "FARGATE", fargateSpot: "FARGATE_SPOT" };
const IMAGE_TYPE: Record<string, string> = { ec2: "ECS_AL2023", spot: "ECS_AL2023", gpu: "ECS_AL2023_NVIDIA" };

const PRODUCTION = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "environments", "production.json"), "utf8"));

/** `[logical id, body]` of the compute environment configured as `name` (found by its name prefix). */
function environment(out: Out, name: string): [string, Body] {
  const prefix = out.stack.naming.batchPrefix(name);
  const found = entriesIn(out, "aws_batch_compute_environment", "compute").filter(([, ce]) => ce.compute_environment_name_prefix === prefix);
  if (found.length !== 1) throw new Error(`expected one compute environment with prefix ${prefix}, found ${found.length}`);
  return found[0];
}
const resources = (ce: Body): Body => list(ce.compute_resources)[0] as Body;
const environmentArn = (out: Out, name: string) => ref("aws_batch_compute_environment", environment(out, name)[0], "arn");

/** `[logical id, body]` of the job queue configured as `name` (found by its name). */
function queue(out: Out, name: string): [string, Body] {
  const found = entriesIn(out, "aws_batch_job_queue", "compute").filter(([, q]) => q.name === out.stack.naming.batch(name));
  if (found.length !== 1) throw new Error(`expected one job queue named ${out.stack.naming.batch(name)}, found ${found.length}`);
  return found[0];
}

/** The launch template an EC2-kind environment uses. */
function launchTemplateOf(out: Out, name: string): [string, Body] {
  const templateRef = list(resources(environment(out, name)[1]).launch_template)[0] as Body | undefined;
  if (!templateRef) throw new Error(`environment ${name} has no launch template`);
  const found = entriesIn(out, "aws_launch_template", "compute").filter(([id]) => templateRef.launch_template_id === ref("aws_launch_template", id));
  if (found.length !== 1) throw new Error(`environment ${name} references ${templateRef.launch_template_id}, found ${found.length}`);
  return found[0];
}

/** Logical ids of the compute construct's IAM roles trusted by `service` (other areas have ECS-tasks roles too). */
function rolesTrustedBy(out: Out, service: string): string[] {
  return entriesIn(out, "aws_iam_role", "compute")
    .filter(([, r]) => policyDoc(r.assume_role_policy).Statement.some((s: Body) => list(s.Principal?.Service).includes(service)))
    .map(([id]) => id);
}

/** The job role: trusted by ECS tasks and granted object writes on the datastore. */
function jobRoleId(out: Out): string {
  const writers = rolesTrustedBy(out, "ecs-tasks.amazonaws.com").filter((id) =>
    out
      .resources("aws_iam_role_policy")
      .filter((p) => p.role === ref("aws_iam_role", id))
      .some((p) => policyDoc(p.policy).Statement.some((s: Body) => list(s.Action).includes("s3:PutObject"))),
  );
  if (writers.length !== 1) throw new Error(`expected one job role, found ${writers.length}`);
  return writers[0];
}

describe("Compute with the default config", () => {
  const out = synth();
  const [, ce] = environment(out, "cpu");
  const cr = resources(ce);

  test("there is one compute environment, cpu, and one job queue, default", () => {
    expect(resourcesIn(out, "aws_batch_compute_environment", "compute")).toHaveLength(1);
    expect(resourcesIn(out, "aws_batch_job_queue", "compute")).toHaveLength(1);
    expect(queue(out, "default")[1].name).toBe(out.stack.naming.batch("default"));
  });

  test("the environment is a managed, enabled on-demand EC2 environment", () => {
    expect(ce.type).toBe("MANAGED");
    expect(ce.state).toBe("ENABLED");
    expect(cr.type).toBe("EC2");
  });

  test("min vCPUs are 0, so it costs nothing when idle", () => {
    expect(cr.min_vcpus).toBe(0);
  });

  test("desired vCPUs equal min vCPUs", () => {
    expect(cr.desired_vcpus).toBe(cr.min_vcpus);
  });

  test("max vCPUs are the ec2 default", () => {
    expect(cr.max_vcpus).toBe(KIND_DEFAULTS.ec2.maxVcpus);
  });

  test("instance types are the ec2 default families", () => {
    expect(cr.instance_type).toEqual(KIND_DEFAULTS.ec2.instanceTypes);
  });

  test("allocation strategy is BEST_FIT_PROGRESSIVE", () => {
    expect(cr.allocation_strategy).toBe("BEST_FIT_PROGRESSIVE");
  });

  test("the image is the ECS-optimized Amazon Linux 2023 AMI (ec2_configuration image type ECS_AL2023)", () => {
    expect(list(cr.ec2_configuration)).toEqual([{ image_type: "ECS_AL2023" }]);
  });

  test("the default queue runs on cpu (order 1), priority 1, enabled", () => {
    const [, q] = queue(out, "default");
    expect(q.compute_environment_order).toEqual([{ order: 1, compute_environment: environmentArn(out, "cpu") }]);
    expect(q.priority).toBe(1);
    expect(q.state).toBe("ENABLED");
  });
});

describe("Compute vCPU settings", () => {
  test("configured min, desired and max vCPUs are used", () => {
    const out = synth({ compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", minVcpus: 2, desiredVcpus: 4, maxVcpus: 16 }] } });
    const cr = resources(environment(out, "cpu")[1]);
    expect([cr.min_vcpus, cr.desired_vcpus, cr.max_vcpus]).toEqual([2, 4, 16]);
  });

  test("desired vCPUs default to a configured min", () => {
    const out = synth({ compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", minVcpus: 8 }] } });
    const cr = resources(environment(out, "cpu")[1]);
    expect([cr.min_vcpus, cr.desired_vcpus]).toEqual([8, 8]);
  });

  test("configured instance types and allocation strategy are used", () => {
    const out = synth({ compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", instanceTypes: ["m7i.xlarge", "c7i"], allocationStrategy: "BEST_FIT" }] } });
    const cr = resources(environment(out, "cpu")[1]);
    expect(cr.instance_type).toEqual(["m7i.xlarge", "c7i"]);
    expect(cr.allocation_strategy).toBe("BEST_FIT");
  });
});

describe("Compute environment kinds", () => {
  const out = synth(ALL_KINDS);

  test("one compute environment per configured environment", () => {
    expect(resourcesIn(out, "aws_batch_compute_environment", "compute")).toHaveLength(ALL_KINDS.compute.computeEnvironments.length);
  });

  test.each(Object.keys(BATCH_TYPE) as ComputeKind[])("kind %s maps to its Batch compute resource type", (kind) => {
    expect(resources(environment(out, NAME_OF_KIND[kind])[1]).type).toBe(BATCH_TYPE[kind]);
  });

  test.each(EC2_KINDS)("kind %s uses its ECS AMI image type", (kind) => {
    expect(list(resources(environment(out, NAME_OF_KIND[kind])[1]).ec2_configuration)).toEqual([{ image_type: IMAGE_TYPE[kind] }]);
  });

  test("gpu runs EC2 instances with the NVIDIA ECS AMI (ECS_AL2023_NVIDIA)", () => {
    const cr = resources(environment(out, NAME_OF_KIND.gpu)[1]);
    expect(cr.type).toBe("EC2");
    expect(list(cr.ec2_configuration).map((c: any) => c.image_type)).toEqual(["ECS_AL2023_NVIDIA"]);
  });

  test.each(EC2_KINDS)("kind %s defaults to its instance families and max vCPUs", (kind) => {
    const cr = resources(environment(out, NAME_OF_KIND[kind])[1]);
    expect(cr.instance_type).toEqual(KIND_DEFAULTS[kind].instanceTypes);
    expect(cr.max_vcpus).toBe(KIND_DEFAULTS[kind].maxVcpus);
    expect(cr.min_vcpus).toBe(0);
  });

  test("spot uses SPOT_CAPACITY_OPTIMIZED allocation", () => {
    expect(resources(environment(out, NAME_OF_KIND.spot)[1]).allocation_strategy).toBe("SPOT_CAPACITY_OPTIMIZED");
  });

  test("spot has no spot fleet role and no bid percentage", () => {
    const cr = resources(environment(out, NAME_OF_KIND.spot)[1]);
    expect(cr).not.toHaveProperty("spot_iam_fleet_role");
    expect(cr).not.toHaveProperty("bid_percentage");
  });

  test("gpu uses BEST_FIT_PROGRESSIVE allocation", () => {
    expect(resources(environment(out, NAME_OF_KIND.gpu)[1]).allocation_strategy).toBe("BEST_FIT_PROGRESSIVE");
  });

  test.each(FARGATE_KINDS)("%s has no instance role, instance types, launch template, min or desired vCPUs", (kind) => {
    const cr = resources(environment(out, NAME_OF_KIND[kind])[1]);
    for (const field of ["instance_role", "instance_type", "launch_template", "min_vcpus", "desired_vcpus", "allocation_strategy", "ec2_configuration"]) {
      expect(cr).not.toHaveProperty(field);
    }
  });

  test.each(FARGATE_KINDS)("%s has the default max vCPUs", (kind) => {
    expect(resources(environment(out, NAME_OF_KIND[kind])[1]).max_vcpus).toBe(KIND_DEFAULTS[kind].maxVcpus);
  });

  test.each(EC2_KINDS)("kind %s runs as the Batch instance profile", (kind) => {
    const [profileId] = entryIn(out, "aws_iam_instance_profile", "compute");
    expect(resources(environment(out, NAME_OF_KIND[kind])[1]).instance_role).toBe(ref("aws_iam_instance_profile", profileId, "arn"));
  });
});

describe("Compute launch templates", () => {
  const out = synth(ALL_KINDS);
  const templateOf = (kind: ComputeKind) => launchTemplateOf(out, NAME_OF_KIND[kind]);
  const ebsOf = (template: Body) => {
    const mappings = list(template.block_device_mappings) as Body[];
    expect(mappings).toHaveLength(1);
    return { device: mappings[0].device_name, ebs: list(mappings[0].ebs)[0] as Body };
  };

  test("one launch template per EC2-kind environment, none for Fargate", () => {
    expect(resourcesIn(out, "aws_launch_template", "compute")).toHaveLength(EC2_KINDS.length);
    expect(new Set(EC2_KINDS.map((kind) => templateOf(kind)[0])).size).toBe(EC2_KINDS.length);
  });

  test.each(EC2_KINDS)("kind %s uses its template's latest version", (kind) => {
    const [id] = templateOf(kind);
    const used = list(resources(environment(out, NAME_OF_KIND[kind])[1]).launch_template)[0] as Body;
    expect(used.version).toBe(ref("aws_launch_template", id, "latest_version"));
  });

  test.each(EC2_KINDS)("kind %s: IMDSv2 required, hop limit 2, endpoint enabled", (kind) => {
    const metadata = list(templateOf(kind)[1].metadata_options)[0] as Body;
    expect(metadata.http_tokens).toBe("required");
    expect(metadata.http_put_response_hop_limit).toBe(2);
    expect(metadata.http_endpoint).toBe("enabled");
  });

  test.each(EC2_KINDS)("kind %s: encrypted gp3 root volume /dev/xvda of the kind's default size", (kind) => {
    const { device, ebs } = ebsOf(templateOf(kind)[1]);
    expect(device).toBe("/dev/xvda");
    expect(ebs.volume_type).toBe("gp3");
    expect(String(ebs.encrypted)).toBe("true");
    expect(ebs.volume_size).toBe(KIND_DEFAULTS[kind].rootVolumeGiB);
  });

  test("a configured rootVolumeGiB sets the root volume size", () => {
    const custom = synth({ compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", rootVolumeGiB: 120 }] } });
    expect(ebsOf(launchTemplateOf(custom, "cpu")[1]).ebs.volume_size).toBe(120);
  });

  test.each(EC2_KINDS)("kind %s: no SSH key", (kind) => {
    expect(templateOf(kind)[1]).not.toHaveProperty("key_name");
  });

  test.each(EC2_KINDS)("kind %s: name prefix (no fixed name) and create before destroy", (kind) => {
    const [, template] = templateOf(kind);
    expect(template.name_prefix).toBe(out.stack.naming.launchTemplatePrefix(`batch-${NAME_OF_KIND[kind]}`));
    expect(template).not.toHaveProperty("name");
    expect(template.lifecycle?.create_before_destroy).toBe(true);
  });
});

describe("Compute network placement", () => {
  const out = synth(ALL_KINDS);
  const subnetRefs = (tier: string) =>
    entriesIn(out, "aws_subnet", "network")
      .filter(([, s]) => s.tags?.Tier === tier)
      .map(([id]) => ref("aws_subnet", id))
      .sort();
  const batchGroups = () => {
    const used = new Set(resourcesIn(out, "aws_batch_compute_environment", "compute").flatMap((ce) => list(resources(ce).security_group_ids)));
    return entriesIn(out, "aws_security_group", "compute").filter(([id]) => used.has(ref("aws_security_group", id)));
  };

  test("every environment is in the private subnets and no public one", () => {
    const privateSubnets = subnetRefs("private");
    expect(privateSubnets.length).toBeGreaterThanOrEqual(2);
    for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) {
      expect([...list(resources(ce).subnets)].sort()).toEqual(privateSubnets);
    }
  });

  test("every environment has exactly the one Batch security group", () => {
    const groups = batchGroups();
    expect(groups).toHaveLength(1);
    for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) {
      expect(resources(ce).security_group_ids).toEqual([ref("aws_security_group", groups[0][0])]);
    }
  });

  test("the Batch security group has no ingress", () => {
    expect(list(batchGroups()[0][1].ingress)).toEqual([]);
    expect(out.resources("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === ref("aws_security_group", batchGroups()[0][0]))).toEqual([]);
  });

  test("the Batch security group has one all-protocol egress rule to anywhere", () => {
    const egress = list(batchGroups()[0][1].egress) as Body[];
    expect(egress).toHaveLength(1);
    expect(egress[0].protocol).toBe("-1");
    expect(egress[0].cidr_blocks).toEqual(["0.0.0.0/0"]);
  });

  test("the Batch security group is in the VPC, with a name prefix and create before destroy", () => {
    const [, group] = batchGroups()[0];
    const [vpcId] = entryIn(out, "aws_vpc", "network");
    expect(group.vpc_id).toBe(ref("aws_vpc", vpcId));
    expect(typeof group.name_prefix).toBe("string");
    expect(group.name_prefix.startsWith(`${out.stack.naming.base}-`)).toBe(true);
    expect(group).not.toHaveProperty("name");
    expect(group.lifecycle?.create_before_destroy).toBe(true);
  });

  test("with an existing network, environments use its configured private subnets", () => {
    const privateSubnetIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
    const existing = synth({
      network: { mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds, publicSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"] },
    });
    for (const ce of resourcesIn(existing, "aws_batch_compute_environment", "compute")) {
      expect(resources(ce).subnets).toEqual(privateSubnetIds);
    }
  });
});

describe("Compute environments are replaced safely", () => {
  const out = synth(ALL_KINDS);
  const allKinds = Object.keys(NAME_OF_KIND) as ComputeKind[];

  test.each(allKinds)("kind %s has a name prefix, not a fixed name", (kind) => {
    const [, ce] = environment(out, NAME_OF_KIND[kind]);
    expect(ce.compute_environment_name_prefix).toBe(out.stack.naming.batchPrefix(NAME_OF_KIND[kind]));
    expect(ce).not.toHaveProperty("compute_environment_name");
  });

  test.each(allKinds)("kind %s is created before the old one is destroyed", (kind) => {
    expect(environment(out, NAME_OF_KIND[kind])[1].lifecycle?.create_before_destroy).toBe(true);
  });

  test.each(EC2_KINDS)("kind %s ignores later changes to desired vCPUs", (kind) => {
    expect(list(environment(out, NAME_OF_KIND[kind])[1].lifecycle?.ignore_changes)).toContain("compute_resources[0].desired_vcpus");
  });

  test("the name prefixes of all environments are distinct", () => {
    const prefixes = resourcesIn(out, "aws_batch_compute_environment", "compute").map((ce) => ce.compute_environment_name_prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });
});

describe("Compute job queues", () => {
  const out = synth(ALL_KINDS);

  test("one job queue per configured queue", () => {
    expect(resourcesIn(out, "aws_batch_job_queue", "compute")).toHaveLength(ALL_KINDS.compute.jobQueues.length);
  });

  test.each(ALL_KINDS.compute.jobQueues)("queue $name is named by the naming helper", (q) => {
    expect(queue(out, q.name)[1].name).toBe(out.stack.naming.batch(q.name));
  });

  test.each(ALL_KINDS.compute.jobQueues)("queue $name has the configured priority $priority", (q) => {
    expect(queue(out, q.name)[1].priority).toBe(q.priority);
  });

  test.each(ALL_KINDS.compute.jobQueues)("queue $name lists its environments' ARNs in config order", (q) => {
    expect(queue(out, q.name)[1].compute_environment_order).toEqual(
      q.computeEnvironments.map((name, i) => ({ order: i + 1, compute_environment: environmentArn(out, name) })),
    );
  });

  test("reversing a queue's environments reverses their order", () => {
    const reversed = synth({
      // Only the two environments the queue names: one in no queue is refused.
      compute: { computeEnvironments: ALL_KINDS.compute.computeEnvironments.slice(0, 2), jobQueues: [{ name: "cpu", computeEnvironments: ["ondemand", "spot"] }] },
    });
    expect(queue(reversed, "cpu")[1].compute_environment_order).toEqual([
      { order: 1, compute_environment: environmentArn(reversed, "ondemand") },
      { order: 2, compute_environment: environmentArn(reversed, "spot") },
    ]);
  });

  test("priority defaults to 1", () => {
    const custom = synth({ compute: { jobQueues: [{ name: "main", computeEnvironments: ["cpu"] }] } });
    expect(queue(custom, "main")[1].priority).toBe(1);
  });

  test("the batch_job_queues output lists every queue's ARN", () => {
    const arns = entriesIn(out, "aws_batch_job_queue", "compute").map(([id]) => ref("aws_batch_job_queue", id, "arn"));
    expect([...(out.outputs.batch_job_queues?.value as string[])].sort()).toEqual(arns.sort());
  });
});

describe("Batch service role", () => {
  describe('batchServiceRole "dedicated" (the default)', () => {
    const out = synth(ALL_KINDS);
    const serviceRoles = rolesTrustedBy(out, "batch.amazonaws.com");
    const attachments = entriesIn(out, "aws_iam_role_policy_attachment", "compute").filter(([, a]) => a.role === ref("aws_iam_role", serviceRoles[0], "name"));

    test("one role is trusted by batch.amazonaws.com", () => {
      expect(serviceRoles).toHaveLength(1);
    });

    test("it carries the AWSBatchServiceRole managed policy", () => {
      expect(attachments.map(([, a]) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole"]);
    });

    test("every environment uses it as service role", () => {
      for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) {
        expect(ce.service_role).toBe(ref("aws_iam_role", serviceRoles[0], "arn"));
      }
    });

    test("every environment depends on the policy attachment (so the policy outlives it on destroy)", () => {
      for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) {
        expect(list(ce.depends_on)).toContain(`aws_iam_role_policy_attachment.${attachments[0][0]}`);
      }
    });

    test("the explicit value gives the same as the default", () => {
      const explicit = synth({ compute: { batchServiceRole: "dedicated" } });
      expect(rolesTrustedBy(explicit, "batch.amazonaws.com")).toHaveLength(1);
      expect(entryIn(explicit, "aws_batch_compute_environment", "compute")[1].service_role).toBeDefined();
    });
  });

  describe('batchServiceRole "serviceLinked"', () => {
    const out = synth({ compute: { ...ALL_KINDS.compute, batchServiceRole: "serviceLinked" } });

    test("no environment names a service role", () => {
      for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) expect(ce).not.toHaveProperty("service_role");
    });

    test("no role is trusted by batch.amazonaws.com", () => {
      expect(rolesTrustedBy(out, "batch.amazonaws.com")).toEqual([]);
    });

    test("the AWSBatchServiceRole policy is attached nowhere and environments depend on no attachment", () => {
      expect(out.resources("aws_iam_role_policy_attachment").map((a) => a.policy_arn)).not.toContain(
        "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",
      );
      for (const ce of resourcesIn(out, "aws_batch_compute_environment", "compute")) {
        expect(list(ce.depends_on).filter((d) => String(d).startsWith("aws_iam_role_policy_attachment."))).toEqual([]);
      }
    });
  });
});

describe("Compute profile outputs", () => {
  const outputValue = (out: Out, key: string) => out.outputs[key]?.value;

  test("METAFLOW_BATCH_JOB_QUEUE is the first queue's name by default", () => {
    const out = synth(ALL_KINDS);
    expect(outputValue(out, "METAFLOW_BATCH_JOB_QUEUE")).toBe(ref("aws_batch_job_queue", queue(out, "cpu")[0], "name"));
  });

  test("METAFLOW_BATCH_JOB_QUEUE is the defaultQueue's name when one is set", () => {
    const out = synth({ compute: { ...ALL_KINDS.compute, defaultQueue: "gpu" } });
    expect(outputValue(out, "METAFLOW_BATCH_JOB_QUEUE")).toBe(ref("aws_batch_job_queue", queue(out, "gpu")[0], "name"));
  });

  test("METAFLOW_BATCH_JOB_QUEUE with the default config is the queue default", () => {
    const out = synth();
    expect(outputValue(out, "METAFLOW_BATCH_JOB_QUEUE")).toBe(ref("aws_batch_job_queue", queue(out, "default")[0], "name"));
  });

  test("METAFLOW_ECS_S3_ACCESS_IAM_ROLE is the job role's ARN", () => {
    const out = synth(ALL_KINDS);
    expect(outputValue(out, "METAFLOW_ECS_S3_ACCESS_IAM_ROLE")).toBe(ref("aws_iam_role", jobRoleId(out), "arn"));
  });

  const fargateCases: { title: string; config: unknown; present: boolean }[] = [
    { title: "default config", config: {}, present: false },
    { title: "ec2, spot and gpu only", config: { compute: { computeEnvironments: ALL_KINDS.compute.computeEnvironments.slice(0, 3), jobQueues: [ALL_KINDS.compute.jobQueues[0], ALL_KINDS.compute.jobQueues[1]] } }, present: false },
    { title: "fargate only", config: { compute: { computeEnvironments: [{ name: "fargate", kind: "fargate" }], jobQueues: [{ name: "main", computeEnvironments: ["fargate"] }] } }, present: true },
    { title: "fargateSpot only", config: { compute: { computeEnvironments: [{ name: "fargate-spot", kind: "fargateSpot" }], jobQueues: [{ name: "main", computeEnvironments: ["fargate-spot"] }] } }, present: true },
    { title: "all five kinds", config: ALL_KINDS, present: true },
  ];
  test.each(fargateCases.filter((c) => !c.present))("no METAFLOW_ECS_FARGATE_EXECUTION_ROLE with $title", ({ config }) => {
    expect(synth(config).outputs).not.toHaveProperty("METAFLOW_ECS_FARGATE_EXECUTION_ROLE");
  });

  test.each(fargateCases.filter((c) => c.present))("METAFLOW_ECS_FARGATE_EXECUTION_ROLE is the execution role's ARN with $title", ({ config }) => {
    const out = synth(config);
    const executionRoles = rolesTrustedBy(out, "ecs-tasks.amazonaws.com").filter((id) => id !== jobRoleId(out));
    expect(executionRoles).toHaveLength(1);
    expect(outputValue(out, "METAFLOW_ECS_FARGATE_EXECUTION_ROLE")).toBe(ref("aws_iam_role", executionRoles[0], "arn"));
  });
});

describe("The production example (all five kinds, three queues)", () => {
  const out = synth(PRODUCTION, "production");
  const configured = PRODUCTION.compute;

  test("synthesizes five compute environments and three job queues", () => {
    expect(resourcesIn(out, "aws_batch_compute_environment", "compute")).toHaveLength(5);
    expect(resourcesIn(out, "aws_batch_job_queue", "compute")).toHaveLength(3);
  });

  test("it has every kind", () => {
    expect(new Set(configured.computeEnvironments.map((ce: Body) => ce.kind))).toEqual(new Set(Object.keys(BATCH_TYPE)));
    for (const ce of configured.computeEnvironments) {
      expect(resources(environment(out, ce.name)[1]).type).toBe(BATCH_TYPE[ce.kind as ComputeKind]);
    }
  });

  test("the spot queue falls back to on-demand: spot first, then ondemand", () => {
    const spotQueue = configured.jobQueues.find((q: Body) => q.computeEnvironments.includes("spot"));
    expect(spotQueue).toBeDefined();
    const order = queue(out, spotQueue.name)[1].compute_environment_order as Body[];
    expect(order).toEqual([
      { order: 1, compute_environment: environmentArn(out, "spot") },
      { order: 2, compute_environment: environmentArn(out, "ondemand") },
    ]);
    expect(resources(environment(out, "spot")[1]).type).toBe("SPOT");
    expect(resources(environment(out, "ondemand")[1]).type).toBe("EC2");
  });

  test("a GPU queue runs on the GPU environment", () => {
    const gpuQueue = configured.jobQueues.find((q: Body) => q.computeEnvironments.includes("gpu"));
    expect(queue(out, gpuQueue.name)[1].compute_environment_order).toEqual([{ order: 1, compute_environment: environmentArn(out, "gpu") }]);
  });

  test("configured root volumes are used (ondemand 100 GiB, gpu 200 GiB)", () => {
    const size = (name: string) => (list((list(launchTemplateOf(out, name)[1].block_device_mappings)[0] as Body).ebs)[0] as Body).volume_size;
    expect(size("ondemand")).toBe(100);
    expect(size("gpu")).toBe(200);
  });

  test("METAFLOW_BATCH_JOB_QUEUE is the configured default queue", () => {
    expect(out.outputs.METAFLOW_BATCH_JOB_QUEUE?.value).toBe(ref("aws_batch_job_queue", queue(out, configured.defaultQueue)[0], "name"));
  });

  test("the Fargate execution role output is present", () => {
    expect(out.outputs).toHaveProperty("METAFLOW_ECS_FARGATE_EXECUTION_ROLE");
  });
});
