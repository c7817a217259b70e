import { Fn } from "cdktf";
import { Condition, conditionHcl, isTerraformCondition, TerraformCondition } from "./condition";
import { expression, hcl } from "./expression";

/** An IAM policy statement as a typed object; rendered to JSON by `policyJson`. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Principal?: "*" | { readonly [kind: string]: string | readonly string[] };
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: string | readonly string[] } };
}

/** A trust-policy statement: `sts:AssumeRole` for an AWS service principal (or IAM principals). */
export interface TrustStatement {
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Principal: { readonly Service: string } | { readonly AWS: readonly string[] };
  /** Against the confused deputy: the source account (and resource) the service acts for. */
  readonly Condition?: PolicyStatement["Condition"];
}

/** Statements that are in the policy only where a Terraform condition holds (a module's choice). */
export interface ConditionalStatements {
  readonly where: TerraformCondition;
  readonly statements: readonly PolicyStatement[];
}

/** What a policy is made of: statements, and groups of them that exist only under a Terraform condition. */
export type PolicyPart = PolicyStatement | ConditionalStatements;

const isGroup = (part: PolicyPart | TrustStatement): part is ConditionalStatements => "where" in part;

/**
 * `statements` where `condition` holds: themselves or none for a literal (decided at synth), else one
 * group that Terraform includes or leaves out.
 */
export function statementsWhere(condition: Condition, statements: readonly PolicyStatement[]): PolicyPart[] {
  if (!isTerraformCondition(condition)) return condition ? [...statements] : [];
  return [{ where: condition, statements }];
}

/**
 * Renders statements as a policy document (tokens inside are resolved by Terraform's jsonencode). With
 * conditional groups, `Statement` is Terraform's `concat` of each plain run and, per group, the group where
 * its condition holds (each list written by jsonencode and read back, as cdktf cannot nest statements with
 * tokens in its function calls); without, it is the list itself.
 */
export function policyJson(parts: readonly (PolicyPart | TrustStatement)[]): string {
  if (!parts.some(isGroup)) return Fn.jsonencode({ Version: "2012-10-17", Statement: parts });
  const chunks: string[] = [];
  let run: (PolicyStatement | TrustStatement)[] = [];
  const flush = () => {
    if (run.length > 0) chunks.push(`jsondecode(${hcl(Fn.jsonencode(run))})`);
    run = [];
  };
  for (const part of parts) {
    if (!isGroup(part)) {
      run.push(part);
      continue;
    }
    flush();
    // Both sides strings: a tuple of statements and an empty tuple are not one type to Terraform.
    chunks.push(`jsondecode(${conditionHcl(part.where)} ? ${hcl(Fn.jsonencode(part.statements))} : "[]")`);
  }
  flush();
  return expression(`jsonencode({ Version = "2012-10-17", Statement = concat(${chunks.join(", ")}) })`);
}
