import { existsSync, readdirSync, readFileSync } from "fs";
import { basename, join, resolve } from "path";
import { METAFLOW_PROFILE_KEYS, profileEntries, UnknownProfileKeyError } from "../modules/profile";
import { synth } from "./support/synth";
import { policyDoc } from "./support/json";

type Out = ReturnType<typeof synth>;

const REFERENCE = resolve(__dirname, "..", "..", "shared", "reference", "metaflow-on-aws.md");
const EXAMPLES = join(__dirname, "..", "examples", "environments");
const INTERNAL_UNSCHEDULED = { service: { publicAccess: "internal" }, scheduling: { enabled: false } };
const FARGATE_ONLY = {
  compute: { computeEnvironments: [{ name: "fargate", kind: "fargate" }], jobQueues: [{ name: "main", computeEnvironments: ["fargate"] }] },
};

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();

/** Synthesizes each (config, environment) once for this file: the tests below only read the result. */
const synthesized = new Map<string, Out>();
function synthOnce(config: unknown, name: string): Out {
  const key = `${name}:${JSON.stringify(config)}`;
  if (!synthesized.has(key)) synthesized.set(key, synth(config, name));
  return synthesized.get(key)!;
}

/**
 * The key column of the table in §1 of the reference. A cell `A_B_C / _D` names `A_B_C` and `A_B_D`
 * (the suffix replaces the last `_`-separated part).
 */
function referenceKeys(markdown: string): string[] {
  const section = /^## 1\.[^\n]*\n([\s\S]*?)(?=^## )/m.exec(markdown);
  if (!section) throw new Error("the reference has no section 1");
  const rows = section[1].split("\n").filter((line) => line.trim().startsWith("|"));
  const keys: string[] = [];
  for (const row of rows.slice(2)) {
    const cell = row.split("|")[1].trim().replace(/`/g, "");
    const [first, ...suffixes] = cell.split("/").map((part) => part.trim());
    keys.push(first);
    for (const suffix of suffixes) keys.push(first.replace(/_[^_]+$/, suffix));
  }
  return keys;
}

/** The parsed `metaflow_profile_json` output. */
const profileOf = (out: Out): Record<string, unknown> => policyDoc(String(out.outputs.metaflow_profile_json.value));
/** The individual `METAFLOW_*` outputs. */
const individualOutputs = (out: Out) => Object.fromEntries(Object.entries(out.outputs).filter(([k]) => k.startsWith("METAFLOW_")));

const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).sort();
const exampleConfigs: [string, unknown, string][] = exampleFiles.map((f) => [
  `example ${f}`,
  JSON.parse(readFileSync(join(EXAMPLES, f), "utf8")),
  basename(f, ".json"),
]);
/** Every configuration checked for key validity and agreement between outputs. */
const CONFIGS: [string, unknown, string][] = [
  ["the default config", {}, "dev"],
  ...exampleConfigs,
  ["an internal service without scheduling", INTERNAL_UNSCHEDULED, "dev"],
];

describe("METAFLOW_PROFILE_KEYS", () => {
  const referenceThere = existsSync(REFERENCE);
  const testWithReference = referenceThere ? test : test.skip;
  const note = referenceThere ? "" : ` (SKIPPED: reference file not found at ${REFERENCE})`;
  if (!referenceThere) console.warn(`profile.test.ts: skipping the reference comparison; ${REFERENCE} does not exist`);

  testWithReference(`equals the key column of the reference's §1 table${note}`, () => {
    const keys = referenceKeys(readFileSync(REFERENCE, "utf8"));
    expect(keys).toContain("METAFLOW_BATCH_CONTAINER_REGISTRY");
    expect(keys).toContain("METAFLOW_BATCH_CONTAINER_IMAGE");
    expect(sorted(METAFLOW_PROFILE_KEYS)).toEqual(sorted(keys));
  });

  test("lists each key once", () => {
    expect(new Set(METAFLOW_PROFILE_KEYS).size).toBe(METAFLOW_PROFILE_KEYS.length);
  });

  test("does not contain the manual guide's misspelling METAFLOW_DATATOOLS_SYSROOT_S3", () => {
    expect(METAFLOW_PROFILE_KEYS as readonly string[]).not.toContain("METAFLOW_DATATOOLS_SYSROOT_S3");
  });
});

describe("profileEntries", () => {
  test("throws UnknownProfileKeyError for the misspelled key METAFLOW_DATATOOLS_SYSROOT_S3", () => {
    expect(() => profileEntries({ METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_DATATOOLS_SYSROOT_S3: "s3://bucket/data" })).toThrow(UnknownProfileKeyError);
  });

  test("names the unknown key in its error", () => {
    expect(() => profileEntries({ METAFLOW_DATATOOLS_SYSROOT_S3: "s3://bucket/data" })).toThrow(/METAFLOW_DATATOOLS_SYSROOT_S3/);
  });

  test("drops keys whose value is empty", () => {
    expect(profileEntries({ METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_UI_URL: "" })).toEqual([["METAFLOW_DEFAULT_DATASTORE", "s3"]]);
  });

  test("drops keys whose value is undefined", () => {
    expect(profileEntries({ METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_SERVICE_AUTH_KEY: undefined })).toEqual([["METAFLOW_DEFAULT_DATASTORE", "s3"]]);
  });

  test("keeps every known key that has a value", () => {
    const entries = Object.fromEntries(METAFLOW_PROFILE_KEYS.map((k) => [k, `value-of-${k}`]));
    expect(profileEntries(entries)).toHaveLength(METAFLOW_PROFILE_KEYS.length);
  });
});

describe("Profile keys of synthesized stacks", () => {
  test("the example directory is not empty", () => {
    expect(exampleFiles.length).toBeGreaterThan(0);
  });

  test.each(CONFIGS)("with %s, every key of metaflow_profile_json is one Metaflow reads", (_title, config, name) => {
    const keys = Object.keys(profileOf(synthOnce(config, name)));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(METAFLOW_PROFILE_KEYS as readonly string[]).toContain(key);
  });

  test.each(CONFIGS)("with %s, no profile value is empty", (_title, config, name) => {
    const empty = Object.entries(profileOf(synthOnce(config, name))).filter(([, value]) => value === "" || value === null || value === undefined);
    expect(empty).toEqual([]);
  });

  test.each(CONFIGS)("with %s, the individual METAFLOW_* outputs have exactly the profile's keys", (_title, config, name) => {
    const out = synthOnce(config, name);
    expect(Object.keys(individualOutputs(out)).sort()).toEqual(Object.keys(profileOf(out)).sort());
  });

  test.each(CONFIGS)("with %s, each individual METAFLOW_* output has the profile's value", (_title, config, name) => {
    const out = synthOnce(config, name);
    const profile = profileOf(out);
    const values = Object.fromEntries(Object.entries(individualOutputs(out)).map(([k, o]) => [k, o.value]));
    expect(values).toEqual(profile);
  });

  test.each(CONFIGS)("with %s, no output but METAFLOW_SERVICE_AUTH_KEY and metaflow_profile_json is sensitive", (_title, config, name) => {
    const sensitive = Object.entries(synthOnce(config, name).outputs).filter(([, o]) => o.sensitive === true).map(([k]) => k);
    for (const key of sensitive) expect(["METAFLOW_SERVICE_AUTH_KEY", "metaflow_profile_json"]).toContain(key);
  });
});

describe("The profile output", () => {
  const out = synthOnce({}, "dev");

  test("metaflow_profile_json is sensitive", () => {
    expect(out.outputs.metaflow_profile_json.sensitive).toBe(true);
  });

  test("the individual METAFLOW_SERVICE_AUTH_KEY output is sensitive", () => {
    expect(out.outputs.METAFLOW_SERVICE_AUTH_KEY.sensitive).toBe(true);
  });

  test("it has the datastore, metadata and compute keys of the default stack", () => {
    expect(Object.keys(profileOf(out))).toEqual(
      expect.arrayContaining([
        "METAFLOW_DEFAULT_DATASTORE", "METAFLOW_DATASTORE_SYSROOT_S3", "METAFLOW_DATATOOLS_S3ROOT", "METAFLOW_DEFAULT_METADATA",
        "METAFLOW_SERVICE_URL", "METAFLOW_SERVICE_INTERNAL_URL", "METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
      ]),
    );
  });
});

describe("METAFLOW_SERVICE_AUTH_KEY", () => {
  test("is in the profile with the API gateway (the default)", () => {
    const out = synthOnce({}, "dev");
    expect(out.stack.deployment.publicApi).toBeDefined();
    expect(profileOf(out)).toHaveProperty("METAFLOW_SERVICE_AUTH_KEY");
  });

  test("is the API key's value", () => {
    const out = synthOnce({}, "dev");
    expect(String(profileOf(out).METAFLOW_SERVICE_AUTH_KEY)).toMatch(/^\$\{aws_api_gateway_api_key\.[^.]+\.value\}$/);
  });

  test("is not in the profile of an internal-only service", () => {
    const out = synthOnce({ service: { publicAccess: "internal" } }, "dev");
    expect(out.stack.deployment.publicApi).toBeUndefined();
    expect(profileOf(out)).not.toHaveProperty("METAFLOW_SERVICE_AUTH_KEY");
  });

  test("is not an output of an internal-only service", () => {
    expect(synthOnce({ service: { publicAccess: "internal" } }, "dev").outputs).not.toHaveProperty("METAFLOW_SERVICE_AUTH_KEY");
  });
});

describe("METAFLOW_ECS_FARGATE_EXECUTION_ROLE", () => {
  test("is not in the profile without a Fargate environment", () => {
    expect(profileOf(synthOnce({}, "dev"))).not.toHaveProperty("METAFLOW_ECS_FARGATE_EXECUTION_ROLE");
  });

  test("is not an output without a Fargate environment", () => {
    expect(synthOnce({}, "dev").outputs).not.toHaveProperty("METAFLOW_ECS_FARGATE_EXECUTION_ROLE");
  });

  test("is in the profile, as a role ARN, with a Fargate environment", () => {
    expect(String(profileOf(synthOnce(FARGATE_ONLY, "dev")).METAFLOW_ECS_FARGATE_EXECUTION_ROLE)).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
  });

  test("is an output with a Fargate environment", () => {
    expect(synthOnce(FARGATE_ONLY, "dev").outputs).toHaveProperty("METAFLOW_ECS_FARGATE_EXECUTION_ROLE");
  });
});

describe("METAFLOW_UI_URL", () => {
  const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
  const UI = { ui: { enabled: true, certificateArn: CERTIFICATE, hostname: "metaflow.example.com" } };

  test("is the configured hostname over HTTPS, in the profile and as an output", () => {
    expect(profileOf(synthOnce(UI, "dev")).METAFLOW_UI_URL).toBe("https://metaflow.example.com/");
    expect(synthOnce(UI, "dev").outputs.METAFLOW_UI_URL.value).toBe("https://metaflow.example.com/");
  });

  test("is the load balancer's DNS name over HTTPS without a hostname", () => {
    const url = String(profileOf(synthOnce({ ui: { enabled: true, certificateArn: CERTIFICATE } }, "dev")).METAFLOW_UI_URL);
    expect(url).toMatch(/^https:\/\/\$\{aws_lb\.ui_load-balancer_[0-9A-F]{8}\.dns_name\}\/$/);
  });

  test("is not in the profile without the UI", () => {
    expect(profileOf(synthOnce({}, "dev"))).not.toHaveProperty("METAFLOW_UI_URL");
    expect(synthOnce({}, "dev").outputs).not.toHaveProperty("METAFLOW_UI_URL");
  });
});
