import * as fs from "fs";
import * as path from "path";
import { Estimate, estimateStack } from "./cost/estimate";
import { summaryWords } from "./cost/format";
import { DIAGRAM_FILE } from "./diagram";
import { formatRuleSummary } from "./rules/report";
import { StackReport } from "./rules/types";

/** What one synthesized stack holds. */
export interface StackSummary {
  readonly stack: string;
  readonly file: string;
  /** Resources (and data sources, as `data.<type>`) per area: the first construct under the stack. */
  readonly byArea: Record<string, number>;
  readonly resources: number;
  readonly outputs: number;
  /** Monthly idle cost (modules/cost/). */
  readonly cost: Estimate;
}

interface SynthesizedStack {
  resource?: Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>>;
  data?: Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>>;
  output?: Record<string, unknown>;
}

/** Reads the stacks cdktf wrote under `outdir` (from its manifest) and counts what each holds. */
export function summarize(outdir: string): StackSummary[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.entries(manifest.stacks).map(([stack, entry]) => {
    const file = path.join(outdir, entry.synthesizedStackPath);
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as SynthesizedStack;
    const byArea: Record<string, number> = {};
    let resources = 0;
    for (const [kind, blocks] of [["resource", json.resource], ["data", json.data]] as const) {
      for (const instances of Object.values(blocks ?? {})) {
        for (const instance of Object.values(instances)) {
          const area = instance["//"]?.metadata?.path?.split("/")[1] ?? "(stack)";
          const key = kind === "data" ? `${area} (data)` : area;
          byArea[key] = (byArea[key] ?? 0) + 1;
          if (kind === "resource") resources++;
        }
      }
    }
    return { stack, file, byArea, resources, outputs: Object.keys(json.output ?? {}).length, cost: estimateStack(json) };
  });
}

/**
 * The short report `npm run synth` prints; with `rules`, the rule pack's line (rule count, errors,
 * warnings, suppressions) and every warning and suppression.
 */
export function formatSummary(
  stacks: readonly StackSummary[],
  outdir: string,
  seconds: number,
  notes: readonly string[] = [],
  rules?: readonly StackReport[],
): string {
  const lines = [`Synthesized ${stacks.length} stack${stacks.length === 1 ? "" : "s"} in ${seconds.toFixed(2)} s:`];
  for (const s of stacks) {
    const areas = Object.entries(s.byArea)
      .map(([area, n]) => `${area} ${n}`)
      .join(", ");
    lines.push(`  ${s.stack}: ${s.resources} resources (${areas}), ${s.outputs} outputs`);
    lines.push(`    ${path.relative(process.cwd(), s.file)}`);
    lines.push(`    idle cost: ${summaryWords(s.cost)}`);
    if (s.stack !== "metaflow-state") lines.push(`    diagram: ${path.relative(process.cwd(), path.join(path.dirname(s.file), DIAGRAM_FILE))} (Mermaid)`);
  }
  if (rules) lines.push(...formatRuleSummary(rules));
  const environments = stacks.map((s) => s.stack).filter((s) => s !== "metaflow-state");
  const first = environments[0]?.replace(/^metaflow-/, "") ?? "dev";
  lines.push(`Terraform JSON is under ${path.relative(process.cwd(), outdir) || outdir}/stacks/<stack>/cdk.tf.json.`);
  const firstStack = environments[0];
  if (firstStack) lines.push(`Idle cost line by line: \`npm run cost -- --env ${firstStack.replace(/^metaflow-/, "")}\` (usage-billed items such as S3, requests, data transfer and jobs are not included).`);
  for (const note of notes) lines.push(`Note: ${note}`);
  if (stacks.some((s) => s.stack === "metaflow-state")) {
    lines.push("First time in an account: create the state bucket with `npx cdktf deploy metaflow-state` (needs AWS credentials).");
  }
  lines.push(`Next: \`npm run plan -- --env ${first}\` to see and review what would change, then \`npm run apply -- --env ${first}\`.`);
  return lines.join("\n");
}
