import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { main } from "../../main";
import { loadEnvironments, parseEnvironment } from "../../modules/config/load";
import { MetaflowStack } from "../../modules/metaflow-stack";
import { ALL_RULES, checkRules, ruleTotals } from "../../modules/rules";
import { plannedStateBuckets, StateStack } from "../../modules/state-stack";
import { OIDC_PROVIDER, withUi } from "../support/configs";

/**
 * The rule pack through the real entry (`main`, in-process): errors exit non-zero with nothing written,
 * warnings print and pass, the summary carries the rule count, and every shipped config is clean.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLES = path.join(ROOT, "examples", "environments");
const tempRoots: string[] = [];

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `metaflow-rules-${label}-`));
  tempRoots.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempRoots) fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
}

/** Runs `main` on a config dir holding `files` (or on `configDir`), writing to `outdir` (a fresh one by default). */
function run(files: Record<string, unknown> | string, outdir = path.join(tempDir("out"), "cdktf.out"), args: string[] = []): Run {
  let dir: string;
  if (typeof files === "string") dir = files;
  else {
    dir = tempDir("config");
    for (const [name, config] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(config));
  }
  const saved = { outdir: process.env.CDKTF_OUTDIR, configDir: process.env.METAFLOW_CONFIG_DIR };
  process.env.CDKTF_OUTDIR = outdir;
  delete process.env.METAFLOW_CONFIG_DIR;
  const out: string[] = [];
  const err: string[] = [];
  const outSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (out.push(chunk.toString()), true));
  const errSpy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (err.push(chunk.toString()), true));
  try {
    const code = main(["--config-dir", dir, ...args]);
    return { code, stdout: out.join(""), stderr: err.join(""), outdir };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    if (saved.outdir === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved.outdir;
    if (saved.configDir !== undefined) process.env.METAFLOW_CONFIG_DIR = saved.configDir;
  }
}

/** Every file under `dir` with its contents, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return files;
}

const RULE_LINE = new RegExp(`^Rules: ${ALL_RULES.length} checked on \\d+ resources in (\\d+) stacks: (\\d+) errors?, (\\d+) warnings?, (\\d+) suppressions?\\.$`, "m");

describe("the synth summary", () => {
  test("the default config: the rule count, zero errors, zero warnings and the one suppression with its reason", () => {
    const result = run({});
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [, stacks, errors, warnings, suppressions] = RULE_LINE.exec(result.stdout) ?? [];
    expect({ stacks, errors, warnings, suppressions }).toEqual({ stacks: "2", errors: "0", warnings: "0", suppressions: "1" });
    expect(result.stdout).toMatch(/^ {2}suppressed MF-SG-3 on metaflow-dev\/compute\/security-group \(silences 1 finding\): Batch jobs run users' steps/m);
    // The metadata service's egress is narrowed to HTTPS and the database, so it needs no suppression.
    expect(result.stdout).not.toMatch(/suppressed .* on metaflow-dev\/metadata\//);
    // The rule lines come after the stacks and before the pointers to the JSON.
    const lines = result.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^Rules: /)).toBeGreaterThan(at(/^ {2}metaflow-state: /));
    expect(at(/^Rules: /)).toBeLessThan(at(/^Terraform JSON is under/));
  });

  test("--quiet prints nothing, rules included", () => {
    const result = run({ "staging.json": { database: { multiAz: false } } }, undefined, ["--quiet"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("");
  });
});

describe("errors fail synth, warnings do not", () => {
  test("an error (ingress from 0.0.0.0/0) exits 1, names rule, construct and fix, and writes nothing", () => {
    const result = run({ "dev.json": { service: { clientCidrs: ["0.0.0.0/0"] } } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^Security rules failed: 1 error \\(${ALL_RULES.length} rules checked on \\d+ resources\\):$`, "m"));
    expect(result.stderr).toMatch(
      /^ {2}- MF-SG-1 metaflow-dev\/metadata\/lb-from-cidr-0 \(aws_vpc_security_group_ingress_rule\.metadata_lb-from-cidr-0_[0-9A-F]+\): this rule admits 0\.0\.0\.0\/0 on tcp 80\. Fix: .*service\.clientCidrs/m,
    );
    expect(result.stderr).toMatch(/Nothing was synthesized\./);
    expect(result.stderr).not.toMatch(/^\s{4}at /m);
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  test("every error is reported at once, across stacks (an AdministratorAccess job role as well)", () => {
    const result = run({
      "dev.json": { service: { clientCidrs: ["0.0.0.0/0"] } },
      "prod.json": { compute: { jobRoleManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] } },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Security rules failed: 2 errors/m);
    expect(result.stderr).toMatch(/^ {2}- MF-SG-1 metaflow-dev\//m);
    expect(result.stderr).toMatch(/^ {2}- MF-IAM-4 metaflow-prod\/compute\/roles\/job-role\/managed-extra-0 .*attaches arn:aws:iam::aws:policy\/AdministratorAccess/m);
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  test("an error leaves an earlier synth's output exactly as it was", () => {
    const outdir = path.join(tempDir("out"), "cdktf.out");
    expect(run({ "dev.json": {} }, outdir).code).toBe(0);
    const before = snapshot(outdir);
    const result = run({ "dev.json": { service: { clientCidrs: ["0.0.0.0/0"] } }, "prod.json": {} }, outdir);
    expect(result.code).toBe(1);
    expect(snapshot(outdir)).toEqual(before);
    expect(fs.existsSync(path.join(outdir, "stacks", "metaflow-prod"))).toBe(false);
  });

  test("a warning (a single-zone database outside dev) prints in the summary and synth succeeds", () => {
    const result = run({ "staging.json": { database: { multiAz: false } } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [, , errors, warnings] = RULE_LINE.exec(result.stdout) ?? [];
    expect({ errors, warnings }).toEqual({ errors: "0", warnings: "1" });
    expect(result.stdout).toMatch(/^ {2}warning MF-RDS-3 metaflow-staging\/database\/instance \(aws_db_instance\.[^)]+\): multi_az is not true in environment staging, which is not dev-like\. Fix: /m);
    expect(fs.existsSync(path.join(result.outdir, "stacks", "metaflow-staging", "cdk.tf.json"))).toBe(true);
  });

  test("the same single-zone database in dev is no warning", () => {
    const result = run({ "dev.json": { database: { multiAz: false } } });
    expect(result.code).toBe(0);
    expect(RULE_LINE.exec(result.stdout)?.[3]).toBe("0");
  });
});

describe("every shipped config passes with zero errors", () => {
  const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).sort();

  test("there are examples to check", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  test.each(examples)("examples/environments/%s", (file) => {
    const dir = tempDir("example");
    fs.copyFileSync(path.join(EXAMPLES, file), path.join(dir, file));
    const all = loadEnvironments(dir);
    const app = Testing.app();
    new StateStack(app, plannedStateBuckets(all));
    for (const environment of all) new MetaflowStack(app, environment);
    const reports = checkRules(app);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(ruleTotals(reports).resources).toBeGreaterThan(0);
  });

  test.each<[string, object]>([
    ["Cognito, internal", { auth: "cognito" }],
    ["Cognito, internet-facing", { auth: "cognito", scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] }],
    ["OIDC, internet-facing", { auth: "oidc", oidc: OIDC_PROVIDER, scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] }],
    ["no sign-in, internal", { auth: "none" }],
  ])("the UI (%s)", (_title, ui) => {
    const app = Testing.app();
    new MetaflowStack(app, parseEnvironment("prod", withUi(ui)));
    const reports = checkRules(app);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.flatMap((r) => r.warnings)).toEqual([]);
  });

  test("all examples together through main: exit 0, zero errors, their warnings printed", () => {
    const result = run(EXAMPLES);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [, stacks, errors] = RULE_LINE.exec(result.stdout) ?? [];
    expect({ stacks, errors }).toEqual({ stacks: String(fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).length + 1), errors: "0" });
    // no-nat runs its database in one zone and is not named like a dev environment.
    expect(result.stdout).toMatch(/^ {2}warning MF-RDS-3 metaflow-no-nat\/database\/instance /m);
  });
});
