import { constructPaths, moduleOf, renderMarkdown, renderTerminal, reviewJson } from "../../review";
import { runReview } from "../support/review-cli";
import { synthWithMetadata } from "../support/synth";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Changes by area and construct path, from the synthesized stack's metadata; by module without it. The plans
 * are written by hand over the real addresses of the default stack, so each case shows one kind of change.
 */

const stack = synthWithMetadata({});
/** `type.name` of the one resource of `type` whose construct path is `p` (below the stack). */
function addressAt(type: string, p: string): string {
  const name = Object.entries<any>(stack.resource[type]).find(([, body]) => body["//"].metadata.path === `metaflow-dev/${p}`)?.[0];
  if (!name) throw new Error(`no ${type} at ${p}`);
  return `${type}.${name}`;
}
function rc(address: string, actions: string[], extra: Record<string, unknown> = {}) {
  const [type, name] = address.replace(/\[[^\]]*\]$/, "").split(".").slice(-2);
  return { address, mode: "managed", type, name, change: { actions, before: actions[0] === "create" ? null : {}, after: actions.includes("create") || actions[0] === "update" ? {} : null, after_unknown: {} }, ...extra };
}
const plan = (changes: unknown[]) => ({ format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: changes });

const template = addressAt("aws_launch_template", "compute/environment-cpu/launch-template");
const nat = addressAt("aws_nat_gateway", "network/nat-0");
const service = addressAt("aws_ecs_service", "metadata/service");
const stage = addressAt("aws_api_gateway_stage", "api/stage");
const changes = plan([
  rc(service, ["update"]),
  rc(template, ["create"]),
  rc(stage, ["update"]),
  rc(nat, ["delete", "create"]),
  // No longer in the stack: placed by the path its logical id spells.
  rc("aws_eip.network_nat-eip-1_0A1B2C3D", ["delete"]),
  rc(addressAt("aws_vpc", "network/vpc"), ["no-op"]),
]);

describe("with the synthesized stack", () => {
  const review = reviewJson(changes, { stack });

  test("maps every resource of the stack to its construct path below the stack", () => {
    const paths = constructPaths(stack);
    expect(paths.get(template)).toBe("compute/environment-cpu/launch-template");
    const resources = Object.values<object>(stack.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
    expect([...paths.keys()].filter((k) => !k.startsWith("data.")).length).toBe(resources);
  });

  test("groups changed resources by area in the order of the deployment, unchanged ones left out", () => {
    expect(review.groupedBy).toBe("area");
    expect(review.groups.map((g) => [g.title, g.items.map((i) => i.placement.name)])).toEqual([
      ["network", ["network/nat-0", "network/nat-eip-1"]],
      ["compute", ["compute/environment-cpu/launch-template"]],
      ["metadata service", ["metadata/service"]],
      ["API", ["api/stage"]],
    ]);
    expect(review.groups[0].items.map((i) => i.placement.from)).toEqual(["metadata", "logical id"]);
  });

  test("the terminal lists each area with its counts and paths, and keeps the addresses in the details", () => {
    const text = renderTerminal(review);
    const section = text.slice(text.indexOf("Changes by area (5 in 4)"), text.indexOf("Details by Terraform address"));
    expect(section).toContain("  network: 1 to replace, destroy first, 1 to delete\n    -/+ network/nat-0      aws_nat_gateway\n    -   network/nat-eip-1  aws_eip");
    expect(section).toContain("  metadata service: 1 to update in place\n    ~ metadata/service  aws_ecs_service");
    expect(section).not.toContain(template);
    expect(text).toContain(`+ ${template}  (compute/environment-cpu/launch-template)`);
  });

  test("a destructive change shows its path, and the address --allow takes", () => {
    const text = renderTerminal(review);
    expect(text).toContain(`-/+ network/nat-0: replace (destroy, then create)\n      address: ${nat}`);
  });

  test("the Markdown has a table of areas and each area's paths, then the details by address", () => {
    const md = renderMarkdown(review);
    expect(md).toContain("| Area | Changes |\n|---|---|\n| network | 1 to replace, destroy first, 1 to delete |\n| compute | 1 to create |");
    expect(md).toContain("<details><summary>network: 1 to replace, destroy first, 1 to delete</summary>\n\n```diff\n- network/nat-0  (aws_nat_gateway)\n- network/nat-eip-1  (aws_eip)\n```");
    expect(md).toContain("<details><summary>metadata service: 1 to update in place</summary>\n\n```diff\n! metadata/service  (aws_ecs_service)");
    expect(md.indexOf("#### Changes by area")).toBeLessThan(md.indexOf("#### Details by Terraform address"));
    expect(md.indexOf("#### Details by Terraform address")).toBeLessThan(md.indexOf(`+ ${template}`));
    expect(md).toContain(`\`network/nat-0\` (\`${nat}\`): **replace (destroy, then create)**`);
  });
});

describe("without it", () => {
  test("a plan of modules is grouped by module, the root module first, each change by its address within", () => {
    const review = reviewJson(plan([
      rc('module.vpc.module.nat["a.b"].aws_eip.this[0]', ["create"]),
      rc("aws_s3_bucket.logs", ["update"]),
      rc("module.vpc.aws_subnet.private[1]", ["create"]),
      rc("module.db.aws_db_instance.this", ["delete"]),
    ]));
    expect(review.groupedBy).toBe("module");
    expect(review.groups.map((g) => [g.title, g.items.map((i) => i.placement.name)])).toEqual([
      ["root module", ["aws_s3_bucket.logs"]],
      ["module.db", ["aws_db_instance.this"]],
      ["module.vpc", ["aws_subnet.private[1]"]],
      ['module.vpc.module.nat["a.b"]', ["aws_eip.this[0]"]],
    ]);
    expect(renderTerminal(review)).toContain("Changes by module (4 in 4)\n  root module: 1 to update in place\n    ~ aws_s3_bucket.logs\n");
    expect(renderMarkdown(review)).toContain("| Module | Changes |");
  });

  test("the project's own plan without its stack is placed by module, not by logical id", () => {
    const review = reviewJson(changes);
    expect(review.groupedBy).toBe("module");
    expect(review.groups.map((g) => g.title)).toEqual(["root module"]);
  });

  test("a plan whose changes are all in the root module has no grouped section (it would repeat the lists)", () => {
    expect(renderTerminal(reviewJson(changes))).not.toContain("Changes by");
    expect(renderMarkdown(reviewJson(changes))).not.toContain("Changes by");
  });

  test.each([
    ["module.a.aws_x.y", "module.a"],
    ['module.a["k.1"].module.b[0].aws_x.y[2]', 'module.a["k.1"].module.b[0]'],
    ["aws_x.y", ""],
    ["module.a.data.aws_x.y", "module.a"],
  ])("moduleOf(%s) is %s", (address, module) => {
    expect(moduleOf(address)).toBe(module);
  });
});

describe("the CLI's --stack", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-review-areas-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };

  test("groups by area with the stack file", () => {
    const result = runReview(write("plan.json", changes), "--stack", write("cdk.tf.json", stack));
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Changes by area (5 in 4)");
  });

  test.each([
    ["missing.json", /^error: cannot read stack file .*missing\.json: no such file\n$/],
    ["broken.json", /^error: .*broken\.json is not JSON; --stack takes a synthesized stack/],
    ["plan-as-stack.json", /^error: .*plan-as-stack\.json is not a synthesized stack \(no resource or terraform block\)/],
  ])("fails with one line on an unreadable stack file (%s)", (name, message) => {
    if (name === "broken.json") write(name, "{ not json");
    if (name === "plan-as-stack.json") write(name, changes);
    const result = runReview(write("plan2.json", changes), "--stack", path.join(dir, name));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

describe("a large plan with its stack", () => {
  // Every resource of the default stack forty times over (instance keys): 4,080 changes.
  const addresses = Object.entries<Record<string, unknown>>(stack.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
  const big = plan(addresses.flatMap((a) => Array.from({ length: 40 }, (_, i) => rc(`${a}[${i}]`, i % 3 === 0 ? ["update"] : ["create"]))));
  const md = renderMarkdown(reviewJson(big, { stack }));

  test("the Markdown stays within GitHub's limit, keeps the table of areas, and says what it left out", () => {
    const { GITHUB_COMMENT_LIMIT } = require("../../review");
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("| Area | Changes |");
    expect(md).toContain("**Truncated:**");
  });

  test("the cost and the diagram come before the long lists, and the diagram is whole", () => {
    const start = md.indexOf("```mermaid");
    expect(start).toBeGreaterThan(md.indexOf("#### Idle cost"));
    expect(md.indexOf("\n```\n", start)).toBeGreaterThan(start);
    expect(md.indexOf("<details><summary>network:")).toBeGreaterThan(start);
    expect((md.match(/```/g) ?? []).length % 2).toBe(0);
  });
});
