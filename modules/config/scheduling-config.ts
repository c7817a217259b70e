import { z } from "zod";
import { duplicateIndexes, given, MootSetting, rawObject, Report, RetentionDays, strict } from "./common";

/** Config of the scheduling area: Step Functions, its DynamoDB table, EventBridge, and Metaflow's users. */

/**
 * Access for the people who run Metaflow: `none`, a managed `policy` to attach to your own groups or roles,
 * or that policy on a `role` that `principalArns` may assume.
 */
export const USER_ACCESS = ["none", "policy", "role"] as const;

/** An IAM principal users' role may trust: an account root, a user or a role. */
export const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|(user|role)\/[\w+=,.@\/-]+)$/;
const PrincipalArn = z.string().regex(PRINCIPAL_ARN, "must be an IAM principal ARN: arn:aws:iam::<account>:root, :user/<name> or :role/<name>");

const UsersSchema = strict({
  /** @default "policy" */
  access: z.enum(USER_ACCESS).default("policy"),
  /** Who may assume the users' role (`access: "role"` only). @default [] */
  principalArns: z.array(PrincipalArn).default([]),
});

export const SchedulingSchema = strict({
  /**
   * Step Functions (`step-functions create`) and `@schedule`: the state machines' and EventBridge's roles,
   * the execution-history log group and the profile keys. Off removes those and keeps the DynamoDB table
   * (protected data, free while idle), so turning it on again is one apply. @default true
   */
  enabled: z.boolean().default(true),
  /** Retention of the Step Functions execution-history log group. @default 90 */
  executionLogRetentionDays: RetentionDays.default(90),
  users: UsersSchema.default({ access: "policy", principalArns: [] }),
}).default({ enabled: true, executionLogRetentionDays: 90, users: { access: "policy", principalArns: [] } });

export type SchedulingConfig = z.output<typeof SchedulingSchema>;

/** Cross-field rules of scheduling; paths relative to `scheduling`. */
export function checkScheduling(input: SchedulingConfig, fail: Report): void {
  const { users } = input;
  if (users.access === "role" && users.principalArns.length === 0) {
    fail(["users", "principalArns"], users.principalArns, `lists nobody; access "role" needs at least one principal that may assume it`);
  }
  if (users.access !== "role" && users.principalArns.length > 0) {
    fail(["users", "principalArns"], users.principalArns, `applies only with access "role"; set access to "role" or remove the list`);
  }
  for (const i of duplicateIndexes(users.principalArns)) fail(["users", "principalArns", i], users.principalArns[i], "is listed twice");
}

/** Scheduling settings the raw input gives that cannot take effect; paths relative to `scheduling`. */
export function mootScheduling(raw: unknown): MootSetting[] {
  const scheduling = rawObject(raw, "scheduling");
  if (scheduling?.enabled !== false || !given(scheduling, "executionLogRetentionDays")) return [];
  return [{
    path: ["executionLogRetentionDays"],
    value: scheduling.executionLogRetentionDays,
    message: "cannot take effect: with enabled false there is no Step Functions execution log; remove it or set enabled true",
  }];
}
