import { IConstruct } from "constructs";
import { Aspects, TerraformStack } from "cdktf";
import { API_GATEWAY_RULES } from "./api-gateway";
import { RulePack } from "./aspect";
import { COGNITO_RULES } from "./cognito";
import { DATA_SAFETY_RULES } from "./data-safety";
import { DYNAMODB_RULES } from "./dynamodb";
import { EC2_RULES } from "./ec2";
import { ECR_RULES } from "./ecr";
import { ECS_RULES } from "./ecs";
import { IAM_RULES } from "./iam";
import { KMS_RULES } from "./kms";
import { LOG_RULES } from "./logs";
import { NETWORK_RULES } from "./network";
import { RDS_RULES } from "./rds";
import { S3_RULES } from "./s3";
import { SECURITY_GROUP_RULES } from "./security-groups";
import { STEP_FUNCTIONS_RULES } from "./step-functions";
import { StackReport } from "./types";

export * from "./aspect";
export * from "./report";
export * from "./suppress";
export * from "./types";

/** Every rule of the pack, family by family (modules/rules/README.md lists them). */
export const ALL_RULES = [
  ...S3_RULES,
  ...RDS_RULES,
  ...SECURITY_GROUP_RULES,
  ...IAM_RULES,
  ...LOG_RULES,
  ...EC2_RULES,
  ...ECS_RULES,
  ...ECR_RULES,
  ...DYNAMODB_RULES,
  ...API_GATEWAY_RULES,
  ...KMS_RULES,
  ...DATA_SAFETY_RULES,
  ...NETWORK_RULES,
  ...COGNITO_RULES,
  ...STEP_FUNCTIONS_RULES,
] as const;

/** Adds the rule pack to `stack`; every stack main.ts builds calls this in its constructor. */
export function applyRules(stack: TerraformStack, environment?: string): RulePack {
  const pack = new RulePack({ rules: ALL_RULES, environment });
  Aspects.of(stack).add(pack);
  return pack;
}

/**
 * Runs the rule pack of every stack under `scope` now, before anything is written, and returns what each
 * found. `app.synth()` afterwards does not check again (each construct is visited once).
 */
export function checkRules(scope: IConstruct): StackReport[] {
  return scope.node
    .findAll()
    .filter(TerraformStack.isStack)
    .flatMap((stack) => RulePack.on(stack).map((pack) => pack.check(stack)));
}
