import { PlanInputError } from "./errors";
import { isDestructive, Plan, ResourceChange } from "./plan";

/**
 * The gate: whether a plan may go ahead. A delete, replace or forget of a protected resource blocks it
 * unless that resource is approved by name. Exit codes of the CLI follow the verdict.
 */

/** Resource types whose destruction loses data or keys: protected without any configuration. */
export const DEFAULT_PROTECTED_TYPES: readonly string[] = [
  "aws_s3_bucket",
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_dynamodb_table",
  "aws_kms_key",
  "aws_secretsmanager_secret",
  // The people who may sign in to the UI and their MFA enrolments: a new pool means everyone enrols again.
  "aws_cognito_user_pool",
];

export const EXIT_CODES = { "no-changes": 0, unreadable: 1, changes: 2, blocked: 3 } as const;

export type Verdict = "no-changes" | "changes" | "blocked";

/** An approval of one address, and where it came from (`--allow`, an approvals file). */
export interface Approval {
  readonly address: string;
  /** Shown as "approved by <source>". */
  readonly source: string;
}

export interface GateOptions {
  /**
   * More protected resource types (`aws_efs_file_system`) or addresses (`aws_s3_bucket.state`): an entry
   * with a dot is an address, one without is a type.
   * @default none beyond DEFAULT_PROTECTED_TYPES
   */
  readonly protect?: readonly string[];
  /**
   * Approved addresses: the resource instance's full address, or its address without the instance key
   * (`aws_s3_bucket.b` approves `aws_s3_bucket.b[0]` and `aws_s3_bucket.b["x"]`). Strings are treated as
   * approvals by `--allow`.
   * @default none
   */
  readonly approvals?: readonly (Approval | string)[];
  /**
   * Replace the default protected types instead of adding to them.
   * @default false (DEFAULT_PROTECTED_TYPES stay protected)
   */
  readonly replaceDefaultTypes?: boolean;
}

/** A destructive change to a protected resource, and whether someone approved it. */
export interface ProtectedChange {
  readonly change: ResourceChange;
  /** What made it protected: `type aws_s3_bucket` or `address aws_s3_bucket.state`. */
  readonly protectedBy: string;
  readonly approval?: Approval;
}

export interface GateResult {
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly protectedChanges: readonly ProtectedChange[];
  readonly blocked: readonly ProtectedChange[];
  readonly approved: readonly ProtectedChange[];
  /** Approvals that matched no destructive change of a protected resource: a typo, or a stale approval. */
  readonly unusedApprovals: readonly Approval[];
}

/** `module.x.aws_s3_bucket.b[0]` -> `module.x.aws_s3_bucket.b`: the address without the last instance key. */
export function withoutInstanceKey(address: string): string {
  return address.replace(/\[(?:"(?:[^"\\]|\\.)*"|-?\d+)\]$/, "");
}

/** Whether the plan changes anything: resources (reads included), moves, imports or root outputs. */
export function hasChanges(plan: Plan): boolean {
  return (
    plan.resourceChanges.some((c) => c.kind !== "no-op" || c.previousAddress !== undefined || c.importing !== undefined) ||
    plan.outputChanges.some((o) => o.kind !== "no-op")
  );
}

export function evaluateGate(plan: Plan, options: GateOptions = {}): GateResult {
  const extra = options.protect ?? [];
  const types = new Set([...(options.replaceDefaultTypes ? [] : DEFAULT_PROTECTED_TYPES), ...extra.filter((p) => !p.includes("."))]);
  const addresses = new Set(extra.filter((p) => p.includes(".")));
  const approvals = (options.approvals ?? []).map((a) => (typeof a === "string" ? { address: a, source: "--allow" } : a));
  const used = new Set<Approval>();

  const protectedChanges: ProtectedChange[] = [];
  for (const change of plan.resourceChanges) {
    if (change.mode !== "managed" || !isDestructive(change)) continue;
    const base = withoutInstanceKey(change.address);
    const protectedBy = addresses.has(change.address)
      ? `address ${change.address}`
      : addresses.has(base)
        ? `address ${base}`
        : types.has(change.type)
          ? `type ${change.type}`
          : undefined;
    if (!protectedBy) continue;
    const approval = approvals.find((a) => a.address === change.address || a.address === base);
    if (approval) used.add(approval);
    protectedChanges.push({ change, protectedBy, approval });
  }
  const blocked = protectedChanges.filter((p) => !p.approval);
  const verdict: Verdict = blocked.length > 0 ? "blocked" : hasChanges(plan) ? "changes" : "no-changes";
  return {
    verdict,
    exitCode: EXIT_CODES[verdict],
    protectedChanges,
    blocked,
    approved: protectedChanges.filter((p) => p.approval),
    unusedApprovals: approvals.filter((a) => !used.has(a)),
  };
}

/**
 * Parses an approvals file: a JSON list of addresses (`["aws_s3_bucket.b"]`), or plain text with one
 * address per line, where blank lines and lines starting with `#` are ignored.
 */
export function parseApprovals(text: string, source: string): Approval[] {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  let addresses: string[];
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new PlanInputError(`approvals file ${source} starts with "[" but is not a JSON list: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string" && a.trim() !== "")) {
      throw new PlanInputError(`approvals file ${source} must be a JSON list of resource addresses (strings)`);
    }
    addresses = parsed.map((a: string) => a.trim());
  } else {
    addresses = trimmed.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  }
  return addresses.map((address) => ({ address, source: `approvals file ${source}` }));
}
