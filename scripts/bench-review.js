#!/usr/bin/env node
/*
 * npm run bench:review [-- --resources N] [-- --runs N]
 *
 * Generates a plan with 10,000 resource changes (a mix of creates, updates, replaces both ways, deletes,
 * forgets, reads, no-ops, moves and imports, with nested attributes, unknowns and sensitive values, plus
 * planned_values and prior_state as terraform writes them) in a temp file, then runs the whole CLI
 * (`node scripts/review.js`: transpile, read, review, render) 5 times in each format and prints the
 * median wall time against the 2 s target. Exits 1 when a median misses it.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const RESOURCES = arg("--resources", 10000);
const RUNS = Math.max(5, arg("--runs", 5));
const TARGET_SECONDS = 2;

/** A deterministic mix of actions, in proportions a large real plan might have. */
const MIX = [
  [35, ["create"]], [25, ["update"]], [6, ["delete", "create"]], [4, ["create", "delete"]], [8, ["delete"]],
  [1, ["forget"]], [3, ["read"]], [18, ["no-op"]],
];

function actionsFor(i) {
  let n = i % 100;
  for (const [share, actions] of MIX) {
    if (n < share) return actions;
    n -= share;
  }
  return ["no-op"];
}

const TYPES = ["aws_security_group", "aws_s3_bucket", "aws_iam_role", "aws_instance", "aws_subnet", "aws_kms_key", "aws_lambda_function"];

function values(i, version) {
  return {
    id: `res-${i}`,
    arn: `arn:aws:ec2:us-east-1:123456789012:thing/res-${i}`,
    name: `service-${i % 50}-component-${i}`,
    description: `Generated resource ${i} for the plan review benchmark`,
    tags: { Name: `res-${i}`, Team: `team-${i % 7}`, Version: `v${version}`, Environment: "bench" },
    tags_all: { Name: `res-${i}`, Team: `team-${i % 7}`, Version: `v${version}`, Environment: "bench", ManagedBy: "cdktf" },
    ingress: [
      { from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["10.0.0.0/16", `10.${i % 250}.0.0/16`], description: "https" },
      { from_port: 22, to_port: 22, protocol: "tcp", cidr_blocks: [version === 1 ? "10.0.0.0/8" : "10.0.0.0/12"], description: "ssh" },
    ],
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::bucket-${i}/*` }] }),
    master_password: `bench-secret-${i}`,
    settings: { retention_days: version === 1 ? 90 : 30, encrypted: true, nested: { level: version, labels: ["a", "b", `c${i % 3}`] } },
  };
}

function generatePlan(count) {
  const changes = [];
  const planned = [];
  const prior = [];
  for (let i = 0; i < count; i++) {
    const actions = actionsFor(i);
    const type = TYPES[i % TYPES.length];
    const name = `r${i}`;
    const address = `${actions[0] === "read" ? "data." : ""}${type}.${name}`;
    const creates = actions.includes("create") || actions[0] === "read";
    const deletes = actions.includes("delete") || actions.includes("forget");
    const before = actions[0] === "create" && actions.length === 1 ? null : actions[0] === "read" ? null : values(i, 1);
    const after = deletes && !creates ? null : actions.join() === "no-op" ? values(i, 1) : values(i, 2);
    const sensitive = { master_password: true };
    const change = {
      actions,
      before,
      after: after && actions.includes("create") ? { ...after, id: undefined, arn: undefined } : after,
      after_unknown: actions.includes("create") ? { id: true, arn: true } : {},
      before_sensitive: before ? sensitive : false,
      after_sensitive: after ? sensitive : false,
    };
    const rc = { address, mode: actions[0] === "read" ? "data" : "managed", type, name, provider_name: "registry.terraform.io/hashicorp/aws", change };
    if (actions.length === 2) {
      rc.action_reason = "replace_because_cannot_update";
      change.replace_paths = [["name"]];
    }
    if (actions.join() === "delete") rc.action_reason = "delete_because_no_resource_config";
    if (i % 97 === 0 && actions.join() === "no-op") rc.previous_address = `${type}.old_${name}`;
    if (i % 89 === 0 && actions.join() === "no-op") change.importing = { id: `res-${i}` };
    changes.push(rc);
    if (after) planned.push({ address, mode: rc.mode, type, name, schema_version: 0, values: after, sensitive_values: sensitive });
    if (before) prior.push({ address, mode: rc.mode, type, name, schema_version: 0, values: before, sensitive_values: sensitive });
  }
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: { resources: planned } },
    resource_drift: changes.filter((_, i) => i % 500 === 1).map((c) => ({ ...c, change: { ...c.change, actions: ["update"] } })),
    resource_changes: changes,
    output_changes: { vpc_id: { actions: ["update"], before: "vpc-1", after_unknown: true, before_sensitive: false, after_sensitive: false } },
    prior_state: { format_version: "1.0", terraform_version: "1.11.4", values: { root_module: { resources: prior } } },
    configuration: { root_module: {} },
    timestamp: new Date().toISOString(),
    applyable: true,
    complete: true,
    errored: false,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-bench-review-"));
  try {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, JSON.stringify(generatePlan(RESOURCES)));
    const mib = (fs.statSync(file).size / 1024 / 1024).toFixed(1);
    console.log(`plan: ${RESOURCES} resource changes, ${mib} MiB JSON (${file})`);
    console.log(`command: node scripts/review.js <plan> [--format markdown] (transpile, read, review, render); ${RUNS} runs each\n`);
    let missed = false;
    for (const format of ["terminal", "markdown"]) {
      const times = [];
      let bytes = 0;
      let code = 0;
      for (let run = 0; run < RUNS; run++) {
        const started = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [path.join(root, "scripts", "review.js"), file, "--format", format], {
          cwd: root, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" },
        });
        times.push(Number(process.hrtime.bigint() - started) / 1e9);
        code = child.status;
        bytes = child.stdout.length;
        if (code !== 2 && code !== 3) {
          console.error(`review failed (exit ${code}): ${child.stderr.trim()}`);
          process.exitCode = 1;
          return;
        }
      }
      const m = median(times);
      const ok = m <= TARGET_SECONDS;
      missed ||= !ok;
      console.log(
        `${format.padEnd(9)} median ${m.toFixed(2)} s (runs: ${times.map((t) => t.toFixed(2)).join(", ")}); ` +
          `target <= ${TARGET_SECONDS} s: ${ok ? "met" : "MISSED"}; exit ${code}, ${bytes.toLocaleString("en-US")} characters of output`,
      );
    }
    if (missed) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
