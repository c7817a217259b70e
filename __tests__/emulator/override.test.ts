import { ARTIFACTS, NOT_CREATED, NOT_UPDATABLE } from "../../flow/emulator/gaps";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATED_SERVICES, EMULATOR_OVERRIDE_FILE, emulatorModuleOverride, emulatorOverride, notCreatedAddresses, writeModuleOverrides } from "../../flow/emulator/override";
import { synthesizeModules } from "../../hcl/write-modules";
import { parseFlowArgs } from "../../flow/options";
import { diagnose, FlowError } from "../../flow/terraform";
import { synth } from "../support/synth";

/**
 * The emulator override (flow/emulator/override.ts): everything that points a stack at the emulator lives
 * in it, and the synthesized stack is left as it is for a real account.
 */

const URL = "http://127.0.0.1:40001";
const STATE = "/tmp/plans/.emulator/abc/dev.tfstate";

describe("emulator override of the default stack", () => {
  const stack = synth().json;
  const before = JSON.stringify(stack);
  const override: any = emulatorOverride(stack, { url: URL, statePath: STATE });

  test("building it leaves the synthesized stack unchanged", () => {
    expect(JSON.stringify(stack)).toBe(before);
  });

  test("keeps state in a local file under plans/", () => {
    expect(override.terraform).toEqual({ backend: { local: { path: STATE } } });
  });

  test("points every emulated service of every provider configuration at the emulator, with path-style S3", () => {
    expect(override.provider.aws).toHaveLength(stack.provider.aws.length);
    const [provider] = override.provider.aws;
    expect(provider.endpoints).toEqual([Object.fromEntries(EMULATED_SERVICES.map((s) => [s, URL]))]);
    expect(provider).toMatchObject({ s3_use_path_style: true, skip_credentials_validation: true, skip_metadata_api_check: true });
  });

  test("still asks the emulator for the account id (security-group references would read back with an account prefix otherwise)", () => {
    expect(override.provider.aws[0]).not.toHaveProperty("skip_requesting_account_id");
  });

  test("keeps the stack's region and account pin (the override does not set them)", () => {
    expect(override.provider.aws[0]).not.toHaveProperty("region");
    expect(override.provider.aws[0]).not.toHaveProperty("allowed_account_ids");
  });

  test("gives every resource of a not-created type count = 0", () => {
    const addresses = notCreatedAddresses(stack);
    expect(addresses.map((a) => a.split(".")[0]).sort()).toEqual(NOT_CREATED.map((g) => g.type).sort());
    for (const address of addresses) {
      const [type, name] = address.split(".");
      expect(override.resource[type][name].count).toBe(0);
    }
  });

  test("rewrites every reference to a not-created resource as one(...[*]) and nothing else in that value", () => {
    const [policy] = notCreatedAddresses(stack).filter((a) => a.startsWith("aws_api_gateway_rest_api_policy."));
    const [, deployment] = Object.entries<any>(stack.resource.aws_api_gateway_deployment)[0];
    const name = Object.keys(stack.resource.aws_api_gateway_deployment)[0];
    const rewritten = override.resource.aws_api_gateway_deployment[name].triggers.redeployment as string;
    expect(deployment.triggers.redeployment).toContain(`${policy}.policy`);
    expect(rewritten).toBe(deployment.triggers.redeployment.replace(`${policy}.policy`, `one(${policy}[*].policy)`));
    expect(JSON.stringify(override)).not.toMatch(new RegExp(`(?<!one\\()${policy.replace(/\./g, "\\.")}\\.policy`));
  });

  test("adds each artifact to ignore_changes, keeping what the stack ignores and its other lifecycle settings", () => {
    for (const artifact of ARTIFACTS) {
      for (const [name, body] of Object.entries<any>(stack.resource[artifact.type] ?? {})) {
        const lifecycle = override.resource[artifact.type][name].lifecycle;
        expect(lifecycle.ignore_changes).toEqual(expect.arrayContaining([...(body.lifecycle?.ignore_changes ?? []), ...artifact.attributes]));
        for (const [key, value] of Object.entries(body.lifecycle ?? {})) if (key !== "ignore_changes") expect(lifecycle[key]).toEqual(value);
      }
    }
  });

  test("with ignoreArtifacts off, only the changes the emulator cannot apply are ignored (the suite's check of the artifact list)", () => {
    const strict: any = emulatorOverride(stack, { url: URL, statePath: STATE, ignoreArtifacts: false });
    const touched = Object.entries<any>(strict.resource).filter(([, byName]) => Object.values<any>(byName).some((b) => b.lifecycle)).map(([type]) => type);
    expect(touched.sort()).toEqual(NOT_UPDATABLE.map((n) => n.type).filter((t) => stack.resource[t]).sort());
  });

  test("ignores tag changes of the API Gateway resources the emulator cannot tag", () => {
    for (const gap of NOT_UPDATABLE) {
      for (const name of Object.keys(stack.resource[gap.type] ?? {})) expect(override.resource[gap.type][name].lifecycle.ignore_changes).toEqual(expect.arrayContaining(["tags", "tags_all"]));
    }
  });
});

describe("emulator override of a stack the emulator can hold whole", () => {
  test("has no resource section when nothing is skipped or ignored", () => {
    const override: any = emulatorOverride({ provider: { aws: [{}] }, resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } } }, { url: URL, statePath: STATE });
    expect(override.resource).toBeUndefined();
  });

  test("writes one provider block per aliased provider, with the alias", () => {
    const override: any = emulatorOverride({ provider: { aws: [{}, { alias: "replica" }] } }, { url: URL, statePath: STATE });
    expect(override.provider.aws.map((p: any) => p.alias)).toEqual([undefined, "replica"]);
  });
});

describe("emulator override of a child module (an HCL root's modules)", () => {
  const metaflow = synthesizeModules().find((m) => m.name === "metaflow")!.json;
  const override: any = emulatorModuleOverride(metaflow);

  test("has the resource workarounds and neither a provider nor a backend (those are the root's)", () => {
    expect(Object.keys(override)).toEqual(["resource"]);
  });

  test("gives every resource of a not-created type count = 0, in place of the module's own condition", () => {
    const addresses = notCreatedAddresses(metaflow);
    expect(addresses.map((a) => a.split(".")[0]).sort()).toEqual(NOT_CREATED.map((g) => g.type).sort());
    for (const address of addresses) {
      const [type, name] = address.split(".");
      expect(metaflow.resource[type][name].count).toMatch(/\? 1 : 0\}$/);
      expect(override.resource[type][name].count).toBe(0);
    }
  });

  test("leaves references the module already reads through one(...) as they are", () => {
    const [policy] = notCreatedAddresses(metaflow).filter((a) => a.startsWith("aws_api_gateway_rest_api_policy."));
    const name = Object.keys(metaflow.resource.aws_api_gateway_deployment)[0];
    expect(metaflow.resource.aws_api_gateway_deployment[name].triggers.redeployment).toContain(`one(${policy}[*].policy)`);
    expect(override.resource.aws_api_gateway_deployment?.[name]).toBeUndefined();
  });

  test("adds the artifacts to ignore_changes of resources with for_each too, keeping their own", () => {
    const [name, template] = Object.entries<any>(metaflow.resource.aws_launch_template).find(([, body]) => body.for_each)!;
    expect(template.lifecycle.create_before_destroy).toBe(true);
    expect(override.resource.aws_launch_template[name].lifecycle).toEqual({ ...template.lifecycle, ignore_changes: expect.arrayContaining(["tag_specifications", "tags", "tags_all"]) });
  });

  test("a not-created resource with for_each loses its instances, as count = 0 cannot go with for_each", () => {
    const module = { resource: { aws_s3_bucket_policy: { p: { for_each: "${var.buckets}", bucket: "${each.key}", policy: "{}" } } } };
    expect((emulatorModuleOverride(module) as any).resource.aws_s3_bucket_policy.p).toEqual({ for_each: {} });
  });

  test("a module without gaps needs no override file", () => {
    expect(emulatorModuleOverride({ resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } } })).toBeUndefined();
  });

  test("writeModuleOverrides writes one in each module directory init loaded, removes a stale one, and names what is not created", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "mf-module-overrides-"));
    try {
      const root = path.join(work, "root");
      const write = (file: string, json: object) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(json));
      };
      write(path.join(work, "modules", "metaflow", "main.tf.json"), metaflow);
      write(path.join(work, "modules", "plain", "main.tf.json"), { resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } } });
      write(path.join(work, "modules", "plain", EMULATOR_OVERRIDE_FILE), { resource: {} });
      write(path.join(root, ".terraform", "modules", "modules.json"), {
        Modules: [{ Key: "", Dir: "." }, { Key: "metaflow", Dir: "../modules/metaflow" }, { Key: "plain", Dir: "../modules/plain" }],
      });
      const notCreated = writeModuleOverrides(root);
      expect(JSON.parse(fs.readFileSync(path.join(work, "modules", "metaflow", EMULATOR_OVERRIDE_FILE), "utf8"))).toEqual(JSON.parse(JSON.stringify(override)));
      expect(fs.existsSync(path.join(work, "modules", "plain", EMULATOR_OVERRIDE_FILE))).toBe(false);
      expect(notCreated.sort()).toEqual(notCreatedAddresses(metaflow).map((a) => `module.metaflow.${a}`).sort());
      fs.writeFileSync(path.join(work, "modules", "plain", "extra.tf"), 'resource "aws_s3_bucket_policy" "p" {}\n');
      expect(() => writeModuleOverrides(root)).toThrow(/module plain has HCL files \(extra.tf\)/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("--emulator on the command line", () => {
  const parse = (...argv: string[]) => parseFlowArgs(["--env", "dev", ...argv], "usage", ["--env", "--offline", "--emulator", "--quiet", "--verbose"]);

  test("without a value uses the running emulator (or one for the command)", () => {
    expect(parse("--emulator").target).toEqual({ kind: "emulator", emulatorUrl: undefined });
  });

  test("with a URL uses the server there", () => {
    expect(parse("--emulator", URL).target).toEqual({ kind: "emulator", emulatorUrl: URL });
  });

  test("followed by another flag takes no value", () => {
    expect(parse("--emulator", "--quiet")).toMatchObject({ target: { kind: "emulator" }, quiet: true });
  });

  test("fails when combined with --offline", () => {
    expect(() => parse("--offline", "--emulator")).toThrow(new FlowError("--offline and --emulator exclude each other: choose one; usage"));
  });

  test("fails when --quiet and --verbose are both given", () => {
    expect(() => parse("--quiet", "--verbose")).toThrow(/--quiet and --verbose exclude each other/);
  });

  test("no target flag means a real account", () => {
    expect(parse().target).toEqual({ kind: "aws" });
  });
});

describe("what a failed terraform run means", () => {
  const output = [
    "Error: Instance cannot be destroyed",
    "  on cdk.tf.json line 10:",
    "Resource aws_s3_bucket.storage_datastore_bucket_F49550FA has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
    "Error: Instance cannot be destroyed",
    "Resource aws_kms_key.storage_key_1A2B3C4D has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
    "Resource aws_kms_key.storage_key_1A2B3C4D has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
  ].join("\n");

  test("a plan stopped by prevent_destroy names each resource once and says how to go on", () => {
    const words = diagnose(output)!;
    expect(words).toMatch(/^the plan would destroy 2 resources that hold data and are protected by prevent_destroy/);
    expect(words.match(/ {2}- aws_s3_bucket\.storage_datastore_bucket_F49550FA/g)).toHaveLength(1);
    expect(words.match(/ {2}- aws_kms_key\.storage_key_1A2B3C4D/g)).toHaveLength(1);
    expect(words).toMatch(/undo the config change that replaces them/);
  });

  test("finds addresses in messages Terraform wrapped over lines", () => {
    const wrapped = "Resource aws_s3_bucket.storage_datastore_bucket_F49550FA has\nlifecycle.prevent_destroy set, but the plan calls for this resource to be\ndestroyed.";
    expect(diagnose(wrapped)).toMatch(/- aws_s3_bucket\.storage_datastore_bucket_F49550FA/);
  });

  test("colour codes in the output do not hide the addresses", () => {
    expect(diagnose(`\x1b[1mResource aws_s3_bucket.b has lifecycle.prevent_destroy set\x1b[0m`)).toMatch(/- aws_s3_bucket\.b/);
  });

  test("other failures get no explanation of ours", () => {
    expect(diagnose("Error: creating EC2 VPC: UnauthorizedOperation")).toBeUndefined();
  });
});
