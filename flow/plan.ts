import { renderMarkdown } from "../review/markdown";
import { reviewJson } from "../review/report";
import { renderTerminal } from "../review/terminal";
import { clearOffline, prepareOffline } from "./offline";
import { parseFlowArgs } from "./options";
import { configHash, SavedPlan } from "./saved-plan";
import { protectedResources, synthesize } from "./synthesize";
import { reportingErrors, terraform } from "./terraform";

export const PLAN_USAGE =
  "usage: npm run plan -- --env <name> [--allow ADDRESS]... [--approvals FILE] [--protect TYPE_OR_ADDRESS]... [--format terminal|markdown] [--destroy] [--offline] [--quiet] [--config-dir DIR]";

/**
 * `npm run plan -- --env <name>`: synthesize, `terraform init`, `terraform plan -out`, `terraform show
 * -json`, then review. The review is printed and saved beside the plan with the hash of the synthesized
 * config, which `npm run apply` checks. Exit codes are the reviewer's: 0 no changes, 2 changes, 3 blocked,
 * 1 failure.
 */
export function planMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parseFlowArgs(argv, PLAN_USAGE, ["--env", "--config-dir", "--offline", "--destroy", "--allow", "--approvals", "--format", "--quiet", "--protect"]);
    const stackDir = synthesize(options);
    const saved = new SavedPlan(root, options.environment);
    saved.reset();

    const env = options.offline ? prepareOffline(stackDir, saved.offlineStateFile) : (clearOffline(stackDir), {});
    const output = options.quiet ? "quiet" : "stream";
    let shown: string;
    try {
      terraform(stackDir, ["init", "-input=false", "-reconfigure"], env, output, "terraform init");
      const offlineArgs = options.offline ? ["-refresh=false", "-lock=false"] : [];
      const destroyArgs = options.destroy ? ["-destroy"] : [];
      terraform(stackDir, ["plan", "-input=false", `-out=${saved.planFile}`, ...offlineArgs, ...destroyArgs], env, output, "terraform plan");
      saved.protectPlanFile();
      shown = terraform(stackDir, ["show", "-json", saved.planFile], env, "capture", "terraform show -json");
    } finally {
      // Never leave offline settings where a later `cdktf deploy` would pick them up.
      if (options.offline) clearOffline(stackDir);
    }
    saved.writeSecret(saved.jsonFile, shown);

    const review = reviewJson(JSON.parse(shown), { approvals: options.approvals, protect: [...protectedResources(options), ...options.protect], source: `metaflow-${options.environment}` });
    const markdown = renderMarkdown(review, { fullReviewCommand: `npm run review -- ${saved.jsonFile}` });
    const terminal = renderTerminal(review, { color: process.stdout.isTTY === true && !process.env.NO_COLOR });
    saved.writeSecret(saved.markdownFile, markdown);
    saved.writeSecret(saved.terminalFile, renderTerminal(review));
    saved.writeMeta({
      environment: options.environment,
      stack: `metaflow-${options.environment}`,
      configSha256: configHash(stackDir),
      verdict: review.gate.verdict,
      approved: review.gate.approved.map((a) => a.change.address),
      createdAt: new Date().toISOString(),
      offline: options.offline,
      destroy: options.destroy,
    });

    process.stdout.write(options.format === "markdown" ? markdown : terminal);
    const next =
      review.gate.verdict === "blocked"
        ? `Blocked: approve each protected change by name with --allow ADDRESS and plan again; nothing can be applied.`
        : review.gate.verdict === "no-changes"
          ? "No changes: nothing to apply."
          : `Saved: ${saved.planFile}. Apply exactly this plan with \`npm run apply -- --env ${options.environment}\`.`;
    process.stderr.write(`\n${next}\n`);
    return review.gate.exitCode;
  });
}
