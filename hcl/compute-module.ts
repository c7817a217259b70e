import { Construct } from "constructs";
import { Compute } from "../modules/compute";
import { ModuleStack } from "./module-stack";
import { computeInputs, existingDatastore, placement } from "./inputs";

/** The compute area as a plain Terraform module: one on-demand EC2 Batch environment and its queue. */
export class ComputeModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "AWS Batch for Metaflow: an EC2 compute environment scaling from zero, a job queue, least-privilege roles");
    const naming = this.naming();
    const where = placement(this);
    const compute = new Compute(this, "compute", {
      naming,
      region: this.region,
      network: where.network,
      config: computeInputs(this),
      permissionsBoundaryArn: this.boundary(),
    });
    existingDatastore(this, where.bucketName, where.kmsKeyArn, naming).grantReadWrite(compute.jobRole);

    this.output("job_queue_arn", compute.defaultQueue.arn, "The job queue");
    this.output("job_role_name", compute.jobRole.name, "The role Batch jobs run as");
    this.output("job_role_arn", compute.jobRole.arn, "ARN of the role Batch jobs run as");
    this.output("security_group_id", compute.securityGroup.id, "Security group of Batch jobs (allow it into the metadata service)");
    this.output("profile", compute.profile, "The Batch keys of the Metaflow profile");
  }
}
