import * as fs from "fs";
import * as path from "path";
import { CHECKOV_BLOCK, checkovMarkdown, KIND_TITLE, scanShippedStacks } from "./checkov";
import { withBlock } from "./docs";
import { projectRoot } from "./project";
import { pythonToolsOrReason } from "./python-tools";
import { findProviderMirror } from "./offline";

export const CHECKOV_USAGE = "usage: npm run checkov [-- --readme]";

/**
 * `npm run checkov`: checkov on every shipped stack's synthesized and offline plan JSON (flow/checkov.ts):
 * prints each stack's passed, failed and skipped results, every failure no suppression excuses and every
 * suppression that excuses nothing; exits 1 on any of those. `-- --readme` also rewrites README.md's table.
 */
export function checkovMain(argv: readonly string[], root = projectRoot()): number {
  const readme = argv.includes("--readme");
  if (argv.some((a) => a !== "--readme")) {
    process.stderr.write(`${CHECKOV_USAGE}\n`);
    return 1;
  }
  if (!findProviderMirror()) {
    process.stderr.write("error: no filesystem mirror of hashicorp/aws for the offline plans (set METAFLOW_TF_PROVIDER_MIRROR)\n");
    return 1;
  }
  const tools = pythonToolsOrReason("checkov", root);
  if (typeof tools === "string") {
    process.stderr.write(`error: checkov cannot be installed here: ${tools}\n`);
    return 1;
  }
  const scan = scanShippedStacks(tools, root);
  const { run, judgement } = scan;
  const markdown = checkovMarkdown(scan.inputs, run, judgement);
  process.stdout.write(`${markdown}\n\nOffline plans ${scan.planSeconds.toFixed(0)} s, checkov ${run.seconds.toFixed(0)} s.\n`);
  for (const r of judgement.unexcused) {
    process.stdout.write(`FAILED ${r.check} on ${r.stack} ${r.path ?? r.address} (${KIND_TITLE[r.kind]}): ${r.name}\n`);
  }
  for (const s of [...judgement.stale, ...judgement.invalid]) process.stdout.write(`SUPPRESSION ${s}\n`);
  if (readme) {
    const file = path.join(root, "README.md");
    const before = fs.readFileSync(file, "utf8");
    const after = withBlock(before, CHECKOV_BLOCK, markdown);
    if (after !== before) fs.writeFileSync(file, after);
    process.stdout.write(after === before ? "README.md's checkov table is up to date.\n" : "Rewrote README.md's checkov table.\n");
  }
  const problems = judgement.unexcused.length + judgement.stale.length + judgement.invalid.length;
  if (problems > 0) {
    process.stdout.write(
      `${problems} problem${problems === 1 ? "" : "s"}: fix each failure in its construct, or excuse it with its reason in modules/rules/checkov-suppressions.ts; remove what excuses nothing.\n`,
    );
  }
  return problems > 0 ? 1 : 0;
}
