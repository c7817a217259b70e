import { Artifact, ARTIFACTS, isNotCreated, NOT_CREATED, NOT_UPDATABLE } from "./gaps";

/**
 * The override file that points a synthesized stack at the emulator. Terraform merges `*_override.tf.json`
 * files into the configuration, so the stack's JSON itself is never edited and nothing here can reach a
 * real account: the provider's endpoints, dummy credentials and a local state file, plus the workarounds
 * of gaps.ts (resources the emulator cannot hold get `count = 0`, references to them become `one(...[*])`,
 * and the emulator's artifacts and the changes it cannot apply are added to `lifecycle.ignore_changes`).
 */

export const EMULATOR_OVERRIDE_FILE = "emulator_override.tf.json";

/** Every service the stacks call, by the provider's own endpoint names. */
export const EMULATED_SERVICES = [
  "acm", "apigateway", "autoscaling", "batch", "cloudwatch", "cognitoidp", "dynamodb", "ec2", "ecr", "ecs", "elb", "elbv2",
  "events", "iam", "kms", "logs", "rds", "s3", "secretsmanager", "sfn", "sns", "sqs", "ssm", "sts",
] as const;

/** Credentials the emulator accepts; it answers as its configured account whatever the key. */
export const EMULATOR_CREDENTIALS = { accessKey: "emulator", secretKey: "emulator" } as const;

export interface EmulatorOverrideOptions {
  readonly url: string;
  /** The local state file (under plans/). */
  readonly statePath: string;
  /**
   * Ignore the emulator's artifacts (ARTIFACTS) so a plan after an apply is empty. Off only for the suite's
   * check that the artifact list is exact. @default true
   */
  readonly ignoreArtifacts?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface StackJson {
  readonly provider?: { readonly aws?: readonly { readonly alias?: string }[] };
  readonly resource?: Record<string, Record<string, Record<string, Json>>>;
}

/** The provider settings for the emulator (one block per provider configuration, matched by alias). */
function providerBlock(url: string, alias?: string): Record<string, Json> {
  return {
    ...(alias ? { alias } : {}),
    access_key: EMULATOR_CREDENTIALS.accessKey,
    secret_key: EMULATOR_CREDENTIALS.secretKey,
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
    // Not skip_requesting_account_id: with it, references to security groups read back as `<account>/sg-...`.
    s3_use_path_style: true,
    endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, url]))],
  };
}

/** Rewrites `type.name.attr` of a resource that has `count = 0` into `one(type.name[*].attr)` (null). */
function withoutReferences(value: Json, skipped: readonly string[]): Json {
  if (typeof value === "string") {
    return skipped.reduce(
      (text, address) => text.replace(new RegExp(`\\b${address.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\.([A-Za-z0-9_]+)`, "g"), `one(${address}[*].$1)`),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((v) => withoutReferences(v, skipped));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutReferences(v, skipped)]));
  return value;
}

/** The override file's content for `stack`. */
export function emulatorOverride(stack: StackJson, options: EmulatorOverrideOptions): object {
  const resources = stack.resource ?? {};
  const override: Record<string, Record<string, Record<string, Json>>> = {};
  const entry = (type: string, name: string) => ((override[type] ??= {})[name] ??= {});

  const skipped = Object.entries(resources).flatMap(([type, byName]) => (isNotCreated(type) ? Object.keys(byName).map((name) => `${type}.${name}`) : []));
  for (const address of skipped) {
    const [type, name] = address.split(".");
    entry(type, name).count = 0;
  }
  if (skipped.length > 0) {
    for (const [type, byName] of Object.entries(resources)) {
      for (const [name, body] of Object.entries(byName)) {
        for (const [key, value] of Object.entries(body)) {
          // depends_on may name a resource with count = 0; meta blocks are not expressions.
          if (key === "//" || key === "depends_on" || key === "lifecycle") continue;
          const rewritten = withoutReferences(value, skipped);
          if (JSON.stringify(rewritten) !== JSON.stringify(value)) entry(type, name)[key] = rewritten;
        }
      }
    }
  }

  const ignored: readonly Artifact[] = [...NOT_UPDATABLE, ...((options.ignoreArtifacts ?? true) ? ARTIFACTS : [])];
  for (const artifact of ignored) {
    for (const [name, body] of Object.entries(resources[artifact.type] ?? {})) {
      // Override files merge lifecycle argument by argument: keep the stack's own ignore_changes (and
      // what an earlier list added here).
      const target = entry(artifact.type, name);
      const lifecycle = (target.lifecycle ?? body.lifecycle ?? {}) as { ignore_changes?: string[] };
      const ignore = [...new Set([...(lifecycle.ignore_changes ?? []), ...artifact.attributes])];
      target.lifecycle = { ...lifecycle, ignore_changes: ignore };
    }
  }

  return {
    terraform: { backend: { local: { path: options.statePath } } },
    provider: { aws: (stack.provider?.aws ?? [{}]).map((p) => providerBlock(options.url, p.alias)) },
    ...(Object.keys(override).length > 0 ? { resource: override } : {}),
  };
}

/** The addresses of `stack` that the emulator does not create (NOT_CREATED). */
export function notCreatedAddresses(stack: StackJson): string[] {
  return NOT_CREATED.flatMap((gap) => Object.keys(stack.resource?.[gap.type] ?? {}).map((name) => `${gap.type}.${name}`));
}
