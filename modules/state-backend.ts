import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { Environment } from "./config/load";
import { defaultStateBucketName } from "./naming";

/** Where one environment's state lives in S3. */
export interface StateLocation {
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  /** True when the bucket name is the default, which may be taken in another account. */
  readonly defaultName: boolean;
}

/** The S3 location of an environment's state; undefined for the local backend. */
export function stateLocation(environment: Environment): StateLocation | undefined {
  const { config } = environment;
  if (config.state.backend === "local") return undefined;
  return {
    bucket: config.state.bucket ?? defaultStateBucketName(config.namePrefix, config.region, config.accountId),
    region: config.state.region ?? config.region,
    keyPrefix: config.state.keyPrefix,
    defaultName: config.state.bucket === undefined,
  };
}

/** State key of one stack: `<keyPrefix>/<environment>/<stack>.tfstate`. */
export function stateKey(location: StateLocation, environment: string, stack: string): string {
  return `${location.keyPrefix}/${environment}/${stack}.tfstate`;
}

/** A stack's state as a file in the project root (Terraform runs in cdktf.out/stacks/<stack>/). */
export function useLocalBackend(stack: TerraformStack): void {
  new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
}

/**
 * A stack's state in S3: encrypted, and locked with S3's native lock file (Terraform 1.10+), so no
 * DynamoDB table is needed.
 */
export function useS3Backend(stack: TerraformStack, location: StateLocation, key: string): void {
  new S3Backend(stack, { bucket: location.bucket, key, region: location.region, encrypt: true });
  // Escape hatch: cdktf 0.21's S3BackendConfig predates `use_lockfile`; stack.test.ts shows the result.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
