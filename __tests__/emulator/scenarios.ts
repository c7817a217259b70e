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

export interface RestartWiring {
  /** The database's RDS-managed master secret, from describe_db_instances. */
  readonly secretArn: string;
  /** describe_secret of that secret: its rotation schedule. */
  readonly secret: any;
  /** The rule's event pattern, parsed. */
  readonly pattern: any;
  readonly targets: any[];
  readonly stateMachine: any;
  /** The state machine's definition, parsed. */
  readonly definition: any;
  /** The metadata service, from describe_services. */
  readonly service: any;
  readonly clusterArn: string;
  /** Inline policies of the state machine's and the target's roles, parsed, by role ARN. */
  readonly policies: Record<string, any[]>;
  /** The rule's pattern (moto's pattern engine) on a RotationSucceeded event of this secret, of another secret, and a RotationFailed. */
  readonly matches: { thisSecret: boolean; otherSecret: boolean; failed: boolean };
}

/** A RotationSucceeded event as Secrets Manager sends it through CloudTrail (its user guide's example). */
export function rotationEvent(secretArn: string, eventName = "RotationSucceeded", region = "us-east-1"): object {
  return {
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "AWS Service Event via CloudTrail",
    source: "aws.secretsmanager",
    account: "123456789012",
    time: "2026-12-01T00:00:00Z",
    region,
    resources: [],
    detail: {
      eventVersion: "1.05",
      eventSource: "secretsmanager.amazonaws.com",
      eventName,
      awsRegion: region,
      additionalEventData: { SecretId: secretArn },
      eventType: "AwsServiceEvent",
    },
  };
}

/** Reads back, through the API only, how a password rotation restarts the metadata service. */
export async function restartWiring(d: Deployment, base: string): Promise<RestartWiring> {
  const instance = (await d.call("rds", "describe_db_instances", { DBInstanceIdentifier: `${base}-metadata` })).DBInstances[0];
  const secretArn = instance.MasterUserSecret.SecretArn;
  const secret = await d.call("secretsmanager", "describe_secret", { SecretId: secretArn });
  const rule = await d.call("events", "describe_rule", { Name: `${base}-db-password-rotated` });
  const targets = (await d.call("events", "list_targets_by_rule", { Rule: rule.Name })).Targets ?? [];
  const stateMachine = await d.call("stepfunctions", "describe_state_machine", { stateMachineArn: targets[0]?.Arn });
  const definition = JSON.parse(stateMachine.definition);
  const cluster = (await d.call("ecs", "describe_clusters", { clusters: [`${base}-metadata`] })).clusters[0];
  const service = (await d.call("ecs", "describe_services", { cluster: cluster.clusterArn, services: [`${base}-metadata`] })).services[0];
  const policies: Record<string, any[]> = {};
  for (const roleArn of [stateMachine.roleArn, ...targets.map((t: any) => t.RoleArn)]) {
    const roleName = roleArn.split("/").pop();
    const names = (await d.call("iam", "list_role_policies", { RoleName: roleName })).PolicyNames ?? [];
    policies[roleArn] = [];
    for (const name of names) {
      const document = (await d.call("iam", "get_role_policy", { RoleName: roleName, PolicyName: name })).PolicyDocument;
      policies[roleArn].push(typeof document === "string" ? JSON.parse(decodeURIComponent(document)) : document);
    }
  }
  // moto does not implement TestEventPattern (an empty answer): its own pattern engine, the one it routes
  // PutEvents with, matches the rule's pattern as the API returns it (event_pattern.py).
  const events = [
    rotationEvent(secretArn, "RotationSucceeded", d.region),
    rotationEvent(`${secretArn.replace(/-[A-Za-z0-9]{6}$/, "")}-other-AbCdEf`, "RotationSucceeded", d.region),
    rotationEvent(secretArn, "RotationFailed", d.region),
  ];
  const matched = await d.python([path.join(ROOT, "__tests__", "emulator", "event_pattern.py"), JSON.stringify({ pattern: rule.EventPattern, events })]);
  if (matched.code !== 0) throw new Error(`event_pattern.py failed (${matched.code}):\n${matched.stderr}`);
  const [thisSecret, otherSecret, failed] = JSON.parse(matched.stdout) as boolean[];
  const matches = { thisSecret, otherSecret, failed };
  return { secretArn, secret, pattern: JSON.parse(rule.EventPattern), targets, stateMachine, definition, service, clusterArn: cluster.clusterArn, policies, matches };
}

/**
 * The ui example's certificate: a self-signed one for its hostname, made with the emulator tool set's
 * `cryptography` (a dependency of moto) and imported into the emulator's ACM, its ARN put into the config.
 */
export async function seedCertificate(d: Deployment, config: any): Promise<object> {
  const script = [
    "import datetime, json",
    "from cryptography import x509",
    "from cryptography.hazmat.primitives import hashes, serialization",
    "from cryptography.hazmat.primitives.asymmetric import rsa",
    "from cryptography.x509.oid import NameOID",
    "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)",
    `name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ${JSON.stringify(config.ui.hostname)})])`,
    "now = datetime.datetime.now(datetime.timezone.utc)",
    "cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())",
    "        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))",
    "pem = lambda b: b.decode()",
    "print(json.dumps({'certificate': pem(cert.public_bytes(serialization.Encoding.PEM)),",
    "                  'key': pem(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))}))",
  ].join("\n");
  const made = await d.python(["-c", script]);
  if (made.code !== 0) throw new Error(`making the certificate failed:\n${made.stderr}`);
  const { certificate, key } = JSON.parse(made.stdout);
  const arn = (await d.call("acm", "import_certificate", { Certificate: certificate, PrivateKey: key })).CertificateArn;
  return { ...config, ui: { ...config.ui, certificateArn: arn } };
}

export interface UiReadBack {
  readonly loadBalancer: any;
  readonly attributes: Record<string, string>;
  readonly https: any;
  readonly http: any;
  readonly rules: any[];
  readonly certificateArn: string;
  readonly pool: any;
  readonly services: any[];
  readonly profileCommand: CommandResult;
  readonly profile: Record<string, string>;
}

/** The ui example as the API tells it: its load balancer, listeners, rules, user pool and services, and the profile. */
export async function uiReadBack(d: Deployment): Promise<UiReadBack> {
  const [loadBalancer] = (await d.call("elbv2", "describe_load_balancers", { Names: ["metaflow-ui-ui"] })).LoadBalancers;
  const attributes = Object.fromEntries(
    (await d.call("elbv2", "describe_load_balancer_attributes", { LoadBalancerArn: loadBalancer.LoadBalancerArn })).Attributes.map((a: any) => [a.Key, a.Value]),
  );
  const listeners = (await d.call("elbv2", "describe_listeners", { LoadBalancerArn: loadBalancer.LoadBalancerArn })).Listeners;
  const https = listeners.find((l: any) => l.Protocol === "HTTPS");
  const http = listeners.find((l: any) => l.Protocol === "HTTP");
  const rules = (await d.call("elbv2", "describe_rules", { ListenerArn: https.ListenerArn })).Rules;
  const config = JSON.parse(fs.readFileSync(path.join(d.configDir, "ui.json"), "utf8"));
  const pools = (await d.call("cognito-idp", "list_user_pools", { MaxResults: 60 })).UserPools;
  const { UserPool: pool } = await d.call("cognito-idp", "describe_user_pool", { UserPoolId: pools.find((p: any) => p.Name === "metaflow-ui-ui").Id });
  const services = (await d.call("ecs", "describe_services", { cluster: "metaflow-ui-ui", services: ["metaflow-ui-ui-backend", "metaflow-ui-ui-static"] })).services;
  const profileCommand = await d.command("profile");
  const profileFile = path.join(d.metaflowHome, "config_ui-emulator.json");
  const profile = fs.existsSync(profileFile) ? JSON.parse(fs.readFileSync(profileFile, "utf8")) : {};
  return { loadBalancer, attributes, https, http, rules, certificateArn: config.ui.certificateArn, pool, services, profileCommand, profile };
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
