import { z } from "zod";
import { MAX_STATE_KEY_PREFIX_LENGTH, S3_KEY_MAX_BYTES } from "../naming";
import { BucketName, discriminatorError, onlyWhere, strict } from "./common";
import { AWS_REGIONS } from "./regions";

/** Config of where Terraform keeps each environment's state. */

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
    .max(
      MAX_STATE_KEY_PREFIX_LENGTH,
      `must have at most ${MAX_STATE_KEY_PREFIX_LENGTH} characters, so that every state key (<keyPrefix>/<environment>/metaflow-<environment>.tfstate) fits S3's ${S3_KEY_MAX_BYTES} bytes`,
    )
    .default("metaflow"),
  /**
   * Where the bootstrap stack's own state lives: `local` (a file, the start) or `bucket` (moved into the
   * state bucket it created; see the README). @default "local"
   */
  bootstrapState: z.enum(BOOTSTRAP_STATE).default("local"),
});

const LocalStateSchema = strict({
  backend: z.literal("local"),
}, onlyWhere("backend", "s3", ["bucket", "region", "keyPrefix", "bootstrapState"], "the local backend keeps state in a file"));

export const StateSchema = z
  .discriminatedUnion("backend", [S3StateSchema, LocalStateSchema], discriminatorError("backend", `"s3", "local"`))
  .default({ backend: "s3", keyPrefix: "metaflow", bootstrapState: "local" });

export type StateConfig = z.output<typeof StateSchema>;
export type S3StateConfig = z.output<typeof S3StateSchema>;
