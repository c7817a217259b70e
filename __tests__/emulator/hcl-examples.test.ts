import * as fs from "fs";
import * as path from "path";
import { EMULATOR_OVERRIDE_FILE, emulatorOverride, writeModuleOverrides } from "../../flow/emulator/override";
import { moduleArguments } from "../../hcl/config-variables";
import { exampleConfigFile, exampleDir, HCL_EXAMPLES, HclExample } from "../../hcl/example-roots";
import { Deployment, describeWithEmulator, later, ROOT, startSuiteEmulator } from "../support/emulator";
import { HclRoot, Run } from "../support/hcl-root";
import { seedExistingNetwork } from "./scenarios";

/**
 * The HCL twins of the example environments (examples/hcl-<name>) applied on the AWS API emulator with
 * terraform itself (an HCL root has no `npm run plan`), as the app's example lanes in deployments.test.ts
 * apply the app's stacks of the same configs: each twin in a copy with the modules it sources, pointed at
 * the emulator by the override files of flow/emulator/override.ts (the emulator's provider and a local
 * state in the root, the gap workarounds of gaps.ts in every module directory `init` loaded), applied
 * from empty, read back resource by resource through the API (inventory.py), and planned again with no
 * changes, the artifacts gaps.ts lists ignored as the emulator mode ignores them. The shared-vpc twin
 * reuses a VPC, subnets, a bucket, a key and a permissions boundary made on the emulator first by the
 * app's shared-vpc lane's own seeding, passed to the twin as its existing_network and existing_bucket.
 *
 * Three twins, the three shapes the app's lanes apply: production (three zones, a NAT gateway each, every
 * compute kind, the API gateway), no-nat (interface endpoints only, SSE-S3, the service internal) and
 * shared-vpc (a reused network and bucket). They run side by side, one emulator each: most of an apply is
 * the provider's fixed waits (2 min 40 s for each database), so the three take about as long as one, some
 * 6 to 8 minutes with the rest of the emulator suite beside them on two cores (each twin: plan about 30 s,
 * apply about 3.5 min, the read-back 30 s, the second plan 1 min). dev-small is not applied: its NAT
 * instance does not plan clean on the emulator (after the apply, the next plan changes the instance's
 * user_data and adds back its security group, and inventory.py has no check for aws_instance), and no app
 * lane applies that shape either, so gaps.ts has no proven entry to ignore it by; it is proven by its
 * offline plan against the app's and its terraform test (__tests__/hcl-examples.test.ts).
 */

/** The twins applied here (see above for why dev-small is not). */
const APPLIED = ["production", "no-nat", "shared-vpc"];
const TWINS = HCL_EXAMPLES.filter((e) => APPLIED.includes(e.name));

const LONG = 20 * 60_000;

interface Step {
  readonly command: string;
  readonly seconds: number;
}

interface Applied {
  readonly plan: any;
  readonly apply: Run;
  readonly state: any;
  readonly inventory: Awaited<ReturnType<Deployment["inventory"]>>;
  /** `terraform plan -detailed-exitcode` after the apply, the artifacts ignored (as the emulator mode does). */
  readonly replan: Run;
  /** The module resources the emulator does not create (gaps.ts), without instance keys. */
  readonly notCreated: string[];
  readonly steps: Step[];
}

const configOf = (example: HclExample) => JSON.parse(fs.readFileSync(path.join(ROOT, exampleConfigFile(example)), "utf8"));

/** Managed resource addresses of a `terraform show -json` state, child modules included. */
function stateAddresses(state: any): string[] {
  const walk = (module: any): string[] => [
    ...(module?.resources ?? []).filter((r: any) => r.mode === "managed").map((r: any) => r.address),
    ...(module?.child_modules ?? []).flatMap(walk),
  ];
  return walk(state.values?.root_module);
}

/** An address without its instance key: `module.m.aws_x.y[0]` and `module.m.aws_x.y["a"]` are `module.m.aws_x.y`. */
const resourceOf = (address: string) => address.replace(/\[[^\]]*\]$/, "");

/**
 * The root's variables for what a reused-network twin reuses: the example's config with the ids of what
 * seedExistingNetwork made, mapped to variables as `npm run modules` maps the example (moduleArguments).
 */
function existingVariables(example: HclExample, seeded: object): Record<string, unknown> {
  return Object.fromEntries(moduleArguments(example.name, seeded as any).filter(([name]) => name === "existing_network" || name === "existing_bucket"));
}

async function applyOnEmulator(example: HclExample, d: Deployment): Promise<Applied> {
  const config = configOf(example);
  const root = new HclRoot(`emulator-${example.name}`, exampleDir(example), undefined, { offline: false });
  const steps: Step[] = [];
  const timed = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await run();
    } finally {
      steps.push({ command, seconds: (Date.now() - started) / 1000 });
    }
  };
  try {
    // The root has no resources: its override file is the emulator's provider and the local state (before init: it names the backend).
    fs.writeFileSync(path.join(root.dir, EMULATOR_OVERRIDE_FILE), JSON.stringify(emulatorOverride({}, { url: d.emulator.url, statePath: path.join(root.dir, "terraform.tfstate") })));
    await timed("init", () => root.init());
    if (config.network?.mode === "existing") {
      const seeded = await timed("seed", () => seedExistingNetwork(d, config));
      fs.writeFileSync(path.join(root.dir, "emulator.auto.tfvars.json"), JSON.stringify(existingVariables(example, seeded), null, 2));
    }
    const notCreated = writeModuleOverrides(root.dir);
    await timed("plan", () => root.must("plan", "-input=false", "-out=plan.bin"));
    const plan = JSON.parse(await root.must("show", "-json", "plan.bin"));
    const apply = await timed("apply", () => root.run("apply", "-input=false", "plan.bin"));
    const state = JSON.parse(await root.must("show", "-json"));
    const inventory = await timed("inventory", () => d.inventory(state));
    const replan = await timed("plan again", () => root.run("plan", "-input=false", "-lock=false", "-detailed-exitcode"));
    return { plan, apply, state, inventory, replan, notCreated, steps };
  } finally {
    root.remove();
  }
}

describeWithEmulator("the HCL twins applied on the AWS API emulator (moto) with terraform", () => {
  const runs = new Map<string, Promise<Applied>>();
  const deployments: Deployment[] = [];

  beforeAll(() => {
    for (const example of TWINS) {
      const d = new Deployment(startSuiteEmulator(`hcl-${example.name}`), example.name, configOf(example).region ?? "us-east-1");
      deployments.push(d);
      runs.set(example.name, later(applyOnEmulator(example, d)));
    }
  });

  afterAll(async () => {
    const settled = await Promise.allSettled(runs.values());
    for (const d of deployments) d.emulator.stop();
    const report = [...runs.keys()].map((name, i) => {
      const result = settled[i];
      if (result.status === "rejected") return `hcl-${name}: failed: ${String(result.reason).slice(0, 300)}`;
      const { state, steps } = result.value;
      return `hcl-${name}: ${stateAddresses(state).length} resources; ${steps.map((s) => `${s.command} ${s.seconds.toFixed(0)}s`).join(", ")}`;
    });
    // eslint-disable-next-line no-console
    console.log(`HCL twins on the emulator\n${report.join("\n")}`);
    for (const d of deployments) d.remove();
  }, LONG);

  describe.each(TWINS.map((e) => [e.name] as const))("hcl-%s", (name) => {
    const run = () => runs.get(name)!;

    test("terraform apply of the plan from empty succeeds", async () => {
      const { apply } = await run();
      if (!apply.ok) throw new Error(apply.out.slice(-4000));
      expect(apply.out).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
    }, LONG);

    test("the state holds every resource the plan creates, and none of the emulator's gap list (each module's override took effect)", async () => {
      const { plan, state, notCreated } = await run();
      const planned = plan.resource_changes.filter((r: any) => r.mode === "managed" && r.change.actions.includes("create")).map((r: any) => r.address);
      const inState = stateAddresses(state);
      expect(inState.length).toBeGreaterThan(50);
      expect([...inState].sort()).toEqual([...planned].sort());
      expect(notCreated.length).toBeGreaterThan(0);
      expect(inState.filter((a) => notCreated.includes(resourceOf(a)))).toEqual([]);
    }, LONG);

    test("every resource in the state answers a describe call", async () => {
      const { inventory, state } = await run();
      expect(inventory.unsupported).toEqual([]);
      expect(inventory.checked.filter((c) => !c.found)).toEqual([]);
      expect(inventory.checked.length).toBe(stateAddresses(state).length);
    }, LONG);

    test("the next plan has no changes (terraform plan -detailed-exitcode exits 0)", async () => {
      const { replan } = await run();
      expect([replan.code, replan.code === 0 ? "" : replan.out.slice(-3000)]).toEqual([0, ""]);
      expect(replan.out).toContain("No changes.");
    }, LONG);
  });
});
