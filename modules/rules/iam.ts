import { UNSCOPABLE_ACTIONS } from "../perms";
import { isUnresolved, list, principals, statementName, Statement, statements } from "./terraform-json";
import { Rule, SynthResource } from "./types";

/** IAM: least privilege in every identity policy, and trust scoped to who needs it. */

/** Identity policies: where the document is, per resource type. */
const POLICY_FIELDS: Record<string, string> = {
  aws_iam_policy: "policy",
  aws_iam_role_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
};
const IDENTITY_POLICY_TYPES = [...Object.keys(POLICY_FIELDS), "aws_iam_role"];

/** The statements of every identity policy a resource holds (a role's inline_policy blocks included). */
function identityStatements(r: SynthResource): Statement[] {
  const documents = r.type === "aws_iam_role" ? list(r.body.inline_policy).map((p) => p.policy) : [r.body[POLICY_FIELDS[r.type]]];
  return documents.flatMap((d) => statements(d) ?? []);
}

const allows = (s: Statement) => s.Effect === "Allow";
const actions = (s: Statement) => list<string>(s.Action).map(String);

/** AWS managed policies that hand out administrator access, or the means to take it. */
export const ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
const ATTACHMENTS = ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"];

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
const AWS_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|(role|user|assumed-role|federated-user)\/[\w+=,.@\/-]+))$/;

export const IAM_RULES: readonly Rule[] = [
  {
    id: "MF-IAM-1",
    level: "error",
    description: 'No Allow statement grants "*" or a wildcard action ("s3:*", "s3:Get*"), or uses NotAction.',
    fix: "Name each action; add the list to modules/perms.ts so it is spelled once, and grant it from a grant* method.",
    appliesTo: IDENTITY_POLICY_TYPES,
    check: (r) =>
      identityStatements(r).flatMap((s, i) => {
        if (!allows(s)) return [];
        const wild = actions(s).filter((a) => a.includes("*"));
        return [
          ...(wild.length > 0 ? [`${statementName(s, i)} allows ${wild.join(", ")}`] : []),
          ...(s.NotAction !== undefined ? [`${statementName(s, i)} allows NotAction (everything else)`] : []),
        ];
      }),
  },
  {
    id: "MF-IAM-2",
    level: "error",
    description: 'Resource "*" only for actions in UNSCOPABLE_ACTIONS (modules/perms.ts), which AWS cannot scope; no NotResource in an Allow.',
    fix: "Scope the statement to ARNs. If AWS offers no resource-level permission for the action, add it to UNSCOPABLE_ACTIONS in modules/perms.ts with the reason.",
    appliesTo: IDENTITY_POLICY_TYPES,
    check: (r) =>
      identityStatements(r).flatMap((s, i) => {
        if (!allows(s)) return [];
        if (s.NotResource !== undefined) return [`${statementName(s, i)} allows NotResource (everything else)`];
        if (!list(s.Resource).includes("*")) return [];
        const scopable = actions(s).filter((a) => !(a in UNSCOPABLE_ACTIONS));
        return scopable.length > 0 ? [`${statementName(s, i)} grants ${scopable.join(", ")} on Resource "*"`] : [];
      }),
  },
  {
    id: "MF-IAM-3",
    level: "error",
    description: 'Trust policies name who may assume the role: a service principal or explicit principal ARNs, never "*".',
    fix: 'Trust one service ("batch.amazonaws.com") or list principal ARNs (Role\'s assumedBy); never Principal "*", a wildcard or NotPrincipal.',
    appliesTo: ["aws_iam_role"],
    check(r) {
      const trust = statements(r.body.assume_role_policy);
      if (!trust) return [];
      return trust.flatMap((s, i) => {
        if (!allows(s)) return [];
        const name = statementName(s, i);
        if (s.NotPrincipal !== undefined) return [`${name} trusts NotPrincipal (everyone else)`];
        const byKind = principals(s.Principal);
        if (Object.keys(byKind).length === 0) return [`${name} has no Principal`];
        return Object.entries(byKind).flatMap(([kind, values]) =>
          values.flatMap((v) => {
            if (isUnresolved(v) && !v.includes("*")) return [];
            if (kind === "*" || v.includes("*")) return [`${name} trusts ${kind === "*" ? "*" : `${kind} ${v}`}`];
            if (kind === "Service" && !SERVICE_PRINCIPAL.test(v)) return [`${name} trusts Service ${v}, which is not a service principal`];
            if (kind === "AWS" && !AWS_PRINCIPAL.test(v)) return [`${name} trusts AWS ${v}, which is not an account or principal ARN`];
            return [];
          }),
        );
      });
    },
  },
  {
    id: "MF-IAM-4",
    level: "error",
    description: `No ${ADMIN_POLICIES.join(", ")} attachment.`,
    fix: "Attach a policy with the actions the role needs (compute.jobRoleManagedPolicyArns takes your own managed policies).",
    appliesTo: [...ATTACHMENTS, "aws_iam_role"],
    check(r) {
      const arns = r.type === "aws_iam_role" ? list<string>(r.body.managed_policy_arns) : [r.body.policy_arn];
      return arns
        .filter((arn) => typeof arn === "string" && ADMIN_POLICIES.some((p) => arn.endsWith(`:policy/${p}`)))
        .map((arn) => `attaches ${arn}`);
    },
  },
];
