import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runReview } from "../support/review-cli";

/**
 * The command line: exit codes 0 / 2 / 3 / 1, --format, --allow, --approvals, --protect, and one line on
 * stderr for every mistake. Most cases run `main` in-process; one block runs the transpiled CLI as a real
 * process, as `npm run review` does.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-review-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rc(address: string, actions: string[]) {
  const [type, name] = address.split(".").slice(-2);
  return { address, mode: "managed", type, name, change: { actions, before: {}, after: {}, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } };
}
function planFile(name: string, changes: unknown[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: changes }));
  return p;
}
const run = runReview;

const noChanges = planFile("no-changes.json", [rc("aws_vpc.v", ["no-op"])]);
const changes = planFile("changes.json", [rc("aws_vpc.v", ["update"]), rc("aws_nat_gateway.n", ["delete"])]);
const blocked = planFile("blocked.json", [rc("aws_s3_bucket.data", ["delete", "create"]), rc("aws_kms_key.k", ["delete"])]);

describe("exit codes", () => {
  test("0 when the plan changes nothing", () => {
    expect(run(noChanges)).toMatchObject({ code: 0, stderr: "" });
  });

  test("2 when it changes something unprotected", () => {
    expect(run(changes)).toMatchObject({ code: 2, stderr: "" });
  });

  test("3 when a protected resource would be replaced or deleted", () => {
    const result = run(blocked);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("Gate: BLOCKED: 2 protected resources would be deleted, replaced or forgotten without approval (exit 3)");
  });

  test("2 once each protected change is approved with --allow, and the report says so", () => {
    const result = run(blocked, "--allow", "aws_s3_bucket.data", "--allow=aws_kms_key.k");
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("approved aws_s3_bucket.data: replace (destroy, then create), protected (type aws_s3_bucket), approved by --allow");
    expect(result.stdout).toContain("approved aws_kms_key.k: delete, protected (type aws_kms_key), approved by --allow");
  });

  test("still 3 when only one of two is approved", () => {
    expect(run(blocked, "--allow", "aws_s3_bucket.data").code).toBe(3);
  });

  test("an approvals file with one address per line approves, and is named in the report", () => {
    const file = path.join(dir, "approvals.txt");
    fs.writeFileSync(file, "# approved by the data team\naws_s3_bucket.data\naws_kms_key.k\n");
    const result = run(blocked, "--approvals", file);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`approved by approvals file ${file}`);
  });

  test("an approvals file with a JSON list approves", () => {
    const file = path.join(dir, "approvals.json");
    fs.writeFileSync(file, JSON.stringify(["aws_s3_bucket.data", "aws_kms_key.k"]));
    expect(run(blocked, "--approvals", file).code).toBe(2);
  });

  test("--protect blocks another type or address", () => {
    expect(run(changes, "--protect", "aws_nat_gateway").code).toBe(3);
    expect(run(changes, "--protect", "aws_nat_gateway.n").code).toBe(3);
    expect(run(changes, "--protect", "aws_nat_gateway.other").code).toBe(2);
  });

  test("--format markdown writes Markdown with the same exit code", () => {
    const result = run(blocked, "--format", "markdown");
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^### Terraform plan review of `.*blocked\.json`/);
    expect(result.stdout).toContain("⛔ **Gate: BLOCKED");
  });

  test("--help prints the usage and exits 0", () => {
    const result = run("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: npm run review -- <plan.json>");
    expect(result.stdout).toContain("Exit codes: 0 no changes, 2 changes, 3 blocked, 1 unreadable input.");
  });
});

describe("command-line mistakes: exit 1 and one line", () => {
  test.each([
    [[], /no plan file given; usage: npm run review/],
    [["a.json", "b.json"], /one plan file at a time, got 2/],
    [["--format", "html", "x.json"], /--format must be terminal or markdown, not "html"/],
    [["--allow"], /--allow needs a value/],
    [["--bogus", "x.json"], /unknown option "--bogus"/],
    [["x.json", "--approvals", "/nonexistent/approvals.txt"], /cannot read approvals file \/nonexistent\/approvals\.txt: no such file/],
  ])("%j", (argv, message) => {
    const result = run(...(argv as string[]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("as a process (the transpiled CLI, run by node)", () => {
  const out = path.join(dir, "dist");
  beforeAll(() => {
    // Transpiled into a directory of its own, so this test never races other tests that rebuild dist/: the
    // reviewer and the pure modules it reads (areas, cost), in the project's layout.
    const swc = require("@swc/core");
    const root = path.join(__dirname, "..", "..");
    const transpile = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) transpile(rel);
        else if (e.name.endsWith(".ts")) {
          const { code } = swc.transformFileSync(path.join(root, rel), { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } });
          fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
          fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, ".js")), code);
        }
      }
    };
    transpile("review");
    transpile("modules");
  });
  const node = (...args: string[]) => spawnSync(process.execPath, [path.join(out, "review", "cli.js"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });

  test("exits 3 on a blocked plan, printing plain text when stdout is not a terminal", () => {
    const result = node(blocked);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain("Gate: BLOCKED");
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stderr).toBe("");
  });

  test("exits 2 with an approval", () => {
    expect(node(blocked, "--allow", "aws_s3_bucket.data", "--allow", "aws_kms_key.k").status).toBe(2);
  });

  test("exits 1 with one line and no stack trace on garbage", () => {
    const garbage = path.join(dir, "garbage.json");
    fs.writeFileSync(garbage, "not json at all");
    const result = node(garbage);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      `error: ${garbage} is not JSON: unexpected character "n" at line 1, column 1 (offset 0); expected the output of \`terraform show -json <planfile>\``,
    ]);
  });
});
