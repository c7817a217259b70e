import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyMain } from "../../flow/apply";
import { startEmulator } from "../../flow/emulator/server";
import { EMULATOR_OVERRIDE_FILE } from "../../flow/emulator/override";
import { isAlive } from "../../flow/lock";
import { planMain } from "../../flow/plan";
import { SavedPlan } from "../../flow/saved-plan";
import { describeWithEmulator } from "../support/emulator";

/**
 * Plan and apply with --emulator, where the emulator matters: an emulator started for one command is
 * gone when it ends (so its plan cannot be applied), a plan applies only to the server it was made
 * against, and an account pin must match the emulator's account. Small configs: nothing is applied here.
 */

describeWithEmulator("plan and apply with --emulator", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mf-emulator-flow-"));
  const configDir = path.join(root, "environments");
  const previousOutdir = process.env.CDKTF_OUTDIR;
  let stderr = "";
  let stdout = "";
  const run = (fn: typeof planMain, ...args: string[]) => {
    stderr = "";
    stdout = "";
    const err = jest.spyOn(process.stderr, "write").mockImplementation((t) => ((stderr += String(t)), true));
    const out = jest.spyOn(process.stdout, "write").mockImplementation((t) => ((stdout += String(t)), true));
    try {
      return fn(["--env", "dev", "--config-dir", configDir, ...args], root);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  };
  const writeConfig = (config: object) => fs.writeFileSync(path.join(configDir, "dev.json"), JSON.stringify(config));
  const saved = new SavedPlan(root, "dev");

  beforeAll(() => {
    process.env.CDKTF_OUTDIR = path.join(root, "cdktf.out");
    fs.mkdirSync(configDir);
    writeConfig({ scheduling: { enabled: false } });
  });
  afterAll(() => {
    if (previousOutdir === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = previousOutdir;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("without a running emulator, plan starts one for itself, stops it, and says the plan cannot be applied", () => {
    expect(run(planMain, "--emulator")).toBe(2);
    const meta = saved.readMeta()!;
    expect(meta).toMatchObject({ target: "emulator", emulator: { ephemeral: true } });
    expect(stderr).toMatch(/was started for this command and has stopped, so the plan cannot be applied/);
    const port = Number(new URL(meta.emulator!.url).port);
    expect(port).toBeGreaterThan(0);
    // Its server is gone: nothing listens on its port any more, and no emulator files are left by the stack.
    expect(fs.readdirSync(path.join(root, "cdktf.out", "stacks", "metaflow-dev"))).not.toContain(EMULATOR_OVERRIDE_FILE);
    expect(run(applyMain, "--emulator")).toBe(1);
    expect(stderr).toMatch(/an emulator that ran only for that command and has stopped; run `npm run emulator`/);
  });

  test("a plan made against one emulator is not applied to another", () => {
    const [a, b] = [startEmulator(), startEmulator()];
    try {
      expect(run(planMain, "--emulator", a.url)).toBe(2);
      expect(saved.readMeta()!.emulator).toMatchObject({ url: a.url, instance: a.instance, ephemeral: false });
      expect(run(applyMain, "--emulator", b.url)).toBe(1);
      expect(stderr).toContain(`the saved plan was made against the emulator at ${a.url}`);
      expect(stderr).toContain(`which is not the one running now (${b.url})`);
      // Nor to a real account, nor offline.
      expect(run(applyMain)).toBe(1);
      expect(stderr).toMatch(/the saved plan was made with --emulator; apply it the same way/);
    } finally {
      a.stop();
      b.stop();
    }
    expect([a.pid, b.pid].map((pid) => isAlive(pid!))).toEqual([false, false]);
  });

  test("state made against an emulator is kept per emulator instance under plans/.emulator", () => {
    const e = startEmulator();
    try {
      expect(saved.emulatorStateFile(e.instance)).toBe(path.join(root, "plans", ".emulator", e.instance, "dev.tfstate"));
    } finally {
      e.stop();
    }
  });

  test("a config that pins another account than the emulator's is refused with the command that fixes it", () => {
    writeConfig({ scheduling: { enabled: false }, accountId: "111122223333" });
    const e = startEmulator();
    try {
      expect(run(planMain, "--emulator", e.url)).toBe(1);
      expect(stderr).toContain("the config pins accountId 111122223333, but the emulator at");
      expect(stderr).toContain("`npm run emulator -- --account 111122223333`");
    } finally {
      e.stop();
      writeConfig({ scheduling: { enabled: false } });
    }
  });

  test("an emulator started for that account accepts the pinned config", () => {
    writeConfig({ scheduling: { enabled: false }, accountId: "111122223333" });
    const e = startEmulator({ accountId: "111122223333" });
    try {
      expect(run(planMain, "--emulator", e.url)).toBe(2);
    } finally {
      e.stop();
      writeConfig({ scheduling: { enabled: false } });
    }
  });
});
