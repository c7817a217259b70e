import { Approval } from "../review/gate";
import { readApprovals } from "../review/cli";
import { TargetChoice } from "./target";
import { FlowError } from "./terraform";

/** Command-line options of `npm run plan`, `apply` and `profile` (each allows its own subset). */
export interface FlowOptions {
  readonly environment: string;
  readonly configDir?: string;
  /** A real account (default), `--offline`, or `--emulator [URL]`. */
  readonly target: TargetChoice;
  /** Plan the destruction of the environment (plan only). */
  readonly destroy: boolean;
  readonly format: "terminal" | "markdown";
  readonly approvals: Approval[];
  /** More protected types or addresses, besides the reviewer's defaults. */
  readonly protect: string[];
  /** Keep terraform's own output back unless it fails (apply and profile; plan always does, but with --verbose). */
  readonly quiet: boolean;
  /** Stream terraform's own output (plan). */
  readonly verbose: boolean;
  /** The Metaflow profile name (profile only). @default the environment's name (`<env>-emulator` on the emulator) */
  readonly profile?: string;
  /** Replace a different existing profile file (profile only). */
  readonly force: boolean;
}

export type Flag =
  | "--env" | "--config-dir" | "--offline" | "--emulator" | "--destroy" | "--allow" | "--approvals" | "--protect" | "--format"
  | "--quiet" | "--verbose" | "--profile" | "--force";

/** Parses the flags `allowed` names; anything else is a FlowError that shows `usage`. */
export function parseFlowArgs(argv: readonly string[], usage: string, allowed: readonly Flag[]): FlowOptions {
  let environment: string | undefined;
  let configDir: string | undefined;
  let profile: string | undefined;
  let offline = false;
  let emulator: { url?: string } | undefined;
  let destroy = false;
  let quiet = false;
  let verbose = false;
  let force = false;
  let format: FlowOptions["format"] = "terminal";
  const approvals: Approval[] = [];
  const protect: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith("--")) throw new FlowError(`${flag} needs a value; ${usage}`);
      i++;
      return v;
    };
    if (!(allowed as readonly string[]).includes(flag)) throw new FlowError(`unknown argument ${JSON.stringify(flag)}; ${usage}`);
    if (flag === "--env") environment = value();
    else if (flag === "--config-dir") configDir = value();
    else if (flag === "--offline") offline = true;
    else if (flag === "--emulator") {
      // The URL is optional: without one, the emulator `npm run emulator` runs, or one for this command.
      const next = argv[i + 1];
      emulator = next !== undefined && !next.startsWith("--") ? { url: value() } : {};
    } else if (flag === "--destroy") destroy = true;
    else if (flag === "--quiet") quiet = true;
    else if (flag === "--verbose") verbose = true;
    else if (flag === "--force") force = true;
    else if (flag === "--profile") profile = value();
    else if (flag === "--allow") approvals.push({ address: value(), source: "--allow" });
    else if (flag === "--approvals") approvals.push(...readApprovals(value()));
    else if (flag === "--protect") protect.push(value());
    else if (flag === "--format") {
      const f = value();
      if (f !== "terminal" && f !== "markdown") throw new FlowError(`--format must be terminal or markdown, not ${JSON.stringify(f)}`);
      format = f;
    }
  }
  if (!environment) throw new FlowError(`--env is required; ${usage}`);
  if (offline && emulator) throw new FlowError(`--offline and --emulator exclude each other: choose one; ${usage}`);
  if (profile !== undefined && !/^[A-Za-z0-9_-]+$/.test(profile)) throw new FlowError(`--profile ${JSON.stringify(profile)}: use letters, digits, _ and -`);
  const target: TargetChoice = offline ? { kind: "offline" } : emulator ? { kind: "emulator", emulatorUrl: emulator.url } : { kind: "aws" };
  if (quiet && verbose) throw new FlowError(`--quiet and --verbose exclude each other; ${usage}`);
  return { environment, configDir, target, destroy, format, approvals, protect, quiet, verbose, profile, force };
}
