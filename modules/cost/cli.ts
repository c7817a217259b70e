import * as fs from "fs";
import * as path from "path";
import { DEFAULT_CONFIG_DIR, main as synth } from "../../main";
import { estimateStack } from "./estimate";
import { formatEstimate } from "./format";

/**
 * `npm run cost -- --env NAME [--config-dir DIR]`: synthesizes the environment (validated and rule-checked
 * as `npm run synth` does) and prints its monthly idle cost, line by line with the arithmetic.
 * `--stack FILE` prices a synthesized stack without synthesizing; `--json` prints the estimate as JSON.
 * Exit 0, or 1 with one line on stderr.
 */

export const COST_USAGE = "usage: npm run cost -- --env <name> [--config-dir DIR] [--json]   or   npm run cost -- --stack cdk.tf.json [--json]";

export interface CostIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CostIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

class UsageError extends Error {}

function parse(argv: readonly string[]) {
  let environment: string | undefined;
  let configDir: string | undefined;
  let stack: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value; ${COST_USAGE}`);
      return v;
    };
    if (flag === "--env") environment = value();
    else if (flag === "--config-dir") configDir = value();
    else if (flag === "--stack") stack = value();
    else if (flag === "--json") json = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(flag)}; ${COST_USAGE}`);
  }
  if ((environment === undefined) === (stack === undefined)) throw new UsageError(`give --env or --stack, one of them; ${COST_USAGE}`);
  return { environment, configDir, stack, json };
}

export function costMain(argv: readonly string[], io: CostIo = processIo): number {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (e) {
    io.stderr(`error: ${(e as Error).message}\n`);
    return 1;
  }
  let file = options.stack;
  let title = file ?? "";
  if (options.environment !== undefined) {
    const args = ["--env", options.environment, "--quiet", "--config-dir", options.configDir ?? process.env.METAFLOW_CONFIG_DIR ?? DEFAULT_CONFIG_DIR];
    if (synth(args) !== 0) {
      io.stderr("error: synthesis failed (see above); nothing was estimated\n");
      return 1;
    }
    title = `metaflow-${options.environment}`;
    file = path.join(process.env.CDKTF_OUTDIR ?? "cdktf.out", "stacks", title, "cdk.tf.json");
  }
  let stack: unknown;
  try {
    stack = JSON.parse(fs.readFileSync(file!, "utf8"));
  } catch (e) {
    io.stderr(`error: cannot read the synthesized stack ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const estimate = estimateStack(stack);
  io.stdout(options.json ? `${JSON.stringify(estimate, null, 2)}\n` : formatEstimate(estimate, title));
  return 0;
}

if (require.main === module) {
  process.exitCode = costMain(process.argv.slice(2));
}
