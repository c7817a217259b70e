import { spawnSync } from "child_process";

import { PlanInputError } from "../review/errors";

/** A problem the flow reports in one line, without a stack trace. */
export class FlowError extends Error {}

/** Runs a command's body: a FlowError or an unreadable plan becomes one `error:` line and exit 1. */
export function reportingErrors(body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof FlowError || e instanceof PlanInputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * How terraform's own output is handled: `stream` to the user's terminal, `capture` stdout (for `show
 * -json`), or `quiet`: kept back and shown only when terraform fails.
 */
export type Output = "stream" | "capture" | "quiet";

/** Runs terraform in `dir`; throws a FlowError saying `what` failed when it exits non-zero. */
export function terraform(dir: string, args: readonly string[], env: NodeJS.ProcessEnv, output: Output, what: string): string {
  const result = spawnSync("terraform", args, {
    cwd: dir,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", ...env },
    stdio: output === "stream" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", output === "capture" ? "inherit" : "pipe"],
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.error) throw new FlowError(`could not run terraform (${result.error.message}); install Terraform 1.10 or later and put it on PATH`);
  if (result.status !== 0) {
    const kept = output === "quiet" ? `\n${`${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n")}` : " (see above)";
    throw new FlowError(`${what} failed${kept}`);
  }
  return result.stdout ?? "";
}
