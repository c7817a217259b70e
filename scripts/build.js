#!/usr/bin/env node
// Transpiles main.ts, modules/, review/ (the plan reviewer), flow/ (plan, apply, the emulator) and hcl/ to
// dist/ with swc: no type-check (that is `npm run typecheck`, run once by `npm test`), so synthesis never
// loads the AWS provider's type declarations. A build whose sources have not changed since the last one is
// skipped (dist/.sources holds their fingerprint; `--force` rebuilds), and builds started at the same time
// wait for each other, so commands can run side by side.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const swc = require("@swc/core");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist");
const lock = path.join(root, "dist.lock");
const fingerprintFile = path.join(out, ".sources");
const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function allSources() {
  return [path.join(root, "main.ts"), ...["modules", "review", "flow", "hcl"].flatMap((d) => sources(path.join(root, d)))];
}

/** Paths, sizes and modification times of the sources and of this script. */
function fingerprint(files) {
  const hash = crypto.createHash("sha256");
  for (const file of [...files, __filename]) {
    const stat = fs.statSync(file);
    hash.update(`${path.relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Holds dist.lock (a directory made atomically, with the holder's pid) while `body` runs. */
function locked(body) {
  const deadline = Date.now() + 120000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const pidFile = path.join(lock, "pid");
      const holder = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : NaN;
      const stat = fs.statSync(lock, { throwIfNoEntry: false });
      if ((Number.isInteger(holder) && !alive(holder)) || (stat && !Number.isInteger(holder) && Date.now() - stat.mtimeMs > 10000)) {
        fs.rmSync(lock, { recursive: true, force: true });
      } else if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lock} (held by pid ${holder}); remove it if no build is running`);
      } else {
        sleep(50);
      }
    }
  }
  try {
    return body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds dist/ unless it is up to date; returns the number of files transpiled (0 when skipped). */
function build({ force = false } = {}) {
  const files = allSources();
  const wanted = fingerprint(files);
  const upToDate = () => !force && fs.existsSync(fingerprintFile) && fs.readFileSync(fingerprintFile, "utf8") === wanted;
  if (upToDate()) return 0;
  return locked(() => {
    if (upToDate()) return 0;
    fs.rmSync(out, { recursive: true, force: true });
    for (const file of files) {
      const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, ".js");
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, swc.transformFileSync(file, { ...options, filename: file }).code);
    }
    fs.writeFileSync(fingerprintFile, wanted);
    return files.length;
  });
}

if (require.main === module) {
  const n = build({ force: process.argv.includes("--force") });
  if (!process.argv.includes("--quiet")) console.log(n === 0 ? "dist/ is up to date" : `built ${n} files into dist/`);
}
module.exports = { build };
