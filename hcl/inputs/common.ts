import { TerraformLocal } from "cdktf";
import { Datastore } from "../../modules/datastore";
import { Naming } from "../../modules/naming";
import { literal, rule, Rule } from "../hcl-text";
import { ModuleStack } from "../module-stack";

/**
 * Declarations the variables of every area share. A module's variables are the app's config fields in
 * Terraform's spelling (snake_case, maps of objects where the config has named lists), and their
 * validation blocks give the config's messages, naming the variable and showing the value (hcl-text.ts).
 */

/** A whole number from `min` to `max`. */
export function wholeNumber(stack: ModuleStack, name: string, description: string, byDefault: number, min: number, max: number, more: Rule[] = []): number {
  return stack.input(name, {
    type: "number",
    description,
    default: byDefault,
    validation: [rule(`var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}`, `${name} must be a whole number from ${min} to ${max} (it is \${var.${name}}).`), ...more],
  }).numberValue;
}

/** One of `allowed`. */
export function oneOf(stack: ModuleStack, name: string, description: string, allowed: readonly string[], byDefault: string, more: Rule[] = []): string {
  return stack.input(name, {
    type: "string",
    description: `${description}: ${allowed.map((a) => `"${a}"`).join(", ")}`,
    default: byDefault,
    validation: [rule(`contains(${literal(allowed)}, var.${name})`, `${name} must be one of ${allowed.join(", ")} (it is "\${var.${name}}").`), ...more],
  }).stringValue;
}

/** A local value of the module: an HCL expression, named. */
export function local(stack: ModuleStack, name: string, expression: string): TerraformLocal {
  const value = new TerraformLocal(stack, `local-${name}`, `\${${expression}}`);
  value.overrideLogicalId(name);
  return value;
}

/** Inputs every module after the network takes: where it runs and which datastore it uses. */
export function placement(stack: ModuleStack) {
  const text = (name: string, description: string) => stack.input(name, { type: "string", description }).stringValue;
  const subnets = stack.input("private_subnet_ids", {
    type: "list(string)",
    description: "Private subnets in at least two zones (the network module's private_subnet_ids)",
    validation: [rule("length(var.private_subnet_ids) >= 2", "private_subnet_ids must list at least two subnets, in distinct availability zones.")],
  }).listValue;
  const kmsKeyArn = stack.input("datastore_kms_key_arn", {
    type: "string",
    description: "The datastore's KMS key (the storage module's kms_key_arn); null for a bucket encrypted with S3-managed keys",
    default: null,
  }).stringValue;
  return {
    network: { vpcId: text("vpc_id", "The VPC (the network module's vpc_id)"), privateSubnetIds: subnets, publicSubnetIds: [] as string[] },
    bucketName: text("datastore_bucket_name", "The datastore bucket (the storage module's bucket_name)"),
    kmsKeyArn,
  };
}

/** The datastore of another module, for grants: its key only where one is given. */
export function existingDatastore(stack: ModuleStack, bucketName: string, kmsKeyArn: string, naming: Naming) {
  return new Datastore(stack, "storage", { naming, region: stack.region, config: { mode: "existing", bucketName, kmsKeyArn } });
}
