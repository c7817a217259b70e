import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Verdict } from "../review/gate";
import type { EmulatorUse, TargetKind } from "./target";

/**
 * Where `npm run plan` keeps an environment's reviewed plan, and what `npm run apply` checks before it
 * applies it: `plans/<env>/` holds the binary plan, its JSON (secrets inside: mode 0600, never uploaded),
 * the review in both formats, and `meta.json` with the hash of the synthesized config it was made from.
 */

export const PLANS_DIR = "plans";

export interface PlanMeta {
  readonly environment: string;
  readonly stack: string;
  /** sha256 of the stack's cdk.tf.json when the plan was made. */
  readonly configSha256: string;
  readonly verdict: Verdict;
  /** Protected addresses approved at plan time. */
  readonly approved: readonly string[];
  readonly createdAt: string;
  /** Where the plan was made: a real account, offline, or the emulator. */
  readonly target: TargetKind;
  /** The emulator the plan was made against (target "emulator"). */
  readonly emulator?: EmulatorUse;
  readonly destroy: boolean;
}

export class SavedPlan {
  public readonly dir: string;

  public readonly root: string;

  constructor(root: string, public readonly environment: string) {
    this.root = path.resolve(root);
    this.dir = path.resolve(root, PLANS_DIR, environment);
  }

  /** Everything emulator runs keep: the running server's record, and one state directory per server. */
  public static emulatorDir(root: string): string {
    return path.resolve(root, PLANS_DIR, ".emulator");
  }

  public get planFile(): string {
    return path.join(this.dir, "plan.tfplan");
  }
  public get jsonFile(): string {
    return path.join(this.dir, "plan.json");
  }
  public get markdownFile(): string {
    return path.join(this.dir, "review.md");
  }
  public get terminalFile(): string {
    return path.join(this.dir, "review.txt");
  }
  /** Terraform's own output of the last init, plan and apply (mode 0600). */
  public get initLog(): string {
    return path.join(this.dir, "terraform-init.log");
  }
  public get planLog(): string {
    return path.join(this.dir, "terraform-plan.log");
  }
  public get applyLog(): string {
    return path.join(this.dir, "terraform-apply.log");
  }
  public get metaFile(): string {
    return path.join(this.dir, "meta.json");
  }
  /** Local state of offline runs (no AWS account): apart from any real state, and kept across plans. */
  public get offlineStateFile(): string {
    return path.resolve(this.dir, "..", ".offline-state", `${this.environment}.tfstate`);
  }

  /**
   * Local state of emulator runs, one directory per emulator instance: a server that was restarted holds
   * nothing, so a state made against an earlier one is never used against it.
   */
  public emulatorStateFile(instance: string): string {
    return path.join(SavedPlan.emulatorDir(this.root), instance, `${this.environment}.tfstate`);
  }

  /** Starts afresh: a failed plan must not leave an older plan behind to be applied. */
  public reset(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  public writeSecret(file: string, content: string): void {
    fs.writeFileSync(file, content, { mode: 0o600 });
  }

  /** Terraform writes the binary plan world-readable; it holds the same secrets as the JSON. */
  public protectPlanFile(): void {
    fs.chmodSync(this.planFile, 0o600);
  }

  public writeMeta(meta: PlanMeta): void {
    fs.writeFileSync(this.metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  }

  /** The meta of the saved plan, or undefined when there is none. */
  public readMeta(): PlanMeta | undefined {
    if (!fs.existsSync(this.metaFile) || !fs.existsSync(this.planFile)) return undefined;
    const meta = JSON.parse(fs.readFileSync(this.metaFile, "utf8")) as PlanMeta & { offline?: boolean };
    // Plans saved before targets had names recorded only `offline`.
    return { ...meta, target: meta.target ?? (meta.offline ? "offline" : "aws") };
  }

  /** Removes the plan once applied: a plan applies once. */
  public consume(): void {
    for (const file of [this.planFile, this.jsonFile, this.metaFile]) fs.rmSync(file, { force: true });
  }
}

/** sha256 of a stack's synthesized JSON. */
export function configHash(stackDir: string): string {
  return createHash("sha256").update(fs.readFileSync(path.join(stackDir, "cdk.tf.json"))).digest("hex");
}
