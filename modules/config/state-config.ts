import { z } from "zod";
import { strict } from "./common";
import { AWS_REGIONS } from "./regions";

/** Config of where Terraform keeps each environment's state. */

export const BucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens");

/** Where the bootstrap stack (which creates the state bucket) keeps its own state. */
export const BOOTSTRAP_STATE = ["local", "bucket"] as const;

const S3StateSchema = strict({
  backend: z.literal("s3"),
  /**
   * The state bucket, created by the bootstrap stack `metaflow-state`.
   * @default `<namePrefix>-tfstate-<accountId>-<region>`; without accountId, `<namePrefix>-tfstate-<region>`
   */
  bucket: BucketName.optional(),
  /** Region of the state bucket. @default the environment's region */
  region: z.enum(AWS_REGIONS).optional(),
  /** State keys are `<keyPrefix>/<environment>/<stack>.tfstate`. @default "metaflow" */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, "must be an S3 key prefix without leading or trailing /, like metaflow or teams/ml")
    .default("metaflow"),
  /**
   * Where the bootstrap stack's own state lives: `local` (a file, the start) or `bucket` (moved into the
   * state bucket it created; see the README). @default "local"
   */
  bootstrapState: z.enum(BOOTSTRAP_STATE).default("local"),
});

const LocalStateSchema = strict({
  backend: z.literal("local"),
});

export const StateSchema = z
  .discriminatedUnion("backend", [S3StateSchema, LocalStateSchema], {
    error: (issue) =>
      issue.code === "invalid_union" || issue.code === "invalid_type" ? `backend must be one of "s3", "local"` : undefined,
  })
  .default({ backend: "s3", keyPrefix: "metaflow", bootstrapState: "local" });

export type StateConfig = z.output<typeof StateSchema>;
export type S3StateConfig = z.output<typeof S3StateSchema>;
