import * as fs from "fs";
import * as path from "path";
import { offlineOverride } from "../flow/offline";
import { CONFIG_VARIABLES, moduleArguments, RESHAPED, ROOT_FIELDS, SAME } from "../hcl/config-variables";
import { exampleConfigFile, exampleDir, exampleFiles, HCL_EXAMPLES, HclExample } from "../hcl/example-roots";
import { synthesizeModules } from "../hcl/write-modules";
import { parseEnvironment } from "../modules/config/load";
import { createdCounts, HclRoot } from "./support/hcl-root";
import { synth } from "./support/synth";
import { describeWithTerraform } from "./support/terraform";

/**
 * The HCL twins of the app's example environments (examples/hcl-<name>, written by `npm run modules`):
 * committed as generated, formatted, and, with the real provider, valid, planned offline with exactly the
 * resources the app's plan of the same config has (types, counts and names), and tested with
 * `terraform test` against mock_provider.
 */

const ROOT = path.join(__dirname, "..");
const modules = synthesizeModules();
const configOf = (example: HclExample) => JSON.parse(fs.readFileSync(path.join(ROOT, exampleConfigFile(example)), "utf8"));

/**
 * Where a twin's plan may differ from the app's, by example and resource type, with the reason. None do:
 * the module builds the same resources from the same constructs.
 */
const DIFFERENCES: Record<string, Record<string, string>> = { production: {}, "no-nat": {}, "shared-vpc": {}, "dev-small": {} };

/**
 * The reused network's subnets are looked up at plan time (verify_subnets), which needs AWS; offline both
 * plans run with the look-ups off. The look-ups are data sources, not resources: counts are unchanged.
 */
function offlineConfig(example: HclExample): { config: any; args: string[] } {
  const config = configOf(example);
  if (config.network?.mode !== "existing") return { config, args: [] };
  const existing = moduleArguments(example.name, config).find(([name]) => name === "existing_network")![1] as Record<string, unknown>;
  const hcl = `{vpc_id=${JSON.stringify(existing.vpc_id)},private_subnet_ids=${JSON.stringify(existing.private_subnet_ids)},public_subnet_ids=${JSON.stringify(existing.public_subnet_ids)},verify_subnets=false}`;
  return { config: { ...config, network: { ...config.network, verifySubnets: false } }, args: [`-var=existing_network=${hcl}`] };
}

describe("the HCL twins of the example environments", () => {
  test("there is one per example environment", () => {
    const environments = fs.readdirSync(path.join(ROOT, "examples", "environments")).map((f) => path.basename(f, ".json")).sort();
    expect(HCL_EXAMPLES.map((e) => e.name).sort()).toEqual(environments);
  });

  test.each(HCL_EXAMPLES.map((e) => [e.name, e] as const))("%s is committed as npm run modules writes it", (_name, example) => {
    for (const [file, content] of Object.entries(exampleFiles(ROOT, example, modules))) {
      expect([file, fs.readFileSync(path.join(ROOT, file), "utf8")]).toEqual([file, content]);
    }
  });

  test("every variable of the metaflow module is set by a config field, and every config field has a variable or a reason", () => {
    const variables = Object.keys(modules.find((m) => m.name === "metaflow")!.json.variable).sort();
    expect(variables).toEqual([...CONFIG_VARIABLES, "environment"].sort());
    // Every field of a config at its defaults (both modes of network and storage), by path.
    const leaves = (value: any, prefix: string): string[] =>
      value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)) : [prefix];
    const created = parseEnvironment("dev", { network: { mode: "create", natGateways: "instance", natInstanceType: "t4g.nano" } }).config;
    const reused = parseEnvironment("dev", configOf(HCL_EXAMPLES.find((e) => e.name === "shared-vpc")!)).config;
    const fields = [...new Set([...leaves(created, ""), ...leaves(reused, "")])];
    const covered = (field: string) =>
      Object.keys(ROOT_FIELDS).some((f) => field === f || field.startsWith(`${f}.`)) ||
      SAME.some(([f]) => field === f) ||
      RESHAPED.some(([, fs]) => fs.includes(field));
    expect(fields.filter((f) => !covered(f))).toEqual([]);
  });

  test("moduleArguments gives the module what the app derives itself: the region's zones, a queue over the first environment, the first queue as default", () => {
    const args = Object.fromEntries(moduleArguments("dev", { region: "eu-west-1", compute: { computeEnvironments: [{ name: "spot", kind: "spot" }, { name: "od", kind: "ec2" }] } }));
    expect(args.availability_zones).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect(args.job_queues).toEqual({ default: { compute_environments: ["spot"] } });
    expect(args.compute_environments).toEqual({ spot: { kind: "spot" }, od: { kind: "ec2" } });
    const two = Object.fromEntries(moduleArguments("dev", { compute: { computeEnvironments: [{ name: "a", kind: "ec2" }], jobQueues: [{ name: "x", computeEnvironments: ["a"] }, { name: "y", computeEnvironments: ["a"] }] } }));
    expect(two.default_queue).toBe("x");
  });
});

describeWithTerraform("terraform: each HCL twin with the real provider", () => {
  const results = new Map<string, Promise<any>>();

  beforeAll(() => {
    for (const example of HCL_EXAMPLES) {
      results.set(
        example.name,
        (async () => {
          const { config, args } = offlineConfig(example);
          const twin = new HclRoot(example.name, exampleDir(example));
          const stack = synth(config, example.name).json;
          const app = new HclRoot(`${example.name}-app`, "app", { "cdk.tf.json": JSON.stringify(stack) }, { offline: false });
          fs.writeFileSync(path.join(app.dir, "offline_override.tf.json"), JSON.stringify(offlineOverride(stack, path.join(app.dir, "terraform.tfstate"))));
          try {
            await Promise.all([twin.init(), app.init()]);
            const validate = JSON.parse(await twin.must("validate", "-json"));
            const fmt = await twin.run("fmt", "-check", "-recursive");
            const [twinPlan, appPlan] = await Promise.all([twin.planJson(...args), app.planJson()]);
            // terraform test uses mock_provider: no offline settings (and no state file) beside it.
            fs.rmSync(path.join(twin.dir, "offline_override.tf.json"));
            const testRun = await twin.run("test");
            return { validate, fmt, twinPlan, appPlan, testRun };
          } finally {
            twin.remove();
            app.remove();
          }
        })(),
      );
      results.get(example.name)!.catch(() => undefined);
    }
  });

  describe.each(HCL_EXAMPLES.map((e) => [e.name, e] as const))("%s", (name) => {
    const result = () => results.get(name)!;

    test("terraform validate passes with no errors and no warnings, and terraform fmt has nothing to change", async () => {
      const { validate, fmt } = await result();
      expect(validate.diagnostics.map((d: any) => `${d.severity}: ${d.summary}`)).toEqual([]);
      expect(fmt.ok).toBe(true);
    });

    test("the offline plan creates the resource types and counts the app's offline plan of the same config creates (differences listed with reasons)", async () => {
      const { twinPlan, appPlan } = await result();
      const twin = createdCounts(twinPlan);
      const app = createdCounts(appPlan);
      const differences = Object.fromEntries(
        [...new Set([...Object.keys(twin), ...Object.keys(app)])].filter((t) => twin[t] !== app[t]).map((t) => [t, `twin ${twin[t] ?? 0}, app ${app[t] ?? 0}`]),
      );
      expect(Object.keys(differences).sort()).toEqual(Object.keys(DIFFERENCES[name]).sort());
      expect(Object.keys(app).length).toBeGreaterThan(30);
      // Every change is a create: nothing else plans from an empty state.
      expect(twinPlan.resource_changes.filter((r: any) => r.mode === "managed" && r.change.actions.join() !== "create")).toEqual([]);
    });

    test("the resources it plans have the names, prefixes, CIDRs and service endpoints the app's have", async () => {
      const { twinPlan, appPlan } = await result();
      expect(identities(twinPlan)).toEqual(identities(appPlan));
    });

    test("terraform test with mock_provider plans and applies this variable set, and the profile has exactly the app's keys", async () => {
      const { testRun } = await result();
      expect(testRun.out).toContain('run "plan"... pass');
      expect(testRun.out).toContain('run "apply"... pass');
      expect(testRun.out).toMatch(/2 passed, 0 failed/);
      const errors = testRun.out.match(/Error: [A-Z][^:]*?(?= on | with |$)/g) ?? [];
      expect(new Set(errors.map((e: string) => e.trim()))).toEqual(new Set(errors.length ? ["Error: Instance cannot be destroyed"] : []));
    });
  });
});

/** Attributes that say which resource a planned resource is, where the plan knows them. */
const IDENTITY = ["name", "name_prefix", "compute_environment_name_prefix", "bucket_prefix", "identifier", "family", "cidr_block", "service_name", "stage_name", "path_part", "http_method", "type"];

/** Every created resource as `type: attribute=value ...` (its Name tag too), sorted: a multiset to compare. */
function identities(plan: any): string[] {
  return (plan.resource_changes ?? [])
    .filter((rc: any) => rc.mode === "managed" && rc.change.actions.includes("create"))
    .map((rc: any) => {
      const after = rc.change.after ?? {};
      const parts = IDENTITY.filter((k) => typeof after[k] === "string" || typeof after[k] === "number").map((k) => `${k}=${after[k]}`);
      if (after.tags?.Name) parts.push(`Name=${after.tags.Name}`);
      return `${rc.type}: ${parts.join(" ")}`;
    })
    .sort();
}
