import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { ConfigError, loadEnvironments, selectEnvironments } from "./modules/config/load";
import { MetaflowStack } from "./modules/metaflow-stack";
import { stateLocation } from "./modules/state-backend";
import { checkRules, formatRuleErrors, ruleTotals, StackReport } from "./modules/rules";
import { plannedStateBuckets, STATE_STACK, StateStack } from "./modules/state-stack";
import { DIAGRAM_FILE, deploymentDiagram, renderMermaid } from "./modules/diagram";
import { formatSummary, summarize } from "./modules/summary";

/** Where environment configs live: one `<environment>.json` each. */
export const DEFAULT_CONFIG_DIR = "environments";
/** Where cdktf writes (its own default, made explicit so main knows whether it was there before). */
const outdirOf = () => process.env.CDKTF_OUTDIR ?? "cdktf.out";

/** The directories `new App()` creates when missing (the output directory and its `stacks`). */
const appDirectories = (outdir: string) => [outdir, path.join(outdir, "stacks")];

/** Removes the still-empty directories this run created, deepest first. */
function removeCreated(dirs: readonly string[]): void {
  for (const dir of [...dirs].reverse()) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

interface Options {
  readonly configDir: string;
  readonly environments: string[];
  readonly quiet: boolean;
}

const USAGE = "usage: npm run synth -- [--env <name>]... [--config-dir <dir>] [--quiet]";

/** A command-line mistake: reported like a config error, under its own heading. */
class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const environments: string[] = [];
  let configDir = process.env.METAFLOW_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  let quiet = false;
  const valueOf = (i: number): string => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${argv[i]} needs a value; ${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--env") environments.push(valueOf(i++));
    else if (arg === "--config-dir") configDir = valueOf(i++);
    else if (arg === "--quiet") quiet = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
  }
  return { configDir, environments, quiet };
}

/**
 * Validates every environment, builds one stack each, checks the security rules, and only then
 * synthesizes. Nothing is written on a config error or a rule error.
 */
export function main(argv: readonly string[]): number {
  let options: Options;
  let app: App;
  let notes: string[] = [];
  let createdDirs: string[] = [];
  try {
    options = parseArgs(argv);
    // Every environment is validated, and the state stack always holds every environment's bucket, so
    // synthesizing one environment never plans away another's state bucket.
    const all = loadEnvironments(options.configDir);
    const environments = selectEnvironments(all, options.environments);
    const stateBuckets = plannedStateBuckets(all);
    const outdir = outdirOf();
    createdDirs = appDirectories(outdir).filter((dir) => !fs.existsSync(dir));
    app = new App({ outdir });
    if (stateBuckets.length > 0) new StateStack(app, stateBuckets);
    for (const environment of environments) new MetaflowStack(app, environment);
    notes = environments
      .filter((e) => stateLocation(e)?.defaultName)
      .map((e) => `${e.name}: state bucket ${stateLocation(e)!.bucket} is a default name; S3 names are global, so set accountId or state.bucket before you bootstrap.`);
  } catch (e) {
    removeCreated(createdDirs);
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
      return 1;
    }
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\nNothing was synthesized. Fix the values above and run again.\n`);
    return 1;
  }
  // The rule pack runs before anything is written: an error leaves no output (building the App made the
  // output directories; those this run made are removed again).
  const rules: StackReport[] = checkRules(app);
  if (ruleTotals(rules).errors > 0) {
    removeCreated(createdDirs);
    process.stderr.write(`${formatRuleErrors(rules)}\n`);
    return 1;
  }
  app.synth();
  const stacks = summarize(app.outdir);
  // Each environment's picture beside its Terraform JSON (modules/diagram.ts).
  for (const s of stacks.filter((s) => s.stack !== STATE_STACK)) {
    fs.writeFileSync(path.join(path.dirname(s.file), DIAGRAM_FILE), renderMermaid(deploymentDiagram(JSON.parse(fs.readFileSync(s.file, "utf8")))));
  }
  if (!options.quiet) {
    const seconds = process.uptime();
    process.stdout.write(`${formatSummary(stacks, app.outdir, seconds, notes, rules)}\n`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
