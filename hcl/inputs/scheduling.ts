import { LOG_RETENTION_DAYS } from "../../modules/config/common";
import { PRINCIPAL_ARN, SchedulingConfig, USER_ACCESS } from "../../modules/config/scheduling-config";
import { matches, quoted, rule, shown } from "../hcl-text";
import { ModuleStack } from "../module-stack";
import { oneOf } from "./common";

/** Scheduling's variables: Step Functions on or off, its log retention, and the access of the people who run flows. */

const DEFAULT_RETENTION = 90;

export function schedulingInputs(stack: ModuleStack): SchedulingConfig {
  const enabled = stack.input("scheduling_enabled", {
    type: "bool",
    description: "Step Functions (step-functions create) and @schedule: the roles, the execution log group and the profile keys; off keeps the DynamoDB table",
    default: true,
  }).booleanValue;
  const retention = stack.input("execution_log_retention_days", {
    type: "number",
    description: "Days Step Functions execution history is kept",
    default: DEFAULT_RETENTION,
    validation: [
      rule(`contains(${JSON.stringify(LOG_RETENTION_DAYS)}, var.execution_log_retention_days)`, `execution_log_retention_days must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}.`),
      rule(
        `var.scheduling_enabled ? true : var.execution_log_retention_days == ${DEFAULT_RETENTION}`,
        "execution_log_retention_days cannot take effect: with scheduling_enabled false there is no Step Functions execution log; remove it or set scheduling_enabled true.",
      ),
    ],
  }).numberValue;
  const access = oneOf(stack, "users_access", "Access for the people who run Metaflow: none, a managed policy to attach to your groups or roles, or that policy on a role users_principal_arns may assume", USER_ACCESS, "policy");
  const principals = stack.input("users_principal_arns", {
    type: "list(string)",
    description: 'Who may assume the users\' role (users_access "role" only): account roots, users or roles',
    default: [],
    validation: [
      rule(`alltrue([for p in var.users_principal_arns : ${matches(PRINCIPAL_ARN, "p")}])`, `users_principal_arns: ${shown(quoted(`[for p in var.users_principal_arns : p if !${matches(PRINCIPAL_ARN, "p")}]`))} must be IAM principal ARNs: arn:aws:iam::<account>:root, :user/<name> or :role/<name>.`),
      rule('var.users_access == "role" ? length(var.users_principal_arns) > 0 : true', 'users_principal_arns lists nobody; users_access "role" needs at least one principal that may assume it.'),
      rule('var.users_access == "role" ? true : length(var.users_principal_arns) == 0', 'users_principal_arns applies only with users_access "role"; set users_access to "role" or remove the list.'),
      rule("length(distinct(var.users_principal_arns)) == length(var.users_principal_arns)", "users_principal_arns lists a principal twice."),
    ],
  }).listValue;
  return {
    // A bool variable is a Terraform value; the construct builds Step Functions' part under it.
    enabled: enabled as unknown as boolean,
    executionLogRetentionDays: retention,
    users: { access: access as "policy", principalArns: principals },
  };
}
