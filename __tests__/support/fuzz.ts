import * as fc from "fast-check";

/**
 * Settings shared by the property-based suites. Seeds are fixed so CI runs the same cases every time; the
 * test names print the seed and the number of cases so a failure can be quoted and replayed.
 *
 *   FUZZ_SEED=<integer>  another seed (a failure prints the seed and the path of the failing case)
 *   FUZZ_RUNS=<integer>  cases per property instead of each suite's default (e.g. FUZZ_RUNS=2000 locally)
 */

/** The default seed of every suite: the issue that asked for them. */
export const DEFAULT_FUZZ_SEED = 13;

function integerFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, not ${JSON.stringify(text)}`);
  return n;
}

export interface FuzzSettings {
  readonly seed: number;
  readonly numRuns: number;
  /** `seed 13, 200 cases`: for test names. */
  readonly label: string;
}

/** The seed and case count of one property: FUZZ_SEED and FUZZ_RUNS when set, else the defaults. */
export function fuzzSettings(defaultRuns: number): FuzzSettings {
  const seed = integerFromEnv("FUZZ_SEED") ?? DEFAULT_FUZZ_SEED;
  const numRuns = integerFromEnv("FUZZ_RUNS") ?? defaultRuns;
  return { seed, numRuns, label: `seed ${seed}, ${numRuns} cases` };
}

/** fc.assert with the suite's seed and count; the failure report includes the counterexample and how to replay it. */
export function check<T>(property: fc.IProperty<T>, settings: FuzzSettings): void {
  fc.assert(property, { seed: settings.seed, numRuns: settings.numRuns });
}

/** Jest's timeout for a property of `numRuns` cases of at most `perCaseMs` each (FUZZ_RUNS can raise it). */
export const timeoutFor = (settings: FuzzSettings, perCaseMs: number) => Math.max(60000, settings.numRuns * perCaseMs);

/** Strings that stress parsers and messages: empty, huge, control characters, separators, astral, lone surrogates, NUL. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", " ", "\n", "\u0000", "\u2028", "\ud800", "\uFEFF", "𝐀𝐁", "%0A", "\\", '"', "null", "[]", "{}", "-1", "1e400", "NaN"),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.nat({ max: 5000 }).map((n) => "x".repeat(n)),
);

/** Lists nested `depth` deep around `inner` (`[[[inner]]]`). */
export const nestedList = (depth: number, inner: unknown = []): unknown => {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** Any JSON value, including deeply nested ones and nasty strings. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((d) => nestedList(d)) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 53, -0, 1e308, true, false, null) },
);

/** The paths of every object field and list element in `value`, deepest last (for choosing what to mutate). */
export function pathsOf(value: unknown, limit = 2000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const todo: [unknown, (string | number)[]][] = [[value, []]];
  while (todo.length > 0 && out.length < limit) {
    const [v, at] = todo.shift()!;
    if (typeof v !== "object" || v === null) continue;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((c, i) => [i, c]) : Object.entries(v);
    for (const [k, c] of entries) {
      out.push([...at, k]);
      todo.push([c, [...at, k]]);
    }
  }
  return out;
}

/** One edit of a JSON document: replace, delete, duplicate or rename at a path, or add a key. */
export type Mutation =
  | { readonly kind: "replace"; readonly pick: number; readonly value: unknown }
  | { readonly kind: "delete"; readonly pick: number }
  | { readonly kind: "duplicate"; readonly pick: number }
  | { readonly kind: "rename"; readonly pick: number; readonly key: string }
  | { readonly kind: "add"; readonly pick: number; readonly key: string; readonly value: unknown };

export const mutation = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("replace" as const), pick: fc.nat(), value: values }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("rename" as const), pick: fc.nat(), key: keys }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("add" as const), pick: fc.nat(), key: keys, value: values }) },
  );

/** `doc` (deep-copied) with `mutations` applied; each mutation picks its path among the document's current ones. */
export function mutate(doc: unknown, mutations: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(doc);
  for (const m of mutations) {
    const paths = [[], ...pathsOf(root)];
    const at = paths[m.pick % paths.length];
    if (at.length === 0) {
      if (m.kind === "replace") root = structuredClone(m.value);
      else if (m.kind === "add" && typeof root === "object" && root !== null && !Array.isArray(root)) defineKey(root, m.key, structuredClone(m.value));
      continue;
    }
    const parent = at.slice(0, -1).reduce<any>((node, key) => node[key], root);
    const key = at[at.length - 1];
    const current = parent[key];
    if (m.kind === "replace") parent[key] = structuredClone(m.value);
    else if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === "duplicate") {
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else defineKey(parent, `${String(key)}2`, structuredClone(current));
    } else if (m.kind === "rename") {
      if (!Array.isArray(parent)) {
        delete parent[key];
        defineKey(parent, m.key, current);
      }
    } else if (typeof current === "object" && current !== null && !Array.isArray(current)) defineKey(current, m.key, structuredClone(m.value));
    else if (Array.isArray(current)) current.push(structuredClone(m.value));
  }
  return root;
}

/** Sets an own data property, even `__proto__` (as JSON.parse does). */
function defineKey(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Edits of a document's text: cut it, insert or delete characters, or add a byte-order mark or a trailing comma. */
export type TextEdit =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "remove"; readonly at: number; readonly length: number }
  | { readonly kind: "bom" }
  | { readonly kind: "wrap"; readonly before: string; readonly after: string };

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(nastyString, fc.constantFrom(",", "}", "]", ":", '"', "{", "[", "//", "0x1", "'")) }),
  fc.record({ kind: fc.constant("remove" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.constant({ kind: "bom" as const }),
  fc.record({ kind: fc.constant("wrap" as const), before: fc.constantFrom("", "[command]terraform show -json plan\n", "::debug::x\n", "garbage "), after: fc.constantFrom("", "\n%0A", "\n::set-output name=x::y", " trailing") }),
);

export function editText(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of edits) {
    const at = "at" in e ? e.at % (out.length + 1) : 0;
    if (e.kind === "truncate") out = out.slice(0, at);
    else if (e.kind === "insert") out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === "remove") out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === "bom") out = `\uFEFF${out}`;
    else out = `${e.before}${out}${e.after}`;
  }
  return out;
}
