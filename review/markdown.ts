import { formatPath, formatShown } from "./diff";
import {
  actionSymbol, actionWords, annotations, approvedBy, deletionProtectionWords, groupCountWords, groupsHeading, isRelevantDrift, showsGroups, outputWords,
  verdictWords, whyWords,
} from "./describe";
import { comparisonWords, usd } from "../modules/cost/format";
import { reviewDiagram } from "./diagram";
import { Review, ReviewedChange, summaryLine } from "./report";
import { COUNT_ROWS } from "./words";

/**
 * The review as Markdown for a pull-request comment: summary, verdict and counts, then the destructive
 * changes, a table of changes by area (or module) with each area's construct paths, then collapsible
 * `<details>` sections by Terraform address. The whole comment stays within GitHub's limit: the summary
 * and the destructive section's header are always kept; details are cut with a note saying so.
 */

/** GitHub refuses comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65535;

export interface MarkdownOptions {
  /** Longest comment, in characters (UTF-16 code units, which never undercounts). @default GITHUB_COMMENT_LIMIT */
  readonly maxLength?: number;
  /** Longest value shown, in characters; 0 shows every value whole. @default 500 */
  readonly maxValueLength?: number;
  /** How to run the full review, named in the truncation note. @default "npm run review -- <plan.json>" */
  readonly fullReviewCommand?: string;
}

const NO_DIFFERENCE = " (the plan shows no attribute difference)";

/** Cost changes listed, largest first. */
const COST_LINES = 8;

/** Room kept for closing a cut section and for the final note. */
const RESERVE = 700;

/** Text of a Markdown document built within a character budget. */
class Budget {
  private readonly parts: string[] = [];
  private used = 0;
  /** Lines (items, attribute changes, addresses) left out, per section. */
  public readonly omitted: string[] = [];

  constructor(private readonly limit: number) {}

  /** Text that is always kept. */
  public required(text: string): void {
    this.parts.push(text);
    this.used += text.length;
  }

  /**
   * `open`, as many of `lines` as fit, then `close`. Lines left out are counted and noted just before
   * `close`; a section whose opening does not fit is left out whole.
   */
  public section(what: string, open: string, lines: readonly string[], close: string, noteAfterClose = false): void {
    const room = this.limit - RESERVE - this.used;
    if (open.length + close.length > room) {
      if (lines.length) this.omitted.push(`${what} (${lines.length})`);
      return;
    }
    let body = "";
    let shown = 0;
    for (const line of lines) {
      if (open.length + body.length + line.length + 1 + close.length > room) break;
      body += `${line}\n`;
      shown++;
    }
    const cut = lines.length - shown;
    const note = cut ? `\n_${cut} of ${lines.length} ${what} not shown: the comment would exceed GitHub's size limit._\n` : "";
    if (cut) this.omitted.push(`${what} (${cut} of ${lines.length})`);
    const text = noteAfterClose ? `${open}${body}${close}${note}` : `${open}${body}${note}${close}`;
    this.parts.push(text);
    this.used += text.length;
  }

  public toString(): string {
    return this.parts.join("");
  }
}

/** Inline code that survives any backticks in `text`. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(longest + 1);
  return longest ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A fence longer than any backtick run in the lines, so values cannot close the block. */
function fence(lines: readonly string[]): string {
  let longest = 0;
  for (const line of lines) {
    if (!line.includes("```")) continue;
    for (const run of line.match(/`{3,}/g) ?? []) longest = Math.max(longest, run.length);
  }
  return "`".repeat(Math.max(3, longest + 1));
}

/** Lines of a `diff` block: `- path: before` and `+ path: after` for each changed attribute. */
function diffLines(item: ReviewedChange, max: number, heading: string): string {
  const out = [`# ${heading}`];
  for (const a of item.attributes) {
    const path = formatPath(a.path);
    const forces = a.forcesReplacement ? "   # forces replacement" : "";
    out.push(`- ${path}: ${formatShown(a.before, max)}${forces}`, `+ ${path}: ${formatShown(a.after, max)}${forces}`);
  }
  return out.join("\n");
}

/** A `diff` block's first column for a change: `+` create, `-` destroy or forget, `!` update, blank otherwise. */
function diffMark(item: ReviewedChange): string {
  const symbol = actionSymbol(item.change);
  if (symbol === "+") return "+";
  if (symbol.startsWith("-") || symbol === "!") return "-";
  return symbol === "~" ? "!" : " ";
}

function details(summary: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n`;
}

export function renderMarkdown(review: Review, options: MarkdownOptions = {}): string {
  const limit = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const max = options.maxValueLength ?? 500;
  const command = options.fullReviewCommand ?? `npm run review -- ${review.source ?? "<plan.json>"}`;
  const { plan, gate } = review;
  const doc = new Budget(limit);

  const icon = gate.verdict === "blocked" ? "⛔" : gate.verdict === "changes" ? "⚠️" : "✅";
  const version = [`format ${plan.formatVersion}`, plan.terraformVersion && `Terraform ${plan.terraformVersion}`].filter(Boolean).join(", ");
  const head = [
    `### Terraform plan review${review.source ? ` of ${code(review.source)}` : ""}`,
    "",
    `**${summaryLine(review, COUNT_ROWS)}**`,
    "",
    `${icon} **Gate: ${verdictWords(review)}** (exit ${gate.exitCode})`,
    "",
    ...review.notes.map((n) => `> **Note:** ${n}\n`),
    "| Action | Count |",
    "|---|---:|",
    ...COUNT_ROWS.map(([key, label]) => `| ${label} | ${review.counts[key]} |`),
    ...(review.counts.other ? [`| unrecognized actions | ${review.counts.other} |`] : []),
    "",
    `<sub>${version}</sub>`,
    "",
    `#### Destructive changes (${review.destructive.length})${review.destructive.length ? "" : ": none"}`,
    "",
    "",
  ].join("\n");
  doc.required(head);

  const destructiveItems = review.destructive.map((item) => {
    const mark = item.protection ? (item.protection.approval ? "✔️" : "⛔") : item.change.kind.startsWith("replace") ? "♻️" : "🗑️";
    const notes = annotations(item.change);
    const where = item.placement.path ? `${code(item.placement.path)} (${code(item.change.address)})` : code(item.change.address);
    const lines = [`- ${mark} ${where}${notes ? ` ${escapeHtml(notes)}` : ""}: **${actionWords(item.change)}**`];
    const why = whyWords(item.change);
    if (why) lines.push(`  - why: ${escapeHtml(why)}`);
    if (item.change.replacePaths.length) lines.push(`  - forces replacement: ${item.change.replacePaths.map((p) => code(formatPath(p))).join(", ")}`);
    const p = item.protection;
    if (p?.approval) lines.push(`  - protected (${p.protectedBy}), ${escapeHtml(approvedBy(p.approval))}`);
    else if (p) lines.push(`  - **BLOCKED: protected (${p.protectedBy})**; approve with ${code(`--allow ${item.change.address}`)}`);
    const guarded = p ? deletionProtectionWords(item.change) : undefined;
    if (guarded) lines.push(`  - note: ${escapeHtml(guarded)}`);
    return lines.join("\n");
  });
  doc.section("destructive changes", "", destructiveItems, "\n", true);
  // Blocked and approved changes are marked in the list above; approvals that matched nothing are noted here.
  const unused = gate.unusedApprovals.map(
    (a) => `- note: ${code(a.address)} (from ${escapeHtml(a.source)}) matches no delete, replace or forget of a protected resource in this plan`,
  );
  if (unused.length) doc.section("approval notes", "", unused, "\n", true);

  if (showsGroups(review)) {
    const by = review.groupedBy === "area" ? "Area" : "Module";
    const table = [`#### ${groupsHeading(review)}`, "", `| ${by} | Changes |`, "|---|---|", ...review.groups.map((g) => `| ${escapeHtml(g.title)} | ${groupCountWords(g)} |`), "", ""];
    doc.section("areas", "", table, "", true);
  }
  const { cost } = review;
  if (cost && (cost.before.lines.length || cost.after.lines.length || cost.after.unpriced.length)) {
    const rows = cost.changes.slice(0, COST_LINES).map((c) => `| ${code(c.path ?? c.address)} ${escapeHtml(c.items)} | ${usd(c.beforeUsd)} | ${usd(c.afterUsd)} | ${usd(c.deltaUsd, true)} |`);
    const more = cost.changes.length > rows.length ? [`| _${cost.changes.length - rows.length} smaller change(s)_ | | | |`] : [];
    const unpriced = cost.after.unpriced.map((u) => `- not priced: ${code(u.path ?? u.address)} ${escapeHtml(u.item)}: ${escapeHtml(u.reason)}`);
    const table = [
      `#### Idle cost: ${comparisonWords(cost)}`,
      "",
      "| Largest changes | Before | After | Change |",
      "|---|---:|---:|---:|",
      `| **total** | **${usd(cost.before.totalUsd)}** | **${usd(cost.after.totalUsd)}** | **${usd(cost.deltaUsd, true)}** |`,
      ...rows,
      ...more,
      "",
      ...unpriced,
      ...(unpriced.length ? [""] : []),
      `<sub>A month of 730 hours at ${escapeHtml(cost.after.region)} list prices of ${cost.after.compiled} (modules/cost/prices.ts). Not included: usage-billed items (S3, requests, data transfer, jobs, logs).</sub>`,
      "",
      "",
    ];
    doc.section("cost lines", "", table, "", true);
  }
  const picture = reviewDiagram(review);
  if (picture) {
    const legend = picture.marked
      ? `${picture.marked} changed part${picture.marked === 1 ? "" : "s"} marked: green created, yellow updated, red replaced, dashed red deleted`
      : "nothing in it changes";
    // One piece: a diagram cut short would not parse, so it is shown whole or left out with a note.
    const lines = [picture.mermaid.trimEnd()];
    const f = fence(lines);
    doc.section("diagram lines", `<details open><summary>${escapeHtml(`Deployment (${legend})`)}</summary>\n\n${f}mermaid\n`, lines, `${f}\n</details>\n\n`);
  }
  // Each group's changes by construct path, after the cost and the picture, which a long list must not push out.
  if (showsGroups(review)) {
    for (const group of review.groups) {
      const lines = group.items.map((i) => `${diffMark(i)} ${i.placement.name}${i.placement.path ? `  (${i.change.type})` : ""}`);
      const f = fence(lines);
      doc.section(`changes in ${group.title}`, `${details(`${group.title}: ${groupCountWords(group)}`)}${f}diff\n`, lines, `${f}\n</details>\n\n`);
    }
  }
  if (showsGroups(review) && review.groupedBy === "area") doc.required("#### Details by Terraform address\n\n");

  const withAttributes = review.destructive.filter((i) => i.attributes.length);
  if (withAttributes.length) {
    const lines = withAttributes.map((i) => diffLines(i, max, i.change.address));
    const f = fence(lines);
    doc.section("replaced resources", `${details(`Attribute changes of replaced resources (${withAttributes.length})`)}${f}diff\n`, lines, `${f}\n</details>\n\n`);
  }
  if (review.updates.length) {
    const lines = review.updates.map((i) => diffLines(i, max, `${i.change.address}${annotations(i.change) ? ` ${annotations(i.change)}` : ""}`));
    const f = fence(lines);
    doc.section("updated resources", `${details(`Updates in place (${review.updates.length})`)}${f}diff\n`, lines, `${f}\n</details>\n\n`);
  }
  const simple = (what: string, title: string, items: readonly string[]) => {
    if (!items.length) return;
    const f = fence(items);
    doc.section(what, `${details(`${title} (${items.length})`)}${f}diff\n`, items, `${f}\n</details>\n\n`);
  };
  simple("creates", "Creates", review.creates.map((i) => `+ ${i.change.address}${annotations(i.change) ? ` ${annotations(i.change)}` : ""}`));
  simple("reads", "Reads during apply", review.reads.map((i) => `  ${i.change.address}${whyWords(i.change) ? `: ${whyWords(i.change)}` : ""}`));
  simple("moves", "Moved, no other change", review.moved.map((i) => `  ${i.change.previousAddress} -> ${i.change.address}`));
  simple("imports", "Imports", review.imports.map((i) => `+ ${i.change.address} ${annotations(i.change)}: then ${actionWords(i.change)}`));
  simple("output changes", "Output changes", review.outputs.map((o) => outputWords(o, max)));
  if (review.drift.length) {
    const lines = review.drift.map((i) => {
      const relevant = isRelevantDrift(i, plan.relevantAddresses) ? " (this plan depends on it)" : "";
      return i.change.kind === "delete"
        ? `# ${i.change.address}: deleted outside Terraform${relevant}`
        : diffLines(i, max, `${i.change.address}: changed outside Terraform${relevant}${i.attributes.length ? "" : NO_DIFFERENCE}`);
    });
    const f = fence(lines);
    doc.section("drifted resources", `${details(`Drift: changed outside Terraform since the last run (${review.drift.length})`)}${f}diff\n`, lines, `${f}\n</details>\n\n`);
  }
  const failed = plan.checks.filter((c) => c.status === "fail" || c.status === "error");
  simple("failed checks", "Failed checks", failed.map((c) => `- ${c.address}: ${c.status}${c.problems.length ? `: ${c.problems.join("; ")}` : ""}`));

  if (doc.omitted.length) {
    const limitWords = GITHUB_COMMENT_LIMIT.toLocaleString("en-US");
    let left = doc.omitted.join(", ");
    if (left.length > 300) left = `${left.slice(0, 300)}, ...`;
    const run = command.length > 200 ? "the reviewer on the plan" : code(command);
    doc.required(`\n---\n**Truncated:** GitHub comments hold at most ${limitWords} characters, so some details were left out: ${left}. Run ${run} for the full review.\n`);
  }
  return doc.toString();
}
