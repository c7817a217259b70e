import * as fs from "fs";
import * as path from "path";
import { artifactDifferences, ARTIFACTS, NOT_CREATED } from "../../flow/emulator/gaps";
import { Emulator } from "../../flow/emulator/server";
import { CommandResult, Deployment, describeWithEmulator, later, ROOT, startSuiteEmulator, SUITE_LOG_DIR } from "../support/emulator";
import {
  addressOf, AfterCreate, change, ChangeResult, checkAfterCreate, Created, createFromEmpty, FLOW_NAME, MetaflowResult, restartWiring, RestartWiring,
  runMetaflow, seedCertificate, seedExistingNetwork, stateAddresses, UiReadBack, uiReadBack,
} from "./scenarios";

/**
 * Every shipped stack applied to the AWS API emulator through `npm run plan`, `apply` and `profile
 * --emulator`, then read back through the API: created from empty, planned again (no changes), changed
 * on day two (each change one apply, then no changes), stopped where a change would destroy data, and
 * used by the real Metaflow client. Two emulators run side by side: one holds the default stack through
 * all its scenarios, the other the examples one after another (emptied between them).
 */

const LONG = 25 * 60_000;
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "environments", `${name}.json`), "utf8"));
const output = (r: CommandResult) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

/** Expects a command's exit code, showing its output when it differs. */
function expectExit(result: CommandResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${output(result)}`);
}

// ---- Day-two configs of the default stack, each a whole config (as a user edits environments/dev.json).
const IMAGE = { service: { imageTag: "v2.5.0" } };
const cpu = (extra: object = {}) => ({ name: "cpu", kind: "ec2", ...extra });
const onlyCpu = (environment: object) => ({ computeEnvironments: [environment], jobQueues: [{ name: "default", computeEnvironments: ["cpu"] }] });
/** A launch-template change (root volume) and an instance-type change together. */
const TEMPLATE = { ...IMAGE, compute: onlyCpu(cpu({ rootVolumeGiB: 100, instanceTypes: ["c7i", "m7i"] })) };
const RETENTION_AND_TAGS = { ...TEMPLATE, tags: { Team: "ml-platform" }, service: { ...IMAGE.service, logRetentionDays: 30 }, network: { mode: "create", flowLogs: { retentionDays: 14 } } };
const withCompute = (environments: object[], queues: object[]) => ({
  compute: { computeEnvironments: [cpu(), ...environments], jobQueues: [{ name: "default", computeEnvironments: ["cpu"] }, ...queues] },
});
const ADD_SPOT = withCompute([{ name: "spot", kind: "spot" }], [{ name: "spot", computeEnvironments: ["spot", "cpu"] }]);
const SWAP_FOR_FARGATE = withCompute([{ name: "fargate", kind: "fargate" }], [{ name: "serverless", computeEnvironments: ["fargate"] }]);
const SCHEDULING_OFF = { ...SWAP_FOR_FARGATE, scheduling: { enabled: false } };
const SCHEDULING_ON = { ...SWAP_FOR_FARGATE, scheduling: { enabled: true } };
/** The user protects every job queue; removing the serverless queue (and its environment) is then blocked. */
const PROTECTED_QUEUES = { ...withCompute([], []), protectedResources: ["aws_batch_job_queue"] };

describeWithEmulator("deployments on the AWS API emulator (moto)", () => {
  const emulators: Emulator[] = [];
  const deployments: Deployment[] = [];
  const steps = {} as {
    create: Promise<Created>;
    checks: Promise<AfterCreate>;
    rotation: Promise<RestartWiring>;
    metaflow: Promise<MetaflowResult>;
    destroyPlan: Promise<{ plan: CommandResult; apply: CommandResult; stillThere: number; before: number }>;
    changes: Record<string, Promise<ChangeResult>>;
    gate: Promise<{ blocked: CommandResult; wrongApproval: CommandResult; approved: CommandResult; apply: CommandResult; replan: CommandResult; queueAddress: string; queues: string[] }>;
    examples: Record<string, Promise<{ deployment: Deployment; created: Created; checks: AfterCreate }>>;
    prefixChange: Promise<{ plan: CommandResult; actions: Record<string, string[]>; apply: CommandResult }>;
    uiReadBack: Promise<UiReadBack>;
  };
  let dev: Deployment;

  const deployment = (emulator: Emulator, environment: string, region: string) => {
    const d = new Deployment(emulator, environment, region);
    deployments.push(d);
    return d;
  };
  let lanes = 0;
  const lane = () => {
    const emulator = startSuiteEmulator(`lane-${++lanes}`);
    emulators.push(emulator);
    return emulator;
  };
  const queueNames = async (d: Deployment) => ((await d.call("batch", "describe_job_queues")).jobQueues ?? []).map((q: any) => q.jobQueueName).sort();
  /** Day-two changes one after another on `d`, each a step tests can await. */
  const changes = (d: Deployment, after: Promise<unknown>, chain: [string, object, () => Promise<any>][]) => {
    let previous = after;
    for (const [name, config, observe] of chain) {
      const step = later(previous.then(() => change(d, name, config, observe)));
      steps.changes[name] = step;
      previous = step;
    }
    return previous;
  };

  beforeAll(() => {
    steps.changes = {};
    steps.examples = {};
    // Six lanes side by side, one emulator each: most of an apply is the provider waiting (2 min 40 s
    // for each database), so they overlap well on two cores.

    // Lane 1, the default stack as a user first meets it: create, read back, the Metaflow client, a destroy plan.
    dev = deployment(lane(), "dev", "us-east-1");
    steps.create = later(createFromEmpty(dev, {}));
    steps.checks = later(steps.create.then(() => checkAfterCreate(dev)));
    steps.rotation = later(steps.checks.then(() => restartWiring(dev, "metaflow-dev")));
    steps.metaflow = later(steps.checks.then(() => steps.rotation.catch(() => undefined)).then(() => runMetaflow(dev)));
    steps.destroyPlan = later(
      steps.metaflow.then(async () => {
        const before = (await dev.inventory()).checked.filter((c) => c.found).length;
        const plan = await dev.command("plan", "--destroy");
        const apply = await dev.command("apply", "--quiet");
        const stillThere = (await dev.inventory()).checked.filter((c) => c.found).length;
        return { plan, apply, stillThere, before };
      }),
    );

    // Lane 2, day two on another default stack: the service image, the launch template, retention and tags.
    const second = deployment(lane(), "dev", "us-east-1");
    const ecsImages = async () => {
      const service = (await second.call("ecs", "describe_services", { cluster: "metaflow-dev-metadata", services: ["metaflow-dev-metadata"] })).services[0];
      const task = (await second.call("ecs", "describe_task_definition", { taskDefinition: service.taskDefinition })).taskDefinition;
      return { taskDefinition: service.taskDefinition, images: task.containerDefinitions.map((c: any) => c.image) };
    };
    changes(second, later(createFromEmpty(second, {})), [
      ["image tag", IMAGE, ecsImages],
      ["launch template and instance types", TEMPLATE, () => batchLayout(second)],
      [
        "log retention and tags",
        RETENTION_AND_TAGS,
        async () => ({
          metadataLogs: (await second.call("logs", "describe_log_groups", { logGroupNamePrefix: "/metaflow/metaflow-dev/metadata-service" })).logGroups,
          flowLogs: (await second.call("logs", "describe_log_groups", { logGroupNamePrefix: "/metaflow/metaflow-dev/vpc-flow-logs" })).logGroups,
          vpcs: (await second.call("ec2", "describe_vpcs", { Filters: [{ Name: "tag:Environment", Values: ["dev"] }] })).Vpcs,
        }),
      ],
    ]);

    // Lane 3, day two on a third default stack: compute environments and queues, scheduling, the gate.
    const third = deployment(lane(), "dev", "us-east-1");
    const last = changes(third, later(createFromEmpty(third, {})), [
      ["compute environment and queue added", ADD_SPOT, () => batchLayout(third)],
      ["one added, another removed", SWAP_FOR_FARGATE, () => batchLayout(third)],
      ["scheduling off", SCHEDULING_OFF, () => schedulingObserved(third)],
      ["scheduling on again", SCHEDULING_ON, () => schedulingObserved(third)],
    ]);
    steps.gate = later(
      last.then(async () => {
        const queueAddress = addressOf(third.stackJson(), "aws_batch_job_queue", "compute/queue-serverless");
        const defaultQueue = addressOf(third.stackJson(), "aws_batch_job_queue", "compute/queue-default");
        third.writeConfig(PROTECTED_QUEUES);
        const blocked = await third.command("plan");
        const wrongApproval = await third.command("plan", "--allow", defaultQueue);
        const approved = await third.command("plan", "--allow", queueAddress);
        const apply = await third.command("apply", "--quiet");
        const replan = await third.command("plan");
        return { blocked, wrongApproval, approved, apply, replan, queueAddress, queues: await queueNames(third) };
      }),
    );

    // Lanes 4 and 5, the examples; lane 4 empties its emulator between them.
    const exampleLane = (emulator: Emulator, runs: [string, string, (d: Deployment) => Promise<object>][]) => {
      let previous: Promise<unknown> = Promise.resolve();
      for (const [name, region, configure] of runs) {
        const run = later(
          previous.catch(() => undefined).then(async () => {
            emulator.reset();
            const d = deployment(emulator, name, region);
            const created = await createFromEmpty(d, await configure(d));
            return { deployment: d, created, checks: await checkAfterCreate(d) };
          }),
        );
        steps.examples[name] = run;
        previous = run;
      }
    };
    exampleLane(lane(), [
      ["production", "eu-west-1", async () => example("production")],
      ["shared-vpc", "us-east-1", (d) => seedExistingNetwork(d, example("shared-vpc"))],
    ]);
    exampleLane(lane(), [["no-nat", "us-west-2", async () => example("no-nat")]]);
    // Lane 6, the UI example: its ACM certificate imported into the emulator first.
    exampleLane(lane(), [["ui", "us-east-1", (d) => seedCertificate(d, example("ui"))]]);
    steps.uiReadBack = later(steps.examples["ui"].then(({ deployment: d }) => uiReadBack(d)));
    steps.prefixChange = later(
      steps.examples["shared-vpc"].then(async ({ deployment: d }) => {
        // A new name prefix renames everything: the database in place, the table only by replacing it.
        const config = JSON.parse(fs.readFileSync(path.join(d.configDir, "shared-vpc.json"), "utf8"));
        d.writeConfig({ ...config, namePrefix: "mf2" });
        const plan = await d.command("plan");
        const actions: Record<string, string[]> = {};
        if (fs.existsSync(d.saved.jsonFile)) for (const rc of d.savedPlan().resource_changes ?? []) actions[rc.address] = rc.change.actions;
        const apply = await d.command("apply", "--quiet");
        return { plan, actions, apply };
      }),
    );
  });

  afterAll(async () => {
    await Promise.allSettled([steps.destroyPlan, steps.gate, steps.prefixChange, steps.uiReadBack, ...Object.values(steps.changes ?? {}), ...Object.values(steps.examples ?? {})]);
    for (const e of emulators) e.stop();
    const timings = deployments.map((d) => `${d.environment}: ${d.log.map((l) => `${l.command} ${l.seconds.toFixed(0)}s`).join(", ")}`);
    // eslint-disable-next-line no-console
    console.log(`emulator suite timings\n${timings.join("\n")}\nemulator logs: ${SUITE_LOG_DIR}`);
    for (const d of deployments) d.remove();
  }, LONG);

  describe("the default stack", () => {
    test("the create plan is reviewed (exit 2) and applied in one apply", async () => {
      const { plan, apply } = await steps.create;
      expect(plan.stdout).toMatch(/Plan: \d+ to create/);
      expectExit(apply, 0);
      expect(apply.stderr).toContain("Applied the reviewed plan of metaflow-dev");
    }, LONG);

    test("every synthesized resource is in the state, except the emulator's gap list", async () => {
      const { synthesized, notCreated, inState } = await steps.checks;
      expect(notCreated.length).toBeGreaterThan(0);
      expect([...inState].sort()).toEqual(synthesized.filter((a) => !notCreated.includes(a)).sort());
    }, LONG);

    test("every resource in the state answers a describe call", async () => {
      const { inventory } = await steps.checks;
      expect(inventory.unsupported).toEqual([]);
      expect(inventory.checked.filter((c) => !c.found)).toEqual([]);
      expect(inventory.checked.length).toBe((await steps.checks).inState.length);
    }, LONG);

    test("the next plan has no changes: npm run plan exits 0", async () => {
      const { replan } = await steps.checks;
      expectExit(replan, 0);
      expect(replan.stderr).toContain("No changes: nothing to apply.");
    }, LONG);

    test("with the emulator's artifacts shown, the only differences are the listed artifacts", async () => {
      const { artifactDiffs } = await steps.checks;
      const { listed, consequences } = artifactDifferences();
      expect(artifactDiffs.filter((d) => !listed.includes(d) && !consequences.includes(d))).toEqual([]);
    }, LONG);
  });

  describe("the database password rotates, and the metadata service restarts to read it", () => {
    test("the database's RDS-managed master secret rotates every 7 days (the default), not on apply", async () => {
      const { secret } = await steps.rotation;
      expect(secret.RotationEnabled).toBe(true);
      expect(secret.RotationRules.AutomaticallyAfterDays).toBe(7);
    }, LONG);

    test("the rule's pattern, as the API returns it, matches a RotationSucceeded of exactly that secret, not another secret's, not a failed rotation (moto's pattern engine)", async () => {
      const { matches } = await steps.rotation;
      expect(matches).toEqual({ thisSecret: true, otherSecret: false, failed: false });
    }, LONG);

    test("the rule's one target is the restart state machine, started with its own events role", async () => {
      const { targets, stateMachine } = await steps.rotation;
      expect(targets).toHaveLength(1);
      expect(targets[0].Arn).toBe(stateMachine.stateMachineArn);
      expect(targets[0].RoleArn).toMatch(/:role\/metaflow-dev-restart-metadata-events$/);
    }, LONG);

    test("the state machine forces a new deployment of exactly the metadata service, in its cluster", async () => {
      const { definition, service, clusterArn } = await steps.rotation;
      const task = definition.States[definition.StartAt];
      expect(task.Resource).toBe("arn:aws:states:::aws-sdk:ecs:updateService");
      expect(task.Parameters).toEqual({ Cluster: clusterArn, Service: service.serviceArn, ForceNewDeployment: true });
      expect(task.End).toBe(true);
    }, LONG);

    test("each role may make its one call on only that service or state machine", async () => {
      const { policies, stateMachine, targets, service } = await steps.rotation;
      const allows = (roleArn: string) =>
        policies[roleArn].flatMap((p) => p.Statement).filter((s: any) => s.Resource !== "*").map((s: any) => [s.Action, s.Resource]);
      expect(allows(stateMachine.roleArn)).toEqual([[["ecs:UpdateService"], service.serviceArn]]);
      expect(allows(targets[0].RoleArn)).toEqual([[["states:StartExecution"], stateMachine.stateMachineArn]]);
    }, LONG);
  });

  describe("the real Metaflow client with the profile npm run profile wrote", () => {
    test("npm run profile --emulator writes the profile the stack outputs", async () => {
      const { profileCommand, profile } = await steps.metaflow;
      expectExit(profileCommand, 0);
      expect(profile.METAFLOW_DATASTORE_SYSROOT_S3).toMatch(/^s3:\/\/metaflow-dev-ds-[a-z0-9]+\/metaflow$/);
      expect(profile.METAFLOW_BATCH_JOB_QUEUE).toBe("metaflow-dev-default");
      expect(profile.METAFLOW_SERVICE_AUTH_KEY).toMatch(/^\S{20,}$/);
    }, LONG);

    test("a flow runs, and its artifacts land under METAFLOW_DATASTORE_SYSROOT_S3", async () => {
      const { run, artifacts } = await steps.metaflow;
      expectExit(run, 0);
      expect(run.stderr + run.stdout).toMatch(/sum of squares: 14/);
      expect(artifacts.length).toBeGreaterThan(5);
    }, LONG);

    test("the artifacts are encrypted with the stack's datastore KMS key", async () => {
      const { artifactHead } = await steps.metaflow;
      const state = await dev.state();
      const key = stateAddresses(state).find((a) => a.startsWith("aws_kms_key.storage_key"));
      const keyArn = (state.values.root_module.resources as any[]).find((r) => r.address === key).values.arn;
      expect(artifactHead.ServerSideEncryption).toBe("aws:kms");
      expect(artifactHead.SSEKMSKeyId).toBe(keyArn);
    }, LONG);

    test("the Client API reads the run back", async () => {
      const { clientRead } = await steps.metaflow;
      expectExit(clientRead, 0);
      const read = JSON.parse(clientRead.stdout.trim().split("\n").pop()!);
      expect(read).toMatchObject({ successful: true, total: 14, steps: ["end", "join", "square", "start"] });
    }, LONG);

    test("step-functions create makes <prefix>_<flow> with the profile's role and execution-log group", async () => {
      const { sfnCreate, stateMachine, profile } = await steps.metaflow;
      expectExit(sfnCreate, 0);
      expect(stateMachine?.name).toBe(`metaflow-dev_${FLOW_NAME}`);
      expect(stateMachine?.roleArn).toBe(profile.METAFLOW_SFN_IAM_ROLE);
      expect(stateMachine?.loggingConfiguration?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn).toBe(profile.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN);
    }, LONG);

    test("@schedule makes an EventBridge rule whose target uses the profile's events role", async () => {
      const { rule, ruleTargets, profile } = await steps.metaflow;
      expect(rule?.ScheduleExpression).toMatch(/^cron\(/);
      expect(ruleTargets?.map((t: any) => t.RoleArn)).toEqual([profile.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE]);
    }, LONG);

    test("run --with batch registers a job definition with the job role and submits to the profile's queue", async () => {
      const { jobDefinitions, jobs, profile, batchRun } = await steps.metaflow;
      // The job itself fails on the emulator (no Docker here; gaps.ts LIMITS), so the run exits non-zero.
      expect(batchRun.code).not.toBe(0);
      const definitions = jobDefinitions.filter((d: any) => d.jobDefinitionName.startsWith("metaflow_"));
      expect(definitions.length).toBeGreaterThan(0);
      expect(definitions.map((d: any) => d.containerProperties.jobRoleArn)).toContain(profile.METAFLOW_ECS_S3_ACCESS_IAM_ROLE);
      const submitted = jobs.filter((j: any) => j.jobName.includes(FLOW_NAME));
      expect(submitted.length).toBeGreaterThan(0);
      expect(submitted[0].jobQueue).toMatch(/job-queue\/metaflow-dev-default$/);
    }, LONG);
  });

  describe("day-two changes, each one apply and then no changes", () => {
    const appliedOnce = async (name: string) => {
      const result = await steps.changes[name];
      expectExit(result.plan, 2);
      expectExit(result.apply, 0);
      expectExit(result.replan, 0);
      return result;
    };

    test("a new service image tag: the service runs a task definition with the new image", async () => {
      const { observed } = await appliedOnce("image tag");
      expect(observed.images).toEqual(["netflixoss/metaflow_metadata_service:v2.5.0", "netflixoss/metaflow_metadata_service:v2.5.0"]);
    }, LONG);

    test("a launch-template change (root volume) with new instance types: the environment is replaced create-first, the queue moves to it, the old one is gone", async () => {
      const result = await appliedOnce("launch template and instance types");
      const environment = Object.entries(result.actions).find(([a]) => a.startsWith("aws_batch_compute_environment."));
      expect(environment?.[1]).toEqual(["create", "delete"]);
      const { environments, queues, templates } = result.observed;
      const live = environments.filter((ce: any) => ce.status !== "DELETED" && ce.state === "ENABLED");
      expect(live).toHaveLength(1);
      expect(queues[0].computeEnvironmentOrder.map((o: any) => o.computeEnvironment)).toEqual([live[0].computeEnvironmentArn]);
      expect(templates[live[0].computeEnvironmentName].data.BlockDeviceMappings[0].Ebs.VolumeSize).toBe(100);
      expect([...live[0].computeResources.instanceTypes].sort()).toEqual(["c7i", "m7i"]);
    }, LONG);

    test("a compute environment and its queue added: both exist, the queue falls back to the on-demand one", async () => {
      const { observed } = await appliedOnce("compute environment and queue added");
      const names = observed.queues.map((q: any) => q.jobQueueName).sort();
      expect(names).toEqual(["metaflow-dev-default", "metaflow-dev-spot"]);
      const spotQueue = observed.queues.find((q: any) => q.jobQueueName === "metaflow-dev-spot");
      expect(spotQueue.computeEnvironmentOrder).toHaveLength(2);
    }, LONG);

    test("one environment and queue added while another is removed, in one apply; no queue names a deleted environment", async () => {
      const { observed, actions } = await appliedOnce("one added, another removed");
      expect(Object.values(actions).some((a) => a.join() === "delete")).toBe(true);
      expect(observed.queues.map((q: any) => q.jobQueueName).sort()).toEqual(["metaflow-dev-default", "metaflow-dev-serverless"]);
      const live = new Set(observed.environments.filter((ce: any) => ce.status !== "DELETED").map((ce: any) => ce.computeEnvironmentArn));
      for (const q of observed.queues) for (const o of q.computeEnvironmentOrder) expect(live.has(o.computeEnvironment)).toBe(true);
      expect(observed.environments.some((ce: any) => ce.computeEnvironmentName.startsWith("metaflow-dev-spot-") && ce.status !== "DELETED")).toBe(false);
    }, LONG);

    test("log retention and tags change in place", async () => {
      const { observed, actions } = await appliedOnce("log retention and tags");
      expect(Object.keys(actions).length).toBeGreaterThan(50);
      expect(Object.values(actions).every((a) => a.join() === "update")).toBe(true);
      expect(observed.metadataLogs[0].retentionInDays).toBe(30);
      expect(observed.flowLogs[0].retentionInDays).toBe(14);
      expect(observed.vpcs[0].Tags).toEqual(expect.arrayContaining([{ Key: "Team", Value: "ml-platform" }]));
    }, LONG);

    test("scheduling off removes the Step Functions and EventBridge roles and keeps the table", async () => {
      const { observed, actions } = await appliedOnce("scheduling off");
      expect(Object.entries(actions).filter(([a]) => a.startsWith("aws_dynamodb_table."))).toEqual([]);
      expect(observed).toMatchObject({ stepFunctionsRole: false, eventBridgeRole: false, table: "ACTIVE" });
    }, LONG);

    test("scheduling on again brings the roles back with the same table", async () => {
      const off = await steps.changes["scheduling off"];
      const { observed } = await appliedOnce("scheduling on again");
      expect(observed).toMatchObject({ stepFunctionsRole: true, eventBridgeRole: true, table: "ACTIVE" });
      expect(observed.tableArn).toBe(off.observed.tableArn);
    }, LONG);
  });

  describe("changes that would destroy data stop before anything is applied", () => {
    test("a destroy plan stops at prevent_destroy, naming the datastore bucket and the KMS keys and how to go on", async () => {
      const { plan } = await steps.destroyPlan;
      expectExit(plan, 1);
      expect(plan.stderr).toMatch(/protected by prevent_destroy, so Terraform stopped it and nothing was planned/);
      expect(plan.stderr).toMatch(/- aws_s3_bucket\.storage_datastore_bucket_[0-9A-F]{8}/);
      expect(plan.stderr).toMatch(/- aws_kms_key\.storage_key_[0-9A-F]{8}/);
      expect(plan.stderr).toMatch(/- aws_kms_key\.database_key_[0-9A-F]{8}/);
      expect(plan.stderr).toMatch(/undo the config change/);
    }, LONG);

    test("after it, there is no plan to apply and every resource is still there", async () => {
      const { apply, stillThere, before } = await steps.destroyPlan;
      expectExit(apply, 1);
      expect(apply.stderr).toMatch(/no saved plan for dev/);
      expect(stillThere).toBe(before);
    }, LONG);

    test("a new name prefix would replace the table: the gate blocks it (exit 3), says deletion protection is on, and apply refuses", async () => {
      const { plan, actions, apply } = await steps.prefixChange;
      expectExit(plan, 3);
      const table = Object.keys(actions).find((a) => a.startsWith("aws_dynamodb_table."))!;
      expect(actions[table]).toEqual(["delete", "create"]);
      expect(plan.stdout).toContain(`BLOCKED: protected (type aws_dynamodb_table); approve with --allow ${table}`);
      expect(plan.stdout).toMatch(/note: its deletion_protection_enabled is on, so AWS refuses the delete even when approved/);
      expect(plan.stdout).toMatch(/Gate: BLOCKED: 1 protected resource/);
      expectExit(apply, 1);
      expect(apply.stderr).toMatch(/was blocked by the review/);
    }, LONG);

    test("the same new name prefix renames the database in place: nothing of its data is at stake", async () => {
      const { actions } = await steps.prefixChange;
      const database = Object.keys(actions).find((a) => a.startsWith("aws_db_instance."))!;
      expect(actions[database]).toEqual(["update"]);
    }, LONG);

    test("a resource protected in the config is deleted only with --allow for exactly its address", async () => {
      const { blocked, wrongApproval, approved, apply, replan, queueAddress, queues } = await steps.gate;
      expectExit(blocked, 3);
      expect(blocked.stdout).toContain(`approve with --allow ${queueAddress}`);
      expectExit(wrongApproval, 3);
      expect(wrongApproval.stdout).toContain(`${"aws_batch_job_queue"}.`);
      expect(wrongApproval.stdout).toMatch(/matches no delete, replace or forget of a protected resource/);
      expectExit(approved, 2);
      expectExit(apply, 0);
      expectExit(replan, 0);
      expect(queues).toEqual(["metaflow-dev-default"]);
    }, LONG);
  });

  describe.each([
    ["production", "every compute kind, three queues, NAT per zone, three zones"],
    ["no-nat", "internal-only service, no NAT, interface endpoints"],
    ["shared-vpc", "a reused VPC, subnets, bucket and key made in the emulator first"],
    ["ui", "the UI: an internal HTTPS load balancer with Cognito sign-in, the UI services, its certificate imported first"],
  ])("the %s example (%s)", (name) => {
    test("is created from empty in one apply", async () => {
      const { created } = await steps.examples[name];
      expect(created.plan.code).toBe(2);
      expectExit(created.apply, 0);
    }, LONG);

    test("every synthesized resource is in the state and answers a describe call, but the gap list", async () => {
      const { checks } = await steps.examples[name];
      expect([...checks.inState].sort()).toEqual(checks.synthesized.filter((a) => !checks.notCreated.includes(a)).sort());
      expect(checks.inventory.unsupported).toEqual([]);
      expect(checks.inventory.checked.filter((c) => !c.found)).toEqual([]);
    }, LONG);

    test("the next plan has no changes, and with artifacts shown only listed artifacts differ", async () => {
      const { checks } = await steps.examples[name];
      expectExit(checks.replan, 0);
      const { listed, consequences } = artifactDifferences();
      expect(checks.artifactDiffs.filter((d) => !listed.includes(d) && !consequences.includes(d))).toEqual([]);
    }, LONG);
  });

  describe("the UI example, read back through the API", () => {
    test("the load balancer is internal, application, and drops invalid header fields", async () => {
      const { loadBalancer, attributes } = await steps.uiReadBack;
      expect(loadBalancer).toMatchObject({ Scheme: "internal", Type: "application" });
      expect(attributes["routing.http.drop_invalid_header_fields.enabled"]).toBe("true");
    }, LONG);

    test("it serves HTTPS with the imported certificate and the TLS 1.3 policy, and port 80 only redirects", async () => {
      const { https, http, certificateArn } = await steps.uiReadBack;
      expect(https).toMatchObject({ Port: 443, Protocol: "HTTPS", SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
      expect(https.Certificates.map((c: any) => c.CertificateArn)).toEqual([certificateArn]);
      expect(http.DefaultActions).toEqual([expect.objectContaining({ Type: "redirect", RedirectConfig: expect.objectContaining({ Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" }) })]);
    }, LONG);

    test("every forwarding rule signs in with the user pool first; the token route answers 403", async () => {
      const { rules } = await steps.uiReadBack;
      const byPath = Object.fromEntries(rules.filter((r: any) => !r.IsDefault).map((r: any) => [r.Conditions[0].Values?.[0] ?? r.Conditions[0].PathPatternConfig?.Values?.[0], [...r.Actions].sort((a: any, b: any) => a.Order - b.Order).map((a: any) => a.Type)]));
      expect(byPath).toEqual({ "/api/metadata/auth/*": ["fixed-response"], "/api/*": ["authenticate-cognito", "forward"], "/*": ["authenticate-cognito", "forward"] });
    }, LONG);

    test("the user pool lets only admins create users and requires MFA and 14-character passwords", async () => {
      const { pool } = await steps.uiReadBack;
      expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
      expect(pool.MfaConfiguration).toBe("ON");
      expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 14, RequireSymbols: true, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true });
    }, LONG);

    test("both UI services run in the private subnets without public IPs, behind their target groups", async () => {
      const { services } = await steps.uiReadBack;
      expect(services.map((s: any) => [s.serviceName, s.networkConfiguration.awsvpcConfiguration.assignPublicIp, s.loadBalancers[0].containerPort]).sort()).toEqual([
        ["metaflow-ui-ui-backend", "DISABLED", 8083], ["metaflow-ui-ui-static", "DISABLED", 3000],
      ]);
    }, LONG);

    test("npm run profile writes METAFLOW_UI_URL: the configured hostname over HTTPS", async () => {
      const { profileCommand, profile } = await steps.uiReadBack;
      expectExit(profileCommand, 0);
      expect(profile.METAFLOW_UI_URL).toBe("https://metaflow.example.com/");
    }, LONG);
  });

  describe("the gap lists are exact", () => {
    test("every not-created type and every artifact is seen in at least one shipped stack", async () => {
      const all = [await steps.checks, ...(await Promise.all(Object.values(steps.examples))).map((e) => e.checks)];
      const seenDiffs = new Set(all.flatMap((c) => c.artifactDiffs));
      for (const artifact of ARTIFACTS) {
        for (const attribute of artifact.attributes) expect({ artifact: `${artifact.type}.${attribute}`, seen: seenDiffs.has(`${artifact.type}.${attribute}`) }).toEqual({ artifact: `${artifact.type}.${attribute}`, seen: true });
      }
      const notCreated = new Set(all.flatMap((c) => c.notCreated.map((a) => a.split(".")[0])));
      expect([...notCreated].sort()).toEqual(NOT_CREATED.map((g) => g.type).sort());
    }, LONG);
  });
});

/** Whether the Step Functions and EventBridge roles exist, and the table's status and ARN. */
async function schedulingObserved(d: Deployment): Promise<object> {
  const [sfn, events, table] = await d.aws([
    { service: "iam", operation: "get_role", params: { RoleName: "metaflow-dev-step-functions" } },
    { service: "iam", operation: "get_role", params: { RoleName: "metaflow-dev-eventbridge" } },
    { service: "dynamodb", operation: "describe_table", params: { TableName: "metaflow-dev-step-functions" } },
  ]);
  return { stepFunctionsRole: sfn.ok, eventBridgeRole: events.ok, table: table.ok ? table.result.Table.TableStatus : table.code, tableArn: table.result?.Table?.TableArn };
}

/** Batch as it is: environments, queues, and the launch-template version each environment uses. */
async function batchLayout(d: Deployment): Promise<{ environments: any[]; queues: any[]; templates: Record<string, any> }> {
  const environments = (await d.call("batch", "describe_compute_environments")).computeEnvironments ?? [];
  const queues = (await d.call("batch", "describe_job_queues")).jobQueues ?? [];
  const templates: Record<string, any> = {};
  for (const ce of environments) {
    const lt = ce.computeResources?.launchTemplate;
    if (!lt) continue;
    const versions = await d.call("ec2", "describe_launch_template_versions", { LaunchTemplateId: lt.launchTemplateId, Versions: [lt.version] });
    templates[ce.computeEnvironmentName] = { ...lt, data: versions.LaunchTemplateVersions[0]?.LaunchTemplateData };
  }
  return { environments, queues, templates };
}
