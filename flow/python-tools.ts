import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { withLock } from "./lock";
import { projectRoot } from "./project";

/**
 * Tools from PyPI, each set in a venv of its own under `.venv/<set>` (git-ignored), installed from
 * `tools/requirements/<set>.txt` (exact pins) by this module: a fresh clone needs nothing by hand. The
 * venv sees the system's site-packages, so a pinned package the machine already carries at that version
 * (the image's moto, say) is used as it is and only what is missing is downloaded. A venv is reinstalled
 * when its requirements file changes; concurrent callers wait for one install.
 */

export const TOOL_SETS = {
  /** The AWS API emulator (moto, server mode) and the Metaflow client that is run against it. */
  emulator: "emulator.txt",
  /** psycopg2, to run the metadata service's migration lock against a local PostgreSQL in a test. */
  migrations: "migrations.txt",
  /** checkov, the Terraform scanner run on every shipped stack's synthesized and plan JSON (flow/checkov.ts). */
  checkov: "checkov.txt",
} as const;

export type ToolSet = keyof typeof TOOL_SETS;

/** A tool set that cannot be installed here, with the reason (no Python, no venv module, PyPI unreachable). */
export class ToolsUnavailableError extends Error {}

export interface PythonTools {
  readonly set: ToolSet;
  /** The venv's directory. */
  readonly dir: string;
  /** The venv's python. */
  readonly python: string;
  /** A console script installed in the venv (or visible through the system's site-packages). */
  bin(name: string): string;
}

/** The Python that makes the venvs: `METAFLOW_PYTHON`, else `python3` on PATH. */
export function basePython(env: NodeJS.ProcessEnv = process.env): string {
  return env.METAFLOW_PYTHON ?? "python3";
}

const MIN_PYTHON: readonly [number, number] = [3, 9];

export function requirementsFile(set: ToolSet, root = projectRoot()): string {
  return path.join(root, "tools", "requirements", TOOL_SETS[set]);
}

export function venvDir(set: ToolSet, root = projectRoot()): string {
  return path.join(root, ".venv", set);
}

function toolsAt(set: ToolSet, dir: string): PythonTools {
  return { set, dir, python: path.join(dir, "bin", "python"), bin: (name) => path.join(dir, "bin", name) };
}

const STAMP = ".requirements.sha256";

function digest(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function run(command: string, args: readonly string[], timeoutMs: number): { ok: boolean; output: string; missing: boolean } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" } });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  return { ok: result.status === 0, output, missing: (result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT" };
}

function lastLines(text: string, n = 6): string {
  return text.split("\n").slice(-n).join("\n");
}

/** Why the base Python cannot make venvs, or undefined when it can. */
export function pythonUnavailable(python = basePython()): string | undefined {
  const version = run(python, ["-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"], 30_000);
  if (version.missing) return `${python} is not on PATH (set METAFLOW_PYTHON to a Python ${MIN_PYTHON.join(".")} or later)`;
  if (!version.ok) return `${python} cannot make virtual environments (${lastLines(version.output, 1)}); install its venv module`;
  const [major, minor] = version.output.split(".").map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return `${python} is Python ${version.output}; the tools need ${MIN_PYTHON.join(".")} or later (set METAFLOW_PYTHON)`;
  }
  return undefined;
}

/**
 * The venv of `set`, installed or brought up to date first. Throws ToolsUnavailableError with the reason
 * when Python, its venv module or the package index is missing; a failed install leaves no venv behind.
 */
export function ensurePythonTools(set: ToolSet, root = projectRoot()): PythonTools {
  const dir = venvDir(set, root);
  const requirements = requirementsFile(set, root);
  const wanted = digest(requirements);
  const stamp = path.join(dir, STAMP);
  const current = () => fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === wanted && fs.existsSync(toolsAt(set, dir).python);
  if (current()) return toolsAt(set, dir);

  return withLock(`${dir}.lock`, 15 * 60_000, () => {
    if (current()) return toolsAt(set, dir);
    const python = basePython();
    const why = pythonUnavailable(python);
    if (why) throw new ToolsUnavailableError(why);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const made = run(python, ["-m", "venv", "--system-site-packages", dir], 120_000);
    if (!made.ok) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new ToolsUnavailableError(`could not make a venv in ${dir}: ${lastLines(made.output)}`);
    }
    const tools = toolsAt(set, dir);
    const installed = run(tools.python, ["-m", "pip", "install", "--quiet", "--requirement", requirements], 20 * 60_000);
    if (!installed.ok) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new ToolsUnavailableError(`pip could not install ${path.relative(root, requirements)} (is PyPI reachable?):\n${lastLines(installed.output)}`);
    }
    fs.writeFileSync(stamp, `${wanted}\n`);
    return tools;
  });
}

/** `ensurePythonTools`, or the reason it cannot be had (for tests that skip and say why). */
export function pythonToolsOrReason(set: ToolSet, root = projectRoot()): PythonTools | string {
  try {
    return ensurePythonTools(set, root);
  } catch (e) {
    if (e instanceof ToolsUnavailableError) return e.message;
    throw e;
  }
}
