import { Testing } from "cdktf";
import { parseEnvironment } from "../../modules/config/load";
import { MetaflowStack } from "../../modules/metaflow-stack";

/** One synthesized stack as parsed JSON, with lookups by resource type. */
export class Synthesized {
  constructor(public readonly json: any) {}

  /** Every resource of `type`, as its synthesized body (snake_case keys). */
  public resources(type: string): any[] {
    return Object.values(this.json.resource?.[type] ?? {});
  }

  /** The only resource of `type`; fails when there is not exactly one. */
  public resource(type: string): any {
    const all = this.resources(type);
    if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
    return all[0];
  }

  public data(type: string): any[] {
    return Object.values(this.json.data?.[type] ?? {});
  }

  public get outputs(): Record<string, { value: unknown; description?: string; sensitive?: boolean }> {
    return this.json.output ?? {};
  }

  /** The resource types present, sorted. */
  public get resourceTypes(): string[] {
    return Object.keys(this.json.resource ?? {}).sort();
  }

  /** Body of the IAM role whose synthesized `name` is `name`. */
  public role(name: string): any {
    const role = this.resources("aws_iam_role").find((r) => r.name === name);
    if (!role) throw new Error(`no aws_iam_role named ${name}`);
    return role;
  }
}

/**
 * Validates `raw` as environment `name` exactly as main.ts does, builds the stack and synthesizes it with
 * cdktf's validations on. Returns the parsed JSON and the stack.
 */
export function synth(raw: unknown = {}, name = "dev"): Synthesized & { stack: MetaflowStack } {
  const app = Testing.app();
  const stack = new MetaflowStack(app, parseEnvironment(name, raw));
  const result = new Synthesized(JSON.parse(Testing.synth(stack, true)));
  return Object.assign(result, { stack });
}

/**
 * The synthesized JSON of environment `name` as `cdk.tf.json` holds it, with each resource's construct
 * metadata (`"//": { "metadata": { "path": ... } }`), which `Testing.synth` strips.
 */
export function synthWithMetadata(raw: unknown = {}, name = "dev"): any {
  return synth(raw, name).stack.toTerraform();
}
