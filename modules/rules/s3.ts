import { block, isEveryone, isTrue, list, refersTo, statementName, statements } from "./terraform-json";
import { Rule, RuleContext, SynthResource } from "./types";

/** S3: private, encrypted, TLS-only, versioned buckets. Bucket settings live in resources of their own. */

const BUCKET = "aws_s3_bucket";
const BUCKET_REF = ["id", "bucket"] as const;

/** The resources of `type` that configure `bucket` (their `bucket` argument points at it). */
const settingsOf = (type: string, bucket: SynthResource, context: RuleContext) =>
  context.resources(type).filter((r) => refersTo(r.body.bucket, bucket, BUCKET_REF));

const PUBLIC_ACCESS_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
/** Condition keys that narrow a `Principal: "*"` Allow to known callers. */
const RESTRICTING_KEYS = [
  "aws:sourcevpce", "aws:sourcevpc", "aws:principalorgid", "aws:principalaccount", "aws:sourceaccount", "aws:sourcearn",
  "aws:principalarn", "aws:sourceorgid",
];

export const S3_RULES: readonly Rule[] = [
  {
    id: "MF-S3-1",
    level: "error",
    description: "Every bucket has a public access block with all four settings on.",
    fix: "Use SecureBucket (modules/secure-bucket.ts), or add an aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    appliesTo: [BUCKET, "aws_s3_bucket_public_access_block"],
    check(resource, context) {
      if (resource.type === BUCKET) {
        return settingsOf("aws_s3_bucket_public_access_block", resource, context).length > 0 ? [] : ["no aws_s3_bucket_public_access_block for this bucket"];
      }
      const off = PUBLIC_ACCESS_FLAGS.filter((flag) => !isTrue(resource.body[flag]));
      return off.length > 0 ? [`${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true`] : [];
    },
  },
  {
    id: "MF-S3-2",
    level: "error",
    description: "Every bucket has default encryption (SSE-KMS, DSSE-KMS or SSE-S3).",
    fix: "Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms (with a customer-managed key) or AES256; SecureBucket does.",
    appliesTo: [BUCKET],
    check(resource, context) {
      const configs = settingsOf("aws_s3_bucket_server_side_encryption_configuration", resource, context);
      const inline = block(resource.body.server_side_encryption_configuration);
      const rules = [...configs.flatMap((c) => list(c.body.rule)), ...list(block(inline?.rule))];
      const algorithms = rules.map((r) => block(r.apply_server_side_encryption_by_default)?.sse_algorithm);
      if (algorithms.some((a) => ["aws:kms", "aws:kms:dsse", "AES256"].includes(a))) return [];
      return [configs.length === 0 && !inline ? "no default encryption configured" : `default encryption has no sse_algorithm (${algorithms.join(", ") || "none"})`];
    },
  },
  {
    id: "MF-S3-3",
    level: "error",
    description: "Every bucket has a policy that denies requests without TLS (aws:SecureTransport false).",
    fix: 'Add a bucket policy statement {Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, bucket/*], Condition: {Bool: {"aws:SecureTransport": "false"}}}; SecureBucket does.',
    appliesTo: [BUCKET],
    check(resource, context) {
      const denies = settingsOf("aws_s3_bucket_policy", resource, context).some((p) =>
        (statements(p.body.policy) ?? []).some(
          (s) =>
            s.Effect === "Deny" &&
            isEveryone(s.Principal) &&
            list<string>(s.Action).some((a) => a === "s3:*" || a === "*") &&
            String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
        ),
      );
      return denies ? [] : ["no bucket policy denies s3:* when aws:SecureTransport is false"];
    },
  },
  {
    id: "MF-S3-4",
    level: "error",
    description: "Every bucket has versioning enabled.",
    fix: 'Add an aws_s3_bucket_versioning with versioning_configuration.status "Enabled"; SecureBucket does.',
    appliesTo: [BUCKET],
    check(resource, context) {
      const statuses = settingsOf("aws_s3_bucket_versioning", resource, context).map((v) => block(v.body.versioning_configuration)?.status);
      const inline = block(resource.body.versioning);
      if (statuses.includes("Enabled") || isTrue(inline?.enabled)) return [];
      return [statuses.length === 0 && !inline ? "no aws_s3_bucket_versioning for this bucket" : `versioning is ${statuses.join(", ") || "off"}`];
    },
  },
  {
    id: "MF-S3-5",
    level: "error",
    description: "No bucket ACL grants access to everyone or to all authenticated AWS users.",
    fix: 'Remove the public ACL; set object ownership to BucketOwnerEnforced (ACLs off) and grant access with IAM policies instead.',
    appliesTo: [BUCKET, "aws_s3_bucket_acl"],
    check(resource) {
      const problems: string[] = [];
      const acl = resource.body.acl;
      if (typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl)) problems.push(`acl is "${acl}"`);
      const grants = list(block(resource.body.access_control_policy)?.grant);
      for (const grant of grants) {
        const uri = block(grant.grantee)?.uri;
        if (typeof uri === "string" && PUBLIC_GRANTEES.test(uri)) problems.push(`a grant gives ${grant.permission ?? "access"} to ${uri}`);
      }
      return problems;
    },
  },
  {
    id: "MF-S3-6",
    level: "error",
    description: 'No bucket policy allows Principal "*" without a condition that narrows it to known callers.',
    fix: "Name the principals that need access (role ARNs), or add a condition on aws:SourceVpce, aws:PrincipalOrgID or aws:PrincipalAccount.",
    appliesTo: ["aws_s3_bucket_policy"],
    check(resource) {
      return (statements(resource.body.policy) ?? []).flatMap((s, i) => {
        if (s.Effect !== "Allow" || !isEveryone(s.Principal)) return [];
        const keys = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey ?? {}).map((k) => k.toLowerCase()));
        return keys.some((k) => RESTRICTING_KEYS.includes(k)) ? [] : [`${statementName(s, i)} allows everyone (Principal "*")`];
      });
    },
  },
  {
    id: "MF-S3-7",
    level: "warning",
    description: "Every bucket has object ownership BucketOwnerEnforced, which turns ACLs off.",
    fix: 'Add an aws_s3_bucket_ownership_controls with rule.object_ownership "BucketOwnerEnforced"; SecureBucket does.',
    appliesTo: [BUCKET],
    check(resource, context) {
      const owners = settingsOf("aws_s3_bucket_ownership_controls", resource, context).map((o) => block(o.body.rule)?.object_ownership);
      return owners.includes("BucketOwnerEnforced") ? [] : [`object ownership is ${owners.join(", ") || "not set"}, so ACLs still apply`];
    },
  },
];
