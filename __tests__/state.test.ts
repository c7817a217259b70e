import { Testing } from "cdktf";
import { ConfigError, parseEnvironment } from "../modules/config/load";
import { stackName } from "../modules/metaflow-stack";
import { MAX_ENVIRONMENT_LENGTH, MAX_STATE_KEY_PREFIX_LENGTH, S3_KEY_MAX_BYTES } from "../modules/naming";
import { stateKey, stateLocation } from "../modules/state-backend";
import { plannedStateBuckets, STATE_STACK, StateStack } from "../modules/state-stack";
import { Synthesized } from "./support/synth";
import { policyDoc } from "./support/json";

const env = (name: string, raw: unknown = {}) => parseEnvironment(name, raw);

/** The bootstrap stack for these environments, synthesized with validations. */
function synthState(...environments: ReturnType<typeof env>[]): Synthesized {
  const stack = new StateStack(Testing.app(), plannedStateBuckets(environments));
  return new Synthesized(JSON.parse(Testing.synth(stack, true)));
}

describe("plannedStateBuckets", () => {
  test("environments sharing a bucket share one plan entry", () => {
    const plans = plannedStateBuckets([env("dev"), env("prod")]);
    expect(plans).toHaveLength(1);
    expect(plans[0].environments).toEqual(["dev", "prod"]);
    expect(plans[0].location.bucket).toBe("metaflow-tfstate-us-east-1");
  });

  test("environments with the local backend need no bucket", () => {
    expect(plannedStateBuckets([env("dev", { state: { backend: "local" } })])).toEqual([]);
  });

  test("fails when one bucket is named in two regions", () => {
    const a = env("dev", { state: { backend: "s3", bucket: "acme-state", region: "us-east-1" } });
    const b = env("prod", { state: { backend: "s3", bucket: "acme-state", region: "eu-west-1" } });
    expect(() => plannedStateBuckets([a, b])).toThrow(ConfigError);
    expect(() => plannedStateBuckets([a, b])).toThrow(/state\.region: "eu-west-1" differs from the region of state bucket acme-state in environment dev \(us-east-1\)/);
  });

  test("the default name is flagged so synth can warn that S3 names are global", () => {
    expect(stateLocation(env("dev"))!.defaultName).toBe(true);
    expect(stateLocation(env("dev", { state: { backend: "s3", bucket: "acme-state" } }))!.defaultName).toBe(false);
  });
});

describe("StateStack", () => {
  const out = synthState(env("dev"));

  test("is the metaflow-state stack", () => {
    expect(STATE_STACK).toBe("metaflow-state");
  });

  test("creates the state bucket with its exact name, protected from destroy", () => {
    const bucket = out.resource("aws_s3_bucket");
    expect(bucket.bucket).toBe("metaflow-tfstate-us-east-1");
    expect(bucket.force_destroy).toBe(false);
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
  });

  test("the bucket is versioned, encrypted, private and TLS-only", () => {
    expect(out.resource("aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    expect(out.resource("aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    expect(out.resource("aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    const policy = policyDoc(out.resource("aws_s3_bucket_policy").policy);
    expect(policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });

  test("old state versions expire after 90 days, keeping the 10 newest", () => {
    const rule = out.resource("aws_s3_bucket_lifecycle_configuration").rule.find((r: any) => r.id === "expire-noncurrent-versions");
    expect(rule.noncurrent_version_expiration[0]).toMatchObject({ noncurrent_days: 90, newer_noncurrent_versions: 10 });
  });

  test("starts on local state", () => {
    expect(Object.keys(out.json.terraform.backend)).toEqual(["local"]);
    expect(out.json.terraform.backend.local.path).toBe("../../../terraform.metaflow-state.tfstate");
  });

  test("with bootstrapState bucket, keeps its own state in the bucket it made", () => {
    const moved = synthState(env("dev", { state: { backend: "s3", bootstrapState: "bucket" } }));
    expect(moved.json.terraform.backend.s3).toMatchObject({
      bucket: "metaflow-tfstate-us-east-1",
      key: "metaflow/bootstrap/metaflow-state.tfstate",
      use_lockfile: true,
      encrypt: true,
    });
  });

  test("buckets in two regions get a provider each, every resource bound to its bucket's region", () => {
    const two = synthState(
      env("dev", { state: { backend: "s3", bucket: "acme-state-use1", region: "us-east-1" } }),
      env("prod", { region: "eu-west-1", state: { backend: "s3", bucket: "acme-state-euw1", region: "eu-west-1" } }),
    );
    expect(two.json.provider.aws.map((p: any) => [p.region, p.alias])).toEqual([["us-east-1", undefined], ["eu-west-1", "eu-west-1"]]);
    const euBucket = two.resources("aws_s3_bucket").find((b) => b.bucket === "acme-state-euw1");
    expect(euBucket.provider).toBe("aws.eu-west-1");
    const euParts = Object.entries<any>(two.json.resource).flatMap(([, byId]) => Object.entries<any>(byId)).filter(([id]) => id.includes("acme-state-euw1"));
    expect(euParts.length).toBe(7);
    for (const [, body] of euParts) expect(body.provider).toBe("aws.eu-west-1");
  });
});

describe("state keys fit S3", () => {
  test("the longest keyPrefix with the longest environment name gives keys of at most 1,024 bytes", () => {
    const environment = "e".repeat(MAX_ENVIRONMENT_LENGTH);
    const location = stateLocation(env(environment, { state: { backend: "s3", keyPrefix: "k".repeat(MAX_STATE_KEY_PREFIX_LENGTH) } }))!;
    const keys = [stateKey(location, environment, stackName(environment)), stateKey(location, "bootstrap", STATE_STACK)];
    for (const key of keys) expect(Buffer.byteLength(key, "utf8")).toBeLessThanOrEqual(S3_KEY_MAX_BYTES);
    // The limit is tight: one more character would not fit.
    expect(Math.max(...keys.map((k) => Buffer.byteLength(k, "utf8")))).toBe(S3_KEY_MAX_BYTES);
  });
});
