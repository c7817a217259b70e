import { Fn } from "cdktf";
import { expression, hcl } from "./expression";

/**
 * The Metaflow profile: every `METAFLOW_*` key Metaflow reads from a config file that this infrastructure
 * can provide (../shared/reference/metaflow-on-aws.md §1). A key not in this list is a typo Metaflow would
 * silently ignore (the manual guide's `METAFLOW_DATATOOLS_SYSROOT_S3`), so the profile refuses it.
 */
export const METAFLOW_PROFILE_KEYS = [
  "METAFLOW_DEFAULT_DATASTORE",
  "METAFLOW_DATASTORE_SYSROOT_S3",
  "METAFLOW_DATATOOLS_S3ROOT",
  "METAFLOW_DEFAULT_METADATA",
  "METAFLOW_SERVICE_URL",
  "METAFLOW_SERVICE_INTERNAL_URL",
  "METAFLOW_SERVICE_AUTH_KEY",
  "METAFLOW_BATCH_JOB_QUEUE",
  "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
  "METAFLOW_ECS_FARGATE_EXECUTION_ROLE",
  "METAFLOW_BATCH_CONTAINER_REGISTRY",
  "METAFLOW_BATCH_CONTAINER_IMAGE",
  "METAFLOW_SFN_IAM_ROLE",
  "METAFLOW_SFN_STATE_MACHINE_PREFIX",
  "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE",
  "METAFLOW_SFN_DYNAMO_DB_TABLE",
  "METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN",
  "METAFLOW_UI_URL",
] as const;

export type MetaflowProfileKey = (typeof METAFLOW_PROFILE_KEYS)[number];

/** Keys whose values are secrets: the profile output is sensitive because of them. */
export const SECRET_PROFILE_KEYS: readonly MetaflowProfileKey[] = ["METAFLOW_SERVICE_AUTH_KEY"];

export class UnknownProfileKeyError extends Error {}

/**
 * Checks and orders profile entries: every key must be one Metaflow reads; keys without a value in this
 * deployment are simply absent (as `metaflow configure aws` drops empty answers).
 */
export function profileEntries(entries: Record<string, string | undefined>): [MetaflowProfileKey, string][] {
  const unknown = Object.keys(entries).filter((k) => !(METAFLOW_PROFILE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UnknownProfileKeyError(`not keys Metaflow reads: ${unknown.join(", ")} (see METAFLOW_PROFILE_KEYS)`);
  }
  return METAFLOW_PROFILE_KEYS.filter((k) => entries[k] !== undefined && entries[k] !== "").map((k) => [k, entries[k]!]);
}

/**
 * The profile as the JSON document `metaflow configure import` reads (Terraform resolves the values).
 * `withoutNulls`: some values may be null in Terraform (parts a module's variables leave out), and those
 * keys are left out, as absent keys are. @default false
 */
export function profileJson(entries: Record<string, string | undefined>, options: { withoutNulls?: boolean } = {}): string {
  const profile = Object.fromEntries(profileEntries(entries));
  if (!options.withoutNulls) return Fn.jsonencode(profile);
  return expression(`jsonencode({ for key, value in ${hcl(profile)} : key => value if value != null })`);
}
