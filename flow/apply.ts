import { clearOffline, prepareOffline } from "./offline";
import { parseFlowArgs } from "./options";
import { configHash, SavedPlan } from "./saved-plan";
import { synthesize } from "./synthesize";
import { FlowError, reportingErrors, terraform } from "./terraform";

export const APPLY_USAGE = "usage: npm run apply -- --env <name> [--offline] [--quiet] [--config-dir DIR]";

/**
 * `npm run apply -- --env <name>`: applies the plan `npm run plan` saved and reviewed, and nothing else.
 * It synthesizes again and refuses when the config differs from the one the plan was made from, when the
 * plan was blocked, or when there is no plan. Exit 0 applied, 1 refused or failed.
 */
export function applyMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parseFlowArgs(argv, APPLY_USAGE, ["--env", "--config-dir", "--offline", "--quiet"]);
    const saved = new SavedPlan(root, options.environment);
    const meta = saved.readMeta();
    const again = `run \`npm run plan -- --env ${options.environment}\`, read it, then apply`;
    if (!meta) throw new FlowError(`no saved plan for ${options.environment} in ${saved.dir}; ${again}`);
    if (meta.verdict === "blocked") {
      throw new FlowError(`the saved plan for ${options.environment} was blocked by the review (a protected resource would be destroyed); approve it with --allow when planning, or change the config`);
    }
    if (meta.verdict === "no-changes") {
      process.stderr.write(`The saved plan for ${options.environment} has no changes; nothing to apply.\n`);
      saved.consume();
      return 0;
    }
    if (meta.offline !== options.offline) {
      throw new FlowError(`the saved plan was made ${meta.offline ? "with" : "without"} --offline; apply it the same way, or ${again}`);
    }

    const stackDir = synthesize(options);
    const now = configHash(stackDir);
    if (now !== meta.configSha256) {
      throw new FlowError(
        `the synthesized config of ${meta.stack} changed since the plan was made (sha256 ${meta.configSha256.slice(0, 12)} then, ${now.slice(0, 12)} now); ${again}`,
      );
    }

    const env = options.offline ? prepareOffline(stackDir, saved.offlineStateFile) : (clearOffline(stackDir), {});
    const output = options.quiet ? "quiet" : "stream";
    try {
      terraform(stackDir, ["init", "-input=false"], env, output, "terraform init");
      terraform(stackDir, ["apply", "-input=false", saved.planFile], env, output, "terraform apply (the state records what was done; plan again before retrying)");
    } finally {
      if (options.offline) clearOffline(stackDir);
    }
    saved.consume();
    process.stderr.write(`Applied the reviewed plan of ${meta.stack}.\n`);
    return 0;
  });
}
