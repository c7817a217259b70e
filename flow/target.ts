import * as fs from "fs";
import * as path from "path";
import { connectEmulator, Emulator, identify, startEmulator } from "./emulator/server";
import { EMULATOR_CREDENTIALS, EMULATOR_OVERRIDE_FILE, emulatorOverride } from "./emulator/override";
import { isAlive } from "./lock";
import { clearOffline, findProviderMirror, mirrorCliConfig, prepareOffline } from "./offline";
import { SavedPlan } from "./saved-plan";
import { FlowError } from "./terraform";

/**
 * Where plan, apply and profile send terraform: a real account (`aws`), nowhere (`offline`: the local
 * provider mirror, dummy credentials, no refresh), or the AWS API emulator (`emulator`). Whatever the
 * target, the synthesized stack is the same; offline and emulator settings live in files beside it that
 * are removed when the command ends, so a later real run or `cdktf deploy` never sees them.
 */

export type TargetKind = "aws" | "offline" | "emulator";

/** The target as the command line chose it. */
export interface TargetChoice {
  readonly kind: TargetKind;
  /** `--emulator URL`: a server started elsewhere. */
  readonly emulatorUrl?: string;
}

/** An emulator the command uses, as recorded with a plan. */
export interface EmulatorUse {
  readonly url: string;
  readonly instance: string;
  readonly accountId: string;
  /** Started by this command and stopped when it ends: nothing made on it survives the command. */
  readonly ephemeral: boolean;
}

export interface PreparedTarget {
  readonly kind: TargetKind;
  /** Variables terraform runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** Arguments `terraform plan` needs for this target. */
  readonly planArgs: readonly string[];
  readonly emulator?: EmulatorUse;
  /** Removes the target's files beside the stack and stops an emulator this command started. */
  release(): void;
}

/** Where `npm run emulator` records the server it runs, so `--emulator` without a URL finds it. */
export function emulatorRecordFile(root: string): string {
  return path.join(SavedPlan.emulatorDir(root), "server.json");
}

/** The server `npm run emulator` runs, when it is still running. */
export function recordedEmulator(root: string): Emulator | undefined {
  const file = emulatorRecordFile(root);
  if (!fs.existsSync(file)) return undefined;
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as { url: string; instance: string; pid: number };
  if (!isAlive(record.pid) || identify(record.url)?.instance !== record.instance) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  return connectEmulator(record.url);
}

function accountPinnedBy(stackDir: string): string | undefined {
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  return stack.provider?.aws?.[0]?.allowed_account_ids?.[0];
}

function removeEmulatorFiles(stackDir: string): void {
  for (const file of [EMULATOR_OVERRIDE_FILE, "emulator.tfrc"]) fs.rmSync(path.join(stackDir, file), { force: true });
}

/** Removes every target's files from a stack directory (before a run against a real account). */
export function clearTargetFiles(stackDir: string): void {
  clearOffline(stackDir);
  removeEmulatorFiles(stackDir);
}

function prepareEmulator(choice: TargetChoice, stackDir: string, saved: SavedPlan): PreparedTarget {
  const pinned = accountPinnedBy(stackDir);
  const recorded = choice.emulatorUrl ? undefined : recordedEmulator(saved.root);
  const emulator = choice.emulatorUrl ? connectEmulator(choice.emulatorUrl) : (recorded ?? startEmulator({ accountId: pinned }));
  const ephemeral = emulator.pid !== undefined;
  const use: EmulatorUse = { url: emulator.url, instance: emulator.instance, accountId: emulator.accountId, ephemeral };
  const release = () => {
    removeEmulatorFiles(stackDir);
    if (ephemeral) emulator.stop();
  };
  if (pinned && pinned !== emulator.accountId) {
    release();
    throw new FlowError(
      `the config pins accountId ${pinned}, but the emulator at ${emulator.url} answers as account ${emulator.accountId}; start one for that account with \`npm run emulator -- --account ${pinned}\``,
    );
  }
  clearOffline(stackDir);
  const stackJson = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const statePath = saved.emulatorStateFile(emulator.instance);
  fs.mkdirSync(path.dirname(statePath), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(stackDir, EMULATOR_OVERRIDE_FILE), JSON.stringify(emulatorOverride(stackJson, { url: emulator.url, statePath }), null, 2));
  const env: NodeJS.ProcessEnv = {
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKey,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretKey,
    // Unset: a profile or session of a real account must not reach the emulator's provider.
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  // The provider from the local mirror when there is one (no registry needed), else from the registry.
  const mirror = findProviderMirror();
  if (mirror) {
    const cliConfig = path.join(stackDir, "emulator.tfrc");
    fs.writeFileSync(cliConfig, mirrorCliConfig(mirror));
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return { kind: "emulator", env, planArgs: [], emulator: use, release };
}

/** Sets up the stack in `stackDir` for `choice`; call `release()` when the command ends. */
export function prepareTarget(choice: TargetChoice, stackDir: string, saved: SavedPlan): PreparedTarget {
  if (choice.kind === "emulator") return prepareEmulator(choice, stackDir, saved);
  removeEmulatorFiles(stackDir);
  if (choice.kind === "offline") {
    const env = prepareOffline(stackDir, saved.offlineStateFile);
    return { kind: "offline", env, planArgs: ["-refresh=false", "-lock=false"], release: () => clearOffline(stackDir) };
  }
  clearOffline(stackDir);
  return { kind: "aws", env: {}, planArgs: [], release: () => undefined };
}

/** How a target is named in messages and how to ask for it again. */
export function targetFlag(kind: TargetKind): string {
  return kind === "aws" ? "without --offline or --emulator" : `with --${kind}`;
}
