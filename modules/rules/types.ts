/** The shapes the rule pack works with. Rules are data plus one pure function; see README.md. */

export type Level = "error" | "warning";

/**
 * One resource as cdktf writes it: the body under `resource.<type>.<name>` of the stack's Terraform JSON,
 * snake_case keys, tokens resolved to `${...}` references, `addOverride`, lifecycle and meta-arguments
 * applied.
 */
export interface SynthResource {
  /** `aws_s3_bucket` */
  readonly type: string;
  /** The logical id, `storage_datastore_bucket_F49550FA`. */
  readonly name: string;
  /** `aws_s3_bucket.storage_datastore_bucket_F49550FA`: what references to it start with. */
  readonly address: string;
  /** The construct path, `metaflow-dev/storage/datastore/bucket`. */
  readonly path: string;
  readonly body: Readonly<Record<string, any>>;
}

/** What a rule may read besides the resource it checks. */
export interface RuleContext {
  /** The environment of the stack (`dev`, `prod`); undefined for stacks that are not an environment. */
  readonly environment?: string;
  /** Every resource of `type` in the same stack, as synthesized. */
  resources(type: string): readonly SynthResource[];
}

export interface Rule {
  /** `MF-<family>-<n>`; never reused for another check, since suppressions name it. */
  readonly id: string;
  readonly level: Level;
  /** What the rule requires, in one sentence. */
  readonly description: string;
  /** What to do when it fires. */
  readonly fix: string;
  /** The resource types it reads. */
  readonly appliesTo: readonly string[];
  /** What is wrong with `resource`, one line per problem; empty when it is safe. Reads only its arguments. */
  check(resource: SynthResource, context: RuleContext): readonly string[];
}

/** A written excuse for one rule on one construct and everything under it. */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Path of the construct it sits on. */
  readonly path: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly level: Level;
  /** Construct path of the resource (or, for a bad suppression, of the construct holding it). */
  readonly path: string;
  /** `aws_x.name`, when the finding is about a resource. */
  readonly address?: string;
  /** The problem and how to fix it. */
  readonly message: string;
}

/** What the pack found in one stack. */
export interface StackReport {
  readonly stack: string;
  /** Rules the stack was checked against. */
  readonly rules: number;
  readonly resources: number;
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** Every suppression in the stack, with the findings it silenced. */
  readonly suppressions: { readonly suppression: Suppression; readonly silenced: Finding[] }[];
}
