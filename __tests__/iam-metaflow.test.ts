import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { emulatorTools } from "./support/emulator";
import { synth } from "./support/synth";
import { entryIn, list, policyDoc } from "./support/json";

/**
 * The IAM traced to the calls Metaflow really makes: the AWS clients of the pinned Metaflow client
 * (tools/requirements/emulator.txt) are read for every boto3 operation they call, and each must be granted
 * to whoever makes it (people: Batch, Step Functions, EventBridge; jobs: DynamoDB), while people are granted
 * nothing on those services that the client never calls, but for the needs named here.
 */

type Body = Record<string, any>;

/** describe_job_queues -> DescribeJobQueues */
const pascal = (op: string) => op.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");

/** The operations a Metaflow client file calls on boto3: `client.<op>(` and `get_paginator("<op>")`. */
function operations(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const calls = [...text.matchAll(/\._client\.([a-z_]+)\(/g), ...text.matchAll(/\.client\.([a-z_]+)\(/g)].map((m) => m[1]);
  const pages = [...text.matchAll(/get_paginator\(\s*["']([a-z_]+)["']/g)].map((m) => m[1]);
  return [...new Set([...calls, ...pages])].filter((op) => op !== "get_paginator").sort();
}

function metaflowDir(): string | undefined {
  const tools = emulatorTools();
  if (typeof tools === "string") return undefined;
  const found = spawnSync(tools.python, ["-c", "import metaflow, os; print(os.path.dirname(metaflow.__file__))"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const METAFLOW = metaflowDir();
const CLIENTS = {
  batch: "plugins/aws/batch/batch_client.py",
  states: "plugins/aws/step_functions/step_functions_client.py",
  events: "plugins/aws/step_functions/event_bridge_client.py",
  dynamodb: "plugins/aws/step_functions/dynamo_db_client.py",
} as const;

/** What people are granted on these services beyond the client's calls, and why. */
const PEOPLE_BEYOND_CALLS: Record<string, string> = {
  // Job definitions and submitted jobs carry tags with METAFLOW_BATCH_EMIT_TAGS (batch.py), which needs it.
  "batch:TagResource": "tags on job definitions and jobs",
};

const describeIf = METAFLOW ? describe : describe.skip;
if (!METAFLOW) console.warn(`Skipping "IAM traced to Metaflow's calls": ${typeof emulatorTools() === "string" ? emulatorTools() : "metaflow not importable"}`);

describeIf("IAM traced to Metaflow's calls (the pinned client's own source)", () => {
  const called = Object.fromEntries(
    Object.entries(CLIENTS).map(([service, file]) => [service, operations(path.join(METAFLOW!, file)).map((op) => `${service}:${pascal(op)}`)]),
  ) as Record<keyof typeof CLIENTS, string[]>;
  const out = synth();
  const people = policyDoc(entryIn(out, "aws_iam_policy", "users")[1].policy).Statement as Body[];
  const peopleActions = new Set(people.flatMap((s) => list(s.Action)).map(String));
  const jobRole = Object.entries<Body>(out.json.resource.aws_iam_role).find(([, r]) => r.name === "metaflow-dev-batch-job")![0];
  const jobActions = new Set(
    out.resources("aws_iam_role_policy").filter((p) => String(p.role).includes(`aws_iam_role.${jobRole}.`)).flatMap((p) => (policyDoc(p.policy).Statement as Body[]).flatMap((s) => list(s.Action))).map(String),
  );

  test("the clients were read (the scan is not vacuous)", () => {
    expect(called.batch).toEqual(expect.arrayContaining(["batch:SubmitJob", "batch:ListJobs", "batch:DescribeJobQueues"]));
    expect(called.states).toEqual(expect.arrayContaining(["states:CreateStateMachine", "states:ListStateMachines"]));
    expect(called.events).toEqual(expect.arrayContaining(["events:PutRule"]));
    expect(called.dynamodb).toEqual(expect.arrayContaining(["dynamodb:GetItem"]));
  });

  test.each(["batch", "states", "events"] as const)("people are granted every %s call Metaflow's client makes", (service) => {
    expect(called[service].filter((a) => !peopleActions.has(a))).toEqual([]);
  });

  test.each(["batch", "states", "events"] as const)("people are granted no %s action the client never calls, but the named needs", (service) => {
    const extra = [...peopleActions].filter((a) => a.startsWith(`${service}:`) && !called[service].includes(a) && !(a in PEOPLE_BEYOND_CALLS));
    expect(extra).toEqual([]);
  });

  test("jobs are granted exactly the DynamoDB calls of Metaflow's foreach client", () => {
    expect([...jobActions].filter((a) => a.startsWith("dynamodb:")).sort()).toEqual([...called.dynamodb].sort());
  });
});
