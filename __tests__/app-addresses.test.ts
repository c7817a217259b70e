import * as fs from "fs";
import * as path from "path";
import { synth } from "./support/synth";
import { ALL_KINDS } from "./support/configs";

/**
 * The app's resource addresses are a contract: a renamed construct id replaces a real resource. The
 * constructs now also build plain Terraform modules with for_each and count; for the app's configs they
 * must synthesize the same resources at the same addresses as before (fixtures/app-addresses.json, made
 * from the constructs before that change: integrate at 9b70275, issues 12 and 15 merged; see its README).
 */

const EXAMPLES = path.join(__dirname, "..", "examples", "environments");
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), "utf8"));
const FIXTURE: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "app-addresses.json"), "utf8"));

/** Every shipped config, and configs that take each choice's other side (the users' role, no API gateway, ...). */
const CASES: Record<string, [string, unknown]> = {
  default: ["dev", {}],
  production: ["production", example("production")],
  "no-nat": ["no-nat", example("no-nat")],
  "shared-vpc": ["shared-vpc", example("shared-vpc")],
  "dev-small": ["dev-small", example("dev-small")],
  ui: ["ui", example("ui")],
  "all-kinds": ["dev", ALL_KINDS],
  "scheduling-off-users-role-internal": [
    "nosched",
    { scheduling: { enabled: false, users: { access: "role", principalArns: ["arn:aws:iam::123456789012:role/data-scientists"] } }, service: { publicAccess: "internal" } },
  ],
  "service-linked-extra-policies-cidrs": [
    "dev",
    {
      compute: { batchServiceRole: "serviceLinked", jobRoleManagedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
      service: { clientCidrs: ["192.168.0.0/16"], apiGateway: { allowedSourceCidrs: ["203.0.113.0/24"], accountLoggingRole: "existing" } },
      database: { performanceInsights: true, engineVersion: "16" },
      scheduling: { users: { access: "none" } },
    },
  ],
};

const addresses = (json: any) =>
  Object.entries<Record<string, any>>(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)).sort();

describe("the app's resource addresses", () => {
  test("the fixture covers exactly these configs", () => {
    expect(Object.keys(FIXTURE).sort()).toEqual(Object.keys(CASES).sort());
  });

  test.each(Object.entries(CASES))("%s synthesizes the addresses it had before the constructs took Terraform-driven loops", (name, [environment, config]) => {
    const json = synth(config, environment).json;
    expect(addresses(json)).toEqual(FIXTURE[name]);
  });

  test.each(Object.entries(CASES))("%s has no count, for_each or dynamic block (the app loops and chooses in TypeScript)", (_name, [environment, config]) => {
    const json = synth(config, environment).json;
    const looped = Object.entries<Record<string, any>>(json.resource).flatMap(([type, byName]) =>
      Object.entries(byName).filter(([, body]) => body.count !== undefined || body.for_each !== undefined || body.dynamic !== undefined).map(([n]) => `${type}.${n}`),
    );
    expect(looped).toEqual([]);
  });
});
