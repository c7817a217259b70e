import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { describeKind, Naming } from "../naming";
import { ConfigSchema, EnvironmentConfig, EnvironmentNameSchema, NamePrefixSchema } from "./schema";

/** One environment: its name (from the file name) and its resolved config. */
export interface Environment {
  readonly name: string;
  readonly config: EnvironmentConfig;
  /** The file it came from; undefined for the built-in default. */
  readonly source?: string;
}

/** The environment synthesized when the config directory holds no `*.json` file. */
export const DEFAULT_ENVIRONMENT_NAME = "dev";

/** Thrown for any invalid config. `problems` are one line each: `<file>: <field path>: <value> <what is allowed>`. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** `network.privateSubnetCidrs[1]` from `["network", "privateSubnetCidrs", 1]`. */
export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
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

/** Validates one environment's raw config; returns the resolved config or throws ConfigError. */
export function parseEnvironment(name: string, raw: unknown, source = "built-in default"): Environment {
  const problems: string[] = [];
  const nameCheck = EnvironmentNameSchema.safeParse(name);
  if (!nameCheck.success) {
    problems.push(`${source}: environment name ${formatValue(name)}: ${nameCheck.error.issues.map((i) => i.message).join("; ")} (rename the file)`);
  }
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap(describe).map((line) => `${source}: ${line}`));
  if (nameCheck.success) problems.push(...derivedNameProblems(name, raw).map((line) => `${source}: ${line}`));
  if (problems.length > 0) throw new ConfigError(problems);
  return { name, config: result.data!, source: source === "built-in default" ? undefined : source };
}

function readJson(file: string): unknown {
  const bytes = fs.readFileSync(file);
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${file}: not valid JSON (${(e as Error).message}); fix the syntax`]);
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
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
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
