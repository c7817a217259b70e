import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { applyConditions } from "../modules/condition";
import { matches } from "./hcl-text";
import { IAM_POLICY_ARN, LOG_RETENTION_DAYS } from "../modules/config/common";
import { partitionFor } from "../modules/partition";
import { MAX_ENVIRONMENT_LENGTH, MAX_PREFIX_LENGTH, Naming, RESERVED_NAME_STARTS } from "../modules/naming";

/** A Terraform variable's declaration: `type` in Terraform's syntax, and validation rules. */
export interface InputSpec {
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  readonly validation?: readonly { readonly condition: string; readonly errorMessage: string }[];
  readonly sensitive?: boolean;
  readonly nullable?: boolean;
}

/**
 * A stack synthesized as a plain Terraform module that HCL users `source`: the same constructs as the
 * CDKTF app, fed by Terraform variables instead of the typed config. Its JSON keeps `required_providers`
 * but no provider configuration and no backend (the caller's), and reads the region from the caller's
 * provider, so nothing is tied to one region or account.
 */
export class ModuleStack extends TerraformStack {
  /** The caller's region, from its provider configuration (no AWS call). */
  public readonly region: string;

  constructor(scope: Construct, id: string, public readonly description: string) {
    super(scope, id);
    // cdktf needs a provider construct to synthesize resources; its block is removed below, leaving
    // required_providers for the caller to satisfy.
    new AwsProvider(this, "aws", {});
    this.addOverride("provider", undefined);
    this.addOverride("terraform.backend", undefined);
    this.addOverride("terraform.required_providers.aws.source", "hashicorp/aws");
    this.addOverride("terraform.required_version", ">= 1.10");
    this.region = new DataAwsRegion(this, "region").name;
    // The stack's one partition data source, made before any part that exists only under a condition.
    partitionFor(this, this.region);
  }

  /** The module's JSON, with its Terraform conditions applied (modules/condition.ts). */
  public override toTerraform(): any {
    return applyConditions(this, super.toTerraform());
  }

  /** Declares variable `name`; a `null` default makes it optional, null meaning off or the documented default. */
  public input(name: string, spec: InputSpec): TerraformVariable {
    const variable = new TerraformVariable(this, name, {
      type: spec.type,
      description: spec.description,
      default: spec.default ?? undefined,
      validation: spec.validation?.map((v) => ({ condition: v.condition, errorMessage: v.errorMessage })),
      sensitive: spec.sensitive,
      nullable: spec.default === null ? true : spec.nullable,
    });
    variable.overrideLogicalId(name);
    // Escape hatch: cdktf cannot render a null default.
    if (spec.default === null) variable.addOverride("default", null);
    return variable;
  }

  /** Declares output `name`. */
  public output(name: string, value: unknown, description: string, sensitive = false): void {
    new TerraformOutput(this, `output-${name}`, { value, description, sensitive }).overrideLogicalId(name);
  }

  /** `name_prefix` and `environment`, validated as the CDKTF config validates them, and the naming helper. */
  public naming(): Naming {
    const segment = (name: string, max: number, what: string, more: { condition: string; errorMessage: string }[] = []) =>
      this.input(name, {
        type: "string",
        description: `${what}: lower-case letters, digits and hyphens, 2 to ${max} characters; part of every name`,
        validation: [
          {
            condition: `\${can(regex("^[a-z][a-z0-9-]{0,${max - 2}}[a-z0-9]$", var.${name})) && !strcontains(var.${name}, "--")}`,
            errorMessage: `${name} must be 2 to ${max} lower-case letters, digits and hyphens, start with a letter, end with a letter or digit, and not contain "--".`,
          },
          ...more,
        ],
      }).stringValue;
    // Names start with `<name_prefix>-<environment>-`; none may start as AWS forbids (naming.ts, RESERVED_NAME_STARTS).
    const reserved = `[${RESERVED_NAME_STARTS.map((s) => JSON.stringify(s)).join(", ")}]`;
    const starts = {
      condition: `\${!anytrue([for p in ${reserved} : startswith(format("%s-%s-", var.name_prefix, var.environment), p)])}`,
      errorMessage: `name_prefix and environment must not make names that start with ${RESERVED_NAME_STARTS.map((s) => `"${s}"`).join(", ")} (AWS reserves these starts for S3 buckets, security groups and load balancers).`,
    };
    return new Naming(
      segment("name_prefix", MAX_PREFIX_LENGTH, "First part of every name"),
      segment("environment", MAX_ENVIRONMENT_LENGTH, "Environment name", [starts]),
    );
  }

  /** An optional permissions boundary for every role the module creates. */
  public boundary(): string | undefined {
    return this.input("permissions_boundary_arn", {
      type: "string",
      description: "Permissions boundary attached to every IAM role the module creates (null: none)",
      default: null,
      validation: [
        {
          condition: `\${var.permissions_boundary_arn == null ? true : ${matches(IAM_POLICY_ARN, "var.permissions_boundary_arn")}}`,
          errorMessage: "permissions_boundary_arn (${jsonencode(var.permissions_boundary_arn)}) must be an IAM policy ARN like arn:aws:iam::<account>:policy/boundary.",
        },
      ],
    }).stringValue;
  }

  /** A log retention variable limited to CloudWatch's periods. */
  public retention(name: string, description: string, byDefault: number): number {
    return this.input(name, {
      type: "number",
      description,
      default: byDefault,
      validation: [
        {
          condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.${name})}`,
          errorMessage: `${name} must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}.`,
        },
      ],
    }).numberValue;
  }
}

/** `can(cidrhost(x, 0))` and a network address: Terraform's test of an IPv4 CIDR. */
export function cidrCondition(expression: string): string {
  return `can(cidrnetmask(${expression})) && cidrhost(${expression}, 0) == split("/", ${expression})[0]`;
}
