import { SOURCE_AWARE_SERVICES } from "../modules/arns";
import { ALL_KINDS } from "./support/configs";
import { synth } from "./support/synth";
import { list, policyDoc } from "./support/json";

/**
 * With `accountId` set, every ARN the project grants on names that account (not `*`), and the roles AWS
 * services assume trust them only on behalf of it (aws:SourceAccount, and aws:SourceArn where the service
 * sets one), against the confused deputy. Without it, neither: a condition on an unknown account would
 * deny the service.
 */

const ACCOUNT = "111122223333";
const FULL = { ...ALL_KINDS, scheduling: { users: { access: "role", principalArns: [`arn:aws:iam::${ACCOUNT}:role/data-scientists`] } } };
type Body = Record<string, any>;

const trustStatements = (out: ReturnType<typeof synth>) =>
  Object.entries<Body>(out.json.resource.aws_iam_role).map(([id, role]) => ({ id, name: String(role.name), statement: (policyDoc(role.assume_role_policy).Statement as Body[])[0] }));
const serviceOf = (statement: Body): string | undefined => statement.Principal?.Service;
/** Every Resource of every inline and managed policy of the stack. */
const grantedResources = (out: ReturnType<typeof synth>) =>
  [...out.resources("aws_iam_role_policy"), ...out.resources("aws_iam_policy")].flatMap((p) => (policyDoc(p.policy).Statement as Body[]).flatMap((s) => list(s.Resource))).map(String);

describe("with accountId", () => {
  const out = synth({ ...FULL, accountId: ACCOUNT });
  const roles = trustStatements(out);

  test("every role assumed by a service that sets source keys trusts it only for this account", () => {
    const aware = roles.filter((r) => SOURCE_AWARE_SERVICES.has(serviceOf(r.statement) ?? ""));
    expect(aware.length).toBeGreaterThanOrEqual(6);
    for (const r of aware) expect({ role: r.name, account: r.statement.Condition?.StringEquals?.["aws:SourceAccount"] }).toEqual({ role: r.name, account: ACCOUNT });
  });

  // The restart after a password rotation has its own state machine and rule, each role trusting only it.
  const RESTART_ROLES: Record<string, string> = {
    "metaflow-dev-restart-metadata": `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:metaflow-dev-restart-metadata`,
    "metaflow-dev-restart-metadata-events": `arn:aws:events:us-east-1:${ACCOUNT}:rule/metaflow-dev-db-password-rotated`,
  };
  test.each(Object.entries(RESTART_ROLES))("the restart role %s trusts its service only for %s", (name, sourceArn) => {
    const role = roles.find((r) => r.name === name)!;
    expect(role.statement.Condition?.ArnLike).toEqual({ "aws:SourceArn": sourceArn });
  });

  test.each([
    ["states.amazonaws.com", `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:metaflow-dev_*`],
    ["events.amazonaws.com", `arn:aws:events:us-east-1:${ACCOUNT}:rule/metaflow-dev_*`],
    ["vpc-flow-logs.amazonaws.com", `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*`],
    ["ecs-tasks.amazonaws.com", `arn:aws:ecs:us-east-1:${ACCOUNT}:*`],
  ])("roles trusted by %s are limited to source ARNs %s", (service, sourceArn) => {
    const trusted = roles.filter((r) => serviceOf(r.statement) === service && !(r.name in RESTART_ROLES));
    expect(trusted.length).toBeGreaterThan(0);
    for (const r of trusted) expect(r.statement.Condition?.ArnLike).toEqual({ "aws:SourceArn": sourceArn });
  });

  test.each(["ec2.amazonaws.com", "batch.amazonaws.com", "apigateway.amazonaws.com"])(
    "roles trusted by %s carry no source condition (the service sets no such key; one would deny it)",
    (service) => {
      const trusted = roles.filter((r) => serviceOf(r.statement) === service);
      expect(trusted.length).toBeGreaterThan(0);
      for (const r of trusted) expect(r.statement.Condition).toBeUndefined();
    },
  );

  test("the users' role, assumed by people, carries no service condition", () => {
    const people = roles.find((r) => r.name === "metaflow-dev-metaflow-users")!;
    expect(people.statement.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNT}:role/data-scientists`] });
    expect(people.statement.Condition).toBeUndefined();
  });

  test("no granted ARN leaves the account as * (only the resource part may hold wildcards)", () => {
    const arns = grantedResources(out).filter((r) => r.startsWith("arn:"));
    expect(arns.length).toBeGreaterThan(20);
    const withAccount = arns.filter((r) => !r.startsWith("arn:aws:s3:::") && !r.startsWith("arn:aws:iam::aws:"));
    for (const arn of withAccount) expect({ arn, account: arn.split(":")[4] }).toEqual({ arn, account: ACCOUNT });
  });
});

describe("without accountId", () => {
  const out = synth(FULL);

  test("no trust statement has a condition", () => {
    for (const r of trustStatements(out)) expect({ role: r.name, condition: r.statement.Condition }).toEqual({ role: r.name, condition: undefined });
  });

  test("granted ARNs leave the account as *", () => {
    const accounts = new Set(grantedResources(out).filter((r) => r.startsWith("arn:aws:") && !r.startsWith("arn:aws:s3:::")).map((r) => r.split(":")[4]));
    expect([...accounts]).toEqual(["*"]);
  });
});
