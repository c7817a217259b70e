import { AttributeChange, formatPath, formatShown } from "./diff";
import {
  actionSymbol, actionWords, annotations, approvedBy, changeName, deletionProtectionWords, groupCountWords, groupsHeading, isRelevantDrift, outputWords,
  protectionWords, showsGroups, replacePathWords, verdictWords, whyWords,
} from "./describe";
import { comparisonWords, usd } from "../modules/cost/format";
import { Review, ReviewedChange, summaryLine } from "./report";
import { COUNT_ROWS } from "./words";

/**
 * The review as plain terminal text: counts, then destructive changes first, every change by area and
 * construct path (or by module), then the details by Terraform address (updates with their changed
 * attributes, creates, reads, moves, imports), outputs, drift, and the gate's verdict last. Colour only
 * when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset).
 */

export interface TerminalOptions {
  /** @default false */
  readonly color?: boolean;
  /** Longest value shown, in characters; 0 shows every value whole. @default 0 */
  readonly maxValueLength?: number;
}

/** Cost changes listed, largest first. */
const COST_LINES = 5;

const STYLES = { red: "31", green: "32", yellow: "33", cyan: "36", bold: "1", dim: "2" } as const;
type Style = keyof typeof STYLES;

export function renderTerminal(review: Review, options: TerminalOptions = {}): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${STYLES[style]}m${text}\u001b[0m` : text);
  const max = options.maxValueLength ?? 0;
  const lines: string[] = [];
  const { plan, gate } = review;

  const version = [`format ${plan.formatVersion}`, plan.terraformVersion && `Terraform ${plan.terraformVersion}`].filter(Boolean).join(", ");
  lines.push(paint("bold", `Terraform plan review${review.source ? ` of ${review.source}` : ""} (${version})`));
  lines.push(summaryLine(review, COUNT_ROWS));
  lines.push(`Gate: ${verdictWords(review)} (exit ${gate.exitCode})`);
  for (const note of review.notes) lines.push(paint("yellow", `Note: ${note}`));
  lines.push("");
  const width = Math.max(...COUNT_ROWS.map(([, label]) => label.length));
  for (const [key, label] of COUNT_ROWS) lines.push(`  ${label.padEnd(width)}  ${String(review.counts[key]).padStart(6)}`);
  if (review.counts.other) lines.push(`  ${"unrecognized actions".padEnd(width)}  ${String(review.counts.other).padStart(6)}`);

  const attributeLines = (attributes: readonly AttributeChange[], indent: string) => {
    for (const a of attributes) {
      const forces = a.forcesReplacement ? paint("red", "  # forces replacement") : "";
      lines.push(`${indent}${formatPath(a.path)}: ${formatShown(a.before, max)} -> ${formatShown(a.after, max)}${forces}`);
    }
  };
  const headline = (symbol: string, style: Style, item: ReviewedChange, extra = "") => {
    const notes = annotations(item.change);
    lines.push(`  ${paint(style, symbol)} ${item.change.address}${notes ? ` ${notes}` : ""}${extra}`);
  };

  lines.push("", paint("bold", `Destructive changes (${review.destructive.length})${review.destructive.length ? "" : ": none"}`));
  for (const item of review.destructive) {
    const protection = protectionWords(item);
    const status = protection ? `  ${paint(item.protection?.approval ? "yellow" : "red", protection)}` : "";
    const symbol = item.change.kind === "delete" ? "-" : item.change.kind.startsWith("replace") ? "-/+" : "!";
    if (item.placement.path) {
      lines.push(`  ${paint("red", symbol)} ${item.placement.path}: ${actionWords(item.change)}${status}`);
      lines.push(`      address: ${item.change.address}${annotations(item.change) ? ` ${annotations(item.change)}` : ""}`);
    } else {
      headline(symbol, "red", item, `: ${actionWords(item.change)}${status}`);
    }
    const why = whyWords(item.change);
    if (why) lines.push(`      why: ${why}`);
    const guarded = item.protection ? deletionProtectionWords(item.change) : undefined;
    if (guarded) lines.push(`      note: ${guarded}`);
    const paths = replacePathWords(item.change);
    if (paths) lines.push(`      forces replacement: ${paths}`);
    attributeLines(item.attributes, "      ");
  }

  if (showsGroups(review)) {
    const total = review.groups.reduce((n, g) => n + g.items.length, 0);
    lines.push("", paint("bold", `${groupsHeading(review)} (${total} in ${review.groups.length})`));
    for (const group of review.groups) {
      lines.push(`  ${paint("bold", group.title)}: ${groupCountWords(group)}`);
      const width = Math.min(64, Math.max(...group.items.map((i) => i.placement.name.length)));
      const symbols = Math.max(...group.items.map((i) => actionSymbol(i.change).length));
      for (const item of group.items) {
        const style: Style = item.change.kind === "create" ? "green" : item.change.kind === "update" ? "yellow" : item.change.kind === "read" ? "cyan" : "red";
        const type = item.placement.path ? `  ${paint("dim", item.change.type)}` : "";
        lines.push(`    ${paint(style, actionSymbol(item.change).padEnd(symbols))} ${item.placement.name.padEnd(width)}${type}`.trimEnd());
      }
    }
  }
  const { cost } = review;
  if (cost && (cost.before.lines.length || cost.after.lines.length || cost.after.unpriced.length)) {
    lines.push("", paint("bold", `Idle cost a month (${cost.after.region}, list prices of ${cost.after.compiled}): ${comparisonWords(cost)}`));
    const top = cost.changes.slice(0, COST_LINES);
    const width = Math.max(0, ...top.map((c) => usd(c.deltaUsd, true).length));
    for (const c of top) {
      lines.push(`  ${usd(c.deltaUsd, true).padStart(width)}  ${c.path ?? c.address}: ${c.items} (${usd(c.beforeUsd)} -> ${usd(c.afterUsd)})`);
    }
    if (cost.changes.length > top.length) lines.push(`  ... and ${cost.changes.length - top.length} smaller change(s)`);
    for (const u of cost.after.unpriced) lines.push(`  not priced: ${u.path ?? u.address}: ${u.item}: ${u.reason}`);
    lines.push("  Not included: usage-billed items (S3, requests, data transfer, jobs, logs); `npm run cost` lists them.");
  }

  const hasDetails = review.updates.length + review.creates.length + review.reads.length + review.moved.length + review.imports.length > 0;
  if (hasDetails && review.groupedBy === "area") lines.push("", paint("bold", "Details by Terraform address (what --allow names)"));
  const pathNote = (item: ReviewedChange) => (review.groupedBy === "area" && item.placement.path ? `  (${changeName(item)})` : "");

  if (review.updates.length) {
    lines.push("", paint("bold", `Updates in place (${review.updates.length})`));
    for (const item of review.updates) {
      headline("~", "yellow", item, `${item.change.kind === "other" ? `: ${actionWords(item.change)}` : ""}${pathNote(item)}`);
      attributeLines(item.attributes, "      ");
    }
  }
  if (review.creates.length) {
    lines.push("", paint("bold", `Creates (${review.creates.length})`));
    for (const item of review.creates) headline("+", "green", item, pathNote(item));
  }
  if (review.reads.length) {
    lines.push("", paint("bold", `Reads during apply (${review.reads.length})`));
    for (const item of review.reads) {
      const why = whyWords(item.change);
      headline("<=", "cyan", item, why ? `: ${why}` : "");
    }
  }
  if (review.moved.length) {
    lines.push("", paint("bold", `Moved, no other change (${review.moved.length})`));
    for (const item of review.moved) lines.push(`  ${item.change.previousAddress} -> ${item.change.address}`);
  }
  if (review.imports.length) {
    lines.push("", paint("bold", `Imports (${review.imports.length})`));
    for (const item of review.imports) headline("<-", "cyan", item, `: then ${actionWords(item.change)}`);
  }
  if (review.outputs.length) {
    lines.push("", paint("bold", `Output changes (${review.outputs.length})`));
    for (const output of review.outputs) lines.push(`  ${outputWords(output, max)}`);
  }
  if (review.drift.length) {
    lines.push("", paint("bold", `Drift: changed outside Terraform since the last run (${review.drift.length})`));
    for (const item of review.drift) {
      const relevant = isRelevantDrift(item, plan.relevantAddresses) ? " (this plan depends on it)" : "";
      if (item.change.kind === "delete") headline("-", "yellow", item, `: deleted outside Terraform${relevant}`);
      else {
        const none = item.attributes.length ? "" : " (the plan shows no attribute difference)";
        headline("~", "yellow", item, `: changed outside Terraform${relevant}${none}`);
        attributeLines(item.attributes, "      ");
      }
    }
  }
  const failed = plan.checks.filter((c) => c.status === "fail" || c.status === "error");
  if (failed.length) {
    lines.push("", paint("bold", `Failed checks (${failed.length})`));
    for (const c of failed) lines.push(`  ${c.address}: ${c.status}${c.problems.length ? `: ${c.problems.join("; ")}` : ""}`);
  }

  lines.push("", paint(gate.verdict === "blocked" ? "red" : "bold", `Gate: ${verdictWords(review)} (exit ${gate.exitCode})`));
  for (const p of gate.blocked) {
    lines.push(`  ${paint("red", "BLOCKED")} ${p.change.address}: ${actionWords(p.change)}, protected (${p.protectedBy}); approve with --allow ${p.change.address}`);
  }
  for (const p of gate.approved) {
    lines.push(`  approved ${p.change.address}: ${actionWords(p.change)}, protected (${p.protectedBy}), ${approvedBy(p.approval!)}`);
  }
  for (const a of gate.unusedApprovals) {
    lines.push(`  note: ${a.address} (from ${a.source}) matches no delete, replace or forget of a protected resource in this plan`);
  }
  return `${lines.join("\n")}\n`;
}
