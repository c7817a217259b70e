import * as fs from "fs";
import * as path from "path";
import { isAlive } from "../lock";
import { SavedPlan } from "../saved-plan";
import { emulatorRecordFile, recordedEmulator } from "../target";
import { FlowError, reportingErrors } from "../terraform";
import { EMULATOR_DEFAULT_ACCOUNT, startEmulator } from "./server";

export const EMULATOR_USAGE = "usage: npm run emulator [-- --account ACCOUNT_ID] | npm run emulator -- --reset | npm run emulator -- --status";

interface EmulatorOptions {
  readonly accountId: string;
  readonly action: "run" | "reset" | "status";
}

function parse(argv: readonly string[]): EmulatorOptions {
  let accountId = EMULATOR_DEFAULT_ACCOUNT;
  let action: EmulatorOptions["action"] = "run";
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--account") {
      const v = argv[++i];
      if (v === undefined || !/^\d{12}$/.test(v)) throw new FlowError(`--account needs a 12-digit AWS account id; ${EMULATOR_USAGE}`);
      accountId = v;
    } else if (flag === "--reset") action = "reset";
    else if (flag === "--status") action = "status";
    else throw new FlowError(`unknown argument ${JSON.stringify(flag)}; ${EMULATOR_USAGE}`);
  }
  return { accountId, action };
}

/**
 * `npm run emulator`: runs the AWS API emulator (moto, pinned in tools/requirements/emulator.txt) in the
 * foreground until Ctrl-C, and records it in plans/.emulator/server.json so that `npm run plan`, `apply`
 * and `profile` with `--emulator` use it. `--reset` empties the running one; `--status` says whether one runs.
 * Resolves when the emulator has stopped; the exit code is 0 for a clean stop.
 */
export function emulatorMain(argv: readonly string[], root = process.cwd()): Promise<number> {
  let options: EmulatorOptions;
  const early = reportingErrors(() => {
    options = parse(argv);
    const running = recordedEmulator(root);
    if (options.action === "status") {
      process.stdout.write(running ? `The emulator runs at ${running.url} (account ${running.accountId}).\n` : "No emulator is running; start one with `npm run emulator`.\n");
      return running ? 0 : 3;
    }
    if (options.action === "reset") {
      if (!running) throw new FlowError("no emulator is running; start one with `npm run emulator`");
      running.reset();
      // Its states describe resources that no longer exist.
      fs.rmSync(path.join(SavedPlan.emulatorDir(root), running.instance), { recursive: true, force: true });
      process.stdout.write(`Emptied the emulator at ${running.url}; plan again to start from nothing.\n`);
      return 0;
    }
    if (running) throw new FlowError(`an emulator already runs at ${running.url}; use it, or stop it (Ctrl-C where it runs) first`);
    return -1;
  });
  if (early !== -1) return Promise.resolve(early);

  const dir = SavedPlan.emulatorDir(root);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const record = emulatorRecordFile(root);
  return Promise.resolve(
    reportingErrors(() => {
      const emulator = startEmulator({ accountId: options.accountId, logFile: path.join(dir, "server.log") });
      fs.writeFileSync(record, JSON.stringify({ url: emulator.url, pid: emulator.pid, instance: emulator.instance, accountId: emulator.accountId }));
      process.on("exit", () => fs.rmSync(record, { force: true }));
      process.stdout.write(
        [
          `The AWS API emulator runs at ${emulator.url} (moto, account ${emulator.accountId}, pid ${emulator.pid}); its log is ${path.join(dir, "server.log")}.`,
          "In another terminal, the same plan, review and apply as for a real account:",
          "  npm run plan -- --env dev --emulator",
          "  npm run apply -- --env dev --emulator",
          "  npm run profile -- --env dev --emulator",
          "Ctrl-C stops it; everything made on it goes with it.",
          "",
        ].join("\n"),
      );
      return 0;
    }),
  ).then(
    (code) =>
      code !== 0
        ? code
        : new Promise<number>((resolve) => {
            const recordNow = JSON.parse(fs.readFileSync(record, "utf8")) as { pid: number };
            const watch = setInterval(() => {
              if (!isAlive(recordNow.pid)) {
                clearInterval(watch);
                process.stderr.write(`error: the emulator stopped by itself; see ${path.join(dir, "server.log")}\n`);
                resolve(1);
              }
            }, 1000);
          }),
  );
}
