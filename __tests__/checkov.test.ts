import * as fs from "fs";
import * as path from "path";
import {
  CHECKOV_BLOCK, checkovMarkdown, CheckResult, describeSuppression, judge, KIND_TITLE, plannableConfig, scanShippedStacks, ShippedScan,
  shippedStackJson,
} from "../flow/checkov";
import { CHECKOV_USAGE, checkovMain } from "../flow/checkov-cli";
import { withBlock } from "../flow/docs";
import { pythonToolsOrReason, PythonTools, requirementsFile } from "../flow/python-tools";
import { CHECKOV_SUPPRESSIONS, CheckovSuppression } from "../modules/rules/checkov-suppressions";
import { unavailable as terraformUnavailable } from "./support/terraform";

/**
 * checkov, pinned in tools/requirements/checkov.txt and installed into .venv/checkov by the project's own
 * installer, run for real on every shipped stack (the default dev, every example, the state bootstrap
 * stack): on its synthesized JSON and on the JSON of an offline plan of it, in one checkov run. Every failed
 * check must be fixed or excused with its reason in modules/rules/checkov-suppressions.ts, and every
 * suppression must excuse something. Where terraform, its provider mirror, Python or PyPI is missing, the
 * suite skips and says why.
 */

const ROOT = path.resolve(__dirname, "..");
/** checkov's own run, over every file at once, on two shared cores: it takes about half a minute. */
const CHECKOV_BUDGET_SECONDS = 180;

let tools: PythonTools | string | undefined;
function checkovTools(): PythonTools | string {
  if (tools === undefined) tools = terraformUnavailable ?? pythonToolsOrReason("checkov");
  return tools;
}

/** `describe` when terraform and checkov can run, else `describe.skip` with the reason printed. */
function describeWithCheckov(name: string, fn: () => void): void {
  const available = checkovTools();
  if (typeof available === "string") {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": ${available}`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

const line = (r: CheckResult) => `${r.check} ${r.stack} ${r.path ?? r.address} (${KIND_TITLE[r.kind]}): ${r.name}`;

describeWithCheckov("checkov on every shipped stack, its synthesized JSON and its offline plan", () => {
  let scan: ShippedScan;

  beforeAll(() => {
    scan = scanShippedStacks(checkovTools() as PythonTools, ROOT);
    // eslint-disable-next-line no-console
    console.log(`checkov ${scan.run.version}: ${scan.run.results.length} results in ${scan.run.seconds.toFixed(1)} s (offline plans ${scan.planSeconds.toFixed(0)} s)`);
  }, 30 * 60_000);

  test("the pinned checkov ran, once, within its time budget", () => {
    const pinned = /^checkov==(\S+)$/m.exec(fs.readFileSync(requirementsFile("checkov", ROOT), "utf8"))?.[1];
    expect(pinned).toMatch(/^3\./);
    expect(scan.run.version).toBe(pinned);
    expect(scan.run.seconds).toBeLessThan(CHECKOV_BUDGET_SECONDS);
  });

  test("it checked every stack in both readings: the default, every example and the state stack", () => {
    const stacks = scan.inputs.map((i) => i.stack);
    expect(stacks).toEqual(["metaflow-dev", ...fs.readdirSync(path.join(ROOT, "examples", "environments")).filter((f) => f.endsWith(".json")).sort().map((f) => `metaflow-${f.replace(/\.json$/, "")}`), "metaflow-state"]);
    for (const stack of stacks) {
      for (const kind of ["synth", "plan"] as const) {
        const mine = scan.run.results.filter((r) => r.stack === stack && r.kind === kind);
        expect({ stack, kind, passed: mine.filter((r) => r.outcome === "passed").length > 20 }).toEqual({ stack, kind, passed: true });
      }
    }
  });

  test("each result is traced to a synthesized resource and its construct path, but checks of the provider configuration", () => {
    // The provider checks name the provider block: `provider.aws` in the synthesized JSON, `aws.<alias>` in the plan.
    const provider = /^(provider\.aws|aws\.[a-z0-9-]+)$/;
    const untraced = scan.run.results.filter((r) => r.path === undefined && !provider.test(r.address)).map(line);
    expect(untraced).toEqual([]);
    const providerChecks = scan.run.results.filter((r) => r.path === undefined);
    expect(new Set(providerChecks.map((r) => r.check))).toEqual(new Set(["CKV_AWS_41"]));
    expect(providerChecks.every((r) => r.outcome === "passed")).toBe(true);
  });

  test("every failed check is fixed or excused, with its reason, in modules/rules/checkov-suppressions.ts", () => {
    expect(scan.judgement.unexcused.map(line)).toEqual([]);
  });

  test("every suppression is well formed and excuses something: no pattern or stack of one is stale", () => {
    expect([...scan.judgement.invalid, ...scan.judgement.stale]).toEqual([]);
  });

  test("each suppression is needed: without it, exactly its failures would fail the suite", () => {
    for (const { suppression, silenced } of scan.judgement.excused) {
      const without = judge(scan.run.results, CHECKOV_SUPPRESSIONS.filter((s) => s !== suppression));
      expect({ suppression: describeSuppression(suppression), unexcused: without.unexcused.map(line) }).toEqual({
        suppression: describeSuppression(suppression),
        unexcused: silenced.map(line),
      });
    }
  });

  test("README.md's table of results is current (`npm run checkov -- --readme` rewrites it)", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(withBlock(readme, CHECKOV_BLOCK, checkovMarkdown(scan.inputs, scan.run, scan.judgement))).toBe(readme);
  });
});

describe("npm run checkov", () => {
  test("refuses arguments it does not take, with its usage", () => {
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(checkovMain(["--env", "dev"], ROOT)).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join("")).toBe(`${CHECKOV_USAGE}\n`);
    } finally {
      err.mockRestore();
    }
  });
});

describe("the stacks the scan plans", () => {
  const stacks = shippedStackJson(ROOT);

  test("a stack whose lookups ask AWS at plan time is planned without them, and is otherwise the same stack", () => {
    const changed = stacks.filter((s) => s.toPlan !== s.synth);
    expect(changed.map((s) => s.stack)).toEqual(["metaflow-shared-vpc"]);
    for (const s of changed) {
      expect(s.synth.data).toBeDefined();
      expect(s.toPlan.data).toBeUndefined();
      expect(s.toPlan.resource).toEqual(s.synth.resource);
    }
  });

  test("plannableConfig turns off only an existing network's subnet lookups", () => {
    const raw = { network: { mode: "existing", vpcId: "vpc-1", verifySubnets: true }, storage: { mode: "existing" } };
    expect(plannableConfig(raw).raw).toEqual({ ...raw, network: { ...raw.network, verifySubnets: false } });
    expect(plannableConfig({}).note).toBeUndefined();
    expect(plannableConfig({ network: { mode: "existing", verifySubnets: false } }).note).toBeUndefined();
  });
});

describe("judge: failed checks against the suppressions", () => {
  const result = (over: Partial<CheckResult>): CheckResult => ({
    check: "CKV_AWS_158", name: "Ensure that CloudWatch Log Group is encrypted by KMS", stack: "metaflow-dev", kind: "synth",
    address: "aws_cloudwatch_log_group.network_flow-logs_D7C94307", path: "network/flow-logs", outcome: "failed", ...over,
  });
  const reason = "a reason long enough to say why the resource is right as it is";
  const suppression = (over: Partial<CheckovSuppression>): CheckovSuppression => ({ check: "CKV_AWS_158", reason, ...over });

  test("a failure no suppression names is unexcused; passes and skips need none", () => {
    const results = [result({}), result({ outcome: "passed", check: "CKV_AWS_338" }), result({ outcome: "skipped", check: "CKV_AWS_18" })];
    expect(judge(results, []).unexcused).toEqual([results[0]]);
  });

  test("a suppression excuses its check where its resource patterns, stacks and reading match, and only there", () => {
    const results = [
      result({}),
      result({ path: "database/logs-postgresql" }),
      result({ path: "database/logs-upgrade", stack: "metaflow-prod" }),
      result({ path: "database/logs-upgrade", kind: "plan" }),
      result({ path: "metadata/logs" }),
    ];
    const j = judge(results, [suppression({ resources: ["database/logs-*", "network/*"], stacks: ["metaflow-dev"], scan: "synth" })]);
    expect(j.excused[0].silenced).toEqual([results[0], results[1]]);
    expect(j.unexcused).toEqual([results[2], results[3], results[4]]);
  });

  test("* stays within a path segment, ** crosses them", () => {
    const results = [result({ path: "metadata/restart-on-rotation/logs" })];
    expect(judge(results, [suppression({ resources: ["metadata/*"] })]).unexcused).toEqual(results);
    expect(judge(results, [suppression({ resources: ["metadata/**"] })]).unexcused).toEqual([]);
  });

  test("a suppression, a resource pattern or a stack that excuses nothing is stale", () => {
    const results = [result({}), result({ check: "CKV_AWS_338" })];
    const j = judge(results, [
      suppression({ resources: ["network/flow-logs", "api/access-logs"], stacks: ["metaflow-dev", "metaflow-prod"] }),
      suppression({ check: "CKV_AWS_338", resources: ["network/flow-logs"], stacks: ["metaflow-prod"] }),
    ]);
    expect(j.stale).toEqual([
      "CKV_AWS_158 (resources network/flow-logs, api/access-logs; stacks metaflow-dev, metaflow-prod): its resource pattern api/access-logs excuses nothing: remove the pattern",
      "CKV_AWS_158 (resources network/flow-logs, api/access-logs; stacks metaflow-dev, metaflow-prod): it excuses nothing in metaflow-prod: remove the stack",
      "CKV_AWS_338 (resources network/flow-logs; stacks metaflow-prod) excuses no failed check: remove it",
    ]);
    expect(j.unexcused).toEqual([results[1]]);
  });

  test("a suppression without a reason, of a check checkov did not run, for a stack not scanned, or listed twice is invalid", () => {
    const results = [result({})];
    const j = judge(results, [
      suppression({ reason: "  because  " }),
      suppression({ check: "CKV_AWS_999" }),
      suppression({ check: "AVD-AWS-0017" }),
      suppression({ stacks: ["metaflow-nowhere"] }),
      suppression({ resources: [] }),
      suppression({}),
    ]);
    expect(j.invalid).toEqual([
      "CKV_AWS_158 (every resource): write why the resource is right as it is (a reason of 40 characters or more)",
      "CKV_AWS_999 (every resource): checkov ran no check CKV_AWS_999 on any stack",
      'AVD-AWS-0017 (every resource): "AVD-AWS-0017" is not a checkov AWS check id (CKV_AWS_<n> or CKV2_AWS_<n>)',
      "CKV_AWS_158 (every resource; stacks metaflow-nowhere): metaflow-nowhere is not a scanned stack (metaflow-dev)",
      "CKV_AWS_158 (no resources): an empty list limits it to nothing; leave the field out to mean every one",
      "CKV_AWS_158 (every resource): listed twice",
    ]);
  });

  test("a failure two suppressions match is excused by the first, and the second is stale", () => {
    const results = [result({})];
    const j = judge(results, [suppression({ resources: ["network/flow-logs"] }), suppression({})]);
    expect(j.excused.map((e) => e.silenced.length)).toEqual([1, 0]);
    expect(j.stale).toEqual(["CKV_AWS_158 (every resource) excuses no failed check: remove it"]);
  });

  test("every checked-in suppression says what it excuses and why", () => {
    for (const s of CHECKOV_SUPPRESSIONS) {
      expect(s.check).toMatch(/^CKV2?_AWS_\d+$/);
      expect(s.reason.length).toBeGreaterThanOrEqual(40);
    }
  });
});
