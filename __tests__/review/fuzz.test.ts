import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { anyJson, check, editText, fuzzSettings, mutate, mutation, nastyString, textEdit, timeoutFor } from "../support/fuzz";
import { runReview } from "../support/review-cli";

/**
 * Property-based tests of the plan reviewer's CLI (in-process), on plan JSON generated in the shape
 * `terraform show -json` writes and on mutations of realistic plans (of their values and of their text).
 * Whatever the input: exit 0, 2 or 3 with a review on stdout and nothing on stderr, or exit 1 with one line
 * on stderr that is not the reviewer's "failed unexpectedly" (an internal error); never a stack trace.
 * Generated plans also carry sensitive values, which must never be printed.
 * Seeds and case counts are in the test names; FUZZ_SEED and FUZZ_RUNS change them (support/fuzz.ts).
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-review-fuzz-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let written = 0;
function planFile(content: string | Buffer): string {
  const file = path.join(dir, `plan-${written++}.json`);
  fs.writeFileSync(file, content);
  return file;
}

/** A secret no review may print. */
const SECRET = "s3cr3t-VALUE-never-shown";

const TYPES = ["aws_s3_bucket", "aws_vpc", "aws_kms_key", "aws_db_instance", "aws_efs_file_system", "aws_iam_role", "null_resource"];
const ACTIONS = [["create"], ["update"], ["delete"], ["delete", "create"], ["create", "delete"], ["forget"], ["create", "forget"], ["read"], ["no-op"]];

const actions = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ACTIONS) }, { weight: 1, arbitrary: fc.array(fc.oneof(fc.string(), fc.constantFrom("delete", "forget")), { maxLength: 3 }) });
const attributes = fc.dictionary(fc.oneof(fc.constantFrom("name", "tags", "cidr_block", "ingress", "id", "__proto__", "0", ""), fc.string({ maxLength: 6 })), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
const mask = fc.oneof(fc.boolean(), fc.constant({}), fc.jsonValue({ maxDepth: 3 }));
const pathStep = fc.oneof(fc.string({ maxLength: 6 }), fc.nat(3));

/** One attribute holding the secret, marked sensitive where it sits (top level, or in a nested block). */
const withSecret = (values: Record<string, unknown>, masks: unknown, nested: boolean) => {
  const masked = typeof masks === "object" && masks !== null && !Array.isArray(masks) ? { ...masks } : {};
  if (nested) return { value: { ...values, block: [{ password: SECRET }] }, mask: { ...masked, block: [{ password: true }] } };
  return { value: { ...values, password: SECRET }, mask: { ...masked, password: true } };
};

const resourceChange = fc
  .record({
    type: fc.constantFrom(...TYPES),
    name: fc.oneof(fc.constantFrom("a", "b", "data", "main"), fc.string({ maxLength: 8 })),
    module: fc.option(fc.constantFrom("module.x", "module.y[0]", 'module.z["k"]'), { nil: undefined }),
    index: fc.option(fc.oneof(fc.nat(3), fc.string({ maxLength: 4 })), { nil: undefined }),
    actions,
    before: fc.option(attributes, { nil: null }),
    after: fc.option(attributes, { nil: null }),
    afterUnknown: mask,
    beforeSensitive: mask,
    afterSensitive: mask,
    secretBefore: fc.boolean(),
    secretAfter: fc.boolean(),
    nested: fc.boolean(),
    replacePaths: fc.array(fc.array(pathStep, { maxLength: 3 }), { maxLength: 2 }),
    reason: fc.option(fc.constantFrom("replace_because_cannot_update", "replace_because_tainted", "delete_because_no_resource_config"), { nil: undefined }),
    previous: fc.option(fc.constantFrom("aws_vpc.old", "module.x.aws_s3_bucket.moved"), { nil: undefined }),
    deposed: fc.option(fc.constantFrom("00000001", ""), { nil: undefined }),
    importing: fc.option(fc.oneof(fc.record({ id: fc.string({ maxLength: 8 }) }), fc.record({ unknown: fc.boolean() })), { nil: undefined }),
    omitAddress: fc.boolean(),
  })
  .map((r) => {
    const index = r.index === undefined ? "" : `[${JSON.stringify(r.index)}]`;
    const address = `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}${index}`;
    const before = r.secretBefore ? withSecret(r.before ?? {}, r.beforeSensitive, r.nested) : { value: r.before, mask: r.beforeSensitive };
    const after = r.secretAfter ? withSecret(r.after ?? {}, r.afterSensitive, r.nested) : { value: r.after, mask: r.afterSensitive };
    return {
      ...(r.omitAddress ? { module_address: r.module, index: r.index } : { address }),
      mode: "managed",
      type: r.type,
      name: r.name,
      ...(r.previous && { previous_address: r.previous }),
      ...(r.deposed !== undefined && { deposed: r.deposed }),
      ...(r.reason && { action_reason: r.reason }),
      change: {
        actions: r.actions,
        before: before.value,
        after: after.value,
        after_unknown: r.afterUnknown,
        before_sensitive: before.mask,
        after_sensitive: after.mask,
        replace_paths: r.replacePaths,
        ...(r.importing && { importing: r.importing }),
      },
    };
  });

const outputChange = fc.record({
  actions,
  before: fc.jsonValue({ maxDepth: 2 }),
  after: fc.jsonValue({ maxDepth: 2 }),
  after_unknown: mask,
  secret: fc.boolean(),
}).map(({ secret, ...o }) => (secret ? { ...o, after: { key: SECRET }, after_sensitive: true } : o));

const generatedPlan = fc
  .record(
    {
      format_version: fc.constantFrom("0.1", "0.2", "1.0", "1.1", "1.2", "1.9", "2.0", "x"),
      terraform_version: fc.constantFrom("0.12.31", "1.5.7", "1.11.4"),
      planned_values: fc.constant({ root_module: {} }),
      resource_changes: fc.array(resourceChange, { maxLength: 6 }),
      resource_drift: fc.array(resourceChange, { maxLength: 2 }),
      output_changes: fc.dictionary(fc.constantFrom("url", "profile", "bucket", "key"), outputChange, { maxKeys: 3 }),
      relevant_attributes: fc.array(fc.record({ resource: fc.constantFrom("aws_vpc.a", "aws_s3_bucket.data"), attribute: fc.array(pathStep, { maxLength: 2 }) }), { maxLength: 2 }),
      checks: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 2 }),
      errored: fc.boolean(),
      deferred_changes: fc.array(fc.record({ reason: fc.string({ maxLength: 8 }), resource_change: resourceChange }), { maxLength: 1 }),
    },
    { requiredKeys: ["format_version", "planned_values"] },
  );

const options = fc.record({
  markdown: fc.boolean(),
  allow: fc.array(fc.constantFrom("aws_s3_bucket.a", "aws_kms_key.b", "module.x.aws_s3_bucket.data", "aws_db_instance.main[0]"), { maxLength: 2 }),
  protect: fc.array(fc.constantFrom("aws_efs_file_system", "aws_vpc.a", "aws_iam_role"), { maxLength: 2 }),
});

const argv = (file: string, o: { markdown: boolean; allow: string[]; protect: string[] }) => [
  file,
  ...(o.markdown ? ["--format", "markdown"] : []),
  ...o.allow.flatMap((a) => ["--allow", a]),
  ...o.protect.flatMap((p) => ["--protect", p]),
];

const outcomes: Record<string, Record<number, number>> = {};

/** The CLI contract for one run. */
function expectContract(result: { code: number; stdout: string; stderr: string }, suite: string): void {
  outcomes[suite] ??= {};
  outcomes[suite][result.code] = (outcomes[suite][result.code] ?? 0) + 1;
  if (result.code === 1) {
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(result.stderr).not.toMatch(/failed unexpectedly/);
    return;
  }
  expect([0, 2, 3]).toContain(result.code);
  expect(result.stderr).toBe("");
  expect(result.stdout.length).toBeGreaterThan(0);
}

afterAll(() => {
  for (const [suite, codes] of Object.entries(outcomes)) {
    process.stdout.write(`fuzz review ${suite}: exit codes ${Object.entries(codes).map(([c, n]) => `${c}: ${n}`).join(", ")}\n`);
  }
});

/** Realistic plans to mutate: a create plan, an update/replace plan with sensitive and unknown values, and one with outputs, drift, moves, imports and checks. */
const SEEDS = [
  {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: { resources: [{ address: "aws_s3_bucket.data", sensitive_values: { tags: {} } }] } },
    resource_changes: [
      { address: "aws_s3_bucket.data", mode: "managed", type: "aws_s3_bucket", name: "data", change: { actions: ["create"], before: null, after: { bucket_prefix: "metaflow-dev-ds-", tags: { Name: "x" } }, after_unknown: { arn: true, id: true }, before_sensitive: false, after_sensitive: { tags: {} } } },
      { address: "aws_vpc.main", mode: "managed", type: "aws_vpc", name: "main", change: { actions: ["create"], before: null, after: { cidr_block: "10.0.0.0/16" }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} } },
    ],
    output_changes: { vpc_id: { actions: ["create"], before: null, after_unknown: true, before_sensitive: false, after_sensitive: false } },
  },
  {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {} },
    resource_changes: [
      {
        address: "aws_db_instance.metadata", mode: "managed", type: "aws_db_instance", name: "metadata", action_reason: "replace_because_cannot_update",
        change: {
          actions: ["delete", "create"], before: { identifier: "a", engine_version: "16", password: "p" }, after: { identifier: "a", engine_version: "17", password: "p" },
          after_unknown: { id: true }, before_sensitive: { password: true }, after_sensitive: { password: true }, replace_paths: [["engine_version"]],
        },
      },
      {
        address: 'module.net.aws_security_group.sg["a"]', mode: "managed", type: "aws_security_group", name: "sg", index: "a",
        change: { actions: ["update"], before: { ingress: [{ cidr_blocks: ["10.0.0.0/8"] }], tags: {} }, after: { ingress: [{ cidr_blocks: ["0.0.0.0/0"] }], tags: { a: "b" } }, after_unknown: {}, before_sensitive: { ingress: [{}] }, after_sensitive: { ingress: [{}] } },
      },
      { address: "aws_kms_key.k", mode: "managed", type: "aws_kms_key", name: "k", change: { actions: ["delete"], before: { key_id: "x" }, after: null, after_unknown: {}, before_sensitive: {}, after_sensitive: false } },
    ],
  },
  {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {}, outputs: { profile: { sensitive: true } } },
    resource_drift: [{ address: "aws_vpc.main", mode: "managed", type: "aws_vpc", name: "main", change: { actions: ["update"], before: { tags: {} }, after: { tags: { Owner: "x" } }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } }],
    relevant_attributes: [{ resource: "aws_vpc.main", attribute: ["tags"] }],
    resource_changes: [
      { address: "aws_vpc.main", previous_address: "aws_vpc.old", mode: "managed", type: "aws_vpc", name: "main", change: { actions: ["no-op"], before: {}, after: {}, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } },
      { address: "aws_s3_bucket.imported", mode: "managed", type: "aws_s3_bucket", name: "imported", change: { actions: ["no-op"], before: {}, after: {}, after_unknown: {}, importing: { id: "bucket" } } },
      { address: "aws_efs_file_system.fs", mode: "managed", type: "aws_efs_file_system", name: "fs", change: { actions: ["forget"], before: {}, after: null } },
    ],
    output_changes: { profile: { actions: ["update"], before: "a", after: "b", after_unknown: false, before_sensitive: true, after_sensitive: true } },
    checks: [{ address: { to_display: "check.x" }, status: "fail", instances: [{ address: { to_display: "check.x" }, status: "fail", problems: [{ message: "m" }] }] }],
    errored: false,
    deferred_changes: [{ reason: "provider_config_unknown", resource_change: { address: "aws_vpc.later", type: "aws_vpc", name: "later", change: { actions: ["create"] } } }],
  },
];

describe("property: the reviewer prints a review or one clear line, never an internal error", () => {
  const generated = fuzzSettings(1000);
  test(
    `plans generated in terraform's shape, with sensitive values never printed (${generated.label})`,
    () => {
      check(
        fc.property(generatedPlan, options, (plan, o) => {
          const result = runReview(...argv(planFile(JSON.stringify(plan)), o));
          expectContract(result, "generated");
          expect(result.stdout).not.toContain(SECRET);
          expect(result.stderr).not.toContain(SECRET);
        }),
        generated,
      );
      // Both readable and unreadable plans were generated.
      expect(Object.keys(outcomes.generated).length).toBeGreaterThan(1);
    },
    timeoutFor(generated, 500),
  );

  const mutated = fuzzSettings(1000);
  test(
    `mutations of realistic plans' values (${mutated.label})`,
    () => {
      const keys = fc.constantFrom("actions", "change", "address", "before", "after", "after_sensitive", "after_unknown", "replace_paths", "format_version", "__proto__", "resource_changes", "output_changes", "x");
      check(
        fc.property(fc.constantFrom(...SEEDS), fc.array(mutation(keys, anyJson), { minLength: 1, maxLength: 4 }), options, (seed, edits, o) => {
          const plan = mutate(seed, edits);
          expectContract(runReview(...argv(planFile(JSON.stringify(plan) ?? "null"), o)), "mutated");
        }),
        mutated,
      );
    },
    timeoutFor(mutated, 500),
  );

  const edited = fuzzSettings(500);
  test(
    `edits of realistic plans' text, and other encodings (${edited.label})`,
    () => {
      const encoding = fc.constantFrom<BufferEncoding>("utf8", "utf8", "utf8", "utf16le", "latin1");
      check(
        fc.property(fc.constantFrom(...SEEDS), fc.array(textEdit, { minLength: 1, maxLength: 3 }), encoding, fc.boolean(), (seed, edits, enc, pretty) => {
          const text = editText(JSON.stringify(seed, null, pretty ? 2 : undefined), edits);
          expectContract(runReview(planFile(Buffer.from(text, enc))), "edited");
        }),
        edited,
      );
    },
    timeoutFor(edited, 500),
  );

  const bytes = fuzzSettings(300);
  test(
    `arbitrary bytes and strings as the plan file (${bytes.label})`,
    () => {
      check(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), nastyString.map((s) => Buffer.from(s))), (content) => {
          expectContract(runReview(planFile(content)), "bytes");
        }),
        bytes,
      );
    },
    timeoutFor(bytes, 500),
  );
});
