/**
 * HCL text for variable validation: conditions and messages as Terraform reads them. HCL's `||` and `&&`
 * do not short-circuit, so a check of a value that may be null is written `x == null ? true : ...`, and
 * every function that can fail on a bad value is wrapped in `can` or `try`.
 */

/** A validation rule: `condition` and `message` are HCL (the message a template that may show values). */
export interface Rule {
  readonly condition: string;
  readonly errorMessage: string;
}

export function rule(condition: string, errorMessage: string): Rule {
  return { condition: `\${${condition}}`, errorMessage };
}

/** A check that passes while `value` (an HCL expression) is null. */
export function unlessNull(value: string, check: string): string {
  return `${value} == null ? true : (${check})`;
}

/** A message's interpolation of `expression` that never fails the message: "?" where it cannot be evaluated. */
export function shown(expression: string): string {
  return `\${try(${expression}, "?")}`;
}

/** HCL that quotes and joins a list of strings for a message: `"a", "b"`. */
export function quoted(list: string): string {
  return `join(", ", [for x in ${list} : format("%q", x)])`;
}

/** HCL text of a literal list or value. */
export function literal(value: unknown): string {
  return JSON.stringify(value);
}

/** A CIDR check: an IPv4 network address in CIDR notation, in plain decimal. */
export function cidrCondition(expression: string): string {
  return `can(cidrhost(${expression}, 0)) ? cidrhost(${expression}, 0) == split("/", ${expression})[0] : false`;
}

/** The prefix length of a CIDR (HCL). */
export function prefixOf(cidr: string): string {
  return `tonumber(split("/", ${cidr})[1])`;
}

/** Whether network `inner` lies inside network `outer` (HCL; false when either is not a CIDR). */
export function cidrInside(inner: string, outer: string): string {
  return `try(${prefixOf(inner)} >= ${prefixOf(outer)} && cidrhost(format("%s/%s", cidrhost(${inner}, 0), ${prefixOf(outer)}), 0) == cidrhost(${outer}, 0), false)`;
}

/** Whether networks `a` and `b` overlap: they agree on the bits of the shorter prefix (HCL). */
export function cidrsOverlap(a: string, b: string): string {
  const bits = `min(${prefixOf(a)}, ${prefixOf(b)})`;
  return `try(cidrhost(format("%s/%s", cidrhost(${a}, 0), ${bits}), 0) == cidrhost(format("%s/%s", cidrhost(${b}, 0), ${bits}), 0), false)`;
}

/** A JavaScript regular expression as an HCL string literal for `regex()` (RE2 reads the same syntax here). */
export function regexLiteral(pattern: RegExp): string {
  return JSON.stringify(pattern.source).replace(/\$\{/g, "$$${").replace(/%\{/g, "%%{");
}

/** Whether `value` matches `pattern` (HCL). */
export function matches(pattern: RegExp, value: string): string {
  return `can(regex(${regexLiteral(pattern)}, ${value}))`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/**
 * `value` as an HCL expression, laid out as `terraform fmt` lays it out: lists of scalars on one line,
 * objects one attribute a line with the `=` of single-line attributes aligned.
 */
export function hclValue(value: unknown, indent = ""): string {
  if (isScalar(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    return `[\n${value.map((v) => `${indent}  ${hclValue(v, `${indent}  `)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${hclAttributes(entries, `${indent}  `)}\n${indent}}`;
}

/** Attribute lines `key = value` at `indent`, `=` aligned over each run of single-line values (as `terraform fmt` does). */
export function hclAttributes(entries: readonly [string, unknown][], indent: string): string {
  const key = (k: string) => (IDENTIFIER.test(k) ? k : JSON.stringify(k));
  const rendered = entries.map(([k, v]) => ({ key: key(k), value: hclValue(v, indent) }));
  const lines: string[] = [];
  let run: { key: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(...run.map((r) => r.key.length));
    for (const r of run) lines.push(`${indent}${r.key.padEnd(width)} = ${r.value}`);
    run = [];
  };
  for (const r of rendered) {
    if (r.value.includes("\n")) {
      // A value over several lines stands alone: the lines around it align among themselves.
      if (run.length > 0) flush();
      lines.push(`${indent}${r.key} = ${r.value}`);
    } else {
      run.push(r);
    }
  }
  if (run.length > 0) flush();
  return lines.join("\n");
}
