import { Construct } from "constructs";
import { TerraformStack, Token } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { partitionOf } from "./config/regions";

const DATA_ID = "aws-partition";

/**
 * The ARN partition (`aws`, `aws-cn`, `aws-us-gov`) for resources in `region`. A region known at synth
 * gives a literal; a region that is a Terraform value (a module's variable) gives the `aws_partition`
 * data source, which the provider answers from its own configuration without calling AWS.
 */
export function partitionFor(scope: Construct, region: string): string {
  if (!Token.isUnresolved(region)) return partitionOf(region);
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(DATA_ID) as DataAwsPartition | undefined;
  return (existing ?? new DataAwsPartition(stack, DATA_ID)).partition;
}
