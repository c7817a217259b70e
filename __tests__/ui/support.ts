import { synth } from "../support/synth";
import { entriesIn, list, policyDoc, ref } from "../support/json";

/** Reading the UI's parts out of a synthesized stack. */

export type Out = ReturnType<typeof synth>;
export type Body = Record<string, any>;

const cache = new Map<string, Out>();
/** Synthesizes each (config, environment) once per test file. */
export function synthOnce(config: unknown, name = "dev"): Out {
  const key = `${name}:${JSON.stringify(config)}`;
  if (!cache.has(key)) cache.set(key, synth(config, name));
  return cache.get(key)!;
}

/** `[logical id, body]` of the only resource of `type` whose logical id starts with `prefix` (a construct path, `_`-joined). */
export function only(out: Out, type: string, prefix: string): [string, Body] {
  const found = entriesIn(out, type, prefix);
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${found.length}: ${found.map(([id]) => id).join(", ")}`);
  return found[0];
}

/** Rules of `direction` on the security group `groupRef` (standalone rules only: the project writes no inline ones). */
export const rulesOn = (out: Out, groupRef: string, direction: "ingress" | "egress"): Body[] =>
  out.resources(`aws_vpc_security_group_${direction}_rule`).filter((r) => r.security_group_id === groupRef);

/** A rule reduced to what it allows. */
export const shape = (r: Body) => ({ protocol: r.ip_protocol, from: r.from_port, to: r.to_port, peer: r.referenced_security_group_id ?? r.cidr_ipv4 });

/** The one container of a task definition. */
export function containerOf(task: Body): Body {
  const containers = policyDoc(task.container_definitions) as Body[];
  if (containers.length !== 1) throw new Error(`expected one container, found ${containers.length}`);
  return containers[0];
}

export const envOf = (c: Body) => Object.fromEntries((list(c.environment) as Body[]).map((e) => [e.name, e.value]));

/** The UI's pieces, each found by construct path. */
export function ui(out: Out) {
  const [lbId, lb] = only(out, "aws_lb", "ui_load-balancer");
  const [httpsId, https] = entriesIn(out, "aws_lb_listener", "ui_load-balancer").find(([, l]) => l.protocol === "HTTPS")!;
  const [, http] = entriesIn(out, "aws_lb_listener", "ui_load-balancer").find(([, l]) => l.protocol === "HTTP")!;
  const rules: any[] = entriesIn(out, "aws_lb_listener_rule", "ui_load-balancer").map(([, r]) => r).sort((a, b) => a.priority - b.priority);
  const [lbGroupId] = only(out, "aws_security_group", "ui_load-balancer");
  const service = (which: "backend" | "static") => {
    const at = `ui_${which}_service`;
    const [, ecs] = only(out, "aws_ecs_service", at);
    const [, task] = only(out, "aws_ecs_task_definition", at);
    const [targetsId, targets] = only(out, "aws_lb_target_group", at);
    const [groupId, group] = only(out, "aws_security_group", at);
    return { ecs, task, container: containerOf(task), targetsId, targets, groupRef: ref("aws_security_group", groupId), group };
  };
  return { lbId, lb, httpsId, https, http, rules, lbGroupRef: ref("aws_security_group", lbGroupId), backend: service("backend"), static: service("static") };
}

/** Statements of every inline policy on the role whose name is `name`. */
export function statementsOfRole(out: Out, name: string): Body[] {
  const [roleId] = Object.entries<Body>(out.json.resource.aws_iam_role).find(([, r]) => r.name === name) ?? [];
  if (!roleId) throw new Error(`no role ${name}`);
  return out.resources("aws_iam_role_policy").filter((p) => p.role === ref("aws_iam_role", roleId)).flatMap((p) => policyDoc(p.policy).Statement as Body[]);
}
