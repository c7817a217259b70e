import { parseFlowArgs } from "./options";
import { configHash, SavedPlan } from "./saved-plan";
import { synthesize } from "./synthesize";
import { prepareTarget, targetFlag } from "./target";
import { FlowError, reportingErrors, terraform } from "./terraform";

export const APPLY_USAGE = "usage: npm run apply -- --env <name> [--offline | --emulator [URL]] [--quiet] [--config-dir DIR]";

/**
 * `npm run apply -- --env <name>`: applies the plan `npm run plan` saved and reviewed, and nothing else.
 * It synthesizes again and refuses when the config differs from the one the plan was made from, when the
 * plan was blocked, when there is no plan, or when the target is not the one the plan was made for (for
 * the emulator: the same running server). Exit 0 applied, 1 refused or failed.
 */
export function applyMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parseFlowArgs(argv, APPLY_USAGE, ["--env", "--config-dir", "--offline", "--emulator", "--quiet"]);
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
    if (meta.target !== options.target.kind) {
      throw new FlowError(`the saved plan was made ${targetFlag(meta.target)}; apply it the same way, or ${again}`);
    }
    if (meta.emulator?.ephemeral) {
      throw new FlowError(`the saved plan was made against an emulator that ran only for that command and has stopped; run \`npm run emulator\` in another terminal, then plan and apply`);
    }

    const stackDir = synthesize(options);
    const now = configHash(stackDir);
    if (now !== meta.configSha256) {
      throw new FlowError(
        `the synthesized config of ${meta.stack} changed since the plan was made (sha256 ${meta.configSha256.slice(0, 12)} then, ${now.slice(0, 12)} now); ${again}`,
      );
    }

    const target = prepareTarget(options.target, stackDir, saved);
    try {
      if (meta.emulator && target.emulator?.instance !== meta.emulator.instance) {
        throw new FlowError(
          `the saved plan was made against the emulator at ${meta.emulator.url} (instance ${meta.emulator.instance.slice(0, 8)}), which is not the one running now (${target.emulator?.url}); ${again}`,
        );
      }
      const output = options.quiet ? "capture" : "stream";
      terraform(stackDir, ["init", "-input=false", "-reconfigure"], target.env, { output, what: "terraform init", logFile: saved.initLog });
      terraform(stackDir, ["apply", "-input=false", saved.planFile], target.env, {
        output,
        what: "terraform apply (the state records what was done; plan again before retrying)",
        logFile: saved.applyLog,
      });
    } finally {
      target.release();
    }
    saved.consume();
    process.stderr.write(`Applied the reviewed plan of ${meta.stack}.\n`);
    return 0;
  });
}
