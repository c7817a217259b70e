import { Construct } from "constructs";
import { Compute } from "../modules/compute";
import { Datastore } from "../modules/datastore";
import { Naming } from "../modules/naming";
import { ModuleStack } from "./module-stack";
import { computeInputs } from "./inputs";

/** Inputs every module after the network takes: where it runs and which datastore it uses. */
export function placement(stack: ModuleStack) {
  const text = (name: string, description: string) => stack.input(name, { type: "string", description }).stringValue;
  const subnets = stack.input("private_subnet_ids", {
    type: "list(string)",
    description: "Private subnets in at least two zones (the network module's private_subnet_ids)",
    validation: [{ condition: "${length(var.private_subnet_ids) >= 2}", errorMessage: "private_subnet_ids must list at least two subnets." }],
  }).listValue;
  return {
    network: { vpcId: text("vpc_id", "The VPC (the network module's vpc_id)"), privateSubnetIds: subnets, publicSubnetIds: [] as string[] },
    bucketName: text("datastore_bucket_name", "The datastore bucket (the storage module's bucket_name)"),
    kmsKeyArn: text("datastore_kms_key_arn", "The datastore's KMS key (the storage module's kms_key_arn)"),
  };
}

/** The datastore of another module, for grants. */
export function existingDatastore(stack: ModuleStack, bucketName: string, kmsKeyArn: string, naming: Naming) {
  return new Datastore(stack, "storage", { naming, region: stack.region, config: { mode: "existing", bucketName, kmsKeyArn } });
}

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
