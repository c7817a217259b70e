import { Construct } from "constructs";
import { choose } from "../modules/condition";
import { MetaflowDeployment } from "../modules/metaflow";
import { computeInputs } from "./inputs/compute";
import { networkInputs } from "./inputs/network";
import { databaseInputs, serviceInputs } from "./inputs/service";
import { schedulingInputs } from "./inputs/scheduling";
import { storageInputs } from "./inputs/storage";
import { ModuleStack } from "./module-stack";

/**
 * The whole deployment as one plain Terraform module: the same `MetaflowDeployment` the CDKTF app's
 * stacks compose, with every area's variables (the app's config, field by field, including a reused
 * network and bucket), and the same outputs, the Metaflow profile among them.
 */
export class MetaflowModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "All of Metaflow on AWS in one module: network (or an existing VPC), datastore (or an existing bucket), Batch, metadata service, scheduling, users' access, and the profile");
    const network = networkInputs(this, { existing: true });
    const deployment = new MetaflowDeployment(this, {
      naming: this.naming(),
      region: this.region,
      config: {
        network,
        storage: storageInputs(this, { existing: true }),
        compute: computeInputs(this, { withNetwork: true }),
        database: databaseInputs(this),
        service: serviceInputs(this, { withNetwork: true }),
        scheduling: schedulingInputs(this),
      },
      permissionsBoundaryArn: this.boundary(),
    });
    for (const [name, value, description, sensitive] of deployment.outputs) this.output(name, value, description, sensitive);
    // What the ui module takes of this one (examples/hcl-ui wires them); the app's stacks have no UI outputs of this kind.
    const { database, datastore } = deployment;
    this.output("vpc_cidr", choose(network.create, network.created.vpcCidr, null as unknown as string), "The VPC's IPv4 CIDR, which an internal UI load balancer admits (null with existing_network: read it with data \"aws_vpc\")");
    this.output("datastore_kms_key_arn", datastore.kmsKeyArn ?? null, "The datastore's KMS key (null with encryption \"s3\" or an existing bucket without kms_key_arn)");
    this.output("database_address", database.address, "Address of the metadata database");
    this.output("database_secret_arn", database.secretArn, "ARN of the database's RDS-managed master secret");
    this.output("database_secret_kms_key_arn", database.key.arn, "The KMS key of that secret (the database's key)");
    this.output("database_security_group_id", database.securityGroup.id, "Security group of the database");
  }
}
