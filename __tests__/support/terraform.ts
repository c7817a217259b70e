import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Real Terraform for tests, offline: a CLI config of the test's own that installs hashicorp/aws from the
 * local filesystem mirror, dummy credentials, and the provider's skip_* flags in an override file (the
 * synthesized JSON itself is not touched). Where terraform or the mirror is missing, `unavailable` says why.
 */

const MIRROR_CANDIDATES = [
  process.env.METAFLOW_TF_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  path.join(os.homedir(), ".terraform.d/plugins"),
].filter((p): p is string => Boolean(p));

export const PROVIDER_MIRROR = MIRROR_CANDIDATES.find((dir) =>
  fs.existsSync(path.join(dir, "registry.terraform.io/hashicorp/aws")),
);

function terraformOnPath(): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;
}

/** Why terraform tests cannot run here, or undefined when they can. */
export const unavailable: string | undefined = !terraformOnPath()
  ? "terraform is not on PATH"
  : !PROVIDER_MIRROR
    ? `no filesystem mirror of hashicorp/aws found (looked in ${MIRROR_CANDIDATES.join(", ")}; set METAFLOW_TF_PROVIDER_MIRROR)`
    : undefined;

/** `describe` when terraform can run, else `describe.skip` with the reason printed once. */
export function describeWithTerraform(name: string, fn: () => void): void {
  if (unavailable) {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": ${unavailable}`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

const OFFLINE_PROVIDER = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
  access_key: "offline-test",
  secret_key: "offline-test",
};

/** A working directory holding one synthesized stack, ready for terraform commands. */
export class TerraformDir {
  public readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(stackJson: object, label: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `mf-tf-${label}-`));
    fs.writeFileSync(path.join(this.dir, "cdk.tf.json"), JSON.stringify(stackJson, null, 2));
    fs.writeFileSync(
      path.join(this.dir, "offline_override.tf.json"),
      JSON.stringify({
        terraform: { backend: { local: { path: path.join(this.dir, "terraform.tfstate") } } },
        provider: { aws: [OFFLINE_PROVIDER] },
      }),
    );
    const cache = path.join(os.tmpdir(), "mf-tf-plugin-cache");
    fs.mkdirSync(cache, { recursive: true });
    const cliConfig = path.join(this.dir, "terraform.rc");
    fs.writeFileSync(
      cliConfig,
      [
        "provider_installation {",
        `  filesystem_mirror {\n    path = ${JSON.stringify(PROVIDER_MIRROR)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }`,
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }',
        "}",
        `plugin_cache_dir = ${JSON.stringify(cache)}`,
      ].join("\n"),
    );
    this.env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      AWS_ACCESS_KEY_ID: "offline-test",
      AWS_SECRET_ACCESS_KEY: "offline-test",
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  /** Runs terraform; returns stdout, or throws with its stderr. */
  public run(...args: string[]): string {
    const result = spawnSync("terraform", [...args, "-no-color"], {
      cwd: this.dir,
      env: this.env,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.status !== 0) {
      throw new Error(`terraform ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}\n${result.stdout}`);
    }
    return result.stdout;
  }

  public init(): void {
    this.run("init", "-input=false");
  }

  /** `terraform validate -json`, parsed. */
  public validate(): { valid: boolean; error_count: number; warning_count: number; diagnostics: any[] } {
    return JSON.parse(this.run("validate", "-json"));
  }

  /** An offline plan (no refresh) saved and shown as JSON. */
  public plan(): any {
    this.run("plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin");
    return JSON.parse(execFileSync("terraform", ["show", "-json", "plan.bin"], { cwd: this.dir, env: this.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }));
  }

  /** Writes `<name>.tftest.hcl` beside the stack and runs `terraform test` on it; returns the report. */
  public test(name: string, hcl: string): { ok: boolean; output: string } {
    fs.writeFileSync(path.join(this.dir, `${name}.tftest.hcl`), hcl);
    const result = spawnSync("terraform", ["test", "-no-color", `-filter=${name}.tftest.hcl`], {
      cwd: this.dir,
      env: this.env,
      encoding: "utf8",
    });
    // Terraform wraps long messages; fold white space so tests can match whole sentences.
    return { ok: result.status === 0, output: `${result.stdout}\n${result.stderr}`.replace(/\s+/g, " ") };
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resource types the plan creates, sorted and unique. */
export function createdTypes(plan: any): string[] {
  const types = (plan.resource_changes ?? [])
    .filter((c: any) => c.mode === "managed" && c.change.actions.includes("create"))
    .map((c: any) => c.type as string);
  return [...new Set<string>(types)].sort();
}
