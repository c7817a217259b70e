import { block, isTrue } from "./terraform-json";
import { Rule } from "./types";

/** ECR: a tag names one image for good, every push is scanned, old untagged images go. */

export const ECR_RULES: readonly Rule[] = [
  {
    id: "MF-ECR-1",
    level: "error",
    description: "ECR repositories have immutable tags.",
    fix: "Set image_tag_mutability = \"IMMUTABLE\": with mutable tags a push can change what a running job definition's tag means.",
    appliesTo: ["aws_ecr_repository"],
    check: (r) => (r.body.image_tag_mutability === "IMMUTABLE" ? [] : [`image_tag_mutability is ${JSON.stringify(r.body.image_tag_mutability ?? "MUTABLE")}`]),
  },
  {
    id: "MF-ECR-2",
    level: "error",
    description: "ECR repositories scan every image on push.",
    fix: "Set image_scanning_configuration { scan_on_push = true }.",
    appliesTo: ["aws_ecr_repository"],
    check: (r) => (isTrue(block(r.body.image_scanning_configuration)?.scan_on_push) ? [] : ["scan_on_push is not on"]),
  },
  {
    id: "MF-ECR-3",
    level: "warning",
    description: "ECR repositories have a lifecycle policy (untagged images expire).",
    fix: "Add an aws_ecr_lifecycle_policy for the repository that expires untagged images.",
    appliesTo: ["aws_ecr_repository"],
    check: (r, context) =>
      context.resources("aws_ecr_lifecycle_policy").some((p) => String(p.body.repository).includes(`${r.address}.`) || p.body.repository === r.body.name)
        ? []
        : ["no aws_ecr_lifecycle_policy names this repository"],
  },
];
