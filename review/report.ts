import { ChangeGroup, constructPaths, groupChanges, place, Placement } from "./areas";
import { CostComparison } from "../modules/cost/estimate";
import { planCost } from "./cost";
import { AttributeChange, attributeChanges, DiffOptions, SECRET_NAME, setOwn } from "./diff";
import { evaluateGate, GateOptions, GateResult, hasChanges, ProtectedChange } from "./gate";
import { ActionKind, isDestructive, OutputChange, Plan, ResourceChange, toPlan } from "./plan";
import { readPlanFile } from "./read";
import { CountKey } from "./words";

/**
 * A review: everything a reader of the plan is shown, format-free. The terminal and Markdown renderers
 * only lay it out, and take every value they print from `attributes` and `outputs`, where sensitive values
 * are already replaced by a mark (see diff.ts): no layout can print one.
 */

export interface ReviewedChange {
  readonly change: ResourceChange;
  /** Changed attributes (updates, replaces and drift only; empty for creates, deletes and the rest). */
  readonly attributes: readonly AttributeChange[];
  /** Set when the resource is protected: whether approved, and by what. */
  readonly protection?: ProtectedChange;
  /** Its area and construct path (with the synthesized stack), or its module. */
  readonly placement: Placement;
}

/** An output value with its sensitive parts removed: `sensitive` marks where they were (`true` for all of it). */
export interface MaskedValue {
  readonly value: unknown;
  /** Parts known only after apply, as in `after_unknown`. */
  readonly unknown: unknown;
  readonly sensitive: unknown;
}

export interface ReviewedOutput {
  readonly name: string;
  readonly kind: ActionKind;
  readonly before: MaskedValue;
  readonly after: MaskedValue;
}

export interface Review {
  /** Where the plan came from, for headings (a file path). */
  readonly source?: string;
  readonly plan: Plan;
  readonly counts: Readonly<Record<CountKey, number>>;
  readonly hasChanges: boolean;
  /** Unchanged resources that are not moved or imported either. */
  readonly unchanged: number;
  /** Deletes, replaces and forgets, blocked ones first. */
  readonly destructive: readonly ReviewedChange[];
  readonly updates: readonly ReviewedChange[];
  readonly creates: readonly ReviewedChange[];
  readonly reads: readonly ReviewedChange[];
  /** Moved without other changes (a moved resource that also changes is listed under its action too). */
  readonly moved: readonly ReviewedChange[];
  /** Imported resources (also listed under their action when they change). */
  readonly imports: readonly ReviewedChange[];
  readonly outputs: readonly ReviewedOutput[];
  readonly drift: readonly ReviewedChange[];
  readonly gate: GateResult;
  /** Things the reader must know about the plan itself (errored, missing sensitivity marks, deferred changes). */
  readonly notes: readonly string[];
  /**
   * Every resource change but the unchanged ones, by area of the deployment (`groupedBy` "area", when the
   * synthesized stack was given) or by Terraform module ("module").
   */
  readonly groups: readonly ChangeGroup<ReviewedChange>[];
  readonly groupedBy: "area" | "module";
  /** The synthesized stack the plan was made from, when given (`ReviewOptions.stack`). */
  readonly stack?: unknown;
  /**
   * The monthly idle cost before and after the plan (modules/cost/); undefined when neither the plan nor the
   * stack names the region.
   */
  readonly cost?: CostComparison;
}

export interface ReviewOptions extends GateOptions {
  /** Names the plan in headings and in the command the Markdown's truncation note suggests. @default none */
  readonly source?: string;
  /**
   * The synthesized stack (`cdk.tf.json`, parsed) the plan was made from: its metadata gives each change its
   * construct path and area. @default none: changes are grouped by Terraform module
   */
  readonly stack?: unknown;
}

const ATTRIBUTE_KINDS = new Set(["update", "replace-delete-first", "replace-create-first", "create-then-forget", "other"]);

export function buildReview(plan: Plan, options: ReviewOptions = {}): Review {
  const gate = evaluateGate(plan, options);
  const diffOptions: DiffOptions = { maskSecretNames: plan.lacksSensitivity };
  const protection = new Map(gate.protectedChanges.map((p) => [p.change, p]));
  const paths = options.stack === undefined ? undefined : constructPaths(options.stack);
  const reviewed = (change: ResourceChange, withAttributes: boolean): ReviewedChange => ({
    change,
    attributes: withAttributes ? attributeChanges(change, diffOptions) : [],
    protection: protection.get(change),
    placement: place(change, paths),
  });
  const changed: ReviewedChange[] = [];

  const counts: Record<CountKey, number> = {
    create: 0, update: 0, "replace-delete-first": 0, "replace-create-first": 0, delete: 0, forget: 0,
    read: 0, "no-op": 0, moved: 0, import: 0, other: 0,
  };
  const destructive: ReviewedChange[] = [];
  const updates: ReviewedChange[] = [];
  const creates: ReviewedChange[] = [];
  const reads: ReviewedChange[] = [];
  const moved: ReviewedChange[] = [];
  const imports: ReviewedChange[] = [];
  for (const change of plan.resourceChanges) {
    const kind = change.kind === "create-then-forget" ? "forget" : change.kind;
    counts[kind]++;
    if (change.previousAddress !== undefined) counts.moved++;
    if (change.importing !== undefined) counts.import++;
    const item = reviewed(change, ATTRIBUTE_KINDS.has(change.kind));
    if (isDestructive(change)) destructive.push(item);
    else if (change.kind === "update" || change.kind === "other") updates.push(item);
    else if (change.kind === "create") creates.push(item);
    else if (change.kind === "read") reads.push(item);
    if (change.previousAddress !== undefined && change.kind === "no-op") moved.push(item);
    if (change.importing !== undefined) imports.push(item);
    if (change.kind !== "no-op") changed.push(item);
  }
  const groups = groupChanges(changed);
  // Blocked first, then approved, then the rest; plan order within each.
  const rank = (r: ReviewedChange) => (r.protection ? (r.protection.approval ? 1 : 0) : 2);
  destructive.sort((a, b) => rank(a) - rank(b));

  const notes: string[] = [];
  if (plan.errored) notes.push("Terraform reported errors while planning (errored: true): this plan is incomplete and cannot be applied.");
  if (plan.lacksSensitivity) {
    notes.push(
      `This plan (format ${plan.formatVersion}) carries no sensitivity marks; attributes with secret-looking names are hidden, but other secrets may show.`,
    );
  }
  if (plan.deferred.length > 0) notes.push(`${plan.deferred.length} change(s) are deferred to a later plan and are not part of this one.`);

  return {
    source: options.source,
    plan,
    counts,
    hasChanges: hasChanges(plan),
    unchanged: plan.resourceChanges.filter((c) => c.kind === "no-op" && c.previousAddress === undefined && c.importing === undefined).length,
    destructive,
    updates,
    creates,
    reads,
    moved,
    imports,
    outputs: plan.outputChanges.filter((o) => o.kind !== "no-op").map((o) => reviewedOutput(o, plan.lacksSensitivity)),
    drift: plan.drift.map((d) => reviewed(d, d.kind !== "delete")).filter(isMeaningfulDrift),
    gate,
    notes,
    groups,
    groupedBy: paths && paths.size > 0 ? "area" : "module",
    stack: options.stack,
    cost: planCost(plan, options.stack),
  };
}

/** null, "", [] and {}: what a provider may read back for an attribute nobody set. */
function isEmptyValue(shown: AttributeChange["before"]): boolean {
  if (shown.kind !== "value") return false;
  const v = shown.value;
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
}

/**
 * Drift worth a reader's attention: a resource deleted outside Terraform, or an attribute that really
 * changed. A provider reading back an unset attribute as empty (`tags: null -> {}`, Terraform's own CLI
 * hides these) is not drift.
 */
function isMeaningfulDrift(item: ReviewedChange): boolean {
  return item.change.kind === "delete" || item.attributes.some((a) => !(isEmptyValue(a.before) && isEmptyValue(a.after)));
}

function reviewedOutput(output: OutputChange, maskSecretNames: boolean): ReviewedOutput {
  const masked = (value: unknown, unknown: unknown): MaskedValue => {
    if (output.sensitive) return { value: null, unknown: undefined, sensitive: true };
    if (!maskSecretNames) return { value, unknown, sensitive: undefined };
    const redacted = redactSecretNames(value);
    return { value: redacted.value, unknown, sensitive: redacted.mask };
  };
  return { name: output.name, kind: output.kind, before: masked(output.before, undefined), after: masked(output.after, output.afterUnknown) };
}

/** `value` with the values under secret-looking keys replaced by null, and a mask marking where. */
function redactSecretNames(value: unknown): { value: unknown; mask: unknown } {
  if (Array.isArray(value)) {
    const parts = value.map(redactSecretNames);
    return { value: parts.map((p) => p.value), mask: parts.map((p) => p.mask) };
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    const mask: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const part = SECRET_NAME.test(k) ? { value: null, mask: true } : redactSecretNames(v);
      setOwn(out, k, part.value);
      setOwn(mask, k, part.mask);
    }
    return { value: out, mask };
  }
  return { value, mask: undefined };
}

/** `Plan: 3 to create, 1 to update in place, ...` in one line; `No changes.` when there are none. */
export function summaryLine(review: Review, rows: readonly (readonly [CountKey, string])[]): string {
  const drift = review.drift.length ? `${review.drift.length} changed outside Terraform` : "";
  if (!review.hasChanges) return drift ? `No changes (${drift}).` : "No changes.";
  const parts = rows.filter(([key]) => key !== "no-op" && review.counts[key] > 0).map(([key, label]) => `${review.counts[key]} ${label}`);
  if (review.counts.other > 0) parts.push(`${review.counts.other} with unrecognized actions`);
  const outputs = review.outputs.length;
  if (outputs > 0) parts.push(`${outputs} output${outputs === 1 ? "" : "s"} to change`);
  const unchanged = review.unchanged > 0 ? `; ${review.unchanged} unchanged` : "";
  return `Plan: ${parts.join(", ") || "no resource changes"}${unchanged}${drift ? `; ${drift}` : ""}.`;
}

/** Reads, checks and reviews a plan file; throws PlanInputError (one line) when the file is not a readable plan. */
export function reviewFile(path: string, options: ReviewOptions = {}): Review {
  return buildReview(readPlanFile(path), { source: path, ...options });
}

/** Reviews an already parsed `terraform show -json` document; throws PlanInputError when it is not a plan. */
export function reviewJson(json: unknown, options: ReviewOptions = {}): Review {
  return buildReview(toPlan(json, options.source), options);
}
