import * as fs from "fs";
import * as path from "path";
import { Artifact, ARTIFACTS, isNotCreated, NOT_CREATED, NOT_UPDATABLE } from "./gaps";

/**
 * The override files that point a configuration at the emulator. Terraform merges `*_override.tf.json`
 * files into the configuration of their directory's module, so the stack's JSON (or an HCL root and its
 * modules) is never edited and nothing here can reach a real account: the provider's endpoints, dummy
 * credentials and a local state file in the root, plus the workarounds of gaps.ts in every module
 * (resources the emulator cannot hold get `count = 0`, references to them become `one(...[*])`, and the
 * emulator's artifacts and the changes it cannot apply are added to `lifecycle.ignore_changes`).
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

/**
 * The gap workarounds for the resources of one module's JSON (a synthesized stack, or a child module of an
 * HCL root): resources of a not-created type get `count = 0` (no instances, for one with `for_each`), the
 * references to counted ones read through `one(...)`, and the artifacts and the changes the emulator cannot
 * apply go into `lifecycle.ignore_changes`. Undefined when there is nothing to work around.
 */
export function resourceWorkarounds(module: StackJson, options: { ignoreArtifacts?: boolean } = {}): Record<string, Record<string, Record<string, Json>>> | undefined {
  const resources = module.resource ?? {};
  const override: Record<string, Record<string, Record<string, Json>>> = {};
  const entry = (type: string, name: string) => ((override[type] ??= {})[name] ??= {});

  const notCreated = Object.entries(resources).flatMap(([type, byName]) => (isNotCreated(type) ? Object.keys(byName).map((name) => [type, name] as const) : []));
  // count = 0 cannot go with for_each: a resource with for_each gets no instances instead. References to a
  // counted one are rewritten below; one with for_each is read by instance key (or through values()), and
  // none of the modules' not-created resources has for_each today (override.test.ts).
  const skipped: string[] = [];
  for (const [type, name] of notCreated) {
    if (resources[type][name].for_each !== undefined) {
      entry(type, name).for_each = {};
    } else {
      entry(type, name).count = 0;
      skipped.push(`${type}.${name}`);
    }
  }
  if (skipped.length > 0) {
    for (const [type, byName] of Object.entries(resources)) {
      for (const [name, body] of Object.entries(byName)) {
        for (const [key, value] of Object.entries(body)) {
          // depends_on may name a resource with count = 0; meta blocks are not expressions.
          if (key === "//" || key === "depends_on" || key === "lifecycle" || key === "count" || key === "for_each") continue;
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
  return Object.keys(override).length > 0 ? override : undefined;
}

/** The override file's content for `stack`, a root module: the emulator's provider and state, and the workarounds. */
export function emulatorOverride(stack: StackJson, options: EmulatorOverrideOptions): object {
  const resource = resourceWorkarounds(stack, options);
  return {
    terraform: { backend: { local: { path: options.statePath } } },
    provider: { aws: (stack.provider?.aws ?? [{}]).map((p) => providerBlock(options.url, p.alias)) },
    ...(resource ? { resource } : {}),
  };
}

/**
 * The override file for a child module's directory: Terraform merges override files per module, so each
 * module an HCL root loads needs its own for the gaps of its resources. The provider and the state are the
 * root's. Undefined when the module needs none.
 */
export function emulatorModuleOverride(module: StackJson, options: { ignoreArtifacts?: boolean } = {}): object | undefined {
  const resource = resourceWorkarounds(module, options);
  return resource ? { resource } : undefined;
}

/**
 * Writes the override file of every child module an initialized root loaded (`.terraform/modules/modules.json`)
 * into that module's own directory, or removes a stale one where a module needs none; returns the module
 * addresses the emulator does not create, as `module.<key>.<type>.<name>`. A local module's directory is
 * its source itself, so this is for a copy of the modules (the emulator suite's), never the repository's.
 */
export function writeModuleOverrides(rootDir: string, options: { ignoreArtifacts?: boolean } = {}): string[] {
  const manifest = path.join(rootDir, ".terraform", "modules", "modules.json");
  const loaded = JSON.parse(fs.readFileSync(manifest, "utf8")).Modules as { Key: string; Dir: string }[];
  const notCreated: string[] = [];
  for (const module of loaded.filter((m) => m.Key !== "")) {
    const dir = path.resolve(rootDir, module.Dir);
    const files = fs.readdirSync(dir).filter((f) => (f.endsWith(".tf") || f.endsWith(".tf.json")) && !/_override\.tf(\.json)?$/.test(f) && f !== "override.tf.json");
    // The generated modules are JSON; a gap in an HCL file would go unseen, so such a module is refused.
    const hcl = files.filter((f) => f.endsWith(".tf"));
    if (hcl.length > 0) throw new Error(`writeModuleOverrides: module ${module.Key} has HCL files (${hcl.join(", ")}); only .tf.json modules can be read`);
    const resource: Record<string, Record<string, Record<string, Json>>> = {};
    for (const f of files) {
      for (const [type, byName] of Object.entries<Record<string, Record<string, Json>>>(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")).resource ?? {})) Object.assign((resource[type] ??= {}), byName);
    }
    const json = { resource };
    const override = emulatorModuleOverride(json, options);
    const file = path.join(dir, EMULATOR_OVERRIDE_FILE);
    if (override) fs.writeFileSync(file, JSON.stringify(override, null, 2));
    else fs.rmSync(file, { force: true });
    notCreated.push(...notCreatedAddresses(json).map((address) => `module.${module.Key.split(".").join(".module.")}.${address}`));
  }
  return notCreated;
}

/** The addresses of `stack` that the emulator does not create (NOT_CREATED). */
export function notCreatedAddresses(stack: StackJson): string[] {
  return NOT_CREATED.flatMap((gap) => Object.keys(stack.resource?.[gap.type] ?? {}).map((name) => `${gap.type}.${name}`));
}
