import { Construct } from "constructs";
import { Network } from "../modules/network";
import { networkInputs } from "./inputs/network";
import { ModuleStack } from "./module-stack";

/**
 * The network area as a plain Terraform module: a VPC over two to six zones with public and private
 * subnets, NAT gateways (none, one, one per zone) or a NAT instance, S3 and DynamoDB gateway endpoints,
 * interface endpoints, flow logs, and the default security group stripped.
 */
export class NetworkModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "VPC for Metaflow: public and private subnets in two to six zones, NAT gateways or a NAT instance, gateway and interface endpoints, flow logs");
    const network = new Network(this, "network", {
      naming: this.naming(),
      region: this.region,
      config: networkInputs(this, { existing: false }),
      permissionsBoundaryArn: this.boundary(),
    });
    this.output("vpc_id", network.vpcId, "The VPC");
    this.output("private_subnet_ids", network.privateSubnetIds, "Private subnets, one per zone, in the order of availability_zones");
    this.output("public_subnet_ids", network.publicSubnetIds, "Public subnets, one per zone, in the order of availability_zones");
  }
}
