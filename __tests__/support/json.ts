import { Synthesized } from "./synth";

/** Helpers for reading synthesized Terraform JSON in tests. */

type Body = Record<string, any>;

/** `[logical id, body]` of every resource of `type`. */
export function entries(out: Synthesized, type: string): [string, Body][] {
  return Object.entries(out.json.resource?.[type] ?? {});
}

/** `[logical id, body]` of every resource of `type` built under the stack's construct `area` (e.g. "network"). */
export function entriesIn(out: Synthesized, type: string, area: string): [string, Body][] {
  // Logical ids start with the construct path below the stack (Testing.synth drops the "//" metadata).
  return entries(out, type).filter(([id]) => id.startsWith(`${area}_`));
}

/** Bodies of every resource of `type` built under the stack's construct `area`. */
export const resourcesIn = (out: Synthesized, type: string, area: string): Body[] => entriesIn(out, type, area).map(([, body]) => body);

/** `[logical id, body]` of the only resource of `type` under `area`; fails when there is not exactly one. */
export function entryIn(out: Synthesized, type: string, area: string): [string, Body] {
  const found = entriesIn(out, type, area);
  if (found.length !== 1) throw new Error(`expected one ${type} under ${area}, found ${found.length}: ${found.map(([id]) => id).join(", ")}`);
  return found[0];
}

/** Body of the only resource of `type` under `area`; fails when there is not exactly one. */
export const resourceIn = (out: Synthesized, type: string, area: string): Body => entryIn(out, type, area)[1];

/** The interpolation Terraform sees for `<type>.<id>.<attr>`. */
export const ref = (type: string, id: string, attr = "id") => `\${${type}.${id}.${attr}}`;

/** A value or list of values as a list; `undefined` as an empty list. */
export const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/**
 * Parses a synthesized `${jsonencode({...})}` policy into a plain object. Bare references
 * (`aws_x.y.arn`) become `"${aws_x.y.arn}"` strings, as they read elsewhere in the JSON.
 */
export function policyDoc(expression: string): any {
  const inner = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expression);
  if (!inner) throw new Error(`not a jsonencode expression: ${expression}`);
  // Strings, punctuation, references (with index steps: `x.y.list[0].attr`), other bare words.
  const tokens = inner[1].match(/"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.-]*(?:\[\d+\][A-Za-z0-9_.-]*)+|[{}[\],=]|[^\s{}[\],="]+/g) ?? [];
  const json = tokens
    .map((t) =>
      t === "=" ? ":" : /^["{}[\],]/.test(t) || /^(-?\d+(\.\d+)?|true|false|null)$/.test(t) ? t : JSON.stringify(`\${${t}}`),
    )
    .join("");
  return JSON.parse(json);
}

/** Every policy document in the stack: `[where, parsed document]`, from any string field holding a jsonencode. */
export function policyDocuments(out: Synthesized): [string, any][] {
  const found: [string, any][] = [];
  for (const [type, byId] of Object.entries<Record<string, Record<string, unknown>>>(out.json.resource ?? {})) {
    for (const [id, body] of Object.entries(byId)) {
      for (const [field, value] of Object.entries(body)) {
        if (typeof value === "string" && value.startsWith("${jsonencode(") && /"Statement"/.test(value)) {
          found.push([`${type}.${id}.${field}`, policyDoc(value)]);
        }
      }
    }
  }
  return found;
}

/** The logical id inside a `${type.id.attr}` reference to a resource of `type`. */
export function idOf(type: string, reference: string): string {
  const match = new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.[a-z_]+\\}$`).exec(reference);
  if (!match) throw new Error(`${reference} is not a reference to ${type}`);
  return match[1];
}
