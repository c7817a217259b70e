import { CostComparison, CostLine, Estimate } from "./estimate";

/** The estimate in words: the synth summary's line, `npm run cost`'s table, and the review's before and after. */

/** `$142.69`; `-$3.65`; `+$3.65` with `sign`. */
export function usd(amount: number, sign = false): string {
  const rounded = Math.round(amount * 100) / 100;
  const text = `$${Math.abs(rounded).toFixed(2)}`;
  if (rounded < 0) return `-${text}`;
  return sign && rounded > 0 ? `+${text}` : text;
}

/** What a line is called: `database/instance: database db.t4g.small Multi-AZ`. */
export function lineName(line: Pick<CostLine, "path" | "address" | "item">): string {
  return `${line.path ?? line.address}: ${line.item}`;
}

/** `$142.69 a month idle in us-east-1 (prices of 2026-12-01)`. */
export function totalWords(estimate: Estimate): string {
  if (!estimate.regionPriced) return `not estimated: the price table has no prices for ${estimate.region}`;
  return `${usd(estimate.totalUsd)} a month idle in ${estimate.region} (list prices of ${estimate.compiled})`;
}

/** One line for the synth summary: the total and the `largest` biggest lines. */
export function summaryWords(estimate: Estimate, largest = 3): string {
  if (!estimate.regionPriced) return totalWords(estimate);
  const top = estimate.lines.slice(0, largest).map((l) => `${l.item} ${usd(l.monthlyUsd)}`);
  const unpriced = estimate.unpriced.length ? `; ${estimate.unpriced.length} item(s) not priced` : "";
  return `${totalWords(estimate)}${top.length ? `; largest: ${top.join(", ")}` : ""}${unpriced}`;
}

/** The whole estimate as a table: every line with its arithmetic, by area, then what is unpriced and not included. */
export function formatEstimate(estimate: Estimate, title: string): string {
  const lines = [`Idle cost of ${title}: ${totalWords(estimate)}`];
  if (estimate.regionPriced) {
    const byArea = new Map<string, number>();
    for (const l of estimate.lines) byArea.set(l.area ?? "(other)", (byArea.get(l.area ?? "(other)") ?? 0) + l.monthlyUsd);
    if (byArea.size) {
      lines.push("", "By area:");
      for (const [area, total] of [...byArea.entries()].sort((a, b) => b[1] - a[1])) lines.push(`  ${area.padEnd(18)} ${usd(total).padStart(10)}`);
    }
    lines.push("", "Lines, largest first (a month of 730 hours):");
    const names = estimate.lines.map(lineName);
    const width = Math.min(90, Math.max(0, ...names.map((n) => n.length)));
    estimate.lines.forEach((l, i) => lines.push(`  ${names[i].padEnd(width)} ${usd(l.monthlyUsd).padStart(10)}   ${l.formula}`));
    lines.push(`  ${"total".padEnd(width)} ${usd(estimate.totalUsd).padStart(10)}`);
  }
  if (estimate.unpriced.length) {
    lines.push("", "Not priced (billed while idle, but the price or a value is not known):");
    for (const u of estimate.unpriced) lines.push(`  ${u.path ?? u.address}: ${u.item}: ${u.reason}`);
  }
  lines.push("", "Not included (billed by use):", ...estimate.notIncluded.map((n) => `  - ${n}`));
  lines.push("", "Prices: modules/cost/prices.ts (each with its AWS pricing page).");
  return `${lines.join("\n")}\n`;
}

/** `$0.00 before, $142.69 after (+$142.69)`. */
export function comparisonWords(cost: CostComparison): string {
  return `${usd(cost.before.totalUsd)} before, ${usd(cost.after.totalUsd)} after (${usd(cost.deltaUsd, true)} a month)`;
}
