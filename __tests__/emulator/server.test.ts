import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHIMMED } from "../../flow/emulator/gaps";
import { connectEmulator, httpSync, identify, startEmulator } from "../../flow/emulator/server";
import { isAlive, sleepSync } from "../../flow/lock";
import { emulatorRecordFile } from "../../flow/target";
import { describeWithEmulator, ROOT, runProgram } from "../support/emulator";

/**
 * The emulator's process lifecycle: its own child on 127.0.0.1 and a free port, told apart by an instance
 * id, stopped by its PID when the command ends (also on Ctrl-C, and when the command is killed), and
 * what plan and apply do with it.
 */

const waitUntil = (what: string, check: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleepSync(100);
  }
};
const closed = (url: string) => httpSync("GET", `${url}/_emulator/instance`, 2000).status === 0;

describeWithEmulator("the emulator's process", () => {
  test("listens on 127.0.0.1 on a port the OS picked, and says which server it is", () => {
    const emulator = startEmulator();
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d{4,5}$/);
      expect(identify(emulator.url)).toMatchObject({ instance: emulator.instance, pid: emulator.pid, moto: "5.2.1", accountId: "123456789012" });
    } finally {
      emulator.stop();
    }
  });

  test("answers the calls gaps.ts lists as shimmed, and only those, itself", () => {
    const emulator = startEmulator();
    try {
      expect(identify(emulator.url)?.shims).toEqual(SHIMMED.map((s) => s.target).sort());
    } finally {
      emulator.stop();
    }
  });

  test("two servers get different ports and instance ids", () => {
    const [a, b] = [startEmulator(), startEmulator()];
    try {
      expect(a.url).not.toBe(b.url);
      expect(a.instance).not.toBe(b.instance);
    } finally {
      a.stop();
      b.stop();
    }
  });

  test("stop() ends it by its PID and frees the port", () => {
    const emulator = startEmulator();
    emulator.stop();
    expect(isAlive(emulator.pid!)).toBe(false);
    expect(closed(emulator.url)).toBe(true);
  });

  test("answers as the account it was started for", () => {
    const emulator = startEmulator({ accountId: "111122223333" });
    try {
      expect(identify(emulator.url)?.accountId).toBe("111122223333");
    } finally {
      emulator.stop();
    }
  });

  test("reset() empties it and keeps it running", () => {
    const emulator = startEmulator();
    try {
      const before = httpSync("GET", `${emulator.url}/moto-api/data.json`);
      expect(before.status).toBe(200);
      emulator.reset();
      expect(identify(emulator.url)?.instance).toBe(emulator.instance);
    } finally {
      emulator.stop();
    }
  });

  test("exits by itself when the process that started it is killed", async () => {
    // A node process starts an emulator, prints its PID, and is then killed with SIGKILL (no cleanup runs).
    const script = `const { startEmulator } = require(${JSON.stringify(path.join(ROOT, "dist", "flow", "emulator", "server.js"))});
      const e = startEmulator(); process.stdout.write(JSON.stringify({ pid: e.pid, url: e.url }) + "\\n"); setInterval(() => {}, 1000);`;
    await runProgram(process.execPath, [path.join(ROOT, "scripts", "build.js"), "--quiet"]);
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const started = await new Promise<{ pid: number; url: string }>((resolve) => child.stdout.once("data", (b: Buffer) => resolve(JSON.parse(b.toString()))));
    expect(isAlive(started.pid)).toBe(true);
    child.kill("SIGKILL");
    waitUntil("the orphaned emulator to exit", () => !isAlive(started.pid));
    expect(closed(started.url)).toBe(true);
  });

  test("connecting to a URL where nothing listens fails with what to do", () => {
    expect(() => connectEmulator("http://127.0.0.1:9")).toThrow(/nothing answers at http:\/\/127\.0\.0\.1:9 .*start an emulator with `npm run emulator`/);
  });

  test("a URL that is not one is refused", () => {
    expect(() => connectEmulator("not a url")).toThrow(/--emulator "not a url" is not a URL/);
  });
});

describeWithEmulator("npm run emulator", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mf-emulator-cmd-"));
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  test("runs in the foreground, is found by --status, and Ctrl-C stops it and its server", async () => {
    const command = spawn(process.execPath, [path.join(ROOT, "scripts", "emulator.js")], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    command.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const record = emulatorRecordFile(cwd);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const poll = setInterval(() => {
        if (fs.existsSync(record) && out.includes("Ctrl-C stops it")) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error(`npm run emulator did not start: ${out}`));
        }
      }, 100);
    });
    const { url, pid } = JSON.parse(fs.readFileSync(record, "utf8"));
    expect(out).toContain(`runs at ${url}`);
    expect(out).toContain("npm run plan -- --env dev --emulator");

    const status = await runProgram(process.execPath, [path.join(ROOT, "scripts", "emulator.js"), "--status"], { cwd });
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain(`The emulator runs at ${url}`);
    const again = await runProgram(process.execPath, [path.join(ROOT, "scripts", "emulator.js")], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`an emulator already runs at ${url}`);

    const exited = new Promise<number | null>((resolve) => command.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
    command.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(isAlive(pid)).toBe(false);
    expect(fs.existsSync(record)).toBe(false);
    const after = await runProgram(process.execPath, [path.join(ROOT, "scripts", "emulator.js"), "--status"], { cwd });
    expect(after.code).toBe(3);
    expect(after.stdout).toContain("No emulator is running");
  }, 120_000);

  test("an unknown argument is refused with the usage", async () => {
    const result = await runProgram(process.execPath, [path.join(ROOT, "scripts", "emulator.js"), "--port", "5000"], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unknown argument "--port"; usage: npm run emulator/);
  });
});
