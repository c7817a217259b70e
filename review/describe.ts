import { formatPath, formatWholeValue } from "./diff";
import { Approval } from "./gate";
import { ResourceChange } from "./plan";
import { MaskedValue, Review, ReviewedChange, ReviewedOutput } from "./report";
import { ChangeGroup } from "./areas";
import { ACTION_WORDS, COUNT_ROWS, CountKey, reasonWords } from "./words";

/** Plain-text phrases about one reviewed change, shared by the terminal and Markdown layouts. */

/** `(moved from a.b; importing id "x"; deposed object 1234)`, or "" when none applies. */
export function annotations(change: ResourceChange): string {
  const notes: string[] = [];
  if (change.previousAddress !== undefined) notes.push(`moved from ${change.previousAddress}`);
  if (change.importing !== undefined) {
    notes.push(change.importing.id !== undefined ? `importing id ${JSON.stringify(change.importing.id)}` : "importing");
  }
  if (change.deposed !== undefined) notes.push(`deposed object ${change.deposed}`);
  if (change.deferredReason !== undefined) notes.push(`deferred: ${change.deferredReason}`);
  return notes.length ? `(${notes.join("; ")})` : "";
}

export function actionWords(change: ResourceChange): string {
  return change.kind === "other" ? `unrecognized actions ${JSON.stringify(change.actions)}` : ACTION_WORDS[change.kind];
}

/** Why the change happens, in words; undefined when the plan does not say (format before 1.1, or no reason). */
export function whyWords(change: ResourceChange): string | undefined {
  return reasonWords(change.actionReason);
}

/** `cidr_block, tags.Name`: the attributes that force a replacement. */
export function replacePathWords(change: ResourceChange): string | undefined {
  return change.replacePaths.length ? change.replacePaths.map(formatPath).join(", ") : undefined;
}

export function approvedBy(approval: Approval): string {
  return `approved by ${approval.source}`;
}

/** Attributes by which AWS itself refuses to delete a resource while they are on (Cognito writes "ACTIVE"). */
const DELETION_PROTECTION_ATTRIBUTES = ["deletion_protection", "deletion_protection_enabled"] as const;
const isOn = (value: unknown) => value === true || value === "ACTIVE";

/**
 * For a destructive change of a resource whose deletion protection is on: approving it is not enough, AWS
 * refuses the delete (the apply would fail half-way). Says what to do instead; undefined otherwise.
 */
export function deletionProtectionWords(change: ResourceChange): string | undefined {
  if (!change.actions.includes("delete")) return undefined;
  const before = change.before as Record<string, unknown> | null;
  const on = DELETION_PROTECTION_ATTRIBUTES.find((a) => isOn(before?.[a]));
  if (!on) return undefined;
  return `its ${on} is on, so AWS refuses the delete even when approved: back up its data, turn the protection off outside this plan, then approve it`;
}

/** `BLOCKED: protected (type aws_s3_bucket); approve with --allow <address>`, `approved by --allow`, or undefined. */
export function protectionWords(item: ReviewedChange): string | undefined {
  const p = item.protection;
  if (!p) return undefined;
  if (p.approval) return `protected (${p.protectedBy}), ${approvedBy(p.approval)}`;
  return `BLOCKED: protected (${p.protectedBy}); approve with --allow ${item.change.address}`;
}

/** Whether an item is drift that the plan depends on (`relevant_attributes`). */
export function isRelevantDrift(item: ReviewedChange, relevant: ReadonlySet<string>): boolean {
  return relevant.has(item.change.address);
}

/** The gate's verdict in words: `BLOCKED: 1 protected resource would be ...`, `changes to review`, `no changes`. */
export function verdictWords(review: Review): string {
  const { gate } = review;
  if (gate.verdict === "blocked") {
    const n = gate.blocked.length;
    return `BLOCKED: ${n} protected resource${n === 1 ? "" : "s"} would be deleted, replaced or forgotten without approval`;
  }
  const approved = gate.approved.length ? ` (${gate.approved.length} protected change${gate.approved.length === 1 ? "" : "s"} approved)` : "";
  return gate.verdict === "changes" ? `changes to review${approved}` : "no changes";
}

/** One line for an output change: `+ name = value`, `~ name: before -> after`, `- name (was value)`. */
export function outputWords(output: ReviewedOutput, max: number): string {
  const show = (v: MaskedValue) => formatWholeValue(v.value, v.unknown, v.sensitive, max);
  switch (output.kind) {
    case "create": return `+ ${output.name} = ${show(output.after)}`;
    case "delete": return `- ${output.name} (was ${show(output.before)})`;
    default: return `~ ${output.name}: ${show(output.before)} -> ${show(output.after)}`;
  }
}

/** The one- to three-character mark of a change's action: `+`, `~`, `-/+`, `-`, `!` (forget), `<=` (read). */
export function actionSymbol(change: ResourceChange): string {
  switch (change.kind) {
    case "create": return "+";
    case "update": return "~";
    case "replace-delete-first": case "replace-create-first": return "-/+";
    case "delete": return "-";
    case "forget": case "create-then-forget": return "!";
    case "read": return "<=";
    default: return "?";
  }
}

/** `3 to create, 1 to update in place`: the counts of one group of changes, in the order of COUNT_ROWS. */
export function groupCountWords(group: ChangeGroup<ReviewedChange>): string {
  const counts = new Map<CountKey, number>();
  for (const item of group.items) {
    const kind: CountKey = item.change.kind === "create-then-forget" ? "forget" : item.change.kind;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const parts = COUNT_ROWS.filter(([key]) => counts.has(key)).map(([key, label]) => `${counts.get(key)} ${label}`);
  if (counts.has("other")) parts.push(`${counts.get("other")} with unrecognized actions`);
  return parts.join(", ");
}

/** What a change is called where it is listed: its construct path when known, else its address. */
export function changeName(item: ReviewedChange): string {
  return item.placement.path ?? item.change.address;
}

/** `Changes by area` or `Changes by module`. */
export function groupsHeading(review: Review): string {
  return review.groupedBy === "area" ? "Changes by area" : "Changes by module";
}

/** Whether the grouped section says more than the lists by address: not for a plan whose changes are all in the root module. */
export function showsGroups(review: Review): boolean {
  return review.groups.length > 0 && !(review.groupedBy === "module" && review.groups.length === 1 && review.groups[0].group === "");
}
