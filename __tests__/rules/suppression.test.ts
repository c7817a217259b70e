import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformResource, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { parseEnvironment } from "../../modules/config/load";
import { MetaflowStack } from "../../modules/metaflow-stack";
import { applyRules, checkRules, formatRuleSummary, RulePack, suppress } from "../../modules/rules";
import { StateStack } from "../../modules/state-stack";
import { checkStack, secureBucket, securityGroup } from "./fixtures";

const OPEN_TO_THE_WORLD = { "ingress.0.cidr_blocks": ["0.0.0.0/0"] };

describe("suppressions", () => {
  test("a suppression with a reason silences the finding, and the summary lists it with its reason", () => {
    const { report } = checkStack((s) => suppress(securityGroup(s, OPEN_TO_THE_WORLD), "MF-SG-1", "a bastion's public SSH, by design"));
    expect(report.errors).toEqual([]);
    expect(report.suppressions).toHaveLength(1);
    expect(report.suppressions[0].suppression).toEqual({ ruleId: "MF-SG-1", reason: "a bastion's public SSH, by design", path: "test/sg" });
    expect(report.suppressions[0].silenced.map((f) => [f.ruleId, f.path])).toEqual([["MF-SG-1", "test/sg"]]);
    expect(formatRuleSummary([report])).toContain("  suppressed MF-SG-1 on test/sg (silences 1 finding): a bastion's public SSH, by design");
    expect(formatRuleSummary([report])[0]).toMatch(/: 0 errors, 0 warnings, 1 suppression\.$/);
  });

  test("a suppression on a construct covers the resources under it", () => {
    const { report } = checkStack((s) => {
      const bucket = secureBucket(s, { bucket: { "lifecycle.prevent_destroy": false } });
      suppress(bucket, "MF-DATA-1", "a scratch bucket, emptied by design");
    });
    expect(report.errors).toEqual([]);
    expect(report.suppressions[0].silenced.map((f) => f.path)).toEqual(["test/bucket/bucket"]);
  });

  test("a suppression silences only the rule it names", () => {
    const { report } = checkStack((s) => suppress(securityGroup(s, OPEN_TO_THE_WORLD), "MF-SG-2", "wrong rule"));
    expect(report.errors.map((f) => f.ruleId)).toEqual(["MF-SG-1"]);
    expect(formatRuleSummary([report])).toContain("  suppressed MF-SG-2 on test/sg (matched nothing): wrong rule");
  });

  test("a suppression on a sibling does not cover another construct", () => {
    const { report } = checkStack((s) => {
      suppress(securityGroup(s, {}, "quiet"), "MF-SG-1", "not this one");
      securityGroup(s, OPEN_TO_THE_WORLD, "open");
    });
    expect(report.errors.map((f) => [f.ruleId, f.path])).toEqual([["MF-SG-1", "test/open"]]);
  });

  test.each([
    ["an empty reason", ""],
    ["a blank reason", "   "],
    ["a missing reason", undefined as unknown as string],
  ])("a suppression with %s is an error (MF-RULES-1), and the finding it meant to silence stays", (_title, reason) => {
    const { report } = checkStack((s) => suppress(securityGroup(s, OPEN_TO_THE_WORLD), "MF-SG-1", reason));
    expect(report.errors.map((f) => f.ruleId).sort()).toEqual(["MF-RULES-1", "MF-SG-1"]);
    const bad = report.errors.find((f) => f.ruleId === "MF-RULES-1")!;
    expect(bad.path).toBe("test/sg");
    expect(bad.message).toMatch(/suppression of MF-SG-1 on test\/sg has no reason\. Fix: write why the construct is right/);
    expect(formatRuleSummary([report])).toContain("  suppressed MF-SG-1 on test/sg (matched nothing): (no reason)");
  });

  test("a suppression naming no rule of the pack is an error (MF-RULES-2)", () => {
    const { report } = checkStack((s) => suppress(securityGroup(s), "MF-SG-99", "typo"));
    expect(report.errors.map((f) => f.ruleId)).toEqual(["MF-RULES-2"]);
    expect(report.errors[0].message).toMatch(/suppression of MF-SG-99 on test\/sg names no rule of the pack/);
  });
});

describe("the pack as an Aspect", () => {
  test("every stack main.ts builds carries it: MetaflowStack with its environment, StateStack without", () => {
    const app = Testing.app();
    const env = parseEnvironment("dev", {});
    const metaflow = new MetaflowStack(app, env);
    const state = new StateStack(app, [{ location: { bucket: "b-tfstate", region: "us-east-1", keyPrefix: "metaflow" } as never, environments: ["dev"], bootstrapInBucket: false }]);
    expect(RulePack.on(metaflow).map((p) => p.environment)).toEqual(["dev"]);
    expect(RulePack.on(state).map((p) => p.environment)).toEqual([undefined]);
    const reports = checkRules(app);
    expect(reports.map((r) => r.stack).sort()).toEqual(["metaflow-dev", "metaflow-state"]);
    expect(reports.every((r) => r.errors.length === 0)).toBe(true);
  });

  test("cdktf's own aspect pass runs it too (Testing.synth), and a checked construct is not checked twice", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    securityGroup(stack, OPEN_TO_THE_WORLD);
    const pack = applyRules(stack, "prod");
    Testing.synth(stack);
    expect(pack.report(stack).errors.map((f) => f.ruleId)).toEqual(["MF-SG-1"]);
    expect(pack.check(stack).errors).toHaveLength(1);
  });

  test("an error annotation stops app.synth() even without checkRules, and its message names rule and fix", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-rules-"));
    try {
      const app = new App({ outdir, stackTraces: false });
      const stack = new TerraformStack(app, "test");
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      securityGroup(stack, OPEN_TO_THE_WORLD);
      applyRules(stack);
      expect(() => app.synth()).toThrow(/\[test\/sg\] \[MF-SG-1\] ingress\[0\] admits 0\.0\.0\.0\/0 on tcp 443\. Fix: /);
      expect(fs.existsSync(path.join(outdir, "stacks", "test", "cdk.tf.json"))).toBe(false);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("warnings and suppressed findings become annotations of the resource (warning, info)", () => {
    const { stack } = checkStack((s) => {
      securityGroup(s, { egress: [{ description: "all", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }] }, "warned");
      suppress(securityGroup(s, OPEN_TO_THE_WORLD, "excused"), "MF-SG-1", "by design");
    });
    const levels = (id: string) => (stack.node.findChild(id) as TerraformResource).node.metadata.map((m) => [m.type, String(m.data).slice(0, 9)]);
    expect(levels("warned")).toContainEqual(["@cdktf/warn", "[MF-SG-3]"]);
    expect(levels("excused")).toContainEqual(["@cdktf/info", "[MF-SG-1]"]);
  });
});
