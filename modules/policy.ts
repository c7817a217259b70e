import { Fn } from "cdktf";

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

/** Renders statements as a policy document (tokens inside are resolved by Terraform's jsonencode). */
export function policyJson(statements: readonly (PolicyStatement | TrustStatement)[]): string {
  return Fn.jsonencode({ Version: "2012-10-17", Statement: statements });
}
