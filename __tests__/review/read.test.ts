import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { locateJsonError, PlanInputError, readPlanFile } from "../../review";
import { runReview } from "../support/review-cli";

/**
 * Unreadable input: each case gets exit 1 and exactly one line on stderr that says what the file is and
 * what to do, never a stack trace. Inputs are written by the tests themselves, byte for byte.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-review-read-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MINIMAL_PLAN = { format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: [] };

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

const run = runReview;

/** Runs the CLI on `p` and checks the one-line contract; returns the line. */
function rejected(p: string): string {
  const result = run(p);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).toMatch(/^error: /);
  return result.stderr.trimEnd();
}

describe("unreadable input: one clear line on stderr and exit 1", () => {
  test("fails when the file is missing, naming it", () => {
    expect(rejected(path.join(dir, "nope.json"))).toMatch(/cannot read .*nope\.json: no such file/);
  });

  test("fails when the path is a directory", () => {
    expect(rejected(dir)).toMatch(/is a directory, not a plan file/);
  });

  test("fails when the file is empty, saying how to make the JSON", () => {
    expect(rejected(file("empty.json", ""))).toMatch(/empty\.json is empty; .*terraform show -json <planfile>/);
  });

  test("fails when the plan nests deeper than Terraform ever writes, naming where", () => {
    const deep = `${'{"a":'.repeat(20000)}1${"}".repeat(20000)}`;
    const text = `{"format_version":"1.2","planned_values":{"root_module":{}},"resource_changes":[{"address":"aws_vpc.a","change":{"actions":["update"],"before":{},"after":${deep}}}]}`;
    expect(rejected(file("deep.json", text))).toMatch(
      /deep\.json is not a readable Terraform plan: it nests more than 256 levels deep \(under resource_changes\[0\]\.change\.after\.a\.a\.a\.a\.\.\.\); Terraform writes far shallower plans/,
    );
  });

  test("fails when the file holds only white space", () => {
    expect(rejected(file("blank.json", "  \n\n"))).toMatch(/is empty/);
  });

  test("fails when the JSON is broken, at which line, column and character", () => {
    const line = rejected(file("broken.json", '{\n  "format_version": "1.2",\n  "resource_changes": [}\n'));
    expect(line).toMatch(/broken\.json is not JSON: unexpected character "}" at line 3, column 24 \(offset 52\)/);
  });

  test("fails when the JSON is cut off, at its end", () => {
    const text = JSON.stringify(MINIMAL_PLAN).slice(0, 40); // ends inside "terraform_version"
    expect(rejected(file("cut.json", text))).toMatch(/cut\.json is not JSON: unterminated string at line 1, column 41 \(offset 40\)/);
  });

  test("fails on UTF-16 with a byte-order mark, saying how to re-encode", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(MINIMAL_PLAN), "utf16le")]);
    const line = rejected(file("utf16.json", utf16));
    expect(line).toMatch(/utf16\.json is UTF-16 encoded \(byte-order mark FF FE, little-endian\), not UTF-8/);
    expect(line).toMatch(/Out-File -Encoding utf8/);
  });

  test("fails on big-endian UTF-16", () => {
    const le = Buffer.from(JSON.stringify(MINIMAL_PLAN), "utf16le");
    const be = Buffer.from(le).swap16();
    expect(rejected(file("utf16be.json", Buffer.concat([Buffer.from([0xfe, 0xff]), be])))).toMatch(/UTF-16 encoded \(byte-order mark FE FF, big-endian\)/);
  });

  test("fails on UTF-16 without a byte-order mark, found by its NUL bytes", () => {
    expect(rejected(file("utf16-nobom.json", Buffer.from(JSON.stringify(MINIMAL_PLAN), "utf16le")))).toMatch(
      /looks UTF-16 encoded \(NUL bytes between the characters, no byte-order mark\)/,
    );
  });

  test("fails when hashicorp/setup-terraform's wrapper added its log lines, saying how to turn it off", () => {
    const wrapped = [
      "[command]/home/runner/work/_temp/1f0c/terraform-bin show -json plan.tfplan",
      JSON.stringify(MINIMAL_PLAN),
      "::debug::Terraform exited with code 0.",
      "::debug::stdout: {...}",
      "::set-output name=exitcode::0",
    ].join("\n");
    const line = rejected(file("wrapped.json", wrapped));
    expect(line).toMatch(/wrapped\.json has log lines around the JSON \(e\.g\. "\[command\]\/home\/runner/);
    expect(line).toMatch(/the terraform wrapper of hashicorp\/setup-terraform added them/);
    expect(line).toMatch(/terraform_wrapper: false/);
  });

  test("fails on the wrapper's ::debug:: lines alone", () => {
    expect(rejected(file("debug.json", `${JSON.stringify(MINIMAL_PLAN)}\n::debug::exitcode: 0\n`))).toMatch(/terraform_wrapper: false/);
  });

  test("fails on a state file, naming it as one", () => {
    const state = { version: 4, terraform_version: "1.11.4", serial: 3, lineage: "4c1f", outputs: {}, resources: [] };
    expect(rejected(file("terraform.tfstate", JSON.stringify(state)))).toMatch(/is a Terraform state file \(version 4\), not a plan/);
  });

  test("fails on the JSON of a state (terraform show -json without a plan file)", () => {
    const shown = { format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } };
    expect(rejected(file("shown-state.json", JSON.stringify(shown)))).toMatch(/is the JSON of a Terraform state .* not a plan/);
  });

  test("fails on {}, saying it is an empty object", () => {
    expect(rejected(file("empty-object.json", "{}"))).toMatch(/is JSON but not a Terraform plan: it is an empty object/);
  });

  test("fails on other JSON objects, naming their keys", () => {
    expect(rejected(file("package.json", '{"name":"x","version":"1.0.0"}'))).toMatch(/its top-level keys are name, version/);
  });

  test("fails on a JSON list", () => {
    expect(rejected(file("list.json", "[1,2]"))).toMatch(/is JSON but not a Terraform plan: it is an array/);
  });

  test("fails on a binary plan file, saying to run terraform show -json", () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00]);
    expect(rejected(file("plan.tfplan", zip))).toMatch(/is a binary Terraform plan file .*terraform show -json/);
  });

  test("fails on the human-readable plan output", () => {
    const text = "Terraform used the selected providers to generate the following execution plan.\n  # aws_s3_bucket.b will be created\n";
    expect(rejected(file("plan.txt", text))).toMatch(/human-readable output of terraform plan or show, not JSON/);
  });

  test("fails on the streamed log of terraform plan -json", () => {
    const lines = ['{"@level":"info","@message":"Terraform 1.11.4","type":"version"}', '{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}'];
    expect(rejected(file("plan.log.json", lines.join("\n")))).toMatch(/streamed log of `terraform plan -json`/);
  });

  test("fails on a format version this reviewer does not know", () => {
    expect(rejected(file("future.json", JSON.stringify({ ...MINIMAL_PLAN, format_version: "2.0" })))).toMatch(
      /format_version 2\.0, newer than this reviewer reads/,
    );
  });

  test("fails on a plan whose resource change has no actions, naming the entry", () => {
    const broken = { ...MINIMAL_PLAN, resource_changes: [{ address: "aws_s3_bucket.b", change: {} }] };
    expect(rejected(file("no-actions.json", JSON.stringify(broken)))).toMatch(/resource_changes\[0\] \(aws_s3_bucket\.b\) has no list of actions/);
  });

  test("reads a file that starts with a UTF-8 byte-order mark", () => {
    const p = file("bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(MINIMAL_PLAN))]));
    expect(readPlanFile(p).formatVersion).toBe("1.2");
  });

  test("readPlanFile throws PlanInputError, not a generic error", () => {
    expect(() => readPlanFile(path.join(dir, "missing.json"))).toThrow(PlanInputError);
  });
});

describe("locateJsonError", () => {
  test("finds a trailing comma in an object", () => {
    expect(locateJsonError('{"a": 1,}')).toEqual({ offset: 8, problem: 'expected a quoted property name, found character "}"' });
  });

  test("finds text after the JSON value", () => {
    expect(locateJsonError('{"a": 1} trailing')).toEqual({ offset: 9, problem: 'unexpected character "t" after the JSON value' });
  });

  test("finds a raw newline inside a string", () => {
    expect(locateJsonError('{"a": "x\ny"}').offset).toBe(8);
  });
});
