/**
 * AWS regions this project knows, and the availability zones it picks when a config names none.
 * Zone names are validated against the region (`<region><letter>`); whether a zone exists in a given
 * account is for AWS to answer at apply time.
 */
export const AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1",
  "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
  "eu-north-1", "eu-south-1", "eu-south-2",
  "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
  "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
  "me-south-1", "me-central-1", "il-central-1", "af-south-1",
  "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1",
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

/** Regions whose zone `b` is absent for new accounts; their first two zones are listed here. */
const FIRST_ZONES: Partial<Record<AwsRegion, readonly [string, string]>> = {
  "ap-northeast-1": ["a", "c"],
  "us-west-1": ["a", "c"],
};

/** The two zones used when a config names none: `<region>a` and `<region>b` unless listed above. */
export function defaultAvailabilityZones(region: AwsRegion): string[] {
  const [first, second] = FIRST_ZONES[region] ?? ["a", "b"];
  return [`${region}${first}`, `${region}${second}`];
}

/** The ARN partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
