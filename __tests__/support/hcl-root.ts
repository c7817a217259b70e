import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { offlineOverride } from "../../flow/offline";
import { MODULES_DIR } from "../../hcl/write-modules";
import { offlineTerraformEnv } from "./terraform";

/**
 * An HCL root module for real Terraform in a test: the committed modules copied beside it (so `source =
 * "../../terraform-modules/<m>"` resolves), the provider from the local mirror, and (offline) dummy
 * credentials and the provider's skip flags in an override file. Commands run as child processes, so
 * several roots run at once.
 */

const REPO = path.resolve(__dirname, "..", "..");

export interface Run {
  readonly ok: boolean;
  readonly code: number;
  /** stdout and stderr, white space folded (Terraform wraps long messages). */
  readonly out: string;
  readonly stdout: string;
}

export class HclRoot {
  /** The root module's directory. */
  public readonly dir: string;
  private readonly work: string;
  private readonly env: NodeJS.ProcessEnv;

  /**
   * A root at `relative` (like examples/hcl-production) inside a fresh copy of the modules: copied from the
   * repository when `files` is not given, else written from `files`.
   */
  constructor(label: string, relative: string, files?: Record<string, string>, options: { offline?: boolean } = {}) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), `mf-hcl-${label}-`));
    fs.cpSync(path.join(REPO, MODULES_DIR), path.join(this.work, MODULES_DIR), { recursive: true });
    this.dir = path.join(this.work, relative);
    if (files) {
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        fs.writeFileSync(path.join(this.dir, file), content);
      }
    } else {
      fs.cpSync(path.join(REPO, relative), this.dir, { recursive: true });
    }
    if (options.offline ?? true) {
      fs.writeFileSync(path.join(this.dir, "offline_override.tf.json"), JSON.stringify(offlineOverride({}, path.join(this.dir, "terraform.tfstate"))));
    }
    this.env = offlineTerraformEnv(this.work);
  }

  /** The directory holding the root and the modules (for copying more files in). */
  public get workDir(): string {
    return this.work;
  }

  /** Runs terraform in the root; resolves with its exit and output, never rejects for a non-zero exit. */
  public run(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn("terraform", [...args, "-no-color"], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", reject);
      child.on("close", (code) => {
        const stdout = Buffer.concat(out).toString("utf8");
        const text = `${stdout}\n${Buffer.concat(err).toString("utf8")}`;
        resolve({ ok: code === 0, code: code ?? -1, out: text.replace(/\s+/g, " "), stdout });
      });
    });
  }

  /** Runs terraform and throws with its output unless it succeeds; returns stdout. */
  public async must(...args: string[]): Promise<string> {
    const result = await this.run(...args);
    if (!result.ok) throw new Error(`terraform ${args.join(" ")} failed (exit ${result.code}): ${result.out.slice(-4000)}`);
    return result.stdout;
  }

  public async init(): Promise<void> {
    await this.must("init", "-input=false");
  }

  /** An offline plan (no refresh) with `args`, saved and shown as JSON. */
  public async planJson(...args: string[]): Promise<any> {
    await this.must("plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin", ...args);
    return JSON.parse(await this.must("show", "-json", "plan.bin"));
  }

  public remove(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

/** `type → count` of the managed resources a plan creates. */
export function createdCounts(plan: any): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "managed" && rc.change.actions.includes("create")) counts[rc.type] = (counts[rc.type] ?? 0) + 1;
  }
  return counts;
}
