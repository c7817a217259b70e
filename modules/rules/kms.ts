import { isTrue } from "./terraform-json";
import { Rule } from "./types";

/** KMS: symmetric keys rotate. */

export const KMS_RULES: readonly Rule[] = [
  {
    id: "MF-KMS-1",
    level: "error",
    description: "Symmetric KMS keys rotate their key material.",
    fix: "Set enable_key_rotation = true.",
    appliesTo: ["aws_kms_key"],
    check(r) {
      const spec = r.body.customer_master_key_spec ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT") return [];
      return isTrue(r.body.enable_key_rotation) ? [] : ["enable_key_rotation is not true"];
    },
  },
];
