import { Finding, StackReport } from "./types";

/** What the pack found across stacks, in numbers. */
export interface RuleTotals {
  readonly rules: number;
  readonly stacks: number;
  readonly resources: number;
  readonly errors: number;
  readonly warnings: number;
  readonly suppressions: number;
}

export function ruleTotals(reports: readonly StackReport[]): RuleTotals {
  const sum = (f: (r: StackReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    rules: Math.max(0, ...reports.map((r) => r.rules)),
    stacks: reports.length,
    resources: sum((r) => r.resources),
    errors: sum((r) => r.errors.length),
    warnings: sum((r) => r.warnings.length),
    suppressions: sum((r) => r.suppressions.length),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `MF-SG-1 metaflow-dev/metadata/lb-from-cidr-0 (aws_vpc_...): <problem>. Fix: <fix>` */
export const formatFinding = (f: Finding): string => `${f.ruleId} ${f.path}${f.address ? ` (${f.address})` : ""}: ${f.message}`;

/** The headline: rule count, what was checked, errors, warnings and suppressions. */
export function formatRuleTotals(t: RuleTotals): string {
  return `Rules: ${t.rules} checked on ${plural(t.resources, "resource")} in ${plural(t.stacks, "stack")}: ${plural(t.errors, "error")}, ${plural(t.warnings, "warning")}, ${plural(t.suppressions, "suppression")}.`;
}

/** The lines of the synth summary: the headline, each warning, each suppression with its reason. */
export function formatRuleSummary(reports: readonly StackReport[]): string[] {
  const lines = [formatRuleTotals(ruleTotals(reports))];
  for (const report of reports) {
    for (const w of report.warnings) lines.push(`  warning ${formatFinding(w)}`);
  }
  for (const report of reports) {
    for (const { suppression, silenced } of report.suppressions) {
      const count = silenced.length === 0 ? "matched nothing" : `silences ${plural(silenced.length, "finding")}`;
      lines.push(`  suppressed ${suppression.ruleId} on ${suppression.path} (${count}): ${suppression.reason.trim() || "(no reason)"}`);
    }
  }
  return lines;
}

/** What main prints on stderr when rules fail: every error, then the warnings, then what to do. */
export function formatRuleErrors(reports: readonly StackReport[]): string {
  const totals = ruleTotals(reports);
  const lines = [`Security rules failed: ${plural(totals.errors, "error")} (${totals.rules} rules checked on ${plural(totals.resources, "resource")}):`];
  for (const report of reports) for (const e of report.errors) lines.push(`  - ${formatFinding(e)}`);
  for (const report of reports) for (const w of report.warnings) lines.push(`  warning ${formatFinding(w)}`);
  lines.push(
    'Nothing was synthesized. Fix the resources above; where a construct is right as it is, call suppress(construct, "<rule id>", "<reason>") next to it (modules/rules/README.md).',
  );
  return lines.join("\n");
}
