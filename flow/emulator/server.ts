import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isAlive, sleepSync } from "../lock";
import { projectRoot } from "../project";
import { ensurePythonTools } from "../python-tools";
import { FlowError } from "../terraform";

/**
 * The AWS API emulator (moto in server mode) as this project runs it: its own child process on
 * 127.0.0.1 and a port the OS picks, started from the pinned `emulator` tool set, told apart from other
 * servers by an instance id, and stopped by its PID. The launcher (launcher.py) also exits by itself when
 * the process that started it is gone, so a server never outlives its command.
 */

/** The account moto answers as unless told otherwise (`MOTO_ACCOUNT_ID`). */
export const EMULATOR_DEFAULT_ACCOUNT = "123456789012";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** What a running emulator says of itself at `/_emulator/instance`. */
export interface EmulatorIdentity {
  readonly instance: string;
  readonly port: number;
  readonly pid: number;
  readonly moto: string;
  readonly accountId: string;
  /** The calls the launcher answers itself (gaps.ts SHIMMED). */
  readonly shims: readonly string[];
}

export interface Emulator {
  readonly url: string;
  /** Unique per server start; keys the local state made against it. */
  readonly instance: string;
  readonly accountId: string;
  /** Set when this process started the server (and so stops it). */
  readonly pid?: number;
  /** Empties every service (moto's `/moto-api/reset`), keeping the server. */
  reset(): void;
  /** Stops a server this process started (no-op for one it only connected to). */
  stop(): void;
}

/** One HTTP request, synchronously (the flow commands are synchronous): a child node does the fetch. */
export function httpSync(method: "GET" | "POST", url: string, timeoutMs = 15_000): { status: number; body: string } {
  const script = `fetch(process.argv[1], { method: process.argv[2], signal: AbortSignal.timeout(${timeoutMs}) })
    .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
    .catch((e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e && e.cause ? e.cause.message || e.cause : e) })));`;
  const result = spawnSync(process.execPath, ["-e", script, url, method], { encoding: "utf8", timeout: timeoutMs + 5_000 });
  if (result.status !== 0 || !result.stdout) return { status: 0, body: result.stderr || "no answer" };
  return JSON.parse(result.stdout);
}

/** The identity of the server at `url`, or undefined when nothing answers there (or not one of ours). */
export function identify(url: string): EmulatorIdentity | undefined {
  const answer = httpSync("GET", `${url.replace(/\/$/, "")}/_emulator/instance`);
  if (answer.status !== 200) return undefined;
  try {
    return JSON.parse(answer.body) as EmulatorIdentity;
  } catch {
    return undefined;
  }
}

function resetAt(url: string): void {
  const answer = httpSync("POST", `${url}/moto-api/reset`);
  if (answer.status !== 200) throw new FlowError(`the emulator at ${url} did not reset (HTTP ${answer.status}: ${answer.body.slice(0, 200)})`);
}

/** Stops the process `pid` (SIGTERM, then SIGKILL after a grace period); waits until it is gone. */
export function stopProcess(pid: number): void {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) sleepSync(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

const started = new Set<number>();
let cleanupInstalled = false;

/** Stops every server this process started when it exits, however it exits. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const stopAll = () => {
    for (const pid of started) stopProcess(pid);
    started.clear();
  };
  process.on("exit", stopAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

export interface StartOptions {
  /** The account the emulator answers as. @default 123456789012 */
  readonly accountId?: string;
  /** Where moto writes its request log. @default a file in the OS temp directory */
  readonly logFile?: string;
}

/**
 * Starts a moto server as a child of this process (its own process group, so a Ctrl-C in the terminal
 * reaches this process, which then stops it, rather than killing the server under a running terraform).
 */
export function startEmulator(options: StartOptions = {}): Emulator {
  const tools = ensurePythonTools("emulator");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mf-emulator-"));
  const readyFile = path.join(work, "ready.json");
  const logFile = options.logFile ?? path.join(work, "moto.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "a");
  const accountId = options.accountId ?? EMULATOR_DEFAULT_ACCOUNT;
  const child = spawn(tools.python, [path.join(projectRoot(), "flow", "emulator", "launcher.py"), readyFile, String(process.pid)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, MOTO_ACCOUNT_ID: accountId, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new FlowError(`could not start the emulator (${tools.python}); see ${logFile}`);
  installCleanup();
  started.add(pid);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!fs.existsSync(readyFile)) {
    if (!isAlive(pid) || Date.now() > deadline) {
      started.delete(pid);
      stopProcess(pid);
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-8).join("\n") : "";
      throw new FlowError(`the emulator did not start within ${START_TIMEOUT_MS / 1000} s${tail ? `:\n${tail}` : ""}`);
    }
    sleepSync(100);
  }
  const identity = JSON.parse(fs.readFileSync(readyFile, "utf8")) as EmulatorIdentity;
  fs.rmSync(readyFile, { force: true });
  const url = `http://127.0.0.1:${identity.port}`;
  return {
    url,
    instance: identity.instance,
    accountId: identity.accountId,
    pid,
    reset: () => resetAt(url),
    stop: () => {
      stopProcess(pid);
      started.delete(pid);
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * A server started elsewhere (`npm run emulator`, or any moto server at `url`). One of ours tells its
 * instance id; for another, the URL stands in for it (a restart of such a server cannot be detected).
 */
export function connectEmulator(url: string): Emulator {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlowError(`--emulator ${JSON.stringify(url)} is not a URL; give one such as http://127.0.0.1:5000`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new FlowError(`--emulator ${url}: use an http:// or https:// URL`);
  const base = url.replace(/\/$/, "");
  const identity = identify(base);
  if (!identity) {
    const answer = httpSync("GET", `${base}/moto-api/`);
    if (answer.status === 0) throw new FlowError(`nothing answers at ${base} (${answer.body}); start an emulator with \`npm run emulator\``);
  }
  return {
    url: base,
    instance: identity?.instance ?? `url-${parsed.host.replace(/[^A-Za-z0-9]/g, "-")}`,
    accountId: identity?.accountId ?? EMULATOR_DEFAULT_ACCOUNT,
    reset: () => resetAt(base),
    stop: () => undefined,
  };
}
