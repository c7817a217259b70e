import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ConfigError, Environment } from "./config/load";
import { applyRules } from "./rules";
import { SecureBucket } from "./secure-bucket";
import { StateLocation, stateLocation, useLocalBackend, useS3Backend } from "./state-backend";

/** The bootstrap stack's id. Deploy it once, before any environment that uses the S3 backend. */
export const STATE_STACK = "metaflow-state";

/** Old state versions: kept 90 days, and the 10 newest whatever their age. */
const STATE_VERSION_DAYS = 90;
const STATE_VERSIONS_KEPT = 10;
const STALE_UPLOAD_DAYS = 7;

interface StateBucketPlan {
  readonly location: StateLocation;
  readonly environments: string[];
  readonly bootstrapInBucket: boolean;
}

/**
 * The state buckets the environments need, one per bucket name. Fails with a ConfigError when two
 * environments name one bucket in two regions.
 */
export function plannedStateBuckets(environments: readonly Environment[]): StateBucketPlan[] {
  const byBucket = new Map<string, StateBucketPlan>();
  const problems: string[] = [];
  for (const environment of environments) {
    const location = stateLocation(environment);
    if (!location) continue;
    const seen = byBucket.get(location.bucket);
    const inBucket = environment.config.state.backend === "s3" && environment.config.state.bootstrapState === "bucket";
    if (!seen) {
      byBucket.set(location.bucket, { location, environments: [environment.name], bootstrapInBucket: inBucket });
    } else if (seen.location.region !== location.region) {
      problems.push(
        `${environment.source ?? environment.name}: state.region: "${location.region}" differs from the region of state bucket ${location.bucket} in environment ${seen.environments[0]} (${seen.location.region}); one bucket lives in one region`,
      );
    } else {
      seen.environments.push(environment.name);
      byBucket.set(location.bucket, { ...seen, bootstrapInBucket: seen.bootstrapInBucket || inBucket });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return [...byBucket.values()];
}

/**
 * The bootstrap stack: the S3 buckets that hold every environment's Terraform state (versioned,
 * encrypted, private, TLS-only, protected from destroy, old versions expired). It starts on local state;
 * `state.bootstrapState: "bucket"` moves its own state into the first bucket (see the README).
 */
export class StateStack extends TerraformStack {
  constructor(scope: Construct, buckets: readonly StateBucketPlan[]) {
    super(scope, STATE_STACK);
    // The security and data-safety rules (modules/rules/README.md) check every resource of this stack at synth.
    applyRules(this);
    const regions = [...new Set(buckets.map((b) => b.location.region))];
    const providers = new Map(
      regions.map((region, i) => [
        region,
        new AwsProvider(this, `aws-${region}`, {
          region,
          alias: i === 0 ? undefined : region,
          defaultTags: [{ tags: { Project: "metaflow", Purpose: "terraform-state", ManagedBy: "cdktf" } }],
        }),
      ]),
    );

    buckets.forEach(({ location, environments }) => {
      const { bucket } = new SecureBucket(this, `state-${location.bucket}`, {
        name: location.bucket,
        noncurrentVersionRetentionDays: STATE_VERSION_DAYS,
        keepNoncurrentVersions: STATE_VERSIONS_KEPT,
        abortIncompleteUploadsAfterDays: STALE_UPLOAD_DAYS,
        provider: providers.get(location.region),
      });
      new TerraformOutput(this, `bucket-${location.bucket}`, {
        value: bucket.bucket,
        description: `State bucket of ${environments.join(", ")}`,
      });
    });

    const home = buckets.find((b) => b.bootstrapInBucket);
    if (home) useS3Backend(this, home.location, `${home.location.keyPrefix}/bootstrap/${STATE_STACK}.tfstate`);
    else useLocalBackend(this);
  }
}
