import { block, isTrue, list, parseDocument } from "./terraform-json";
import { Rule, SynthResource } from "./types";

/** ECS: secrets only through `secrets`, tasks without public IPs, clusters with insights. */

/** Name parts that mark a secret: PSWD, PASSWORD, SECRET, TOKEN, CREDENTIAL, or ending in KEY (API_KEY, ACCESSKEY). */
const SECRET_PART = /(PSWD|PASSW(OR)?D|SECRET|TOKEN|CREDENTIAL|KEYS?$|^PWD$)/;
export const looksSecret = (name: string): boolean => name.toUpperCase().split(/[^A-Z0-9]+/).some((part) => SECRET_PART.test(part));

/** Containers of a task or job definition, with the names of their environment variables. */
function containers(r: SynthResource): { name: string; environment: string[] }[] {
  const doc = parseDocument(r.type === "aws_ecs_task_definition" ? r.body.container_definitions : r.body.container_properties);
  if (doc === undefined) return [];
  return list(doc).map((c, i) => ({
    name: typeof c.name === "string" ? c.name : `container ${i + 1}`,
    environment: list(c.environment).map((e) => String(e.name ?? e.Name)),
  }));
}

export const ECS_RULES: readonly Rule[] = [
  {
    id: "MF-ECS-1",
    level: "error",
    description: "No container environment variable has a secret-looking name (PSWD, PASSWORD, SECRET, TOKEN, KEY...).",
    fix: "Pass the value through the container's secrets (valueFrom a Secrets Manager or SSM ARN), never environment: the task definition and plan show environment values in clear.",
    appliesTo: ["aws_ecs_task_definition", "aws_batch_job_definition"],
    check: (r) =>
      containers(r).flatMap((c) => c.environment.filter(looksSecret).map((v) => `container ${c.name} has environment variable ${v}`)),
  },
  {
    id: "MF-ECS-2",
    level: "error",
    description: "ECS services do not assign public IPs to their tasks.",
    fix: "Set network_configuration.assign_public_ip = false and run tasks in private subnets (NAT or VPC endpoints for egress).",
    appliesTo: ["aws_ecs_service"],
    check: (r) => (isTrue(block(r.body.network_configuration)?.assign_public_ip) ? ["network_configuration.assign_public_ip is true"] : []),
  },
  {
    id: "MF-ECS-3",
    level: "warning",
    description: "ECS clusters have Container Insights on.",
    fix: 'Add setting { name = "containerInsights", value = "enabled" }.',
    appliesTo: ["aws_ecs_cluster"],
    check: (r) =>
      list(r.body.setting).some((s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value))
        ? []
        : ["containerInsights is not enabled"],
  },
];
