import { shippedStacks } from "../flow/docs";
import { GRANT_REASONS } from "../modules/grant-reasons";
import { grantRows, iamMarkdown } from "../modules/iam-table";
import { UNSCOPABLE_ACTIONS } from "../modules/perms";
import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";

/**
 * Every grant is traced: each identity-policy statement of every shipped config, and of a config with
 * every compute kind and the users' role, carries a Sid with a recorded reason (docs/iam.md shows them),
 * and no reason outlives its statement.
 */

const shipped = shippedStacks();
const everyKind = synth({ ...ALL_KINDS, accountId: "111122223333", scheduling: { users: { access: "role", principalArns: ["arn:aws:iam::111122223333:role/ds"] } } });
const stacks = [...shipped, { title: "every compute kind", stack: everyKind.json, region: "us-east-1" }];
const rows = stacks.flatMap(({ title, stack, region }) => grantRows(stack, region).map((row) => ({ title, ...row })));

test("the shipped configs are the default deployment and every example", () => {
  expect(shipped.map((s) => s.title)).toEqual(expect.arrayContaining(["default", "production", "no-nat", "shared-vpc", "dev-small"]));
  expect(rows.length).toBeGreaterThan(40);
});

test("every statement has a Sid", () => {
  expect(rows.filter((r) => !r.sid).map((r) => `${r.title}: ${r.holder}`)).toEqual([]);
});

test("every Sid has a reason", () => {
  expect([...new Set(rows.map((r) => r.sid!).filter((sid) => !(sid in GRANT_REASONS)))]).toEqual([]);
});

test("every reason belongs to a statement some config makes", () => {
  const used = new Set(rows.map((r) => r.sid));
  expect(Object.keys(GRANT_REASONS).filter((sid) => !used.has(sid))).toEqual([]);
});

test("within one holder a Sid names one statement (a reason cannot cover two)", () => {
  for (const { stack, region, title } of stacks) {
    const keys = grantRows(stack, region).map((r) => `${r.holder} ${r.sid}`);
    expect({ title, duplicates: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ title, duplicates: [] });
  }
});

test("a statement on * grants only actions AWS offers no resource for", () => {
  const wide = rows.filter((r) => r.resources.includes("*"));
  expect(wide.length).toBeGreaterThan(0);
  expect(wide.flatMap((r) => r.actions).filter((a) => !(a in UNSCOPABLE_ACTIONS))).toEqual([]);
});

test("the table generalizes each stack: no stack's own name, region or resource id is left", () => {
  const text = iamMarkdown(shipped);
  expect(text).not.toMatch(/metaflow-dev|us-east-1|eu-west-1|us-west-2|_[0-9A-F]{8}\b/);
  expect(text).toContain("### `<base>-metaflow-users`");
  expect(text).not.toMatch(/no reason recorded|no Sid/);
});

test("a statement without a Sid or a reason shows as such in the table", () => {
  const stack = {
    resource: {
      aws_iam_role: { r: { name: "x-role", assume_role_policy: JSON.stringify({ Statement: [{ Principal: { Service: "ec2.amazonaws.com" } }] }) } },
      aws_iam_role_policy: {
        p: { role: "${aws_iam_role.r.id}", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "Unknown", Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] }) },
      },
    },
  };
  const text = iamMarkdown([{ title: "t", stack, region: "us-east-1" }]);
  expect(text).toContain("| **no Sid** |");
  expect(text).toContain("**no reason recorded**");
  expect(text).toContain("Assumed by: ec2.amazonaws.com.");
});
