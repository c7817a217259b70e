import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploymentDiagram, renderMermaid } from "../modules/diagram";

/**
 * The CLI end to end: `dist/main.js` (built by `npm run build`, as `npm run synth` does) in a child
 * process, with a temp working directory so `cdktf.out` lands there.
 */

const ROOT = path.resolve(__dirname, "..");
const MAIN_JS = path.join(ROOT, "dist", "main.js");

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly cwd: string;
  readonly outdir: string;
}

const tempRoots: string[] = [];

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `metaflow-cli-${label}-`));
  tempRoots.push(dir);
  return dir;
}

/** A fresh config dir holding `files` (name → config, written as JSON). */
function configDir(files: Record<string, unknown> = {}): string {
  const dir = tempDir("config");
  for (const [name, config] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(config, null, 2));
  return dir;
}

/** Runs `node dist/main.js ...args` in a fresh working directory, with no config-related variables inherited. */
function cli(args: string[]): Result {
  const cwd = tempDir("cwd");
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CDKTF_OUTDIR;
  delete env.METAFLOW_CONFIG_DIR;
  delete env.CDKTF_TARGET_STACK_ID;
  delete env.SYNTH_HCL_OUTPUT;
  const child = spawnSync(process.execPath, [MAIN_JS, ...args], { cwd, env, encoding: "utf8", timeout: 120000 });
  if (child.error) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, cwd, outdir: path.join(cwd, "cdktf.out") };
}

function stackFile(outdir: string, stack: string): string {
  return path.join(outdir, "stacks", stack, "cdk.tf.json");
}

function readStack(outdir: string, stack: string): any {
  return JSON.parse(fs.readFileSync(stackFile(outdir, stack), "utf8"));
}

function stacksIn(outdir: string): string[] {
  return fs.readdirSync(path.join(outdir, "stacks")).sort();
}

/** Resource instances per area (the construct right under the stack), counted from the synthesized JSON. */
function resourcesByArea(json: any): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const instances of Object.values<Record<string, any>>(json.resource ?? {})) {
    for (const body of Object.values<any>(instances)) {
      const area = String(body["//"].metadata.path).split("/")[1];
      counts[area] = (counts[area] ?? 0) + 1;
    }
  }
  return counts;
}

function providerRegion(json: any): string {
  const aws = json.provider.aws;
  expect(aws).toHaveLength(1);
  return aws[0].region;
}

beforeAll(() => {
  const build = spawnSync("npm", ["run", "build", "--", "--quiet"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  expect(fs.existsSync(MAIN_JS)).toBe(true);
});

afterAll(() => {
  for (const dir of tempRoots) fs.rmSync(dir, { recursive: true, force: true });
});

describe("node dist/main.js", () => {
  test("with an empty config dir synthesizes the built-in default dev and summarizes it", () => {
    const result = cli(["--config-dir", configDir()]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(stacksIn(result.outdir)).toEqual(["metaflow-dev", "metaflow-state"]);
    const json = readStack(result.outdir, "metaflow-dev");
    expect(providerRegion(json)).toBe("us-east-1");

    const byArea = resourcesByArea(json);
    expect(byArea.network).toBeGreaterThan(0);
    expect(byArea.storage).toBeGreaterThan(0);
    const total = Object.values(byArea).reduce((a, b) => a + b, 0);

    const out = result.stdout;
    expect(out).toMatch(/^Synthesized 2 stacks in \d+\.\d\d s:/);
    // The stack line counts what the JSON holds, area by area.
    const stackLine = out.split("\n").find((line) => line.trim().startsWith("metaflow-dev:"));
    expect(stackLine).toBeDefined();
    expect(stackLine).toContain(`${total} resources`);
    expect(stackLine).toContain(`network ${byArea.network}`);
    expect(stackLine).toContain(`storage ${byArea.storage}`);
    expect(stackLine).toContain(`compute ${byArea.compute}`);
    expect(stackLine).toContain(`${Object.keys(json.output).length} outputs`);
    // The idle cost, from the synthesized JSON (its arithmetic is in cost.test.ts), and where to see it line by line.
    expect(out).toMatch(/\n {4}idle cost: \$142\.69 a month idle in us-east-1 \(list prices of \d{4}-\d\d-\d\d\); largest: database db\.t4g\.small Multi-AZ \$46\.72/);
    expect(out).toContain("`npm run cost -- --env dev`");
    // The diagram beside the JSON, drawn from it.
    const diagram = path.join(result.outdir, "stacks", "metaflow-dev", "diagram.mmd");
    expect(fs.readFileSync(diagram, "utf8")).toBe(renderMermaid(deploymentDiagram(json)));
    expect(out).toContain(`diagram: ${path.join("cdktf.out", "stacks", "metaflow-dev", "diagram.mmd")} (Mermaid)`);
    expect(fs.existsSync(path.join(result.outdir, "stacks", "metaflow-state", "diagram.mmd"))).toBe(false);
    // Paths relative to the working directory, and the next command to run.
    expect(out).toContain(path.join("cdktf.out", "stacks", "metaflow-dev", "cdk.tf.json"));
    expect(out).toMatch(/Next: `npm run plan -- --env dev`.*`npm run apply -- --env dev`/);
    // The state bucket comes first in a new account, and a default bucket name is flagged.
    expect(out).toMatch(/`npx cdktf deploy metaflow-state`/);
    expect(out).toMatch(/state bucket metaflow-tfstate-us-east-1 is a default name/);
  });

  test("two environment files synthesize side by side, each with its own region and prefix", () => {
    const dir = configDir({ "dev.json": {}, "prod.json": { region: "eu-west-1", namePrefix: "mfprod" } });
    const result = cli(["--config-dir", dir]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(stacksIn(result.outdir)).toEqual(["metaflow-dev", "metaflow-prod", "metaflow-state"]);

    const dev = readStack(result.outdir, "metaflow-dev");
    const prod = readStack(result.outdir, "metaflow-prod");
    expect(providerRegion(dev)).toBe("us-east-1");
    expect(providerRegion(prod)).toBe("eu-west-1");
    expect(dev.provider.aws[0].default_tags[0].tags).toMatchObject({ Project: "metaflow", Environment: "dev" });
    expect(prod.provider.aws[0].default_tags[0].tags).toMatchObject({ Project: "mfprod", Environment: "prod" });
    // Names follow each environment's prefix: the datastore bucket of each.
    const bucketPrefix = (json: any) => (Object.values<any>(json.resource.aws_s3_bucket)[0] as any).bucket_prefix;
    expect(bucketPrefix(dev)).toMatch(/^metaflow-dev-/);
    expect(bucketPrefix(prod)).toMatch(/^mfprod-prod-/);
    // Zones default to the region's.
    const zones = (json: any) => Object.values<any>(json.resource.aws_subnet).map((s) => s.availability_zone);
    for (const zone of zones(prod)) expect(zone).toMatch(/^eu-west-1[a-z]$/);

    expect(result.stdout).toMatch(/^Synthesized 3 stacks/);
    expect(result.stdout).toMatch(/^\s+metaflow-dev: /m);
    expect(result.stdout).toMatch(/^\s+metaflow-prod: /m);
  });

  test("--env prod synthesizes only prod", () => {
    const dir = configDir({ "dev.json": {}, "prod.json": { region: "eu-west-1", namePrefix: "mfprod" } });
    const result = cli(["--config-dir", dir, "--env", "prod"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(stacksIn(result.outdir)).toEqual(["metaflow-prod", "metaflow-state"]);
    expect(providerRegion(readStack(result.outdir, "metaflow-prod"))).toBe("eu-west-1");
    expect(result.stdout).toMatch(/^Synthesized 2 stacks /);
    expect(result.stdout).not.toContain("metaflow-dev");
  });

  test("--env with an unknown environment exits 1 and names the available ones", () => {
    const dir = configDir({ "dev.json": {}, "prod.json": { region: "eu-west-1" } });
    const result = cli(["--config-dir", dir, "--env", "nope"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--env nope: no such environment; choose one of dev, prod/);
    expect(result.stdout).toBe("");
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  test("an invalid config exits 1 with the field path, no stack trace, and no cdktf.out", () => {
    const dir = configDir({ "dev.json": { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.1.0.0/19"] } } });
    const result = cli(["--config-dir", dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path.join(dir, "dev.json")}: network.privateSubnetCidrs[1]: "10.1.0.0/19" must lie inside vpcCidr`);
    expect(result.stderr).toMatch(/Nothing was synthesized/);
    expect(result.stderr).not.toMatch(/^\s{4}at /m);
    expect(result.stderr).not.toMatch(/Error:|\.ts:\d+|\.js:\d+/);
    expect(result.stdout).toBe("");
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  describe("input of any size, depth or keys: exit 1, one message per problem naming the file, no stack trace, nothing written", () => {
    /** A config dir holding dev.json with exactly `text`. */
    const rawConfigDir = (text: string) => {
      const dir = tempDir("config");
      fs.writeFileSync(path.join(dir, "dev.json"), text);
      return { dir, file: path.join(dir, "dev.json") };
    };
    const expectRefused = (result: Result, message: string | RegExp) => {
      expect(result.status).toBe(1);
      if (typeof message === "string") expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/Nothing was synthesized/);
      expect(result.stderr).not.toMatch(/^\s{4}at /m);
      expect(result.stderr).not.toMatch(/RangeError|Error:|\.ts:\d+|\.js:\d+/);
      expect(result.stdout).toBe("");
      expect(fs.existsSync(result.outdir)).toBe(false);
    };

    test("a 2 MB file", () => {
      const { dir, file } = rawConfigDir(JSON.stringify({ protectedResources: Array.from({ length: 400000 }, () => "X") }));
      expectRefused(cli(["--config-dir", dir]), `${file}: is ${fs.statSync(file).size} bytes; a config file may have at most 262144 bytes (256 KiB)`);
    });

    test("lists nested 100,000 levels deep in a file under the size limit", () => {
      const { dir, file } = rawConfigDir(`{"tags": ${"[".repeat(100000)}${"]".repeat(100000)}}`);
      expectRefused(cli(["--config-dir", dir]), `${file}: tags[0][0][0][0][0]...: is nested more than 32 levels deep`);
    });

    test("20,000 bad entries: 50 problems listed and the rest counted", () => {
      const { dir, file } = rawConfigDir(JSON.stringify({ protectedResources: Array.from({ length: 20000 }, () => "X") }));
      const result = cli(["--config-dir", dir]);
      expectRefused(result, `${file}: ... and 19950 more problems; fix the ones above and run again`);
      expect(result.stderr.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(51);
    });

    test("__proto__ and constructor keys, refused by path", () => {
      const { dir, file } = rawConfigDir('{"tags": {"__proto__": {"team": "x"}}, "network": {"mode": "create", "constructor": 1}}');
      const result = cli(["--config-dir", dir]);
      expectRefused(result, `${file}: tags.__proto__: "__proto__" is not allowed as a key: JavaScript reserves it`);
      expect(result.stderr).toContain(`${file}: network.constructor: "constructor" is not allowed as a key`);
    });
  });

  test("METAFLOW_CONFIG_DIR is used when --config-dir is not given", () => {
    const dir = configDir({ "stage.json": { region: "us-west-2" } });
    const cwd = tempDir("cwd");
    const env: NodeJS.ProcessEnv = { ...process.env, METAFLOW_CONFIG_DIR: dir };
    delete env.CDKTF_OUTDIR;
    const child = spawnSync(process.execPath, [MAIN_JS, "--quiet"], { cwd, env, encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout).toBe("");
    expect(providerRegion(readStack(path.join(cwd, "cdktf.out"), "metaflow-stage"))).toBe("us-west-2");
  });

  test.each([
    ["--bogus", 'unknown argument "--bogus"'],
    ["--env", "--env needs a value"],
    ["--config-dir", "--config-dir needs a value"],
  ])("an unknown or incomplete argument %s exits 1", (arg, message) => {
    const result = cli(["--config-dir", configDir(), arg]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/usage: npm run synth -- \[--env <name>\]\.\.\. \[--config-dir <dir>\] \[--quiet\]/);
    expect(result.stderr).not.toMatch(/^\s{4}at /m);
    expect(fs.existsSync(result.outdir)).toBe(false);
  });
});
