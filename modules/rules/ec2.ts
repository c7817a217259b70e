import { block, isTrue, list, refersTo } from "./terraform-json";
import { Rule, RuleContext, SynthResource } from "./types";

/** EC2 and Batch: IMDSv2 only, encrypted volumes, and Batch instances built from a launch template. */

const TEMPLATE = "aws_launch_template";
const INSTANCE = "aws_instance";

/** The launch template of the stack an instance is launched from (`launch_template { id = ... }`), if any. */
function templateOf(r: SynthResource, context: RuleContext): SynthResource | undefined {
  const ref = block(r.body.launch_template);
  if (!ref) return undefined;
  return context.resources(TEMPLATE).find((t) => refersTo(ref.id, t, ["id"]) || refersTo(ref.name, t, ["name"]));
}

/** Every EBS volume a launch template or instance defines: `[where, encrypted]`. */
function volumes(r: SynthResource, context: RuleContext): [string, unknown][] {
  if (r.type === TEMPLATE) {
    return list(r.body.block_device_mappings)
      .filter((m) => block(m.ebs))
      .map((m) => [`block device ${m.device_name ?? "?"}`, block(m.ebs)!.encrypted]);
  }
  if (r.type === INSTANCE) {
    const extra = list(r.body.ebs_block_device).map((d): [string, unknown] => [`ebs_block_device ${d.device_name ?? "?"}`, d.encrypted]);
    // The root volume comes from the instance, or else from the launch template it is launched from.
    const template = block(r.body.root_block_device) ? undefined : templateOf(r, context);
    const fromTemplate = template ? volumes(template, context) : [];
    if (fromTemplate.length > 0) return [...fromTemplate.map(([where, e]): [string, unknown] => [`${where} of launch template ${template!.address}`, e]), ...extra];
    return [["root_block_device", block(r.body.root_block_device)?.encrypted], ...extra];
  }
  return [["the volume", r.body.encrypted]];
}

export const EC2_RULES: readonly Rule[] = [
  {
    id: "MF-EC2-1",
    level: "error",
    description: 'Launch templates and instances require IMDSv2 (metadata_options.http_tokens = "required").',
    fix: 'Set metadata_options { http_endpoint = "enabled", http_tokens = "required" } (ComputeEnvironment does, hop limit 2 for containers).',
    appliesTo: [TEMPLATE, INSTANCE],
    check(r) {
      const tokens = block(r.body.metadata_options)?.http_tokens;
      return tokens === "required" ? [] : [`metadata_options.http_tokens is ${tokens === undefined ? "not set (IMDSv1 stays on)" : `"${tokens}"`}`];
    },
  },
  {
    id: "MF-EC2-2",
    level: "error",
    description: "Every EBS volume of a launch template, instance (its own, or its launch template's) or aws_ebs_volume is encrypted.",
    fix: 'Set encrypted = true on each volume (ebs { encrypted = "true" } in a launch template\'s block_device_mappings).',
    appliesTo: [TEMPLATE, INSTANCE, "aws_ebs_volume"],
    check(r, context) {
      const found = volumes(r, context);
      if (r.type === TEMPLATE && found.length === 0) {
        return ["no block_device_mappings: the root volume's encryption is left to the AMI and the account default"];
      }
      return found.filter(([, encrypted]) => !isTrue(encrypted)).map(([where]) => `${where} is not encrypted`);
    },
  },
  {
    id: "MF-BATCH-1",
    level: "error",
    description: "EC2 and Spot Batch compute environments launch instances from a launch template (where IMDSv2 and volume encryption are set).",
    fix: "Give compute_resources a launch_template (ComputeEnvironment does for every EC2 kind).",
    appliesTo: ["aws_batch_compute_environment"],
    check(r) {
      const resources = block(r.body.compute_resources);
      if (!resources || !["EC2", "SPOT"].includes(resources.type)) return [];
      return block(resources.launch_template) ? [] : [`compute_resources (type ${resources.type}) has no launch_template`];
    },
  },
];
