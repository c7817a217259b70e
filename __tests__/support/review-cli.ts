import { main } from "../../review/cli";

/** Runs the reviewer's CLI in-process with captured output; returns its exit code, stdout and stderr. */
export function runReview(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false, env: {} });
  return { code, stdout, stderr };
}
