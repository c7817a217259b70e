import { SynthResource } from "./types";

/**
 * Reading synthesized Terraform JSON: booleans that may be strings, blocks that may be lists, references,
 * and documents written with `Fn.jsonencode` (policies, container definitions).
 */

/** `true` or `"true"` (cdktf writes some provider booleans as strings). */
export const isTrue = (v: unknown): boolean => v === true || v === "true";

/** A value or list of values as a list; undefined/null as an empty list. */
export function list<T = any>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

/** A nested block, written as an object or (after an override, or for list blocks) a one-element list. */
export function block(v: unknown): Record<string, any> | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  return first !== null && typeof first === "object" ? (first as Record<string, any>) : undefined;
}

/** A value Terraform computes (`${...}`): the rule cannot see it at synth. */
export const isUnresolved = (v: unknown): boolean => typeof v === "string" && v.includes("${");

/**
 * Whether `value` points at `target`: a reference to one of its attributes (`${aws_s3_bucket.x.id}`), or
 * a literal equal to the target's own value of one of them (a bucket named by string).
 */
export function refersTo(value: unknown, target: SynthResource, attributes: readonly string[]): boolean {
  if (typeof value !== "string") return false;
  if (attributes.some((a) => value.includes(`${target.address}.${a}`))) return true;
  return !isUnresolved(value) && attributes.some((a) => target.body[a] === value);
}

/**
 * Parses a document held in a string: plain JSON, or cdktf's `${jsonencode(...)}`. Bare references inside
 * a jsonencode (`aws_x.y.arn`) become `"${aws_x.y.arn}"` strings. Undefined when it is neither (a
 * reference to a data source's JSON, say): the document is then not known at synth.
 */
export function parseDocument(value: unknown): any {
  if (value !== null && typeof value === "object") return value;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const inner = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(text);
  if (!inner) return undefined;
  // Strings, references (with index steps: `x.y.list[0].attr`), punctuation, other bare words.
  const tokens = inner[1].match(/"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.-]*(?:\[\d+\][A-Za-z0-9_.-]*)+|[{}[\],=]|[^\s{}[\],="]+/g) ?? [];
  const json = tokens
    .map((t) =>
      t === "=" ? ":" : /^["{}[\],]/.test(t) || /^(-?\d+(\.\d+)?|true|false|null)$/.test(t) ? t : JSON.stringify(`\${${t}}`),
    )
    .join("");
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** An IAM statement as read from a document; every field may be a string or a list. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document held in `value`; undefined when the document is not known at synth. */
export function statements(value: unknown): Statement[] | undefined {
  const doc = parseDocument(value);
  if (doc === undefined || typeof doc !== "object") return undefined;
  return list<Statement>(doc.Statement);
}

/** `Sid X` or `statement 2`, for messages. */
export const statementName = (s: Statement, i: number): string => (s.Sid ? `statement ${s.Sid}` : `statement ${i + 1}`);

/** Principal values by kind: `"*"` becomes `{ "*": ["*"] }`. */
export function principals(principal: unknown): Record<string, string[]> {
  if (principal === undefined) return {};
  if (typeof principal === "string") return { [principal === "*" ? "*" : "AWS"]: [principal] };
  if (principal === null || typeof principal !== "object") return {};
  return Object.fromEntries(Object.entries(principal).map(([kind, v]) => [kind, list<string>(v).map(String)]));
}

/** Whether the statement's principal is everyone (`"*"`, or `"*"` among the AWS principals). */
export function isEveryone(principal: unknown): boolean {
  const all = principals(principal);
  return "*" in all || (all.AWS ?? []).includes("*");
}
