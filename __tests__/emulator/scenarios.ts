import * as fs from "fs";
import * as path from "path";
import { notCreatedAddresses } from "../../flow/emulator/override";
import { changedAttributes, CommandResult, Deployment, ROOT } from "../support/emulator";

/**
 * The emulator suite's scenarios, each driven through the project's commands and read back through the
 * AWS API. Each returns what happened; deployments.test.ts asserts on it, one behaviour per test.
 */

export const FLOW_FILE = path.join(ROOT, "examples", "flows", "foreach_flow.py");
export const FLOW_NAME = "ForeachFlow";

/** Addresses of every managed resource in a synthesized stack. */
export function synthesizedAddresses(stack: any): string[] {
  return Object.entries<Record<string, unknown>>(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

/** Addresses of every managed resource in a `terraform show -json` state. */
export function stateAddresses(state: any): string[] {
  return (state.values?.root_module?.resources ?? []).filter((r: any) => r.mode === "managed").map((r: any) => r.address);
}

export function stateResource(state: any, address: string): any {
  return (state.values?.root_module?.resources ?? []).find((r: any) => r.address === address)?.values;
}

/** The state's resources of `type` whose construct path (from the synthesized stack) ends with `suffix`. */
export function addressOf(stack: any, type: string, pathSuffix: string): string {
  const found = Object.entries<any>(stack.resource?.[type] ?? {}).filter(([, body]) => String(body["//"]?.metadata?.path).endsWith(pathSuffix));
  if (found.length !== 1) throw new Error(`expected one ${type} at */${pathSuffix}, found ${found.length}`);
  return `${type}.${found[0][0]}`;
}

export interface Created {
  readonly plan: CommandResult;
  readonly apply: CommandResult;
  /** What the create plan would create, by address. */
  readonly planned: string[];
}

/** Plan from empty, review, apply: the user's first deploy. */
export async function createFromEmpty(d: Deployment, config: object): Promise<Created> {
  d.writeConfig(config);
  const plan = await d.command("plan");
  if (plan.code !== 2) throw new Error(`the create plan of ${d.environment} exited ${plan.code}:\n${plan.stderr}`);
  const planned = d.savedPlan().resource_changes.filter((c: any) => c.change.actions.includes("create")).map((c: any) => c.address);
  const apply = await d.command("apply", "--quiet");
  return { plan, apply, planned };
}

export interface AfterCreate {
  readonly synthesized: string[];
  /** Synthesized addresses the emulator does not create (gaps.ts NOT_CREATED). */
  readonly notCreated: string[];
  readonly inState: string[];
  readonly inventory: Awaited<ReturnType<Deployment["inventory"]>>;
  /** `type.attribute` of every change a plan shows with the emulator's artifacts not ignored. */
  readonly artifactDiffs: string[];
  /** `npm run plan` again, as a user would. */
  readonly replan: CommandResult;
}

/** What exists after the first apply, and the plans that follow it. */
export async function checkAfterCreate(d: Deployment): Promise<AfterCreate> {
  const stack = d.stackJson();
  const state = await d.state();
  const inventory = await d.inventory();
  const artifactDiffs = changedAttributes(await d.planShowingArtifacts());
  const replan = await d.command("plan");
  return {
    synthesized: synthesizedAddresses(stack),
    notCreated: notCreatedAddresses(stack),
    inState: stateAddresses(state),
    inventory,
    artifactDiffs,
    replan,
  };
}

export interface ChangeResult {
  readonly name: string;
  readonly plan: CommandResult;
  /** Actions per address of the saved plan (only changed ones). */
  readonly actions: Record<string, string[]>;
  readonly apply: CommandResult;
  readonly replan: CommandResult;
  /** Read back through the API after the apply. */
  readonly observed: any;
}

/** One day-two change: write the config, plan, apply, plan again, then read back what the change made. */
export async function change(d: Deployment, name: string, config: object, observe: () => Promise<any>): Promise<ChangeResult> {
  d.writeConfig(config);
  const plan = await d.command("plan");
  const actions: Record<string, string[]> = {};
  if (fs.existsSync(d.saved.jsonFile)) {
    for (const rc of d.savedPlan().resource_changes ?? []) if (rc.change.actions.join() !== "no-op") actions[rc.address] = rc.change.actions;
  }
  const apply = plan.code === 2 ? await d.command("apply", "--quiet") : plan;
  const replan = await d.command("plan");
  return { name, plan, actions, apply, replan, observed: await observe() };
}

/** Every S3 object under a prefix (all pages). */
export async function listObjects(d: Deployment, bucket: string, prefix: string): Promise<any[]> {
  const objects: any[] = [];
  let token: string | undefined;
  do {
    const page = await d.call("s3", "list_objects_v2", { Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) });
    objects.push(...(page.Contents ?? []));
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

export interface MetaflowResult {
  readonly profileCommand: CommandResult;
  readonly profile: Record<string, string>;
  readonly run: CommandResult;
  readonly artifacts: any[];
  /** head_object of the first artifact. */
  readonly artifactHead: any;
  readonly clientRead: CommandResult;
  readonly sfnCreate: CommandResult;
  readonly stateMachine?: any;
  readonly rule?: any;
  readonly ruleTargets?: any[];
  readonly batchRun: CommandResult;
  readonly jobDefinitions: any[];
  readonly jobs: any[];
}

/** The real Metaflow client with the profile `npm run profile` wrote: run, read back, schedule, Batch. */
export async function runMetaflow(d: Deployment): Promise<MetaflowResult> {
  const profileCommand = await d.command("profile");
  const profileFile = path.join(d.metaflowHome, `config_${d.environment}-emulator.json`);
  const profile = fs.existsSync(profileFile) ? JSON.parse(fs.readFileSync(profileFile, "utf8")) : {};
  const flowDir = path.join(d.root, "flow");
  fs.mkdirSync(flowDir, { recursive: true });
  fs.copyFileSync(FLOW_FILE, path.join(flowDir, "foreach_flow.py"));

  const run = await d.python(["foreach_flow.py", "--no-pylint", "run"], flowDir);
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(profile.METAFLOW_DATASTORE_SYSROOT_S3 ?? "s3:///") ?? [];
  const artifacts = bucket ? await listObjects(d, bucket, `${prefix}/${FLOW_NAME}/`) : [];
  const data = artifacts.find((o) => o.Key.includes("/data/")) ?? artifacts[0];
  const artifactHead = data ? await d.call("s3", "head_object", { Bucket: bucket, Key: data.Key }) : undefined;
  const clientRead = await d.python(
    [
      "-c",
      `import json; from metaflow import Flow, namespace; namespace(None); r = Flow(${JSON.stringify(FLOW_NAME)}).latest_run; ` +
        `print(json.dumps({"id": r.id, "successful": r.successful, "total": r.data.total, "steps": sorted(s.id for s in r)}))`,
    ],
    flowDir,
  );

  const sfnCreate = await d.python(["foreach_flow.py", "--no-pylint", "step-functions", "create", "--log-execution-history"], flowDir);
  const name = `${profile.METAFLOW_SFN_STATE_MACHINE_PREFIX}_${FLOW_NAME}`;
  const machines = (await d.call("stepfunctions", "list_state_machines")).stateMachines ?? [];
  const machine = machines.find((m: any) => m.name === name);
  const stateMachine = machine ? await d.call("stepfunctions", "describe_state_machine", { stateMachineArn: machine.stateMachineArn }) : undefined;
  const rules = (await d.call("events", "list_rules", { NamePrefix: profile.METAFLOW_SFN_STATE_MACHINE_PREFIX })).Rules ?? [];
  const rule = rules.find((r: any) => r.Name === name);
  const ruleTargets = rule ? (await d.call("events", "list_targets_by_rule", { Rule: rule.Name })).Targets : undefined;

  const batchRun = await d.python(["foreach_flow.py", "--no-pylint", "run", "--with", "batch"], flowDir);
  const jobDefinitions = (await d.call("batch", "describe_job_definitions", { status: "ACTIVE" })).jobDefinitions ?? [];
  const jobs: any[] = [];
  for (const status of ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"]) {
    const page = await d.call("batch", "list_jobs", { jobQueue: profile.METAFLOW_BATCH_JOB_QUEUE, jobStatus: status });
    jobs.push(...(page.jobSummaryList ?? []).map((j: any) => ({ ...j, status })));
  }
  const described = jobs.length ? (await d.call("batch", "describe_jobs", { jobs: jobs.map((j) => j.jobId) })).jobs : [];
  return { profileCommand, profile, run, artifacts, artifactHead, clientRead, sfnCreate, stateMachine, rule, ruleTargets, batchRun, jobDefinitions, jobs: described };
}

/**
 * The shared-vpc example reuses a VPC, subnets, a bucket, a KMS key and a permissions boundary: made here
 * first through the API, and the example's ids replaced by theirs (moto picks its own ids). The HCL twin's
 * emulator lane (hcl-examples.test.ts) reuses it, as its existing_network and existing_bucket.
 */
export async function seedExistingNetwork(d: Deployment, config: any): Promise<object> {
  const vpc = (await d.call("ec2", "create_vpc", { CidrBlock: "10.20.0.0/16" })).Vpc.VpcId;
  const subnet = async (cidr: string, zone: string) => (await d.call("ec2", "create_subnet", { VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone })).Subnet.SubnetId;
  const privateSubnets = [await subnet("10.20.0.0/20", "us-east-1a"), await subnet("10.20.16.0/20", "us-east-1b")];
  const publicSubnets = [await subnet("10.20.128.0/24", "us-east-1a"), await subnet("10.20.129.0/24", "us-east-1b")];
  await d.call("s3", "create_bucket", { Bucket: config.storage.bucketName });
  const key = (await d.call("kms", "create_key", { Description: "the existing datastore key" })).KeyMetadata.Arn;
  const boundaryName = config.permissionsBoundaryArn.split("/").pop();
  await d.call("iam", "create_policy", {
    PolicyName: boundaryName,
    PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
  });
  return {
    ...config,
    network: { ...config.network, vpcId: vpc, privateSubnetIds: privateSubnets, publicSubnetIds: publicSubnets },
    storage: { ...config.storage, kmsKeyArn: key },
  };
}
