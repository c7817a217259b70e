import { describeWithTerraform, TerraformDir } from "./support/terraform";
import { synth } from "./support/synth";

/**
 * `terraform test` with `mock_provider "aws"` over the synthesized default stack: a plan and an apply
 * against mocks, asserting that `metaflow_profile_json` carries every key this deployment provides, each
 * with a non-empty value. With scheduling off, its keys must be absent.
 */

/** Keys the default deployment (API gateway, EC2 Batch, scheduling on) must provide. */
const DEFAULT_KEYS = [
  "METAFLOW_DEFAULT_DATASTORE", "METAFLOW_DATASTORE_SYSROOT_S3", "METAFLOW_DATATOOLS_S3ROOT", "METAFLOW_DEFAULT_METADATA",
  "METAFLOW_SERVICE_URL", "METAFLOW_SERVICE_INTERNAL_URL", "METAFLOW_SERVICE_AUTH_KEY", "METAFLOW_BATCH_JOB_QUEUE",
  "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_SFN_IAM_ROLE", "METAFLOW_SFN_STATE_MACHINE_PREFIX",
  "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE", "METAFLOW_SFN_DYNAMO_DB_TABLE", "METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN",
];
const SCHEDULING_KEYS = DEFAULT_KEYS.filter((k) => k.startsWith("METAFLOW_SFN_") || k.startsWith("METAFLOW_EVENTS_"));

/**
 * The mock provider invents random strings for computed attributes; ARNs must look like ARNs to pass the
 * provider's own validation, and nested computed blocks the stack indexes (`master_user_secret[0]`) need
 * one element, as AWS returns.
 */
function mocks(stackJson: any, schemas: any): string {
  const resourceSchemas = Object.values<any>(schemas.provider_schemas)[0].resource_schemas;
  const blocks = Object.keys(stackJson.resource ?? {}).flatMap((type) => {
    const defaults: string[] = [];
    if (resourceSchemas[type]?.block?.attributes?.arn) defaults.push(`arn = "arn:aws:mock:us-east-1:123456789012:${type}/mock"`);
    if (type === "aws_db_instance") {
      defaults.push(`master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-master", kms_key_id = "k", secret_status = "active" }]`);
    }
    return defaults.length ? [`  mock_resource "${type}" {\n    defaults = {\n      ${defaults.join("\n      ")}\n    }\n  }`] : [];
  });
  return `mock_provider "aws" {\n${blocks.join("\n")}\n}\n`;
}

let MOCKS = "";

// A run of `command = apply` plans and then applies against the mocks.
const hcl = (run: string, command: "plan" | "apply", keys: string[], absent: string[]) => `${MOCKS}
run "${run}" {
  command = ${command}
  assert {
    condition     = alltrue([for k in ${JSON.stringify(keys)} : try(length(jsondecode(output.metaflow_profile_json)[k]) > 0, false)])
    error_message = "metaflow_profile_json lacks a key or has an empty value: \${jsonencode(setsubtract(${JSON.stringify(keys)}, keys(jsondecode(output.metaflow_profile_json))))}"
  }
  assert {
    condition     = length(setintersection(keys(jsondecode(output.metaflow_profile_json)), ${JSON.stringify(absent)})) == 0
    error_message = "metaflow_profile_json has keys this deployment does not provide"
  }
}
`;

describeWithTerraform("terraform test: the Metaflow profile output carries every key", () => {
  const withScheduling = synth({ state: { backend: "local" } });
  const withoutScheduling = synth({ state: { backend: "local" }, scheduling: { enabled: false } });
  let on: TerraformDir;
  let off: TerraformDir;

  beforeAll(() => {
    on = new TerraformDir(withScheduling.json, "profile-on");
    on.init();
    MOCKS = mocks(withScheduling.json, on.providerSchemas());
    off = new TerraformDir(withoutScheduling.json, "profile-off");
    off.init();
  });
  afterAll(() => {
    on?.remove();
    off?.remove();
  });

  test("after a mocked apply of the default stack, every expected key has a non-empty value", () => {
    const result = on.test("profile-apply", hcl("profile_after_apply", "apply", DEFAULT_KEYS, ["METAFLOW_ECS_FARGATE_EXECUTION_ROLE"]));
    expect(result.output).toMatch(/1 passed, 0 failed/);
  });

  test("the assertion fails when a key is missing (the check is not vacuous)", () => {
    const result = on.test("profile-missing", hcl("profile_missing_key", "apply", [...DEFAULT_KEYS, "METAFLOW_UI_URL"], []));
    expect(result.ok).toBe(false);
    expect(result.output).toContain("METAFLOW_UI_URL");
  });

  test("with scheduling off, the profile has no scheduling key and every other key", () => {
    const others = DEFAULT_KEYS.filter((k) => !SCHEDULING_KEYS.includes(k));
    const result = off.test("profile-off", hcl("profile_without_scheduling", "apply", others, SCHEDULING_KEYS));
    expect(result.output).toMatch(/1 passed, 0 failed/);
  });
});
