import { isUtf8 } from "buffer";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { describeKind, Naming } from "../naming";
import { ConfigSchema, EnvironmentConfig, EnvironmentNameSchema, mootSettings, NamePrefixSchema } from "./schema";
import { uiNameProblems } from "./ui-config";

/** One environment: its name (from the file name) and its resolved config. */
export interface Environment {
  readonly name: string;
  readonly config: EnvironmentConfig;
  /** The file it came from; undefined for the built-in default. */
  readonly source?: string;
}

/** The environment synthesized when the config directory holds no `*.json` file. */
export const DEFAULT_ENVIRONMENT_NAME = "dev";

/**
 * Limits on what a config file may be. Configs are a few kilobytes and a few levels deep; past these the
 * input is refused with one message naming the file, and never reaches the schema (whose error reporting
 * recurses and would overflow the stack).
 */
export const CONFIG_LIMITS = {
  /** Bytes per file. */
  bytes: 256 * 1024,
  /** Nesting of objects and lists (the deepest field of the schema is at level 5). */
  depth: 32,
  /** Problems listed per file; the rest are counted in one closing line. */
  problemsPerFile: 50,
  /** Problems listed in all, over every file. */
  problems: 200,
} as const;

/**
 * Keys JavaScript gives a meaning (`__proto__` sets an object's prototype; `constructor` and `prototype`
 * name inherited members): schemas drop or misread them, so a config holding one is refused by path.
 */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** Thrown for any invalid config. `problems` are one line each: `<file>: <field path>: <value> <what is allowed>`. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** At most `max` characters of `text`, cut between code points, with "..." when cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = [...text.slice(0, max + 2)];
  return `${points.slice(0, max - 3).join("")}...`;
}

/** Line and paragraph separators and control characters as JSON escapes, so a problem stays one line. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Longest key printed in a path. */
const MAX_KEY_SHOWN = 160;

/** A path step as printed: plain, or quoted in brackets when empty or holding control characters. */
function formatKey(key: string): string {
  const shown = cut(key, MAX_KEY_SHOWN);
  return shown === "" || /[\u0000-\u001f\u007f\u2028\u2029]/.test(shown) ? `[${oneLine(JSON.stringify(shown))}]` : shown;
}

/** `network.privateSubnetCidrs[1]` from `["network", "privateSubnetCidrs", 1]`. */
export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    const shown = formatKey(String(key));
    return shown.startsWith("[") ? `${acc}${shown}` : acc ? `${acc}.${shown}` : shown;
  }, "");
}

/** Longest problem line (after the file name): messages that list values the user gave stay readable. */
const MAX_LINE = 1000;

/** Longest value printed after a path. */
const MAX_VALUE_SHOWN = 80;

/** JSON of `value`, built only as far as the first `max` characters (a value may be a whole large file). */
function preview(value: unknown, max: number): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? String(value);
  const open = Array.isArray(value) ? "[" : "{";
  const entries = Array.isArray(value) ? value : Object.entries(value);
  let text = open;
  for (const entry of entries) {
    if (text.length > max) break;
    const item = Array.isArray(value) ? preview(entry, max - text.length) : `${JSON.stringify((entry as [string, unknown])[0])}:${preview((entry as [string, unknown])[1], max - text.length)}`;
    text += `${text === open ? "" : ","}${item}`;
  }
  return text.length > max ? text : `${text}${Array.isArray(value) ? "]" : "}"}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  return oneLine(cut(preview(value, MAX_VALUE_SHOWN + 1), MAX_VALUE_SHOWN));
}

/**
 * Problems with the shape of `raw` that the schema cannot report: nesting past CONFIG_LIMITS.depth (then
 * nothing else is looked at) and RESERVED_KEYS anywhere, each by path. Walks without recursion.
 */
function shapeProblems(raw: unknown): { problems: string[]; tooDeep: boolean } {
  const problems: string[] = [];
  const seen = new Set<object>();
  const todo: [unknown, PropertyKey[]][] = [[raw, []]];
  while (todo.length > 0) {
    const [value, at] = todo.pop()!;
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (at.length >= CONFIG_LIMITS.depth) {
      const where = formatPath(at.slice(0, 6)) + (at.length > 6 ? "..." : "");
      return {
        problems: [`${where}: is nested more than ${CONFIG_LIMITS.depth} levels deep; a config has at most 5 levels (is this the right file?)`],
        tooDeep: true,
      };
    }
    const children: [PropertyKey, unknown][] = Array.isArray(value)
      ? value.map((child, i) => [i, child])
      : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
    for (const [key] of children) {
      if (typeof key === "string" && RESERVED_KEYS.includes(key)) {
        problems.push(`${formatPath([...at, key])}: ${JSON.stringify(key)} is not allowed as a key: JavaScript reserves it (it would be dropped or misread); remove it`);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) todo.push([children[i][1], [...at, children[i][0]]]);
  }
  return { problems, tooDeep: false };
}

/** The first CONFIG_LIMITS.problemsPerFile problems, and a line counting the rest. */
function capped(problems: readonly string[], source: string, max: number = CONFIG_LIMITS.problemsPerFile): string[] {
  if (problems.length <= max) return [...problems];
  return [...problems.slice(0, max), `${source}: ... and ${problems.length - max} more problems; fix the ones above and run again`];
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    // Reserved keys are reported by shapeProblems, with the reason.
    return issue.keys.filter((key) => !RESERVED_KEYS.includes(key)).map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
  }
  const where = formatPath(issue.path) || "(top level)";
  if (issue.code === "invalid_key") {
    // A record key that failed its own checks: the useful messages are inside.
    const reasons = issue.issues.map((inner) => inner.message).join("; ");
    return [`${where}: ${formatValue(issue.input)} is not allowed as a key: ${reasons}`];
  }
  if (issue.code === "invalid_union" && issue.discriminator) {
    // zod reports the whole object; the value that matters is its discriminator.
    const input = issue.input as Record<string, unknown> | undefined;
    return [`${where}: ${formatValue(input?.[issue.discriminator])} ${issue.message}`];
  }
  return [`${where}: ${formatValue(issue.input)} ${issue.message}`];
}

/**
 * The names the naming helper would derive from namePrefix and the environment name that AWS would refuse
 * (a prefix such as "sg" makes security group names that start with "sg-"), one line per rule broken.
 * Checked only once the prefix itself is valid: its own messages say what to fix first.
 */
function derivedNameProblems(environment: string, raw: unknown): string[] {
  const given = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>).namePrefix : undefined;
  const prefix = NamePrefixSchema.safeParse(given);
  if (!prefix.success) return [];
  const seen = new Set<string>();
  return Naming.problems(prefix.data, environment).flatMap((e) => {
    const rule = `${describeKind(e.kind)} ${e.problem}`;
    if (seen.has(rule)) return [];
    seen.add(rule);
    return [`namePrefix: ${formatValue(prefix.data)} makes names like ${JSON.stringify(e.value)} in environment ${environment}, but ${rule}; choose another namePrefix`];
  });
}

/**
 * Validates one environment's raw config; returns the resolved config or throws ConfigError with at most
 * CONFIG_LIMITS.problemsPerFile problems (and a line counting the rest).
 */
export function parseEnvironment(name: string, raw: unknown, source = "built-in default"): Environment {
  const lines: string[] = [];
  const nameCheck = EnvironmentNameSchema.safeParse(name);
  if (!nameCheck.success) {
    lines.push(`environment name ${formatValue(name)}: ${nameCheck.error.issues.map((i) => i.message).join("; ")} (rename the file)`);
  }
  const shape = shapeProblems(raw);
  lines.push(...shape.problems);
  let config: EnvironmentConfig | undefined;
  if (!shape.tooDeep) {
    const result = ConfigSchema.safeParse(raw, { reportInput: true });
    if (result.success) config = result.data;
    else for (const issue of result.error.issues) for (const line of describe(issue)) lines.push(line);
    if (nameCheck.success) lines.push(...derivedNameProblems(name, raw));
    if (nameCheck.success && config) lines.push(...uiNameProblems(config.ui, config.namePrefix, name, config.accountId));
    for (const moot of mootSettings(raw)) lines.push(`${formatPath(moot.path)}: ${formatValue(moot.value)} ${moot.message}`);
  }
  if (lines.length > 0 || config === undefined) throw new ConfigError(capped(lines.map((line) => `${source}: ${cut(line, MAX_LINE)}`), source));
  return { name, config, source: source === "built-in default" ? undefined : source };
}

const SAVE_AS_UTF8 = "save it as UTF-8 JSON";

/** Reads one config file: refuses what is too large, not UTF-8 text, or not JSON, in one line naming the file. */
function readJson(file: string): unknown {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > CONFIG_LIMITS.bytes) {
      throw new ConfigError([
        `${file}: is ${size} bytes; a config file may have at most ${CONFIG_LIMITS.bytes} bytes (${CONFIG_LIMITS.bytes / 1024} KiB); is this the right file?`,
      ]);
    }
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EISDIR" ? "it is a directory; environment files are <name>.json files" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new ConfigError([`${file}: cannot read it: ${oneLine(why)}`]);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError([`${file}: is UTF-16 encoded (it starts with a UTF-16 byte-order mark); ${SAVE_AS_UTF8}`]);
  }
  if (bytes.includes(0)) throw new ConfigError([`${file}: holds NUL bytes, so it is binary or UTF-16/32 text, not UTF-8 JSON; ${SAVE_AS_UTF8}`]);
  if (!isUtf8(bytes)) throw new ConfigError([`${file}: is not valid UTF-8 text; ${SAVE_AS_UTF8}`]);
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${file}: not valid JSON (${oneLine(cut((e as Error).message, 200))}); fix the syntax`]);
  }
}

/**
 * Loads every `<name>.json` in `dir` as environment `<name>`; with none there, the built-in default
 * (every field at its default) as environment `dev`. Validates all of them before returning; every
 * problem in every file is reported at once.
 */
export function loadEnvironments(dir: string): Environment[] {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
  const candidates: [string, () => unknown, string][] =
    files.length === 0
      ? [[DEFAULT_ENVIRONMENT_NAME, () => ({}), "built-in default"]]
      : files.map((f) => [path.basename(f, ".json"), () => readJson(path.join(dir, f)), path.join(dir, f)]);
  const environments: Environment[] = [];
  const problems: string[] = [];
  for (const [name, read, source] of candidates) {
    try {
      environments.push(parseEnvironment(name, read(), source));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const problem of e.problems) problems.push(problem);
    }
  }
  if (problems.length > 0) throw new ConfigError(capped(problems, dir, CONFIG_LIMITS.problems));
  return environments;
}

/** The environments named in `only` (all when it is empty); an unknown name is a ConfigError. */
export function selectEnvironments(all: readonly Environment[], only: readonly string[]): Environment[] {
  const unknown = only.filter((name) => !all.some((e) => e.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((name) => `--env ${name}: no such environment; choose one of ${all.map((e) => e.name).join(", ")}`));
  }
  return only.length === 0 ? [...all] : all.filter((e) => only.includes(e.name));
}
