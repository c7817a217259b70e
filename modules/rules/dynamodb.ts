import { block, isTrue } from "./terraform-json";
import { Rule } from "./types";

/** DynamoDB: recoverable to any second of the last 35 days, encrypted with KMS. */

export const DYNAMODB_RULES: readonly Rule[] = [
  {
    id: "MF-DDB-1",
    level: "error",
    description: "DynamoDB tables have point-in-time recovery on.",
    fix: "Set point_in_time_recovery { enabled = true }.",
    appliesTo: ["aws_dynamodb_table"],
    check: (r) => (isTrue(block(r.body.point_in_time_recovery)?.enabled) ? [] : ["point_in_time_recovery is not enabled"]),
  },
  {
    id: "MF-DDB-2",
    level: "error",
    description: "DynamoDB tables have server-side encryption with KMS on.",
    fix: "Set server_side_encryption { enabled = true } (and kms_key_arn for a customer-managed key).",
    appliesTo: ["aws_dynamodb_table"],
    check: (r) => (isTrue(block(r.body.server_side_encryption)?.enabled) ? [] : ["server_side_encryption is not enabled"]),
  },
];
