import * as fs from "fs";
import * as path from "path";

/** Blocks the thread for `ms` milliseconds (the flow commands are synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Whether a process with this id is alive. A process that has exited but was not yet reaped by its
 * parent (a zombie: the parent is this synchronous process, whose event loop reaps children later) counts
 * as gone. Linux tells from /proc; elsewhere signal 0 checks without sending anything.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && fs.existsSync("/proc/self/stat")) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `body` holding a lock between processes: the directory `lockDir`, made atomically by mkdir, with
 * the holder's pid inside. A lock whose holder died is taken over; waiting longer than `timeoutMs` throws.
 */
export function withLock<T>(lockDir: string, timeoutMs: number, body: () => T): T {
  const owner = path.join(lockDir, "pid");
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(owner, String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(fs.existsSync(owner) ? fs.readFileSync(owner, "utf8") : NaN);
      // A holder that died (or a lock directory left without a pid for a while) is stale.
      const stat = fs.statSync(lockDir, { throwIfNoEntry: false });
      if (!stat) continue; // released meanwhile
      const age = Date.now() - stat.mtimeMs;
      if ((Number.isInteger(holder) && !isAlive(holder)) || (!Number.isInteger(holder) && age > 10_000)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${lockDir} (held by pid ${holder})`);
      sleepSync(200);
    }
  }
  try {
    return body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
