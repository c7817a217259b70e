import * as fs from "fs";
import * as path from "path";
import { BATCH_DESCRIBE, ECR_AUTH, ECS_DISCOVER, UNSCOPABLE_ACTIONS } from "../modules/perms";
import { synth } from "./support/synth";
import { list, policyDocuments } from "./support/json";

/**
 * IAM hygiene over every stack the project ships: the built-in default (`{}`) and every example in
 * examples/environments/ (listed from the directory, so a new example is covered without editing this).
 */

type Statement = Record<string, any>;

const EXAMPLES_DIR = path.join(__dirname, "..", "examples", "environments");
const exampleFiles = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** `[title, raw config, environment name]` of every shipped stack. */
const stacks: [string, unknown, string][] = [
  ["built-in default {}", {}, "dev"],
  ...exampleFiles.map((f): [string, unknown, string] => [
    `examples/environments/${f}`,
    JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), "utf8")),
    path.basename(f, ".json"),
  ]),
];

/** The only actions perms.ts marks as having no resource-level permission. */
const UNSCOPABLE: readonly string[] = Object.keys(UNSCOPABLE_ACTIONS);

const statementsOf = (doc: any): Statement[] => list(doc.Statement) as Statement[];

interface Violation {
  readonly kind: "action" | "resource";
  readonly text: string;
}

/**
 * Problems of one statement: a `*` action in any statement; an action containing `*` or a NotAction in an
 * Allow; in an Allow, a `*` resource (or NotResource) for any action perms.ts does not mark unscopable.
 */
function violations(statement: Statement): Violation[] {
  const found: Violation[] = [];
  const actions = list(statement.Action).map(String);
  if (actions.includes("*")) found.push({ kind: "action", text: 'action "*"' });
  if (statement.Effect !== "Allow") return found;
  for (const action of actions.filter((a) => a.includes("*") && a !== "*")) found.push({ kind: "action", text: `wildcard action ${action} in an Allow` });
  if (statement.NotAction !== undefined) found.push({ kind: "action", text: "NotAction in an Allow" });
  if (list(statement.Resource).includes("*")) {
    for (const action of actions.filter((a) => !UNSCOPABLE.includes(a))) found.push({ kind: "resource", text: `${action} on resource "*"` });
  }
  if (statement.NotResource !== undefined) found.push({ kind: "resource", text: "NotResource in an Allow" });
  return found;
}

describe("the checker itself", () => {
  test.each([
    ["a * action in a Deny", { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::b" }],
    ["a * action in an Allow", { Effect: "Allow", Action: ["*"], Resource: "arn:aws:s3:::b" }],
    ["a service wildcard in an Allow", { Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" }],
    ["a partial wildcard in an Allow", { Effect: "Allow", Action: ["s3:Get*"], Resource: "arn:aws:s3:::b" }],
    ["a scopable action on *", { Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }],
    ["an unscopable action beside a scopable one on *", { Effect: "Allow", Action: [...ECR_AUTH, "ecr:BatchGetImage"], Resource: ["*"] }],
    ["NotAction in an Allow", { Effect: "Allow", NotAction: ["iam:*"], Resource: "arn:aws:s3:::b" }],
  ])("flags %s", (_title, statement) => {
    expect(violations(statement)).not.toEqual([]);
  });

  test.each([
    ["a scoped Allow", { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }],
    ["ECR login on *", { Effect: "Allow", Action: [...ECR_AUTH], Resource: "*" }],
    ["ECS endpoint discovery on *", { Effect: "Allow", Action: [...ECS_DISCOVER], Resource: "*" }],
    ["Batch Describe calls on *", { Effect: "Allow", Action: [...BATCH_DESCRIBE], Resource: "*" }],
    ["a service wildcard in a Deny", { Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: ["arn:aws:s3:::b"] }],
  ])("accepts %s", (_title, statement) => {
    expect(violations(statement)).toEqual([]);
  });
});

test("the example directory is listed, production.json among the examples", () => {
  expect(exampleFiles).toContain("production.json");
  expect(stacks).toHaveLength(exampleFiles.length + 1);
});

describe.each(stacks)("IAM in %s", (_title, raw, environment) => {
  const out = synth(raw, environment);
  const documents = policyDocuments(out);
  const statements = documents.flatMap(([where, doc]) => statementsOf(doc).map((s): [string, Statement] => [where, s]));

  test("every policy field in the stack is a parsed document (none escapes these checks)", () => {
    // An ECR lifecycle policy is a rule list, not an IAM document (MF-ECR-3 checks it); a listener's ssl_policy names a TLS policy (MF-ELB-3).
    const NOT_IAM = new Set(["aws_ecr_lifecycle_policy", "aws_lb_listener"]);
    const policyFields = Object.entries<Record<string, Record<string, unknown>>>(out.json.resource ?? {}).filter(([type]) => !NOT_IAM.has(type)).flatMap(([type, byId]) =>
      Object.entries(byId).flatMap(([id, body]) =>
        Object.entries(body)
          .filter(([field, value]) => typeof value === "string" && (field === "policy" || field.endsWith("_policy")))
          .map(([field]) => `${type}.${id}.${field}`),
      ),
    );
    expect(policyFields.length).toBeGreaterThan(0);
    expect(policyFields.filter((f) => f.startsWith("aws_iam_role.")).length).toBe(out.resources("aws_iam_role").length);
    expect(documents.map(([where]) => where).sort()).toEqual(policyFields.sort());
    expect(out.data("aws_iam_policy_document")).toEqual([]);
  });

  const problems = (kind: Violation["kind"]) =>
    statements.flatMap(([where, s]) =>
      violations(s)
        .filter((v) => v.kind === kind)
        .map((v) => `${where}: ${v.text}`),
    );

  test("no statement has a * action, and no Allow has an action containing * (or a NotAction)", () => {
    expect(statements.length).toBeGreaterThan(0);
    expect(problems("action")).toEqual([]);
  });

  test("an Allow on resource * only grants actions perms.ts marks unscopable (UNSCOPABLE_ACTIONS)", () => {
    expect(problems("resource")).toEqual([]);
  });
});
