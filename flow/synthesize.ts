import * as path from "path";
import { main as synth } from "../main";
import { stackName } from "../modules/metaflow-stack";
import { FlowError } from "./terraform";
import { FlowOptions } from "./options";

/** Synthesizes (validating every environment) and returns the directory of the environment's stack. */
export function synthesize(options: Pick<FlowOptions, "environment" | "configDir">): string {
  const args = ["--env", options.environment, "--quiet", ...(options.configDir ? ["--config-dir", options.configDir] : [])];
  if (synth(args) !== 0) throw new FlowError("synthesis failed (see above); nothing was planned or applied");
  return path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out", "stacks", stackName(options.environment));
}
