import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ACTION_WORDS, main, renderMarkdown, renderTerminal, Review, reviewJson } from "../../review";
import { estimateStack } from "../../modules/cost/estimate";
import { ECR_SERVICE_IMAGE, NO_NAT_JOB_IMAGE } from "../support/configs";
import { synth, synthWithMetadata } from "../support/synth";
import { describeWithTerraform, stateFromPlan, TerraformDir } from "../support/terraform";

/**
 * The reviewer on plans real terraform makes offline from this project's own stacks: the create plan from
 * empty state, then update, replace, delete and protected-replace plans against a state derived from that
 * create plan (`plan -refresh=false`). One terraform directory and state; one plan per describe block.
 */

const EXAMPLES = path.join(__dirname, "..", "..", "examples", "environments");
const SECRET = "mf-review-secret-0c4b7e19";
const out = fs.mkdtempSync(path.join(os.tmpdir(), "mf-review-tf-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Runs the CLI in-process on `plan` written to a file. */
function cli(plan: unknown, name: string, ...args: string[]) {
  const file = path.join(out, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(plan));
  let stdout = "";
  let stderr = "";
  const code = main([file, ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false, env: {} });
  return { code, stdout, stderr, file };
}

/** Resource changes of the raw plan whose actions are exactly `actions`. */
const withActions = (plan: any, ...actions: string[]) =>
  plan.resource_changes.filter((c: any) => c.mode === "managed" && c.change.actions.join() === actions.join());

/** The reviewer's counts agree with terraform's own action lists, kind by kind. */
function expectCountsMatch(plan: any, review: Review): void {
  const all = plan.resource_changes;
  const count = (...actions: string[]) => all.filter((c: any) => c.change.actions.join() === actions.join()).length;
  expect(review.counts).toMatchObject({
    create: count("create"),
    update: count("update"),
    "replace-delete-first": count("delete", "create"),
    "replace-create-first": count("create", "delete"),
    delete: count("delete"),
    read: count("read"),
    "no-op": count("no-op"),
    moved: all.filter((c: any) => c.previous_address).length,
    import: all.filter((c: any) => c.change.importing).length,
  });
}

/** The address of the only resource of `type` in a stack. */
/** The address of the one resource of `type` (under the construct `area`, when given: "storage", "network"). */
function only(stack: any, type: string, area?: string): string {
  const ids = Object.keys(stack.resource?.[type] ?? {}).filter((id) => !area || id.startsWith(`${area}_`));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return `${type}.${ids[0]}`;
}

describeWithTerraform("the reviewer on plans terraform makes from this project's stacks", () => {
  const base = synth({}, "dev").json;
  const bucket = only(base, "aws_s3_bucket");
  let tf: TerraformDir;
  let create: any;

  beforeAll(() => {
    tf = new TerraformDir(base, "review");
    tf.init();
    create = tf.planJson();
    tf.writeState(stateFromPlan(create, base, tf.providerSchemas()));
  });
  afterAll(() => tf?.remove());

  describe("the create plan from empty state", () => {
    let review: Review;
    beforeAll(() => {
      review = reviewJson(create);
    });

    test("counts every resource as a create, and nothing else", () => {
      const resources = Object.values<object>(base.resource).reduce((n, byId) => n + Object.keys(byId).length, 0);
      expect(review.counts.create).toBe(resources);
      expectCountsMatch(create, review);
      expect(review.destructive).toEqual([]);
    });

    test("exits 2: creating the protected bucket and key is a change, not a block", () => {
      expect(review.creates.map((c) => c.change.address)).toContain(bucket);
      expect(cli(create, "create")).toMatchObject({ code: 2, stderr: "" });
    });

    test("with the stack, places every change by its construct path, counted per area as the stack holds them", () => {
      const stack = synthWithMetadata({}, "dev");
      const byArea = reviewJson(create, { stack });
      expect(byArea.groupedBy).toBe("area");
      const all = byArea.groups.flatMap((g) => g.items);
      expect(all.filter((i) => i.placement.from !== "metadata")).toEqual([]);
      const expected: Record<string, number> = {};
      for (const byName of Object.values<Record<string, any>>(stack.resource)) {
        for (const body of Object.values<any>(byName)) {
          const area = body["//"].metadata.path.split("/")[1];
          expected[area] = (expected[area] ?? 0) + 1;
        }
      }
      expect(Object.fromEntries(byArea.groups.map((g) => [g.group, g.items.length]))).toEqual(expected);
    });

    test("costs nothing before, and after what the synthesized stack costs, read from the plan's own values", () => {
      expect(review.cost?.before.totalUsd).toBe(0);
      expect(review.cost?.after.totalUsd).toBeCloseTo(estimateStack(base).totalUsd, 6);
      expect(review.cost?.after.unpriced).toEqual([]);
      expect(renderTerminal(review)).toContain("Idle cost a month (us-east-1, list prices of");
    });

    test("shows the outputs that are known only after apply", () => {
      expect(renderTerminal(review)).toContain("+ vpc_id = (known after apply)");
      expect(renderTerminal(review)).toContain('+ METAFLOW_DEFAULT_DATASTORE = "s3"');
    });
  });

  describe("an update plan: flow-log retention, a new tag, a sensitive KMS key description and a sensitive output", () => {
    let plan: any;
    let review: Review;
    beforeAll(() => {
      const stack = synth({ tags: { CostCenter: "ml-research" }, network: { mode: "create", flowLogs: { retentionDays: 30 } } }, "dev").json;
      // Secrets only terraform marks: a sensitive() attribute and a sensitive output, added to the copied JSON.
      stack.resource.aws_kms_key[only(stack, "aws_kms_key", "storage").split(".")[1]].description = `\${sensitive("${SECRET}")}`;
      stack.output.review_secret = { value: SECRET, sensitive: true };
      tf.writeStack(stack);
      plan = tf.planJson();
      review = reviewJson(plan);
    });

    test("is a plan of in-place updates only, counted as terraform lists them", () => {
      expect(review.counts.update).toBeGreaterThan(5);
      expect(review.counts.update).toBe(withActions(plan, "update").length);
      expect(review.destructive).toEqual([]);
      expectCountsMatch(plan, review);
    });

    test("shows the changed retention, attribute by attribute", () => {
      const logGroup = only(base, "aws_cloudwatch_log_group", "network");
      const item = review.updates.find((u) => u.change.address === logGroup);
      expect(item?.attributes.map((a) => a.path.join("."))).toContain("retention_in_days");
      expect(renderTerminal(review)).toContain("retention_in_days: 90 -> 30");
    });

    test("shows the new default tag as a nested path", () => {
      const text = renderTerminal(review);
      expect(text).toContain(`~ ${only(base, "aws_vpc")}`);
      expect(text).toContain('tags_all.CostCenter: null -> "ml-research"');
    });

    test("the plan JSON holds the secret (so the next tests can fail)", () => {
      expect(JSON.stringify(plan)).toContain(SECRET);
    });

    test("the secret appears nowhere in the terminal or Markdown output", () => {
      const terminal = cli(plan, "update").stdout;
      const markdown = cli(plan, "update-md", "--format", "markdown").stdout;
      expect(terminal).not.toContain(SECRET);
      expect(markdown).not.toContain(SECRET);
      expect(terminal).toContain("description: (sensitive) -> (sensitive)");
      expect(terminal).toContain("+ review_secret = (sensitive)");
      expect(markdown).toContain("+ description: (sensitive)");
    });

    test("exits 2", () => {
      expect(cli(plan, "update").code).toBe(2);
    });
  });

  describe("a replace plan: a private subnet's CIDR changes", () => {
    let plan: any;
    let review: Review;
    const subnet = Object.keys(base.resource.aws_subnet).find((id) => base.resource.aws_subnet[id].cidr_block === "10.0.0.0/19");
    beforeAll(() => {
      tf.writeStack(synth({ network: { mode: "create", privateSubnetCidrs: ["10.0.64.0/19", "10.0.32.0/19"] } }, "dev").json);
      plan = tf.planJson();
      review = reviewJson(plan);
    });

    test("replaces the subnet because its cidr_block cannot be updated", () => {
      expect(subnet).toBeDefined();
      const item = review.destructive.find((d) => d.change.address === `aws_subnet.${subnet}`);
      // Destroy first by default; create first when a create_before_destroy resource depends on the subnet.
      expect(["replace-delete-first", "replace-create-first"]).toContain(item?.change.kind);
      expect(item?.change.kind).toBe(withActions(plan, "create", "delete").some((c: any) => c.address === `aws_subnet.${subnet}`) ? "replace-create-first" : "replace-delete-first");
      expect(item?.change.actionReason).toBe("replace_because_cannot_update");
      expect(item?.change.replacePaths).toEqual([["cidr_block"]]);
      expectCountsMatch(plan, review);
    });

    test("says why in words and which attribute forces it, in both formats", () => {
      const text = renderTerminal(review);
      const kind = review.destructive.find((d) => d.change.address === `aws_subnet.${subnet}`)!.change.kind;
      expect(text).toContain(`-/+ aws_subnet.${subnet}: ${ACTION_WORDS[kind]}`);
      expect(text).toContain("why: a changed attribute cannot be updated in place (replace_because_cannot_update)");
      expect(text).toContain("forces replacement: cidr_block");
      expect(text).toContain('cidr_block: "10.0.0.0/19" -> "10.0.64.0/19"  # forces replacement');
      const md = renderMarkdown(review);
      expect(md.indexOf(`\`aws_subnet.${subnet}\`: **${ACTION_WORDS[kind]}**`)).toBeGreaterThan(md.indexOf("#### Destructive changes"));
      expect(md).toContain("  - forces replacement: `cidr_block`");
    });

    test("exits 2: a subnet is not protected", () => {
      expect(cli(plan, "replace").code).toBe(2);
    });
  });

  describe("a delete plan: natGateways switches to none", () => {
    let plan: any;
    let review: Review;
    beforeAll(() => {
      const noNat = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "no-nat.json"), "utf8"));
      // Without NAT the service image must come from ECR in the stack's region, as in the example.
      tf.writeStack(synth({ network: { mode: "create", natGateways: "none", interfaceEndpoints: noNat.network.interfaceEndpoints }, service: { image: ECR_SERVICE_IMAGE }, compute: NO_NAT_JOB_IMAGE }, "dev").json);
      plan = tf.planJson();
      review = reviewJson(plan);
    });

    test("deletes the NAT gateway and its elastic IP because their blocks left the configuration", () => {
      for (const type of ["aws_nat_gateway", "aws_eip"]) {
        const item = review.destructive.find((d) => d.change.address === only(base, type));
        expect(item?.change.kind).toBe("delete");
        expect(item?.change.actionReason).toBe("delete_because_no_resource_config");
      }
      expect(review.counts.delete).toBe(withActions(plan, "delete").length);
      expectCountsMatch(plan, review);
    });

    test("lists the deletes in the destructive section with the reason in words", () => {
      expect(renderTerminal(review)).toContain(`- ${only(base, "aws_nat_gateway")}: delete\n      why: its resource block is no longer in the configuration (delete_because_no_resource_config)`);
    });

    test("prices the change: the NAT gateway and its address go, eight interface endpoints in two zones come", () => {
      const H = 730;
      // Endpoints are new, so their subnet ids are known only after apply: the configuration's references count the zones.
      const endpoints = 8 * 2 * 0.01 * H; // 116.80
      const nat = (0.045 + 0.005) * H; // 32.85 + 3.65
      expect(review.cost?.before.totalUsd).toBeCloseTo(estimateStack(base).totalUsd, 6);
      expect(review.cost?.deltaUsd).toBeCloseTo(endpoints - nat, 4); // +80.30
      expect(review.cost?.after.unpriced).toEqual([]);
      expect(review.cost?.changes[0]).toMatchObject({ type: "aws_nat_gateway", beforeUsd: 0.045 * H, afterUsd: 0 });
    });

    test("exits 2: deleting NAT gateways is a change, not a block", () => {
      expect(cli(plan, "delete").code).toBe(2);
    });
  });

  describe("a protected replace: namePrefix changes the datastore bucket's bucket_prefix", () => {
    let plan: any;
    let blocked: string[];
    beforeAll(() => {
      const stack = synth({ namePrefix: "mlplatform" }, "dev").json;
      // prevent_destroy makes terraform refuse to plan the bucket's replacement at all. Without it (removed
      // here from the copied JSON only) terraform plans it, and the reviewer must still block it.
      for (const byId of Object.values<any>(stack.resource)) for (const body of Object.values<any>(byId)) delete body.lifecycle?.prevent_destroy;
      tf.writeStack(stack);
      plan = tf.planJson();
      blocked = reviewJson(plan).gate.blocked.map((b) => b.change.address);
    });

    test("replaces the bucket because bucket_prefix cannot be updated", () => {
      const review = reviewJson(plan);
      const item = review.destructive.find((d) => d.change.address === bucket);
      expect(item?.change.kind).toBe("replace-delete-first");
      expect(item?.change.replacePaths).toEqual([["bucket_prefix"]]);
      expect(renderTerminal(review)).toContain('bucket_prefix: "metaflow-dev-ds-" -> "mlplatform-dev-ds-"  # forces replacement');
      expectCountsMatch(plan, review);
    });

    test("exits 3 and says how to approve", () => {
      const result = cli(plan, "protected");
      expect(result.code).toBe(3);
      expect(result.stderr).toBe("");
      expect(blocked).toContain(bucket);
      expect(result.stdout).toContain(`BLOCKED ${bucket}: replace (destroy, then create), protected (type aws_s3_bucket); approve with --allow ${bucket}`);
    });

    test("--allow <the bucket> approves it, and the report lists it as approved by --allow", () => {
      const result = cli(plan, "protected", "--allow", bucket);
      expect(result.stdout).toContain(`approved ${bucket}: replace (destroy, then create), protected (type aws_s3_bucket), approved by --allow`);
      expect(result.stdout).not.toContain(`BLOCKED ${bucket}`);
      // Exit 2 unless the plan also destroys another protected resource, which then stays blocked.
      expect(result.code).toBe(blocked.length === 1 ? 2 : 3);
    });

    test("approving every blocked address leaves exit 2; the Markdown marks them approved", () => {
      const allows = blocked.flatMap((a) => ["--allow", a]);
      expect(cli(plan, "protected", ...allows).code).toBe(2);
      const md = cli(plan, "protected-md", "--format", "markdown", ...allows).stdout;
      expect(md).toContain(`- ✔️ \`${bucket}\`: **replace (destroy, then create)**`);
      expect(md).toContain("protected (type aws_s3_bucket), approved by --allow");
    });
  });
  describe("an update plan: the UI turned on (the ui example's settings)", () => {
    let plan: any;
    let review: Review;
    const ui = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "ui.json"), "utf8"));
    beforeAll(() => {
      tf.writeStack(synth(ui, "dev").json);
      plan = tf.planJson();
      review = reviewJson(plan, { stack: synthWithMetadata(ui, "dev") });
    });

    test("creates the UI and changes nothing that exists", () => {
      expect(review.destructive).toEqual([]);
      expect(review.counts.create).toBeGreaterThan(40);
      expectCountsMatch(plan, review);
    });

    test("places the new resources in the UI area", () => {
      const uiGroup = review.groups.find((g) => g.title === "UI");
      expect(uiGroup?.items.length).toBe(withActions(plan, "create").filter((c: any) => /^aws_[a-z_]+\.ui_/.test(c.address)).length);
    });

    test("prices what the UI adds: $67.96 a month, read from the plan's own values", () => {
      const H = 730;
      // The internal load balancer 16.425, the backend's 1 vCPU and 4 GB 42.5298, the static UI's 0.25 vCPU and 0.5 GB 9.010025.
      const added = 0.0225 * H + (1 * 0.04048 + 4 * 0.004445) * H + (0.25 * 0.04048 + 0.5 * 0.004445) * H; // 67.964825
      expect(review.cost?.deltaUsd).toBeCloseTo(added, 4);
      expect(review.cost?.after.unpriced).toEqual([]);
      expect(review.cost?.changes[0]).toMatchObject({ type: "aws_ecs_service", area: "UI" });
    });

    test("exits 2: the UI is a change, not a block", () => {
      expect(cli(plan, "ui").code).toBe(2);
    });
  });
});
