import * as fs from "fs";
import * as path from "path";
import { offlineOverride } from "../flow/offline";
import {
  CONFIG_VARIABLES, moduleArguments, RESHAPED, ROOT_FIELDS, SAME, UI_FIXED, UI_FROM_CONFIG, UI_FROM_METAFLOW, UI_SAME, UI_VARIABLES, uiModuleArguments,
} from "../hcl/config-variables";
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
const OIDC = {
  issuer: "https://login.example.com", authorizationEndpoint: "https://login.example.com/authorize", tokenEndpoint: "https://login.example.com/token",
  userInfoEndpoint: "https://login.example.com/userinfo", clientId: "metaflow-ui", clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:metaflow-ui-oidc-AbCdEf",
  clientSecretKey: "secret",
};
const modules = synthesizeModules();
const configOf = (example: HclExample) => JSON.parse(fs.readFileSync(path.join(ROOT, exampleConfigFile(example)), "utf8"));

/**
 * Where a twin's plan may differ from the app's, by example and resource type, with the reason. None do:
 * the module builds the same resources from the same constructs.
 */
const DIFFERENCES: Record<string, Record<string, string>> = { production: {}, "no-nat": {}, "shared-vpc": {}, "dev-small": {}, ui: {} };

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
    // And each other side of a choice with fields of its own: TLS verify-full, both job image sources, the UI on.
    const others = [
      { service: { databaseTls: { mode: "verify-full", rootCertPath: "/etc/ssl/certs/rds-global-bundle.pem" } }, compute: { jobImage: { source: "repository", tag: "py311-2026-12" } } },
      { compute: { jobImage: { source: "external", image: "python:3.11" } } },
      configOf(HCL_EXAMPLES.find((e) => e.name === "ui")!),
      { ui: { ...configOf(HCL_EXAMPLES.find((e) => e.name === "ui")!).ui, clientCidrs: [], scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"], auth: "oidc", oidc: OIDC } },
    ].map((raw) => parseEnvironment("dev", raw).config);
    const fields = [...new Set([created, reused, ...others].flatMap((config) => leaves(config, "")))];
    const covered = (field: string) =>
      Object.keys(ROOT_FIELDS).some((f) => field === f || field.startsWith(`${f}.`)) ||
      SAME.some(([f]) => field === f) ||
      RESHAPED.some(([, fs]) => fs.includes(field)) ||
      UI_SAME.some(([f]) => field === f) ||
      Object.keys(UI_FIXED).some((f) => field === f || field.startsWith(`${f}.`));
    expect(fields.filter((f) => !covered(f))).toEqual([]);
    expect(fields.filter((f) => f.startsWith("compute.jobImage.") || f.startsWith("service.databaseTls.") || f.startsWith("ui.oidc.")).length).toBeGreaterThan(8);
  });

  test("every variable of the ui module is set by a ui field, another area's field or a metaflow module output, and those outputs exist", () => {
    const ui = modules.find((m) => m.name === "ui")!.json;
    expect(Object.keys(ui.variable).sort()).toEqual([...UI_VARIABLES].sort());
    const outputs = Object.keys(modules.find((m) => m.name === "metaflow")!.json.output);
    expect(UI_FROM_METAFLOW.map(([, o]) => o).filter((o) => !outputs.includes(o))).toEqual([]);
    // Fields of other areas it shares are the metaflow module's too, under the same names.
    expect(UI_FROM_CONFIG.filter(([f, v]) => !(f === "namePrefix" || SAME.some(([g, w]) => g === f && w === v)))).toEqual([]);
  });

  test("uiModuleArguments refuses a UI the ui module cannot build, naming the field and why", () => {
    const ui = configOf(HCL_EXAMPLES.find((e) => e.name === "ui")!).ui;
    expect(uiModuleArguments("dev", {})).toBeUndefined();
    expect(() => uiModuleArguments("dev", { ui: { ...ui, clientCidrs: [], scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] } })).toThrow(
      'ui.scheme is "internet-facing", which the ui module cannot express: the ui module has one shape: an internal load balancer',
    );
    expect(() => uiModuleArguments("dev", { ui: { ...ui, backend: { memoryMiB: 8192 } } })).toThrow("ui.backend.memoryMiB is 8192, which the ui module cannot express");
    expect(() => uiModuleArguments("dev", { ui: { ...ui, hostname: undefined } })).toThrow("ui.hostname is required by the ui module");
    expect(Object.fromEntries(uiModuleArguments("dev", { namePrefix: "acme", accountId: "123456789012", ui })!).cognito_domain_prefix).toBe("acme-dev-ui-123456789012");
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

  // Every example's runs finish here, two examples at a time (each plans its twin and the app's stack at
  // once), before any test reads them: when the tests awaited pipelines all started together, the first
  // test's timeout covered every example's turn on the machine's two cores, and on a loaded machine ran out.
  beforeAll(async () => {
    const inTurn = turns(2);
    for (const example of HCL_EXAMPLES) {
      results.set(
        example.name,
        inTurn(async () => {
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
        }),
      );
      results.get(example.name)!.catch(() => undefined);
    }
    await Promise.allSettled(results.values());
  }, 3_600_000);

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

/** Runs the work given it at most `limit` at a time, in the order given. */
function turns(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

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
