import * as path from "path";
import { DEFAULT_CONFIG_DIR, main as synth } from "../main";
import { loadEnvironments } from "../modules/config/load";
import { stackName } from "../modules/metaflow-stack";
import { FlowError } from "./terraform";
import { FlowOptions } from "./options";

/** The environment's `protectedResources` (config was validated by `synthesize`). */
export function protectedResources(options: Pick<FlowOptions, "environment" | "configDir">): string[] {
  const dir = options.configDir ?? process.env.METAFLOW_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  return loadEnvironments(dir).find((e) => e.name === options.environment)?.config.protectedResources ?? [];
}

/** Synthesizes (validating every environment) and returns the directory of the environment's stack. */
export function synthesize(options: Pick<FlowOptions, "environment" | "configDir">): string {
  const args = ["--env", options.environment, "--quiet", ...(options.configDir ? ["--config-dir", options.configDir] : [])];
  if (synth(args) !== 0) throw new FlowError("synthesis failed (see above); nothing was planned or applied");
  return path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out", "stacks", stackName(options.environment));
}
