import * as fs from "fs";
import { PlanInputError } from "./errors";
import { Approval, EXIT_CODES, parseApprovals } from "./gate";
import { renderMarkdown } from "./markdown";
import { reviewFile } from "./report";
import { renderTerminal } from "./terminal";

/**
 * `npm run review -- <plan.json> [--format terminal|markdown] [--allow ADDRESS]... [--approvals FILE]...
 * [--protect TYPE_OR_ADDRESS]...`
 *
 * Exit codes: 0 no changes, 2 changes, 3 blocked (a protected resource would be deleted, replaced or
 * forgotten without approval), 1 unreadable input or a bad command line (one line on stderr).
 */

export const USAGE =
  "usage: npm run review -- <plan.json> [--stack cdk.tf.json] [--format terminal|markdown] [--allow ADDRESS]... [--approvals FILE]... [--protect TYPE_OR_ADDRESS]...";

const HELP = `${USAGE}

Reviews the JSON of a saved Terraform plan (terraform show -json <planfile> > plan.json).

  --stack FILE                the synthesized stack the plan was made from (cdktf.out/stacks/<stack>/cdk.tf.json):
                              changes are shown by area and construct path, with the idle cost and the diagram;
                              without it, by Terraform module
  --format terminal|markdown  plain text (default), or Markdown for a pull-request comment
  --allow ADDRESS             approve deleting, replacing or forgetting this protected resource (repeatable);
                              the address without its instance key approves every instance
  --approvals FILE            approvals from a file: a JSON list of addresses, or one address per line
                              (blank lines and lines starting with # are ignored)
  --protect TYPE_OR_ADDRESS   protect another resource type (aws_efs_file_system) or address (aws_s3_bucket.logs)
                              besides the built-in types (repeatable)

Exit codes: 0 no changes, 2 changes, 3 blocked, 1 unreadable input.
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal: colour only then. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

function processIo(): CliIo {
  // `npm run review -- plan.json | head` closes the pipe early: end quietly with the verdict, no stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}

interface Options {
  readonly plan: string;
  readonly format: "terminal" | "markdown";
  readonly approvals: Approval[];
  readonly protect: string[];
  readonly stack?: string;
  readonly help: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const approvals: Approval[] = [];
  const protect: string[] = [];
  const plans: string[] = [];
  let format: Options["format"] = "terminal";
  let stack: string | undefined;
  let help = false;
  const valueOf = (i: number): string => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new PlanInputError(`${argv[i]} needs a value; ${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? valueOf(i++);
    if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--format") {
      const f = value();
      if (f !== "terminal" && f !== "markdown") throw new PlanInputError(`--format must be terminal or markdown, not ${JSON.stringify(f)}`);
      format = f;
    } else if (flag === "--allow") approvals.push({ address: value(), source: "--allow" });
    else if (flag === "--approvals") approvals.push(...readApprovals(value()));
    else if (flag === "--protect") protect.push(value());
    else if (flag === "--stack") stack = value();
    else if (arg.startsWith("-") && arg !== "-") throw new PlanInputError(`unknown option ${JSON.stringify(arg)}; ${USAGE}`);
    else plans.push(arg);
  }
  if (help) return { plan: "", format, approvals, protect, help };
  if (plans.length !== 1) throw new PlanInputError(plans.length ? `one plan file at a time, got ${plans.length}; ${USAGE}` : `no plan file given; ${USAGE}`);
  return { plan: plans[0], format, approvals, protect, stack, help };
}

/** A synthesized stack (`cdk.tf.json`), parsed; PlanInputError when it cannot be read or is not one. */
export function readStack(path: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlanInputError(`cannot read stack file ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PlanInputError(`${path} is not JSON; --stack takes a synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json)`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || !("resource" in json || "terraform" in json)) {
    throw new PlanInputError(`${path} is not a synthesized stack (no resource or terraform block); --stack takes cdktf.out/stacks/<stack>/cdk.tf.json`);
  }
  return json;
}

export function readApprovals(path: string): Approval[] {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlanInputError(`cannot read approvals file ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  return parseApprovals(text, path);
}

/** Runs the reviewer; returns the exit code. Never throws: every failure is one line on stderr and exit 1. */
export function main(argv: readonly string[], io: CliIo = processIo()): number {
  try {
    const options = parseArgs(argv);
    if (options.help) {
      io.stdout(HELP);
      return 0;
    }
    const stack = options.stack === undefined ? undefined : readStack(options.stack);
    const review = reviewFile(options.plan, { approvals: options.approvals, protect: options.protect, stack });
    const color = io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
    io.stdout(options.format === "markdown" ? renderMarkdown(review) : renderTerminal(review, { color }));
    return review.gate.exitCode;
  } catch (e) {
    const message =
      e instanceof PlanInputError
        ? e.message
        : `the reviewer failed unexpectedly (${e instanceof Error ? e.message : String(e)}); please report it with the plan's format_version`;
    io.stderr(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return EXIT_CODES.unreadable;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
