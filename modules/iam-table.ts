import { GRANT_REASONS } from "./grant-reasons";
import { list, principals, statements } from "./rules/terraform-json";

/**
 * Every grant of a synthesized stack as rows: the role (or managed policy) it is given to, the service or
 * people that may assume it, each statement's Sid, actions, resources and conditions, and why it is there
 * (GRANT_REASONS, by Sid). docs/iam.md is written from these rows for every shipped config, and a test
 * fails when a statement has no Sid or no reason.
 */
export interface GrantRow {
  /** The role's or managed policy's name, `<base>` for the stack's name prefix and environment. */
  readonly holder: string;
  /** Who assumes the role: a service principal, or the people the config names. */
  readonly assumedBy: string;
  readonly sid: string | undefined;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: string[];
}

type Body = Record<string, any>;

/** A reference `${aws_x.name.attr}` as `aws_x.attr`, the stack's base name and region as placeholders. */
function generic(text: string, base: string, region: string): string {
  return text
    .replace(/\$\{([a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_.\[\]0-9]+)\}/g, "<$1.$2>")
    .split(base).join("<base>")
    .split(`:${region}:`).join(":<region>:");
}

/** The stack's base name: the prefix of its roles (`metaflow-dev` for the default stack). */
function baseOf(stack: Body): string {
  const names = Object.values<Body>(stack.resource?.aws_iam_role ?? {}).map((r) => String(r.name));
  const first = names[0] ?? "";
  let base = first;
  for (const name of names) while (!name.startsWith(base)) base = base.slice(0, -1);
  return base.replace(/-+$/, "");
}

/** Every identity-policy statement of `stack` (inline role policies and managed policies). */
export function grantRows(stack: Body, region: string): GrantRow[] {
  const base = baseOf(stack);
  const roles = stack.resource?.aws_iam_role ?? {};
  const g = (v: unknown) => generic(String(v), base, region);
  const assumers = (role: Body | undefined): string => {
    const trust = statements(role?.assume_role_policy)?.[0];
    if (!trust) return "people given the policy";
    const who = principals(trust.Principal);
    return who.Service ? who.Service.join(", ") : "the configured principals";
  };
  const rows: GrantRow[] = [];
  const add = (holder: string, assumedBy: string, policy: unknown) => {
    for (const s of statements(policy) ?? []) {
      rows.push({
        holder: g(holder),
        assumedBy,
        sid: s.Sid,
        actions: list(s.Action).map(String),
        resources: list(s.Resource).map(g),
        conditions: Object.entries(s.Condition ?? {}).flatMap(([op, keys]) => Object.entries(keys).map(([k, v]) => `${op} ${k} ${list(v).map(g).join(", ")}`)),
      });
    }
  };
  for (const policy of Object.values<Body>(stack.resource?.aws_iam_role_policy ?? {})) {
    const id = /^\$\{aws_iam_role\.([^.}]+)\.(?:id|name)\}$/.exec(String(policy.role))?.[1];
    const role = id ? roles[id] : undefined;
    add(role ? String(role.name) : String(policy.role), assumers(role), policy.policy);
  }
  for (const policy of Object.values<Body>(stack.resource?.aws_iam_policy ?? {})) add(String(policy.name), "people given the policy", policy.policy);
  return rows;
}

const cell = (items: readonly string[]) => items.map((x) => `\`${x.replace(/\|/g, "\\|")}\``).join("<br>");

/**
 * The grants of every stack, one table per holder, rows merged across stacks by (holder, Sid) with the
 * union of their actions and resources; `in` names the stacks that have the row when not all do.
 */
export function iamMarkdown(stacks: readonly { title: string; stack: Body; region: string }[]): string {
  const merged = new Map<string, { row: GrantRow; actions: Set<string>; resources: Set<string>; conditions: Set<string>; in: Set<string> }>();
  for (const { title, stack, region } of stacks) {
    for (const row of grantRows(stack, region)) {
      const key = `${row.holder}\u0000${row.sid}`;
      const entry = merged.get(key) ?? { row, actions: new Set(), resources: new Set(), conditions: new Set(), in: new Set() };
      row.actions.forEach((a) => entry.actions.add(a));
      row.resources.forEach((r) => entry.resources.add(r));
      row.conditions.forEach((c) => entry.conditions.add(c));
      entry.in.add(title);
      merged.set(key, entry);
    }
  }
  const holders = [...new Set([...merged.values()].map((e) => e.row.holder))].sort();
  const out: string[] = [];
  for (const holder of holders) {
    const entries = [...merged.values()].filter((e) => e.row.holder === holder);
    out.push(`### \`${holder}\``, "", `Assumed by: ${entries[0].row.assumedBy}.`, "", "| Sid | actions | resources | conditions | why | in |", "|---|---|---|---|---|---|");
    for (const e of entries) {
      const where = e.in.size === stacks.length ? "all" : [...e.in].join(", ");
      const why = (e.row.sid && GRANT_REASONS[e.row.sid]) ?? "**no reason recorded**";
      out.push(`| ${e.row.sid ?? "**no Sid**"} | ${cell([...e.actions])} | ${cell([...e.resources])} | ${cell([...e.conditions])} | ${why.replace(/\|/g, "\\|")} | ${where} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}
