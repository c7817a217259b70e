import * as path from "path";
import { readStack } from "../review/cli";
import { renderMarkdown } from "../review/markdown";
import { reviewJson } from "../review/report";
import { renderTerminal } from "../review/terminal";
import { parseFlowArgs } from "./options";
import { configHash, SavedPlan } from "./saved-plan";
import { protectedResources, synthesize } from "./synthesize";
import { prepareTarget } from "./target";
import { reportingErrors, terraform } from "./terraform";

export const PLAN_USAGE =
  "usage: npm run plan -- --env <name> [--allow ADDRESS]... [--approvals FILE] [--protect TYPE_OR_ADDRESS]... [--format terminal|markdown] [--destroy] [--offline | --emulator [URL]] [--verbose] [--config-dir DIR]";

/**
 * `npm run plan -- --env <name>`: synthesize, `terraform init`, `terraform plan -out`, `terraform show
 * -json`, then review. The review is printed and saved beside the plan with the hash of the synthesized
 * config, which `npm run apply` checks; terraform's own output is kept in plans/<env>/ (and streamed with
 * --verbose). Exit codes are the reviewer's: 0 no changes, 2 changes, 3 blocked, 1 failure.
 */
export function planMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parseFlowArgs(argv, PLAN_USAGE, [
      "--env", "--config-dir", "--offline", "--emulator", "--destroy", "--allow", "--approvals", "--format", "--quiet", "--verbose", "--protect",
    ]);
    const stackDir = synthesize(options);
    const saved = new SavedPlan(root, options.environment);
    saved.reset();

    const target = prepareTarget(options.target, stackDir, saved);
    const output = options.verbose ? "stream" : "capture";
    let shown: string;
    try {
      terraform(stackDir, ["init", "-input=false", "-reconfigure"], target.env, { output, what: "terraform init", logFile: saved.initLog });
      const destroyArgs = options.destroy ? ["-destroy"] : [];
      terraform(stackDir, ["plan", "-input=false", `-out=${saved.planFile}`, ...target.planArgs, ...destroyArgs], target.env, {
        output,
        what: "terraform plan",
        logFile: saved.planLog,
      });
      saved.protectPlanFile();
      shown = terraform(stackDir, ["show", "-json", saved.planFile], target.env, { output: "capture", what: "terraform show -json" });
    } finally {
      // Never leave offline or emulator settings where a later real run or `cdktf deploy` would pick them up.
      target.release();
    }
    saved.writeSecret(saved.jsonFile, shown);

    // The synthesized stack gives each change its area and construct path, and the plan its cost and diagram.
    const review = reviewJson(JSON.parse(shown), {
      approvals: options.approvals,
      protect: [...protectedResources(options), ...options.protect],
      source: `metaflow-${options.environment}`,
      stack: readStack(path.join(stackDir, "cdk.tf.json")),
    });
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
      target: target.kind,
      emulator: target.emulator,
      destroy: options.destroy,
    });

    process.stdout.write(options.format === "markdown" ? markdown : terminal);
    const applyCommand = `npm run apply -- --env ${options.environment}${target.kind === "aws" ? "" : ` --${target.kind}`}`;
    const next =
      review.gate.verdict === "blocked"
        ? `Blocked: approve each protected change by name with --allow ADDRESS and plan again; nothing can be applied.`
        : review.gate.verdict === "no-changes"
          ? "No changes: nothing to apply."
          : target.emulator?.ephemeral
            ? `The emulator this plan was made against was started for this command and has stopped, so the plan cannot be applied. For plan, apply and profile on the emulator, run \`npm run emulator\` in another terminal first.`
            : `Saved: ${saved.planFile}. Apply exactly this plan with \`${applyCommand}\`.`;
    process.stderr.write(`\n${options.verbose ? "" : `Terraform's own output: ${saved.planLog}\n`}${next}\n`);
    return review.gate.exitCode;
  });
}
