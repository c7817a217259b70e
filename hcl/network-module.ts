import { Construct } from "constructs";
import { Network } from "../modules/network";
import { networkInputs } from "./inputs";
import { ModuleStack } from "./module-stack";

/**
 * The network area as a plain Terraform module: a VPC over two zones with public and private subnets, one
 * NAT gateway, S3 and DynamoDB gateway endpoints, flow logs, and the default security group stripped.
 */
export class NetworkModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "VPC for Metaflow: public and private subnets in two zones, NAT, gateway endpoints, flow logs");
    const network = new Network(this, "network", {
      naming: this.naming(),
      region: this.region,
      config: networkInputs(this),
      permissionsBoundaryArn: this.boundary(),
    });
    this.output("vpc_id", network.vpcId, "The VPC");
    this.output("private_subnet_ids", network.privateSubnetIds, "Private subnets, one per zone");
    this.output("public_subnet_ids", network.publicSubnetIds, "Public subnets, one per zone");
  }
}
