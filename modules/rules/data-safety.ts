import { block, isTrue } from "./terraform-json";
import { Rule, SynthResource } from "./types";

/**
 * Data safety: a stateful resource survives a careless `terraform destroy` or a replacement: it carries
 * `lifecycle { prevent_destroy = true }` or the service's own deletion protection.
 */

const preventsDestroy = (r: SynthResource) => isTrue(block(r.body.lifecycle)?.prevent_destroy);

export const DATA_SAFETY_RULES: readonly Rule[] = [
  {
    id: "MF-DATA-1",
    level: "error",
    description: "S3 buckets carry lifecycle prevent_destroy.",
    fix: "Set lifecycle { prevent_destroy = true } (SecureBucket does); remove it in a reviewed change before a planned removal.",
    appliesTo: ["aws_s3_bucket"],
    check: (r) => (preventsDestroy(r) ? [] : ["lifecycle.prevent_destroy is not true"]),
  },
  {
    id: "MF-DATA-2",
    level: "error",
    description: "S3 buckets never set force_destroy (deleting every object with the bucket).",
    fix: "Set force_destroy = false or leave it out.",
    appliesTo: ["aws_s3_bucket"],
    check: (r) => (isTrue(r.body.force_destroy) ? ["force_destroy is true"] : []),
  },
  {
    id: "MF-DATA-3",
    level: "error",
    description: "KMS keys carry lifecycle prevent_destroy: data encrypted under a deleted key is lost.",
    fix: "Set lifecycle { prevent_destroy = true } on the key.",
    appliesTo: ["aws_kms_key"],
    check: (r) => (preventsDestroy(r) ? [] : ["lifecycle.prevent_destroy is not true"]),
  },
  {
    id: "MF-DATA-4",
    level: "error",
    description: "RDS instances and clusters carry prevent_destroy or deletion protection.",
    fix: "Set deletion_protection = true (Database does), or lifecycle { prevent_destroy = true }.",
    appliesTo: ["aws_db_instance", "aws_rds_cluster"],
    check: (r) => (preventsDestroy(r) || isTrue(r.body.deletion_protection) ? [] : ["neither deletion_protection nor lifecycle.prevent_destroy is true"]),
  },
  {
    id: "MF-DATA-5",
    level: "error",
    description: "DynamoDB tables carry prevent_destroy or deletion protection.",
    fix: "Set deletion_protection_enabled = true (Scheduling does), or lifecycle { prevent_destroy = true }.",
    appliesTo: ["aws_dynamodb_table"],
    check: (r) =>
      preventsDestroy(r) || isTrue(r.body.deletion_protection_enabled) ? [] : ["neither deletion_protection_enabled nor lifecycle.prevent_destroy is true"],
  },
  {
    id: "MF-DATA-6",
    level: "error",
    description: "Cognito user pools carry deletion protection or prevent_destroy: they hold the people and their MFA enrolments.",
    fix: 'Set deletion_protection = "ACTIVE" (UserPool does), or lifecycle { prevent_destroy = true }.',
    appliesTo: ["aws_cognito_user_pool"],
    check: (r) => (preventsDestroy(r) || r.body.deletion_protection === "ACTIVE" ? [] : [`deletion_protection is ${r.body.deletion_protection ?? "not set (INACTIVE)"} and lifecycle.prevent_destroy is not true`]),
  },
];
