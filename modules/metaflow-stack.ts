import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Environment } from "./config/load";
import { MetaflowDeployment } from "./metaflow";
import { Naming } from "./naming";
import { applyRules } from "./rules";
import { stateKey, stateLocation, useLocalBackend, useS3Backend } from "./state-backend";

/** The hashicorp/aws version `@cdktf/provider-aws` 20.1.0 wraps; the synthesized `required_providers` pins it. */
export const AWS_PROVIDER_VERSION = "5.100.0";

/** Stack id of an environment: `metaflow-<environment>`. */
export function stackName(environment: string): string {
  return `metaflow-${environment}`;
}

/**
 * One environment's stack: the rules, the backend, the AWS provider with the environment's region,
 * account and tags, then the deployment (`MetaflowDeployment`, shared with the plain Terraform module) and
 * its outputs.
 */
export class MetaflowStack extends TerraformStack {
  public readonly naming: Naming;
  /** The composition (shared with the plain Terraform `metaflow` module). */
  public readonly deployment: MetaflowDeployment;

  constructor(scope: Construct, environment: Environment) {
    super(scope, stackName(environment.name));
    // The security and data-safety rules (modules/rules/README.md) check every resource of this stack at synth.
    applyRules(this, environment.name);
    const { config } = environment;
    this.naming = new Naming(config.namePrefix, environment.name);

    const state = stateLocation(environment);
    if (state) useS3Backend(this, state, stateKey(state, environment.name, this.node.id));
    else useLocalBackend(this);

    new AwsProvider(this, "aws", {
      region: config.region,
      allowedAccountIds: config.accountId ? [config.accountId] : undefined,
      defaultTags: [
        { tags: { ...config.tags, Project: config.namePrefix, Environment: environment.name, ManagedBy: "cdktf" } },
      ],
    });

    const deployment = new MetaflowDeployment(this, {
      naming: this.naming,
      region: config.region,
      config,
      permissionsBoundaryArn: config.permissionsBoundaryArn,
      accountId: config.accountId,
    });
    this.deployment = deployment;
    for (const [name, value, description, sensitive] of deployment.outputs) {
      new TerraformOutput(this, name, { value, description, sensitive }).overrideLogicalId(name);
    }
  }

  /** Every Metaflow profile key this deployment has a value for. */
  public get profile(): Record<string, string> {
    return this.deployment.profile;
  }
}
