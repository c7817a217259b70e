import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

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
 * How terraform's own output is handled: `stream` it to the user's terminal as it comes, or `capture` it
 * (stdout is returned, both are kept in `logFile` when one is given, and shown only when terraform fails).
 */
export type Output = "stream" | "capture";

export interface TerraformRun {
  readonly output: Output;
  /** Names the step in errors: "terraform plan". */
  readonly what: string;
  /** Where captured output is kept (mode 0600: plans can print values of the config). @default not kept */
  readonly logFile?: string;
}

/** Lines of terraform's output shown when it fails and its output was captured. */
const FAILURE_TAIL_LINES = 40;

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * What a failed run's output means, in the project's terms, when terraform's own words are not enough:
 * a plan stopped by `prevent_destroy` names each resource and says how to go on.
 */
export function diagnose(output: string): string | undefined {
  const text = output.replace(ANSI, "");
  // Terraform wraps its messages, so the words may be split over lines.
  const addresses = [...text.matchAll(/Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set/g)].map((m) => m[1]);
  if (addresses.length === 0) return undefined;
  const unique = [...new Set(addresses)];
  return [
    `the plan would destroy ${unique.length === 1 ? "a resource" : `${unique.length} resources`} that hold data and are protected by prevent_destroy, so Terraform stopped it and nothing was planned:`,
    ...unique.map((a) => `  - ${a}`),
    "To keep them, undo the config change that replaces them (Terraform's reasons are in the log above). To move their data on purpose, copy it out first, then take the resource out of Terraform's hands (`terraform state rm`) and delete it by hand; the README's \"Protected resources\" says how.",
  ].join("\n");
}

/** Runs terraform in `dir` with `env` on top of this process's; throws a FlowError saying `what` failed when it exits non-zero. */
export function terraform(dir: string, args: readonly string[], env: NodeJS.ProcessEnv, run: TerraformRun): string {
  const merged: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", ...env };
  // A variable set to undefined in `env` is removed, not passed as the string "undefined".
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const stream = run.output === "stream";
  const result = spawnSync("terraform", stream ? args : [...args, "-no-color"], {
    cwd: dir,
    env: merged,
    stdio: stream ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.error) throw new FlowError(`could not run terraform (${result.error.message}); install Terraform 1.10 or later and put it on PATH`);
  const captured = stream ? "" : `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (run.logFile && !stream) {
    fs.mkdirSync(path.dirname(run.logFile), { recursive: true });
    fs.writeFileSync(run.logFile, captured, { mode: 0o600 });
  }
  if (result.status !== 0) {
    const explained = diagnose(captured);
    const tail = captured.trim().split("\n").slice(-FAILURE_TAIL_LINES).join("\n");
    const where = stream ? " (see above)" : `${run.logFile ? ` (all of it: ${run.logFile})` : ""}:\n${tail}`;
    throw new FlowError(`${run.what} failed${where}${explained ? `\n${explained}` : ""}`);
  }
  return result.stdout ?? "";
}
