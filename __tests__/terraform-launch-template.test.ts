import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";
import { describeWithTerraform, stateFromPlan, TerraformDir } from "./support/terraform";

/**
 * A launch-template change, planned by real terraform offline against a state derived from the create
 * plan: every EC2-backed environment (on-demand, spot, GPU) is replaced create-first, so the plan says so
 * from the start (a compute environment following `latest_version` used to plan an update and then fail
 * with "Provider produced inconsistent final plan"), and its queues are updated, never deleted. The
 * emulator suite applies the same change for real.
 */

const EC2_KINDS = ["ondemand", "spot", "gpu"];
const withRootVolumes = (extra: Record<string, object>) => ({
  compute: {
    ...ALL_KINDS.compute,
    computeEnvironments: ALL_KINDS.compute.computeEnvironments.map((ce) => ({ ...ce, ...(extra[ce.name] ?? {}) })),
  },
});

describeWithTerraform("a launch-template change (offline plan, real terraform)", () => {
  let tf: TerraformDir;
  let changes: Record<string, string[]>;
  let templateChanges: Record<string, string[]>;
  let typeChanges: Record<string, string[]>;

  const actionsOf = (plan: any) =>
    Object.fromEntries(plan.resource_changes.filter((c: any) => c.change.actions.join() !== "no-op").map((c: any) => [c.address, c.change.actions]));
  /** The construct path of an address (`compute_environment-gpu_launch-template_1A2B3C4D` -> `environment-gpu/launch-template`). */
  const pathOf = (address: string) => address.split(".")[1].replace(/^compute_/, "").replace(/_[0-9A-F]{8}$/, "").replace(/_/g, "/");

  beforeAll(() => {
    const before = synth(ALL_KINDS).json;
    tf = new TerraformDir(before, "launch-template");
    tf.init();
    const create = tf.plan();
    tf.writeState(stateFromPlan(create, before, tf.providerSchemas()));
    // Every EC2 environment's template changes (a bigger root volume).
    const bigger = Object.fromEntries(EC2_KINDS.map((name) => [name, { rootVolumeGiB: 300 }]));
    tf.writeStack(synth(withRootVolumes(bigger)).json);
    templateChanges = actionsOf(tf.planJson());
    // Only the instance types of the on-demand environment change: not a template change.
    tf.writeStack(synth(withRootVolumes({ ondemand: { instanceTypes: ["c7i", "m7i"] } })).json);
    typeChanges = actionsOf(tf.planJson());
    changes = templateChanges;
  });
  afterAll(() => tf?.remove());

  test.each(EC2_KINDS)("the %s environment is replaced, the new one created before the old one is deleted", (name) => {
    const address = Object.keys(changes).find((a) => a.startsWith("aws_batch_compute_environment.") && pathOf(a) === `environment-${name}/environment`);
    expect(address).toBeDefined();
    expect(changes[address!]).toEqual(["create", "delete"]);
  });

  test.each(EC2_KINDS)("the %s environment's template is updated in place (a new version)", (name) => {
    const address = Object.keys(changes).find((a) => a.startsWith("aws_launch_template.") && pathOf(a) === `environment-${name}/launch-template`);
    expect(changes[address!]).toEqual(["update"]);
  });

  test("the queues over them are updated to the new environments, none deleted", () => {
    const queues = Object.entries(changes).filter(([a]) => a.startsWith("aws_batch_job_queue."));
    expect(queues.length).toBeGreaterThan(0);
    for (const [, actions] of queues) expect(actions).toEqual(["update"]);
  });

  test("the Fargate environments, which have no template, are untouched", () => {
    const fargate = Object.keys(changes).filter((a) => a.startsWith("aws_batch_compute_environment.") && /fargate/.test(pathOf(a)));
    expect(fargate).toEqual([]);
  });

  test("nothing else is replaced or deleted", () => {
    const destructive = Object.entries(changes).filter(([a, actions]) => actions.includes("delete") && !a.startsWith("aws_batch_compute_environment."));
    expect(destructive).toEqual([]);
  });

  test("new instance types alone replace only that environment, create-first (with the dedicated service role Batch cannot update it in place), and no template", () => {
    const environments = Object.entries(typeChanges).filter(([a]) => a.startsWith("aws_batch_compute_environment."));
    expect(environments).toEqual([[expect.stringContaining("compute_environment-ondemand_environment_"), ["create", "delete"]]]);
    expect(Object.keys(typeChanges).filter((a) => a.startsWith("aws_launch_template."))).toEqual([]);
  });
});
