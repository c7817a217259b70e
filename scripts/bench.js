#!/usr/bin/env node
/*
 * npm run bench [-- --runs N] [-- --skip-tests]
 *
 * Median wall time (of N >= 5 runs) and peak resident memory of:
 *   - `npm run synth` (swc transpile + plain node) on the default app,
 *   - plain `cdktf synth` through ts-node on the same app (the baseline the targets compare against),
 *   - `cdktf synth` with this project's cdktf.json (the fast app behind the CLI), for reference,
 * one create of the default stack on the AWS API emulator (plan and apply through `npm run plan/apply
 * --emulator`), one run of the emulator suite alone, and one run of the whole test suite (`npm test`).
 * Targets: synth <= 2 s and <= a quarter of the ts-node path; the emulator suite <= 15 minutes; `npm test`
 * <= 30 minutes. `--skip-emulator` leaves out the two emulator rows, `--skip-tests` the suite runs.
 * Memory is the peak of the summed RSS of the whole process tree, sampled every 10 ms from /proc.
 * Writes .bench/results.json; exits 1 when a target is missed.
 */
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = Math.max(5, runsArg >= 0 ? Number(args[runsArg + 1]) : 5);
const SKIP_TESTS = args.includes("--skip-tests");
const SKIP_EMULATOR = args.includes("--skip-emulator");
const TARGET_EMULATOR_SUITE_SECONDS = 15 * 60;
const TARGET_TEST_SECONDS = 30 * 60;
const TARGET_SYNTH_SECONDS = 2;
const TARGET_RATIO = 0.25;

function treeRssKiB(rootPid) {
  const children = new Map();
  const rss = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      rss.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a shell command once; resolves with wall seconds, peak tree RSS (MiB) and exit code. */
function measure(command, env = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn("bash", ["-c", command], {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "true", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid))), 10);
    child.on("exit", (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, peakMiB: peak / 1024, code, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function series(label, command, runs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await measure(command);
    if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code}):\n${r.stderr}`);
    results.push(r);
    process.stderr.write(`  ${label} run ${i + 1}/${runs}: ${r.seconds.toFixed(2)} s, ${r.peakMiB.toFixed(0)} MiB\n`);
  }
  const seconds = results.map((r) => r.seconds);
  return {
    label, command, runs,
    medianSeconds: median(seconds), minSeconds: Math.min(...seconds), maxSeconds: Math.max(...seconds),
    medianPeakMiB: median(results.map((r) => r.peakMiB)), maxPeakMiB: Math.max(...results.map((r) => r.peakMiB)),
  };
}

async function main() {
  // The default app: no environment files, so the built-in default `dev`.
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-bench-config-"));
  process.env.METAFLOW_CONFIG_DIR = configDir;
  process.stderr.write(`Benchmark on ${os.cpus().length} cores, ${RUNS} runs each, default app (empty config dir)\n`);

  const rows = [];
  rows.push(await series("npm run synth", "npm run --silent synth", RUNS));
  rows.push(await series("cdktf synth (ts-node)", `npx cdktf synth --app "npx ts-node main.ts"`, RUNS));
  rows.push(await series("cdktf synth (cdktf.json app)", "npx cdktf synth", RUNS));
  let emulator;
  if (!SKIP_EMULATOR) emulator = await emulatorCreate();
  let tests;
  let emulatorSuite;
  if (!SKIP_TESTS) {
    if (!SKIP_EMULATOR) {
      process.stderr.write("  emulator suite (jest __tests__/emulator/deployments), one run...\n");
      const r = await measure("npx jest __tests__/emulator/deployments.test.ts --silent");
      emulatorSuite = { label: "emulator suite", seconds: r.seconds, peakMiB: r.peakMiB, passed: r.code === 0 };
    }
    process.stderr.write("  test suite (npm test), one run...\n");
    const r = await measure("npm test --silent");
    tests = { label: "npm test", seconds: r.seconds, peakMiB: r.peakMiB, passed: r.code === 0 };
  }

  const [fast, tsNode] = rows;
  const ratio = fast.medianSeconds / tsNode.medianSeconds;
  const checks = [
    { target: `npm run synth median <= ${TARGET_SYNTH_SECONDS} s`, ok: fast.medianSeconds <= TARGET_SYNTH_SECONDS, value: `${fast.medianSeconds.toFixed(2)} s` },
    { target: `npm run synth <= ${TARGET_RATIO} x ts-node path`, ok: ratio <= TARGET_RATIO, value: `${ratio.toFixed(3)} x` },
  ];

  if (emulatorSuite) {
    checks.push({ target: `emulator suite <= ${TARGET_EMULATOR_SUITE_SECONDS / 60} min`, ok: emulatorSuite.seconds <= TARGET_EMULATOR_SUITE_SECONDS, value: `${(emulatorSuite.seconds / 60).toFixed(1)} min` });
  }
  if (tests) checks.push({ target: `npm test <= ${TARGET_TEST_SECONDS / 60} min`, ok: tests.seconds <= TARGET_TEST_SECONDS, value: `${(tests.seconds / 60).toFixed(1)} min` });

  const lines = ["", "| command | median s | min s | max s | median peak MiB |", "|---|---|---|---|---|"];
  for (const r of rows) {
    lines.push(`| ${r.label} | ${r.medianSeconds.toFixed(2)} | ${r.minSeconds.toFixed(2)} | ${r.maxSeconds.toFixed(2)} | ${r.medianPeakMiB.toFixed(0)} |`);
  }
  if (emulator) {
    lines.push(`| default stack on the emulator: npm run plan --emulator (1 run) | ${emulator.plan.toFixed(1)} | | | |`);
    lines.push(`| default stack on the emulator: npm run apply --emulator, ${emulator.resources} resources (1 run) | ${emulator.apply.toFixed(1)} | | | |`);
  }
  if (emulatorSuite) lines.push(`| ${emulatorSuite.label} (1 run, ${emulatorSuite.passed ? "passed" : "FAILED"}) | ${emulatorSuite.seconds.toFixed(1)} | | | ${emulatorSuite.peakMiB.toFixed(0)} |`);
  if (tests) lines.push(`| ${tests.label} (1 run, ${tests.passed ? "passed" : "FAILED"}) | ${tests.seconds.toFixed(1)} | | | ${tests.peakMiB.toFixed(0)} |`);
  lines.push("");
  for (const c of checks) lines.push(`${c.ok ? "PASS" : "FAIL"}  ${c.target}: ${c.value}`);
  process.stdout.write(`${lines.join("\n")}\n`);

  fs.mkdirSync(path.join(root, ".bench"), { recursive: true });
  fs.writeFileSync(
    path.join(root, ".bench", "results.json"),
    JSON.stringify({ date: new Date().toISOString(), cores: os.cpus().length, rows, emulator, emulatorSuite, tests, ratio, checks }, null, 2),
  );
  fs.rmSync(configDir, { recursive: true, force: true });
  process.exitCode = checks.every((c) => c.ok) && (!tests || tests.passed) && (!emulatorSuite || emulatorSuite.passed) ? 0 : 1;
}

/** The default stack created from empty on a fresh emulator, through the project's own commands. */
async function emulatorCreate() {
  require("./build").build();
  const { startEmulator } = require("../dist/flow/emulator/server");
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mf-bench-emulator-"));
  fs.mkdirSync(path.join(cwd, "environments"));
  const emulator = startEmulator();
  try {
    const command = (name) => `node ${path.join(root, "scripts", `${name}.js`)} --env dev --emulator ${emulator.url} --config-dir ${path.join(cwd, "environments")}`;
    const inCwd = (c) => `cd ${cwd} && CDKTF_OUTDIR=${path.join(cwd, "cdktf.out")} ${c}`;
    process.stderr.write(`  default stack on the emulator at ${emulator.url}: plan...\n`);
    const plan = await measure(`${inCwd(command("plan"))} > /dev/null; test $? -eq 2`);
    if (plan.code !== 0) throw new Error(`npm run plan --emulator failed:\n${plan.stderr}`);
    const planned = JSON.parse(fs.readFileSync(path.join(cwd, "plans", "dev", "plan.json"), "utf8"));
    const resources = planned.resource_changes.filter((c) => c.change.actions.includes("create")).length;
    process.stderr.write(`  ... apply of ${resources} resources...\n`);
    const apply = await measure(inCwd(`${command("apply")} --quiet`));
    if (apply.code !== 0) throw new Error(`npm run apply --emulator failed:\n${apply.stderr}`);
    return { plan: plan.seconds, apply: apply.seconds, resources };
  } finally {
    emulator.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exitCode = 1;
});
