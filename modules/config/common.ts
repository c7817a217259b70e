import { z } from "zod";
import { bucketNameProblem, describeKind, purposeProblem, segmentProblems } from "../naming";
import { formatCidr, leadingZeroNumber, parseIpv4Cidr } from "./cidr";
import { partitionOf } from "./regions";

/** Building blocks shared by the config schemas of every area. */

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The allowed key a typo most likely meant, if one is close. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const best = allowed
    .map((candidate) => ({ candidate, d: distance(key.toLowerCase(), candidate.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.candidate : undefined;
}

/**
 * A `z.strictObject` whose unknown-key error suggests the nearest allowed key and lists them all.
 * `elsewhere` names keys that belong to another variant of a union (`encryption` of a created bucket,
 * given for an existing one), each with why it cannot take effect here: such a key is refused with that
 * reason instead of as unknown.
 */
export function strict<T extends z.ZodRawShape>(shape: T, elsewhere: Readonly<Record<string, string>> = {}) {
  const allowed = Object.keys(shape).filter((k) => k !== "$schema");
  const misplaced = Object.fromEntries(
    Object.entries(elsewhere).map(([key, why]) => [key, z.undefined({ error: `${why}; remove it` }).optional()]),
  );
  // The misplaced keys only ever hold undefined in the output, so the type stays the shape's.
  return z.strictObject({ ...shape, ...misplaced }, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const guess = issue.keys.length === 1 ? closest(issue.keys[0], allowed) : undefined;
      return `unknown key${guess ? `; did you mean "${guess}"?` : ";"} allowed keys are: ${allowed.join(", ")}`;
    },
  }) as unknown as z.ZodObject<T, z.core.$strict>;
}

/** `elsewhere` for `strict`: each of `keys` applies only where `discriminator` is `value`, for `reason`. */
export const onlyWhere = (discriminator: string, value: string, keys: readonly string[], reason: string): Record<string, string> =>
  Object.fromEntries(keys.map((key) => [key, `applies only with ${discriminator} "${value}" (${reason})`]));

/**
 * A setting given in the raw input that cannot take effect because of another setting: reported at `path`
 * with its value. `moot` lists the rules of one area, each read from the raw input (defaults hide whether a
 * field was given).
 */
export interface MootSetting {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly message: string;
}

/** The raw object at `path` of `raw`, or undefined when any step is not an object. */
export function rawObject(raw: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let at: unknown = raw;
  for (const key of path) {
    if (typeof at !== "object" || at === null || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "object" && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>) : undefined;
}

/** Whether `object` itself holds `key` (a field the user wrote, as opposed to a default). */
export const given = (object: Record<string, unknown> | undefined, key: string): object is Record<string, unknown> =>
  object !== undefined && Object.prototype.hasOwnProperty.call(object, key);

/** Adds one custom issue per problem, each with the offending value. */
function issues(ctx: z.core.$RefinementCtx<string>, value: string, problems: readonly (string | undefined)[]): void {
  for (const message of problems) if (message) ctx.addIssue({ code: "custom", input: value, message });
}

/** A segment of every name (namePrefix, the environment name): the rules are the naming helper's. */
export function nameSegment(what: string, maxLength: number) {
  return z.string().superRefine((s, ctx) => issues(ctx, s, segmentProblems(what, s, maxLength)));
}

/** A compute environment or job queue name: a purpose in the names the naming helper derives. */
export const PurposeName = z.string().superRefine((s, ctx) => issues(ctx, s, [purposeProblem(s)]));

/** `010.1.0.0/16` as decimal (`10.1.0.0/16`), for the message that refuses the leading zeros. */
const withoutLeadingZeros = (text: string) => text.replace(/\d+/g, (n) => String(Number(n)));

export const Ipv4Cidr = z.string().superRefine((s, ctx) => {
  const zero = leadingZeroNumber(s);
  if (zero !== undefined) {
    const decimal = withoutLeadingZeros(s);
    const meant = parseIpv4Cidr(decimal);
    ctx.addIssue({
      code: "custom",
      input: s,
      message:
        `has a number with a leading zero (${zero}), which some tools read as octal (010 is 8) and Terraform refuses; ` +
        `write it in plain decimal${meant ? `, e.g. ${formatCidr(meant)}` : ""}`,
    });
  } else if (parseIpv4Cidr(s) === undefined) {
    ctx.addIssue({ code: "custom", input: s, message: "must be an IPv4 network address in CIDR notation, e.g. 10.0.0.0/16" });
  }
});

export const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), `must be an id like ${prefix}-0123456789abcdef0`);

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const RetentionDays = z
  .number()
  .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
    message: `must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
  });

export const int = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** The error of a discriminated union on `key` (`mode`, `backend`): names the values that exist. */
export const discriminatorError = (key: string, allowed: string) => ({
  error: (issue: { code: string }) =>
    issue.code === "invalid_union" || issue.code === "invalid_type" ? `${key} must be one of ${allowed}` : undefined,
});

/** The error of a `mode` discriminated union. */
export const modeError = (allowed: string) => discriminatorError("mode", allowed);

/** An S3 bucket name users give (state.bucket, storage.bucketName): S3's rules, from the naming helper. */
export const BucketName = z.string().superRefine((s, ctx) => {
  const problem = bucketNameProblem(s);
  issues(ctx, s, [problem && `is not a valid S3 bucket name: ${describeKind("bucket")} ${problem}; choose another name`]);
});

/** An IAM managed policy ARN (customer or AWS managed), with the message `message`. */
export const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@\/-]+$/;
export const iamPolicyArn = (message: string) => z.string().regex(IAM_POLICY_ARN, message);

/** The partition and account of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`). */
export function arnParts(arn: string): { partition: string; service: string; region: string; account: string } | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):/.exec(arn);
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4] } : undefined;
}

/**
 * Why `arn` cannot be used by a stack in `region` (and `accountId`, when set): an ARN of another partition
 * never resolves there, and with `sameAccount` (policies IAM attaches to the stack's roles) it must belong
 * to the stack's account or be AWS managed. Undefined when it can.
 */
export function arnScopeProblem(arn: string, region: string, accountId: string | undefined, sameAccount: boolean): string | undefined {
  const parts = arnParts(arn);
  if (!parts) return undefined;
  const partition = partitionOf(region);
  if (parts.partition !== partition) {
    return `is in partition ${parts.partition}, but region ${region} is in partition ${partition}, where it cannot be found; use an arn:${partition}:... ARN`;
  }
  if (sameAccount && accountId !== undefined && parts.account !== accountId && parts.account !== "aws") {
    return `belongs to account ${parts.account}, but accountId is ${accountId}; IAM attaches only policies of the role's own account or AWS managed ones`;
  }
  return undefined;
}

/** Reports one problem at a path relative to the area being checked. */
export type Report = (path: readonly (string | number)[], value: unknown, message: string) => void;

/** `[...]` of each duplicated element's index. */
export function duplicateIndexes<T>(items: readonly T[], key: (item: T) => unknown = (x) => x): number[] {
  const keys = items.map(key);
  return keys.flatMap((k, i) => (keys.indexOf(k) !== i ? [i] : []));
}
