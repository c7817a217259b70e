import { block, isTrue, isUnresolved } from "./terraform-json";
import { Rule } from "./types";

/** Cognito user pools: nobody signs themselves up, everybody uses MFA, passwords are strong. */

const POOL = "aws_cognito_user_pool";
/** The shortest password the pack accepts (AWS's default is 8). */
export const MIN_PASSWORD_LENGTH = 14;
/** The longest a temporary (admin-set) password may stay valid, in days (AWS's default is 7). */
export const MAX_TEMPORARY_PASSWORD_DAYS = 7;
const CHARACTER_CLASSES = ["require_lowercase", "require_uppercase", "require_numbers", "require_symbols"] as const;

export const COGNITO_RULES: readonly Rule[] = [
  {
    id: "MF-COG-1",
    level: "error",
    description: "Cognito user pools let only admins create users: nobody signs themselves up.",
    fix: "Set admin_create_user_config { allow_admin_create_user_only = true } (UserPool does); add people with aws cognito-idp admin-create-user.",
    appliesTo: [POOL],
    check: (r) => (isTrue(block(r.body.admin_create_user_config)?.allow_admin_create_user_only) ? [] : ["admin_create_user_config.allow_admin_create_user_only is not true, so anyone who finds the sign-in page can sign up"]),
  },
  {
    id: "MF-COG-2",
    level: "error",
    description: "Cognito user pools require MFA of everyone (mfa_configuration ON) with a one-time-password app or SMS.",
    fix: 'Set mfa_configuration = "ON" and software_token_mfa_configuration { enabled = true } (UserPool does).',
    appliesTo: [POOL],
    check(r) {
      if (r.body.mfa_configuration !== "ON") return [`mfa_configuration is ${r.body.mfa_configuration ?? "not set (OFF)"}, not ON`];
      const totp = isTrue(block(r.body.software_token_mfa_configuration)?.enabled);
      return totp || block(r.body.sms_configuration) ? [] : ["MFA is ON with no method: neither software_token_mfa_configuration nor sms_configuration is set"];
    },
  },
  {
    id: "MF-COG-3",
    level: "error",
    description: `Cognito user pool passwords have at least ${MIN_PASSWORD_LENGTH} characters with lower- and upper-case letters, digits and symbols, and temporary passwords expire within ${MAX_TEMPORARY_PASSWORD_DAYS} days.`,
    fix: `Set password_policy { minimum_length = ${MIN_PASSWORD_LENGTH}, require_lowercase, require_uppercase, require_numbers and require_symbols = true, temporary_password_validity_days <= ${MAX_TEMPORARY_PASSWORD_DAYS} } (UserPool does).`,
    appliesTo: [POOL],
    check(r) {
      const policy = block(r.body.password_policy);
      if (!policy) return [`password_policy is not set, so AWS allows passwords of 8 characters`];
      const problems: string[] = [];
      const length = policy.minimum_length;
      if (!isUnresolved(length) && !(typeof length === "number" && length >= MIN_PASSWORD_LENGTH)) problems.push(`password_policy.minimum_length is ${length ?? "not set (8)"}`);
      for (const rule of CHARACTER_CLASSES) if (!isUnresolved(policy[rule]) && !isTrue(policy[rule])) problems.push(`password_policy.${rule} is not true`);
      const days = policy.temporary_password_validity_days;
      if (typeof days === "number" && days > MAX_TEMPORARY_PASSWORD_DAYS) problems.push(`password_policy.temporary_password_validity_days is ${days}`);
      return problems;
    },
  },
];
