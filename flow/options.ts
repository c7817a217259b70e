import { Approval } from "../review/gate";
import { readApprovals } from "../review/cli";
import { FlowError } from "./terraform";

/** Command-line options of `npm run plan` and `npm run apply`. */
export interface FlowOptions {
  readonly environment: string;
  readonly configDir?: string;
  /** No AWS account: local mirror, dummy credentials, local state under plans/<env>/. */
  readonly offline: boolean;
  /** Plan the destruction of the environment (plan only). */
  readonly destroy: boolean;
  readonly format: "terminal" | "markdown";
  readonly approvals: Approval[];
  /** More protected types or addresses, besides the reviewer's defaults. */
  readonly protect: string[];
  /** Keep terraform's own output back unless it fails. */
  readonly quiet: boolean;
}

/** Parses the options `allowed` names; anything else is a FlowError that shows `usage`. */
export function parseFlowArgs(argv: readonly string[], usage: string, allowed: readonly string[]): FlowOptions {
  let environment: string | undefined;
  let configDir: string | undefined;
  let offline = false;
  let destroy = false;
  let quiet = false;
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
    if (!allowed.includes(flag)) throw new FlowError(`unknown argument ${JSON.stringify(flag)}; ${usage}`);
    if (flag === "--env") environment = value();
    else if (flag === "--config-dir") configDir = value();
    else if (flag === "--offline") offline = true;
    else if (flag === "--destroy") destroy = true;
    else if (flag === "--quiet") quiet = true;
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
  return { environment, configDir, offline, destroy, format, approvals, protect, quiet };
}
