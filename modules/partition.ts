import { Construct } from "constructs";
import { TerraformStack, Token } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { ecrDomain } from "./config/images";
import { partitionOf } from "./config/regions";

const DATA_ID = "aws-partition";

/**
 * The ARN partition (`aws`, `aws-cn`, `aws-us-gov`) for resources in `region`. A region known at synth
 * gives a literal; a region that is a Terraform value (a module's variable) gives the `aws_partition`
 * data source, which the provider answers from its own configuration without calling AWS.
 */
export function partitionFor(scope: Construct, region: string): string {
  if (!Token.isUnresolved(region)) return partitionOf(region);
  return partitionData(scope).partition;
}

/** The DNS suffix of the partition of `region` (`amazonaws.com`, `amazonaws.com.cn`), as `partitionFor`. */
export function dnsSuffixFor(scope: Construct, region: string): string {
  if (!Token.isUnresolved(region)) return ecrDomain(region);
  return partitionData(scope).dnsSuffix;
}

function partitionData(scope: Construct): DataAwsPartition {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(DATA_ID) as DataAwsPartition | undefined;
  return existing ?? new DataAwsPartition(stack, DATA_ID);
}
