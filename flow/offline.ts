import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Terraform without an AWS account or registry: hashicorp/aws from a local filesystem mirror, dummy
 * credentials, the provider's skip_* flags and a local backend, all in files beside the synthesized JSON
 * (an override file and a CLI config), so the JSON itself is never edited. Used by `npm run plan --
 * --offline` and by the tests.
 */

const MIRROR_CANDIDATES = [
  process.env.METAFLOW_TF_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  path.join(os.homedir(), ".terraform.d/plugins"),
].filter((p): p is string => Boolean(p));

/** The first directory holding a filesystem mirror of hashicorp/aws, if any. */
export function findProviderMirror(): string | undefined {
  return MIRROR_CANDIDATES.find((dir) => fs.existsSync(path.join(dir, "registry.terraform.io/hashicorp/aws")));
}

export function mirrorCandidates(): readonly string[] {
  return MIRROR_CANDIDATES;
}

const OFFLINE_PROVIDER = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
  access_key: "offline",
  secret_key: "offline",
};

/** The override file's content: local state at `statePath` and offline settings on every aws provider. */
export function offlineOverride(stackJson: { provider?: { aws?: { alias?: string }[] } }, statePath: string): object {
  return {
    terraform: { backend: { local: { path: statePath } } },
    // One entry per provider configuration: override files match providers by alias.
    provider: {
      aws: (stackJson.provider?.aws ?? [{}]).map((p) => (p.alias ? { ...OFFLINE_PROVIDER, alias: p.alias } : OFFLINE_PROVIDER)),
    },
  };
}

/**
 * A CLI config that installs hashicorp/aws only from `mirror`. No plugin cache: from an unpacked mirror
 * terraform links the provider into `.terraform` anyway, and a shared cache is not safe for concurrent
 * inits (each relinks its entry, and a parallel run finds "no package ... cached in .terraform/providers").
 */
export function mirrorCliConfig(mirror: string): string {
  return [
    "provider_installation {",
    `  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }`,
    '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }',
    "}",
  ].join("\n");
}

/**
 * Writes the override and CLI config for an offline run of the stack in `dir`; returns the environment
 * terraform needs. Throws when no mirror is found.
 */
export function prepareOffline(dir: string, statePath: string): NodeJS.ProcessEnv {
  const mirror = findProviderMirror();
  if (!mirror) {
    throw new Error(`no filesystem mirror of hashicorp/aws found (looked in ${MIRROR_CANDIDATES.join(", ")}); set METAFLOW_TF_PROVIDER_MIRROR`);
  }
  const stackJson = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
  fs.writeFileSync(path.join(dir, "offline_override.tf.json"), JSON.stringify(offlineOverride(stackJson, statePath), null, 2));
  const cliConfig = path.join(dir, "offline.tfrc");
  fs.writeFileSync(cliConfig, mirrorCliConfig(mirror));
  return {
    TF_CLI_CONFIG_FILE: cliConfig,
    AWS_ACCESS_KEY_ID: "offline",
    AWS_SECRET_ACCESS_KEY: "offline",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Removes what `prepareOffline` wrote, so a later online run uses the real backend and registry. */
export function clearOffline(dir: string): void {
  for (const file of ["offline_override.tf.json", "offline.tfrc"]) fs.rmSync(path.join(dir, file), { force: true });
}
