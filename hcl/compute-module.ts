import { Construct } from "constructs";
import { Compute } from "../modules/compute";
import { computeInputs } from "./inputs/compute";
import { existingDatastore, placement } from "./inputs/common";
import { ModuleStack } from "./module-stack";

/**
 * The compute area as a plain Terraform module: the Batch compute environments of a map (EC2, spot, GPU,
 * Fargate, Fargate Spot), the job queues over them, least-privilege roles.
 */
export class ComputeModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "AWS Batch for Metaflow: compute environments of five kinds scaling from zero, job queues with ordered fallbacks, least-privilege roles");
    const naming = this.naming();
    const where = placement(this);
    const compute = new Compute(this, "compute", {
      naming,
      region: this.region,
      network: where.network,
      config: computeInputs(this, { withNetwork: false }),
      permissionsBoundaryArn: this.boundary(),
    });
    existingDatastore(this, where.bucketName, where.kmsKeyArn, naming).grantReadWrite(compute.jobRole);

    this.output("job_queue_arn", compute.defaultQueueArn, "The default job queue (default_queue)");
    this.output("job_queue_arns", compute.queueArns, "Every job queue");
    this.output("job_role_name", compute.jobRole.name, "The role Batch jobs run as");
    this.output("job_role_arn", compute.jobRole.arn, "ARN of the role Batch jobs run as");
    this.output("execution_role_arn", compute.executionRoleArn, "The Fargate execution role (null without a Fargate environment)");
    this.output("security_group_id", compute.securityGroup.id, "Security group of Batch jobs (allow it into the metadata service)");
    this.output("profile", compute.profile, "The Batch keys of the Metaflow profile (null values for parts this configuration has not)");
  }
}
