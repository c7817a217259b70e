import { execFileSync, spawnSync } from "child_process";
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findProviderMirror, mirrorCandidates, mirrorCliConfig, offlineOverride } from "../../flow/offline";
import { policyDoc } from "./json";

/**
 * Real Terraform for tests, offline: a CLI config of the test's own that installs hashicorp/aws from the
 * local filesystem mirror, dummy credentials, and the provider's skip_* flags in an override file (the
 * synthesized JSON itself is not touched). Where terraform or the mirror is missing, `unavailable` says why.
 */

export const PROVIDER_MIRROR = findProviderMirror();

function terraformOnPath(): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;
}

/** Why terraform tests cannot run here, or undefined when they can. */
export const unavailable: string | undefined = !terraformOnPath()
  ? "terraform is not on PATH"
  : !PROVIDER_MIRROR
    ? `no filesystem mirror of hashicorp/aws found (looked in ${mirrorCandidates().join(", ")}; set METAFLOW_TF_PROVIDER_MIRROR)`
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

/**
 * The environment of a test's terraform run: a CLI config in `dir` that installs the provider from the
 * mirror, no prompts or checkpoint calls, and dummy credentials (nothing reaches AWS).
 */
export function offlineTerraformEnv(dir: string): NodeJS.ProcessEnv {
  const cliConfig = path.join(dir, "terraform.rc");
  fs.writeFileSync(cliConfig, mirrorCliConfig(PROVIDER_MIRROR!));
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_ACCESS_KEY_ID: "offline",
    AWS_SECRET_ACCESS_KEY: "offline",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** A working directory holding one synthesized stack, ready for terraform commands. */
export class TerraformDir {
  public readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(stackJson: object, label: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `mf-tf-${label}-`));
    fs.writeFileSync(path.join(this.dir, "cdk.tf.json"), JSON.stringify(stackJson, null, 2));
    fs.writeFileSync(path.join(this.dir, "offline_override.tf.json"), JSON.stringify(offlineOverride(stackJson, path.join(this.dir, "terraform.tfstate"))));
    this.env = offlineTerraformEnv(this.dir);
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
    return this.planJson();
  }

  /**
   * An offline plan (no refresh, so against the state file as written) with `extraArgs` (`-destroy`,
   * `-replace=ADDR`, ...), saved and shown as `terraform show -json` output, parsed.
   */
  public planJson(extraArgs: readonly string[] = []): any {
    this.run("plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin", ...extraArgs);
    return JSON.parse(execFileSync("terraform", ["show", "-json", "plan.bin"], { cwd: this.dir, env: this.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }));
  }

  /** `terraform providers schema -json`, parsed: attribute types for filling in a derived state. */
  public providerSchemas(): any {
    return JSON.parse(this.run("providers", "schema", "-json"));
  }

  /** Replaces the synthesized stack (a changed config for the next plan). */
  public writeStack(stackJson: object): void {
    fs.writeFileSync(path.join(this.dir, "cdk.tf.json"), JSON.stringify(stackJson, null, 2));
  }

  /** Writes the state the next plan starts from (the local backend's file). */
  public writeState(state: object): void {
    fs.writeFileSync(path.join(this.dir, "terraform.tfstate"), JSON.stringify(state, null, 2));
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

/** `after_sensitive` as the state's `sensitive_attributes`: one path of get_attr/index steps per marked value. */
function sensitivePaths(marks: any, path: object[] = []): object[][] {
  if (marks === true) return [path];
  if (Array.isArray(marks)) return marks.flatMap((m, i) => sensitivePaths(m, [...path, { type: "index", value: { value: i, type: "number" } }]));
  if (marks && typeof marks === "object") return Object.entries(marks).flatMap(([k, m]) => sensitivePaths(m, [...path, { type: "get_attr", value: k }]));
  return [];
}

/**
 * A Terraform state (format version 4) as if `plan`, a create-from-empty plan of `stackJson`, had been
 * applied: each created resource holds its planned values. Values known only after apply are filled in:
 * where the configuration sets them from other resources (`${aws_vpc.x.id}`, a `jsonencode` policy) they
 * are evaluated against the filled-in state, so a later `plan -refresh=false` of the same config finds no
 * changes; computed ids, ARNs and generated names get plausible placeholders; other computed values are
 * empty collections or null by their type in `providerSchemas` (`TerraformDir.providerSchemas()`), as the
 * provider leaves an attribute nobody set.
 */
export function stateFromPlan(plan: any, stackJson: any, providerSchemas: any): object {
  const creates = (plan.resource_changes ?? []).filter((c: any) => c.mode === "managed" && c.change.actions.join() === "create");
  const byAddress = new Map<string, any>(creates.map((c: any) => [c.address, c]));
  const schemaVersions = new Map<string, number>();
  const collect = (module: any): void => {
    for (const r of module?.resources ?? []) schemaVersions.set(r.address, r.schema_version ?? 0);
    for (const child of module?.child_modules ?? []) collect(child);
  };
  collect(plan.planned_values?.root_module);
  const region: string = stackJson.provider?.aws?.[0]?.region ?? "us-east-1";
  const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 17);

  const resolved = new Map<string, Record<string, any>>();
  const resolving = new Set<string>();
  const attributesOf = (address: string): Record<string, any> => {
    const done = resolved.get(address);
    if (done) return done;
    if (resolving.has(address)) throw new Error(`stateFromPlan: reference cycle through ${address}`);
    const rc = byAddress.get(address);
    if (!rc) throw new Error(`stateFromPlan: ${address} is referenced but the plan does not create it`);
    resolving.add(address);
    const attributes = structuredClone(rc.change.after ?? {});
    fill(attributes, rc.change.after_unknown ?? {}, stackJson.resource?.[rc.type]?.[rc.name], rc, true);
    resolving.delete(address);
    resolved.set(address, attributes);
    return attributes;
  };

  // The configuration at one step down: cdktf writes a single nested block as an object, not a list.
  const configAt = (config: any, key: string): any => {
    if (config === undefined || config === null) return undefined;
    if (/^\d+$/.test(key)) return Array.isArray(config) ? config[Number(key)] : key === "0" ? config : undefined;
    return Array.isArray(config) ? undefined : config[key];
  };
  const fill = (value: any, unknown: any, config: any, rc: any, top: boolean): void => {
    for (const [key, unk] of Object.entries<any>(unknown)) {
      const configured = configAt(config, key);
      if (unk === true) value[key] = configured !== undefined ? evaluate(configured) : top ? placeholder(rc, key, value) : null;
      else if (unk && typeof unk === "object" && value[key] && typeof value[key] === "object") fill(value[key], unk, configured, rc, false);
    }
  };
  const placeholder = (rc: any, key: string, attributes: Record<string, any>): unknown => {
    const kind = rc.type.replace(/^aws_/, "");
    const services: Record<string, string> = { s3: "s3", iam: "iam", kms: "kms", cloudwatch: "logs", batch: "batch", ecs: "ecs", sfn: "states" };
    const service = services[kind.split("_")[0]] ?? "ec2";
    const id = () => (attributes.id ??= rc.type === "aws_s3_bucket" ? (attributes.bucket ??= placeholder(rc, "bucket", attributes)) : `${kind.replace(/_/g, "-")}-${hash(rc.address)}`);
    if (key === "id") return id();
    if (key === "arn" || key.endsWith("_arn")) {
      if (service === "s3") return `arn:aws:s3:::${id()}`;
      return `arn:aws:${service}:${service === "iam" ? "" : region}:123456789012:${kind}/${id()}`;
    }
    if (key === "owner_id") return "123456789012";
    if (key.endsWith("_id")) return `${key.slice(0, -3).replace(/_/g, "-")}-${hash(`${rc.address}.${key}`)}`;
    if (typeof attributes[`${key}_prefix`] === "string") return `${attributes[`${key}_prefix`]}20250101000000000000000001`;
    const block = providerSchemas.provider_schemas?.[rc.provider_name]?.resource_schemas?.[rc.type]?.block;
    const attribute = block?.attributes?.[key];
    const collection = Array.isArray(attribute?.type)
      ? attribute.type[0]
      : (attribute?.nested_type ?? block?.block_types?.[key])?.nesting_mode;
    if (collection === "list" || collection === "set") return [];
    if (collection === "map") return {};
    // Computed strings AWS always returns (DNS names, endpoints, URLs): a value templates can use.
    return attribute?.type === "string" && attribute.computed && !attribute.optional ? `${key.replace(/_/g, "-")}-${hash(`${rc.address}.${key}`)}` : null;
  };
  // `type.name.attr`, `type.name.attr[0].nested`: a computed nested block that is indexed but was filled
  // as empty gets one element of placeholders, as AWS would return it.
  const reference = (ref: string): unknown => {
    const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)((?:\[\d+\]|\.[a-z0-9_]+)*)$/.exec(ref.trim());
    if (!m) throw new Error(`stateFromPlan: cannot evaluate \${${ref}}`);
    const address = `${m[1]}.${m[2]}`;
    const attributes = attributesOf(address);
    const steps = m[4].match(/\[\d+\]|\.[a-z0-9_]+/g) ?? [];
    if (steps[0]?.startsWith("[") && (!Array.isArray(attributes[m[3]]) || attributes[m[3]].length === 0)) {
      attributes[m[3]] = [nestedPlaceholder(byAddress.get(address), m[3])];
    }
    let value: any = attributes[m[3]];
    for (const step of steps) value = step.startsWith("[") ? value?.[Number(step.slice(1, -1))] : value?.[step.slice(1)];
    return value;
  };
  const nestedPlaceholder = (rc: any, blockName: string): Record<string, unknown> => {
    const block = providerSchemas.provider_schemas?.[rc.provider_name]?.resource_schemas?.[rc.type]?.block;
    const attribute = block?.attributes?.[blockName];
    // A nested attribute, a nested block, or a computed attribute typed list(object({...})).
    const objectType = Array.isArray(attribute?.type) && Array.isArray(attribute.type[1]) && attribute.type[1][0] === "object" ? attribute.type[1][1] : undefined;
    const nested = attribute?.nested_type?.attributes ?? block?.block_types?.[blockName]?.block?.attributes ?? objectType ?? {};
    const element: Record<string, unknown> = {};
    for (const key of Object.keys(nested)) element[key] = key.endsWith("arn") ? `arn:aws:secretsmanager:${region}:123456789012:secret:${rc.name}-${hash(`${rc.address}.${blockName}.${key}`)}` : `${key}-${hash(`${rc.address}.${blockName}.${key}`)}`;
    return element;
  };
  const evaluate = (expr: any): any => {
    if (Array.isArray(expr)) return expr.map(evaluate);
    if (expr && typeof expr === "object") return Object.fromEntries(Object.entries(expr).map(([k, v]) => [k, evaluate(v)]));
    if (typeof expr !== "string") return expr;
    const sha1Json = /^\$\{sha1\(jsonencode\(([\s\S]*)\)\)\}$/.exec(expr);
    if (sha1Json) return createHash("sha1").update(jsonencode(evaluate(policyDoc(`\${jsonencode(${sha1Json[1]})}`)))).digest("hex");
    if (expr.startsWith("${jsonencode(")) return jsonencode(evaluate(policyDoc(expr)));
    const whole = /^\$\{([^}]+)\}$/.exec(expr);
    if (whole) return reference(whole[1]);
    return expr.replace(/\$\{([^}]+)\}/g, (_, ref: string) => String(reference(ref)));
  };
  // Terraform's jsonencode writes object keys sorted.
  const jsonencode = (v: any): string =>
    Array.isArray(v)
      ? `[${v.map(jsonencode).join(",")}]`
      : v && typeof v === "object"
        ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jsonencode(v[k])}`).join(",")}}`
        : JSON.stringify(v);

  const resources = creates.map((rc: any) => ({
    mode: "managed",
    type: rc.type,
    name: rc.name,
    provider: `provider["${rc.provider_name}"]`,
    instances: [{
      ...(rc.index !== undefined ? { index_key: rc.index } : {}),
      schema_version: schemaVersions.get(rc.address) ?? 0,
      attributes: attributesOf(rc.address),
      sensitive_attributes: sensitivePaths(rc.change.after_sensitive),
      dependencies: [],
    }],
  }));
  const typeOf = (v: unknown): unknown =>
    Array.isArray(v) ? ["tuple", v.map(typeOf)] : typeof v === "number" ? "number" : typeof v === "boolean" ? "bool" : "string";
  const outputs = Object.fromEntries(
    Object.entries<any>(stackJson.output ?? {}).map(([name, o]) => {
      const value = evaluate(o.value);
      return [name, { value, type: typeOf(value), ...(o.sensitive ? { sensitive: true } : {}) }];
    }),
  );
  return { version: 4, terraform_version: plan.terraform_version, serial: 1, lineage: randomUUID(), outputs, resources, check_results: null };
}
