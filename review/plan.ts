import { own, setOwn } from "./diff";
import { PlanInputError } from "./errors";

/**
 * The plan model: `terraform show -json` output of any format version from 0.1 to 1.x, normalized so the
 * rest of the reviewer never checks for a missing field. Fields older formats lack (`action_reason`,
 * `replace_paths`, `resource_drift`, `importing`, `previous_address`, `before_sensitive`/`after_sensitive`,
 * `relevant_attributes`, `checks`, ...) come out empty, undefined or false.
 */

/** One step of an attribute path: an object key or a list index. */
export type PathStep = string | number;

/** What happens to one resource instance, from its `actions` list. */
export type ActionKind =
  | "create"
  | "update"
  | "replace-delete-first"
  | "replace-create-first"
  | "delete"
  | "forget"
  /** `["create", "forget"]`: a new object is created and the old one is left in place, unmanaged. */
  | "create-then-forget"
  | "read"
  | "no-op"
  /** An action list this reviewer does not know (a newer Terraform); treated as destructive if it deletes or forgets. */
  | "other";

/** Kinds that destroy the object or let go of it: the destructive section and the gate look at these. */
export const DESTRUCTIVE_KINDS: ReadonlySet<ActionKind> = new Set<ActionKind>([
  "delete", "replace-delete-first", "replace-create-first", "forget", "create-then-forget",
]);

export function actionKind(actions: readonly string[]): ActionKind {
  switch (actions.join(",")) {
    case "create": return "create";
    case "update": return "update";
    case "delete,create": return "replace-delete-first";
    case "create,delete": return "replace-create-first";
    case "delete": return "delete";
    case "forget": return "forget";
    case "create,forget": return "create-then-forget";
    case "read": return "read";
    case "no-op": case "": return "no-op";
    default: return "other";
  }
}

/** Whether a change destroys or forgets its object. Unknown action lists count when they delete or forget. */
export function isDestructive(change: { readonly kind: ActionKind; readonly actions: readonly string[] }): boolean {
  return DESTRUCTIVE_KINDS.has(change.kind) || (change.kind === "other" && change.actions.some((a) => a === "delete" || a === "forget"));
}

export interface ResourceChange {
  readonly address: string;
  /** Set when the object moved (a `moved` block or a renamed resource) from this address. */
  readonly previousAddress?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** The deposed object key, for changes to a deposed (left-over create-before-destroy) object. */
  readonly deposed?: string;
  readonly actions: readonly string[];
  readonly kind: ActionKind;
  readonly actionReason?: string;
  readonly before: unknown;
  readonly after: unknown;
  /** `true` where a value is known only after apply; nested like `after` otherwise. */
  readonly afterUnknown: unknown;
  /** `true` where a value is sensitive; nested like `before`/`after` otherwise. */
  readonly beforeSensitive: unknown;
  readonly afterSensitive: unknown;
  /** Paths whose change forces the replacement (format 1.0 and later; empty otherwise). */
  readonly replacePaths: readonly (readonly PathStep[])[];
  /** Set when the change imports an existing object (Terraform 1.5+ `import` blocks). */
  readonly importing?: { readonly id?: string; readonly unknown?: boolean };
  /** Why a change was deferred to a later plan (Terraform 1.9+ `deferred_changes`). */
  readonly deferredReason?: string;
}

export interface OutputChange {
  readonly name: string;
  readonly actions: readonly string[];
  readonly kind: ActionKind;
  readonly before: unknown;
  readonly after: unknown;
  readonly afterUnknown: unknown;
  /** Sensitive before or after, from any place the plan says so. Outputs are masked as a whole. */
  readonly sensitive: boolean;
}

export interface CheckResult {
  readonly address: string;
  readonly status: string;
  readonly problems: readonly string[];
}

export interface Plan {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly resourceChanges: readonly ResourceChange[];
  /** Changes made outside Terraform since the last run (`resource_drift`, format 0.2 and later). */
  readonly drift: readonly ResourceChange[];
  readonly outputChanges: readonly OutputChange[];
  readonly deferred: readonly ResourceChange[];
  /** Resource addresses whose attributes the plan depends on (`relevant_attributes`), to flag drift that matters. */
  readonly relevantAddresses: ReadonlySet<string>;
  readonly checks: readonly CheckResult[];
  /** Terraform stopped on errors while planning (`errored`, Terraform 1.4+): the plan cannot be applied. */
  readonly errored: boolean;
  /** The plan carries no sensitivity information (formats before 0.2): secret-looking attributes are masked by name. */
  readonly lacksSensitivity: boolean;
  /**
   * What each configured resource's attributes refer to, from the plan's `configuration`: resource address
   * (without instance key, `module.a.aws_x.y`) to attribute path (`task_definition`,
   * `network_configuration.subnets`) to the referenced resources' addresses (`aws_ecs_task_definition.t`)
   * or other references as written (`var.subnets`). Empty for plans without a configuration.
   */
  readonly references: ReadonlyMap<string, Readonly<Record<string, readonly string[]>>>;
  /** The `aws` provider's region, where the root module's configuration sets it to a constant. */
  readonly providerRegion?: string;
}

/** Format versions this reviewer reads: every 0.x and 1.x (minor versions only add fields). */
const SUPPORTED_MAJOR = new Set(["0", "1"]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Names a value's JSON kind for messages: `an array`, `a string`, ... */
function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * Checks that `json` is a Terraform plan and normalizes it. Throws PlanInputError with one line saying
 * what the input is instead (a state file, `{}`, another kind of JSON) and what to run.
 */
export function toPlan(json: unknown, source = "the input"): Plan {
  notAPlan(json, source);
  tooDeep(json, source);
  const raw = json as Json;
  const formatVersion = String(raw.format_version);
  const major = formatVersion.split(".")[0];
  if (!SUPPORTED_MAJOR.has(major)) {
    throw new PlanInputError(
      `${source} is a Terraform plan of format_version ${formatVersion}, newer than this reviewer reads (0.1 to 1.x); update the reviewer`,
    );
  }
  const sensitiveValues = collectSensitiveValues(raw);
  const changes = listOf(raw.resource_changes, "resource_changes", source).map((rc, i) =>
    toResourceChange(rc, `resource_changes[${i}]`, source, sensitiveValues),
  );
  const drift = listOf(raw.resource_drift, "resource_drift", source).map((rc, i) =>
    toResourceChange(rc, `resource_drift[${i}]`, source, undefined),
  );
  const deferred = listOf(raw.deferred_changes, "deferred_changes", source).flatMap((d, i) =>
    isObject(d) && isObject(d.resource_change)
      ? [{ ...toResourceChange(d.resource_change, `deferred_changes[${i}]`, source, undefined), deferredReason: String(d.reason ?? "unknown") }]
      : [],
  );
  const lacksSensitivity =
    changes.length > 0 && changes.every((c) => c.beforeSensitive === undefined && c.afterSensitive === undefined);
  return {
    formatVersion,
    terraformVersion: typeof raw.terraform_version === "string" ? raw.terraform_version : undefined,
    resourceChanges: changes,
    drift,
    outputChanges: toOutputChanges(raw),
    deferred,
    relevantAddresses: new Set(
      listOf(raw.relevant_attributes, "relevant_attributes", source).flatMap((r) => (isObject(r) && typeof r.resource === "string" ? [r.resource] : [])),
    ),
    checks: toChecks(raw.checks),
    errored: raw.errored === true,
    lacksSensitivity,
    references: configurationReferences(raw.configuration),
    providerRegion: providerRegion(raw.configuration),
  };
}

/** Objects that are not Terraform's own namespaces: `var.x`, `local.y`, `each.key`, `count.index`, ... */
const NOT_RESOURCES = new Set(["var", "local", "each", "count", "path", "terraform", "self", "module"]);

/** `aws_subnet.a.id` in module `module.m` -> `module.m.aws_subnet.a`; `var.x` stays as written. */
function referencedAddress(reference: string, modulePrefix: string): string {
  const parts = reference.replace(/\[[^\]]*\]/g, "").split(".");
  if (NOT_RESOURCES.has(parts[0]) || parts.length < 2) return reference;
  return parts[0] === "data" ? `${modulePrefix}data.${parts[1]}.${parts[2] ?? ""}` : `${modulePrefix}${parts[0]}.${parts[1]}`;
}

/** Attribute path to references, for every expression under `expressions` (nested blocks by dotted path). */
function expressionReferences(expressions: unknown, modulePrefix: string, into: Record<string, string[]>, at = ""): void {
  if (Array.isArray(expressions)) {
    for (const e of expressions) expressionReferences(e, modulePrefix, into, at);
    return;
  }
  if (!isObject(expressions)) return;
  for (const [key, value] of Object.entries(expressions)) {
    const where = at ? `${at}.${key}` : key;
    if (isObject(value) && Array.isArray(value.references)) {
      const refs = value.references.filter((r): r is string => typeof r === "string").map((r) => referencedAddress(r, modulePrefix));
      into[where] = [...new Set([...(into[where] ?? []), ...refs])];
    } else if (Array.isArray(value) || (isObject(value) && !("constant_value" in value))) {
      expressionReferences(value, modulePrefix, into, where);
    }
  }
}

function configurationReferences(configuration: unknown): Map<string, Record<string, string[]>> {
  const found = new Map<string, Record<string, string[]>>();
  const walk = (module: unknown, prefix: string): void => {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (!isObject(r) || typeof r.address !== "string") continue;
      const refs: Record<string, string[]> = {};
      expressionReferences(r.expressions, prefix, refs);
      found.set(`${prefix}${r.address}`, refs);
    }
    if (isObject(module.module_calls)) {
      for (const [name, call] of Object.entries(module.module_calls)) {
        if (isObject(call)) walk(call.module, `${prefix}module.${name}.`);
      }
    }
  };
  if (isObject(configuration)) walk(configuration.root_module, "");
  return found;
}

function providerRegion(configuration: unknown): string | undefined {
  if (!isObject(configuration) || !isObject(configuration.provider_config)) return undefined;
  const aws = configuration.provider_config.aws;
  const region = isObject(aws) && isObject(aws.expressions) ? aws.expressions.region : undefined;
  return isObject(region) && typeof region.constant_value === "string" ? region.constant_value : undefined;
}

/** Throws when `json` is not a plan, naming what it looks like instead. */
function notAPlan(json: unknown, source: string): void {
  const expected = "expected the output of `terraform show -json <planfile>`";
  if (!isObject(json)) throw new PlanInputError(`${source} is JSON but not a Terraform plan: it is ${kindOf(json)}; ${expected}`);
  if (typeof json.version === "number" && ("lineage" in json || "serial" in json)) {
    throw new PlanInputError(`${source} is a Terraform state file (version ${json.version}), not a plan; ${expected}`);
  }
  const hasPlanPart = "resource_changes" in json || "planned_values" in json || "output_changes" in json;
  if (typeof json.format_version === "string" && "values" in json && !hasPlanPart) {
    throw new PlanInputError(`${source} is the JSON of a Terraform state (\`terraform show -json\` without a plan file), not a plan; ${expected}`);
  }
  if (isObject(json.format_version) || Array.isArray(json.format_version)) {
    throw new PlanInputError(`${source} is JSON but not a Terraform plan: format_version is ${kindOf(json.format_version)}; ${expected}`);
  }
  if (json.format_version === undefined || !hasPlanPart) {
    const keys = Object.keys(json);
    const found = keys.length === 0 ? "it is an empty object" : `its top-level keys are ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", ..." : ""}`;
    throw new PlanInputError(
      `${source} is JSON but not a Terraform plan: ${found} (a plan has format_version and planned_values or resource_changes); ${expected}`,
    );
  }
}

/**
 * How deep a plan may nest. Terraform's plans of real resources stay within a few dozen levels; the
 * reviewer walks values recursively, so deeper input is refused in one line rather than overflowing.
 */
export const MAX_PLAN_DEPTH = 256;

/** Throws when `json` nests deeper than MAX_PLAN_DEPTH, naming where. Walks without recursion. */
function tooDeep(json: unknown, source: string): void {
  const todo: [unknown, number, PathStep[]][] = [[json, 0, []]];
  while (todo.length > 0) {
    const [value, depth, at] = todo.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_PLAN_DEPTH) {
      const where = at.slice(0, 8).map((s) => (typeof s === "number" ? `[${s}]` : `.${s.length > 40 ? `${s.slice(0, 37)}...` : s}`)).join("").replace(/^\./, "");
      throw new PlanInputError(
        `${source} is not a readable Terraform plan: it nests more than ${MAX_PLAN_DEPTH} levels deep (under ${where}...); Terraform writes far shallower plans, so it is not the output of \`terraform show -json <planfile>\``,
      );
    }
    // Only the first steps of the path are shown: keep the rest short.
    const next = (step: PathStep) => (at.length < 8 ? [...at, step] : at);
    if (Array.isArray(value)) value.forEach((child, i) => todo.push([child, depth + 1, next(i)]));
    else for (const key of Object.keys(value)) todo.push([(value as Json)[key], depth + 1, next(key)]);
  }
}

function listOf(v: unknown, field: string, source: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PlanInputError(`${source} is not a readable Terraform plan: ${field} is ${kindOf(v)}, expected a list`);
  return v;
}

function toResourceChange(rc: unknown, where: string, source: string, sensitiveValues: SensitiveValues | undefined): ResourceChange {
  const broken = (what: string) => new PlanInputError(`${source} is not a readable Terraform plan: ${where} ${what}`);
  if (!isObject(rc)) throw broken(`is ${kindOf(rc)}, expected an object`);
  const address = addressOf(rc);
  if (address === undefined) throw broken("has no address (nor type and name)");
  const change = rc.change;
  if (!isObject(change)) throw broken(`(${address}) has no change object`);
  const actions = change.actions;
  if (!Array.isArray(actions) || !actions.every((a) => typeof a === "string")) throw broken(`(${address}) has no list of actions`);
  const importing = isObject(change.importing)
    ? { id: typeof change.importing.id === "string" ? change.importing.id : undefined, unknown: change.importing.unknown === true }
    : undefined;
  const fromValues = sensitiveValues && !rc.deposed ? sensitiveValues : undefined;
  return {
    address,
    previousAddress: typeof rc.previous_address === "string" ? rc.previous_address : undefined,
    mode: rc.mode === "data" ? "data" : "managed",
    type: typeof rc.type === "string" ? rc.type : typeFromAddress(address),
    name: typeof rc.name === "string" ? rc.name : "",
    deposed: typeof rc.deposed === "string" && rc.deposed !== "" ? rc.deposed : undefined,
    actions,
    kind: actionKind(actions),
    actionReason: typeof rc.action_reason === "string" && rc.action_reason !== "" ? rc.action_reason : undefined,
    before: change.before,
    after: change.after,
    afterUnknown: change.after_unknown,
    beforeSensitive: mergeMasks(change.before_sensitive, fromValues?.prior.get(address)),
    afterSensitive: mergeMasks(change.after_sensitive, fromValues?.planned.get(address)),
    replacePaths: Array.isArray(change.replace_paths)
      ? change.replace_paths.filter((p): p is PathStep[] => Array.isArray(p) && p.every((s) => typeof s === "string" || typeof s === "number"))
      : [],
    importing,
  };
}

/** The change's address; built from module_address, mode, type, name and index where it is missing (drift in Terraform 1.0.0). */
function addressOf(rc: Json): string | undefined {
  if (typeof rc.address === "string" && rc.address !== "") return rc.address;
  if (typeof rc.type !== "string" || typeof rc.name !== "string") return undefined;
  const module = typeof rc.module_address === "string" && rc.module_address ? `${rc.module_address}.` : "";
  const index = rc.index === undefined || rc.index === null ? "" : `[${JSON.stringify(rc.index)}]`;
  return `${module}${rc.mode === "data" ? "data." : ""}${rc.type}.${rc.name}${index}`;
}

/** `module.a.aws_s3_bucket.b[0]` -> `aws_s3_bucket`, for plans that omit `type`. */
function typeFromAddress(address: string): string {
  const parts = address.replace(/\[[^\]]*\]/g, "").split(".");
  return parts[parts.length - 2] ?? "";
}

/** The union of two sensitivity masks (`true`, or nested objects/arrays with `true` leaves). */
export function mergeMasks(a: unknown, b: unknown): unknown {
  if (a === undefined || a === false || a === null) return b === false ? a : b;
  if (b === undefined || b === false || b === null) return a;
  if (a === true || b === true) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => mergeMasks(a[i], b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) setOwn(out, k, mergeMasks(own(a, k), v));
    return out;
  }
  return true; // shapes disagree: mask the whole value rather than guess
}

interface SensitiveValues {
  readonly planned: Map<string, unknown>;
  readonly prior: Map<string, unknown>;
}

/** `sensitive_values` of planned_values and prior_state resources (format 0.2+), by address, as extra masks. */
function collectSensitiveValues(raw: Json): SensitiveValues {
  const walk = (module: unknown, into: Map<string, unknown>): void => {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (isObject(r) && typeof r.address === "string" && r.sensitive_values !== undefined) into.set(r.address, r.sensitive_values);
    }
    for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) walk(child, into);
  };
  const planned = new Map<string, unknown>();
  const prior = new Map<string, unknown>();
  if (isObject(raw.planned_values)) walk(raw.planned_values.root_module, planned);
  if (isObject(raw.prior_state) && isObject(raw.prior_state.values)) walk(raw.prior_state.values.root_module, prior);
  return { planned, prior };
}

/** Names of outputs any part of the plan marks sensitive (output changes, planned values, prior state, configuration). */
function sensitiveOutputs(raw: Json): Set<string> {
  const names = new Set<string>();
  const fromOutputs = (outputs: unknown) => {
    if (!isObject(outputs)) return;
    for (const [name, o] of Object.entries(outputs)) if (isObject(o) && o.sensitive === true) names.add(name);
  };
  if (isObject(raw.planned_values)) fromOutputs(raw.planned_values.outputs);
  if (isObject(raw.prior_state) && isObject(raw.prior_state.values)) fromOutputs(raw.prior_state.values.outputs);
  if (isObject(raw.configuration) && isObject(raw.configuration.root_module)) fromOutputs(raw.configuration.root_module.outputs);
  return names;
}

const isMarked = (mask: unknown): boolean =>
  mask === true || (Array.isArray(mask) ? mask.some(isMarked) : isObject(mask) && Object.values(mask).some(isMarked));

function toOutputChanges(raw: Json): OutputChange[] {
  if (!isObject(raw.output_changes)) return [];
  const sensitive = sensitiveOutputs(raw);
  return Object.entries(raw.output_changes).flatMap(([name, c]) => {
    if (!isObject(c) || !Array.isArray(c.actions)) return [];
    const actions = c.actions.filter((a): a is string => typeof a === "string");
    return [{
      name,
      actions,
      kind: actionKind(actions),
      before: c.before,
      after: c.after,
      afterUnknown: c.after_unknown,
      sensitive: sensitive.has(name) || isMarked(c.before_sensitive) || isMarked(c.after_sensitive) || c.sensitive === true,
    }];
  });
}

function toChecks(checks: unknown): CheckResult[] {
  if (!Array.isArray(checks)) return [];
  return checks.flatMap((c) => {
    if (!isObject(c)) return [];
    const addr = isObject(c.address) && typeof c.address.to_display === "string" ? c.address.to_display : undefined;
    const instances = Array.isArray(c.instances) ? c.instances.filter(isObject) : [];
    if (instances.length === 0) return [{ address: addr ?? "(unnamed check)", status: String(c.status ?? "unknown"), problems: [] }];
    return instances.map((i) => ({
      address: isObject(i.address) && typeof i.address.to_display === "string" ? i.address.to_display : addr ?? "(unnamed check)",
      status: String(i.status ?? c.status ?? "unknown"),
      problems: (Array.isArray(i.problems) ? i.problems : []).flatMap((p) => (isObject(p) && typeof p.message === "string" ? [p.message] : [])),
    }));
  });
}
