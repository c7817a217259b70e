import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATOR_CREDENTIALS, EMULATOR_OVERRIDE_FILE, emulatorOverride } from "../../flow/emulator/override";
import { Emulator, startEmulator } from "../../flow/emulator/server";
import { findProviderMirror, mirrorCliConfig } from "../../flow/offline";
import { emulatorClientEnv } from "../../flow/profile";
import { pythonToolsOrReason, PythonTools } from "../../flow/python-tools";
import { SavedPlan } from "../../flow/saved-plan";
import { unavailable as terraformUnavailable } from "./terraform";

/**
 * The emulator suite's harness: deployments driven through the project's own commands (`node
 * scripts/plan.js ... --emulator URL`, as `npm run plan` runs them) in child processes, so several run at
 * once, each in a workspace of its own (config dir, cdktf.out, plans/, METAFLOW_HOME) against an emulator
 * the suite starts (flow/emulator/server.ts, the same code as `npm run emulator`). What exists afterwards
 * is read back through the AWS API with boto3 (aws_call.py, inventory.py).
 */

export const ROOT = path.resolve(__dirname, "..", "..");
const EMULATOR_TESTS = path.join(ROOT, "__tests__", "emulator");

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

let tools: PythonTools | string | undefined;
/** The emulator tool set (installed on first use), or why the suite cannot run here. */
export function emulatorTools(): PythonTools | string {
  if (tools === undefined) tools = terraformUnavailable ?? pythonToolsOrReason("emulator");
  return tools;
}

/** `describe` when terraform and the emulator tools are here, else `describe.skip` with the reason printed. */
export function describeWithEmulator(name: string, fn: () => void): void {
  const available = emulatorTools();
  if (typeof available === "string") {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": ${available}`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

/** Runs a program; resolves with its exit code and output (never rejects for a non-zero exit). */
export function runProgram(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** Where the suite's emulators log their requests: kept after the run, for a failure's post-mortem. */
export const SUITE_LOG_DIR = path.join(os.tmpdir(), "mf-emulator-suite-logs");

/** The suite's emulators, started here and stopped by PID in afterAll (and by the launcher's own watch). */
export function startSuiteEmulator(lane: string): Emulator {
  const available = emulatorTools();
  if (typeof available === "string") throw new Error(available);
  fs.mkdirSync(SUITE_LOG_DIR, { recursive: true });
  return startEmulator({ logFile: path.join(SUITE_LOG_DIR, `${lane}-${process.pid}.log`) });
}

/** Changed top-level attributes of every resource a plan would change, as `type.attribute`. */
export function changedAttributes(plan: any): string[] {
  const changed = new Set<string>();
  for (const rc of plan.resource_changes ?? []) {
    const { actions, before, after, after_unknown: unknown } = rc.change;
    if (actions.join() === "no-op" || actions.join() === "read") continue;
    if (!actions.includes("update")) {
      changed.add(`${rc.type}.(${actions.join("+")})`);
      continue;
    }
    for (const key of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
      if (JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]) || (unknown && unknown[key] === true)) changed.add(`${rc.type}.${key}`);
    }
  }
  return [...changed].sort();
}

/** One environment of the project, deployed on an emulator through the project's commands. */
export class Deployment {
  public readonly root: string;
  public readonly configDir: string;
  public readonly outdir: string;
  public readonly metaflowHome: string;
  /** Every command run, for the timing report. */
  public readonly log: { command: string; code: number; seconds: number }[] = [];

  constructor(
    public readonly emulator: Emulator,
    public readonly environment: string,
    public readonly region: string,
  ) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `mf-emulator-${environment}-`));
    this.configDir = path.join(this.root, "environments");
    this.outdir = path.join(this.root, "cdktf.out");
    this.metaflowHome = path.join(this.root, "metaflowconfig");
    fs.mkdirSync(this.configDir);
  }

  public writeConfig(config: object): void {
    fs.writeFileSync(path.join(this.configDir, `${this.environment}.json`), JSON.stringify(config, null, 2));
  }

  private get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: this.outdir, METAFLOW_HOME: this.metaflowHome, NO_COLOR: "1" };
    delete env.METAFLOW_CONFIG_DIR;
    delete env.AWS_PROFILE;
    return env;
  }

  /** `npm run <name> -- --env <env> --emulator <url> --config-dir <dir> ...args`, as a child process. */
  public async command(name: "plan" | "apply" | "profile", ...args: string[]): Promise<CommandResult> {
    const argv = ["--env", this.environment, "--emulator", this.emulator.url, "--config-dir", this.configDir, ...args];
    const result = await runProgram(process.execPath, [path.join(ROOT, "scripts", `${name}.js`), ...argv], { cwd: this.root, env: this.env });
    this.log.push({ command: `${name} ${args.join(" ")}`.trim(), code: result.code, seconds: result.seconds });
    return result;
  }

  public get stackDir(): string {
    return path.join(this.outdir, "stacks", `metaflow-${this.environment}`);
  }

  public stackJson(): any {
    return JSON.parse(fs.readFileSync(path.join(this.stackDir, "cdk.tf.json"), "utf8"));
  }

  public get saved(): SavedPlan {
    return new SavedPlan(this.root, this.environment);
  }

  public get stateFile(): string {
    return this.saved.emulatorStateFile(this.emulator.instance);
  }

  /** The last saved plan's JSON (plans/<env>/plan.json). */
  public savedPlan(): any {
    return JSON.parse(fs.readFileSync(this.saved.jsonFile, "utf8"));
  }

  private terraformEnv(): NodeJS.ProcessEnv {
    const cliConfig = path.join(this.root, "suite.tfrc");
    const mirror = findProviderMirror();
    if (mirror && !fs.existsSync(cliConfig)) fs.writeFileSync(cliConfig, mirrorCliConfig(mirror));
    return {
      ...this.env,
      ...(mirror ? { TF_CLI_CONFIG_FILE: cliConfig } : {}),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKey,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretKey,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
    };
  }

  private async terraform(...args: string[]): Promise<string> {
    const result = await runProgram("terraform", [...args, "-no-color"], { cwd: this.stackDir, env: this.terraformEnv() });
    if (result.code !== 0) throw new Error(`terraform ${args.join(" ")} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
    return result.stdout;
  }

  /** The emulator state as `terraform show -json` shows it. */
  public async state(): Promise<any> {
    return JSON.parse(await this.terraform("show", "-json", this.stateFile));
  }

  /**
   * A plan against the emulator with its artifacts NOT ignored (as the emulator mode does), to check the
   * artifact list of gaps.ts: read-only (no lock, the plan is not saved where apply would find it).
   */
  public async planShowingArtifacts(): Promise<any> {
    const override = path.join(this.stackDir, EMULATOR_OVERRIDE_FILE);
    fs.writeFileSync(override, JSON.stringify(emulatorOverride(this.stackJson(), { url: this.emulator.url, statePath: this.stateFile, ignoreArtifacts: false })));
    try {
      await this.terraform("init", "-input=false", "-reconfigure");
      await this.terraform("plan", "-input=false", "-lock=false", "-out=artifacts.tfplan");
      return JSON.parse(await this.terraform("show", "-json", "artifacts.tfplan"));
    } finally {
      fs.rmSync(override, { force: true });
      fs.rmSync(path.join(this.stackDir, "artifacts.tfplan"), { force: true });
    }
  }

  /** Variables the Metaflow client (and boto3) run with against this emulator. */
  public clientEnv(profile = `${this.environment}-emulator`): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      ...emulatorClientEnv(this.emulator, this.region, profile),
      USERNAME: "emulator-suite",
      METAFLOW_USER: "emulator-suite",
    };
    delete env.METAFLOW_SERVICE_URL;
    return env;
  }

  /** The emulator tool set's python with `args`, in the workspace, with the client's variables. */
  public python(args: readonly string[], cwd = this.root): Promise<CommandResult> {
    const available = emulatorTools();
    if (typeof available === "string") throw new Error(available);
    return runProgram(available.python, args, { cwd, env: this.clientEnv() });
  }

  /** AWS API calls through boto3; each answer is { ok, result } or { ok: false, code, message }. */
  public async aws(calls: readonly { service: string; operation: string; params?: object; region?: string }[]): Promise<any[]> {
    const result = await this.python([path.join(EMULATOR_TESTS, "aws_call.py"), JSON.stringify(calls.map((c) => ({ region: this.region, ...c })))]);
    if (result.code !== 0) throw new Error(`aws_call.py failed (${result.code}):\n${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** One call; throws with the error code when it fails. */
  public async call(service: string, operation: string, params: object = {}): Promise<any> {
    const [answer] = await this.aws([{ service, operation, params }]);
    if (!answer.ok) throw new Error(`${service}.${operation} failed: ${answer.code} ${answer.message}`);
    return answer.result;
  }

  /**
   * Every resource of the state, described through the API (inventory.py): the stack's state, or `state`
   * (`terraform show -json` of another root on this emulator, such as an HCL twin's).
   */
  public async inventory(state?: unknown): Promise<{ checked: { address: string; type: string; found: boolean; how: string; detail?: string }[]; unsupported: string[] }> {
    const stateFile = path.join(this.root, "state-shown.json");
    fs.writeFileSync(stateFile, JSON.stringify(state ?? (await this.state())));
    const result = await this.python([path.join(EMULATOR_TESTS, "inventory.py"), stateFile, "--region", this.region]);
    if (result.code !== 0) throw new Error(`inventory.py failed (${result.code}):\n${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  public remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** A promise a test awaits later, marked handled now so a failure before that is not an unhandled rejection. */
export function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
