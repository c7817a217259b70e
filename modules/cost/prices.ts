/**
 * The price table of the idle-cost estimate: on-demand list prices in US dollars, per region, each with the
 * AWS page that publishes it. Compiled on the date below from those pages (Linux, no free tier, no savings
 * plans, reserved capacity or discounts, before tax); prices change, so check the pages before you decide on
 * a price alone, and update the table (and its date) when they do. A region or an item that is not here is
 * reported as unpriced, never as free.
 *
 * What the estimate counts is what bills by the hour or the month while nothing runs: NAT gateways and
 * public IPv4 addresses, load balancers, interface endpoints per zone, the database instance and its
 * storage, the metadata service's and the UI's Fargate tasks, Batch instances kept by min vCPUs, a NAT
 * instance, KMS keys and secrets, alarms and hosted zones; a Cognito user pool bills nothing until more
 * than 10,000 people sign in in a month. Everything billed by use is left out (`NOT_INCLUDED`).
 */

/** One price and where it is published. */
export interface Price {
  readonly usd: number;
  readonly unit: "hour" | "month" | "GB-month";
  readonly source: string;
}

/** An EC2 instance type's hourly price and its vCPUs (Batch's min vCPUs are priced per vCPU). */
export interface InstancePrice {
  readonly usd: number;
  readonly vcpus: number;
}

export interface RegionPrices {
  readonly natGatewayHour: Price;
  /** Every public IPv4 address, attached or not (Elastic IPs, instances' and internet-facing load balancers' addresses), since 2024-02-01. */
  readonly publicIpv4Hour: Price;
  readonly networkLoadBalancerHour: Price;
  readonly applicationLoadBalancerHour: Price;
  /** One interface endpoint in one availability zone. */
  readonly interfaceEndpointZoneHour: Price;
  /** RDS for PostgreSQL, Single-AZ, per instance class; a Multi-AZ instance (one standby) costs twice as much. */
  readonly postgresInstanceHour: { readonly usd: Readonly<Record<string, number>>; readonly source: string };
  /** RDS storage per GB-month by storage type, Single-AZ; Multi-AZ stores twice. */
  readonly rdsStorageGbMonth: { readonly usd: Readonly<Record<string, number>>; readonly source: string };
  /** Fargate, Linux on x86_64. */
  readonly fargateVcpuHour: Price;
  readonly fargateGbHour: Price;
  /** EC2 on-demand, Linux. */
  readonly ec2InstanceHour: { readonly usd: Readonly<Record<string, InstancePrice>>; readonly source: string };
  readonly ebsGp3GbMonth: Price;
  readonly kmsKeyMonth: Price;
  readonly secretMonth: Price;
  readonly alarmMonth: Price;
  readonly hostedZoneMonth: Price;
  /** Monthly active users a Cognito user pool (Lite or Essentials tier) signs in for free each month. */
  readonly cognitoFreeMonthlyActiveUsers: { readonly users: number; readonly source: string };
}

const SOURCES = {
  vpc: "https://aws.amazon.com/vpc/pricing/",
  ipv4: "https://aws.amazon.com/vpc/pricing/ (Public IPv4 addresses; https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/)",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  privatelink: "https://aws.amazon.com/privatelink/pricing/",
  rds: "https://aws.amazon.com/rds/postgresql/pricing/",
  fargate: "https://aws.amazon.com/fargate/pricing/",
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  secrets: "https://aws.amazon.com/secrets-manager/pricing/",
  cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
  route53: "https://aws.amazon.com/route53/pricing/",
  cognito: "https://aws.amazon.com/cognito/pricing/",
} as const;

const hour = (usd: number, source: string): Price => ({ usd, unit: "hour", source });
const month = (usd: number, source: string): Price => ({ usd, unit: "month", source });
const gbMonth = (usd: number, source: string): Price => ({ usd, unit: "GB-month", source });

/** The same everywhere: KMS, Secrets Manager, public IPv4, standard alarms, hosted zones (the first 25), Cognito's free users. */
const FLAT = {
  /** The free tier of the Lite and Essentials tiers, which does not expire. */
  cognitoFreeMonthlyActiveUsers: { users: 10000, source: SOURCES.cognito },
  publicIpv4Hour: hour(0.005, SOURCES.ipv4),
  kmsKeyMonth: month(1.0, SOURCES.kms),
  secretMonth: month(0.4, SOURCES.secrets),
  alarmMonth: month(0.1, SOURCES.cloudwatch),
  hostedZoneMonth: month(0.5, SOURCES.route53),
};

/** N. Virginia and Oregon list the same prices for everything in this table. */
const US_EAST_AND_WEST: RegionPrices = {
  ...FLAT,
  natGatewayHour: hour(0.045, SOURCES.vpc),
  networkLoadBalancerHour: hour(0.0225, SOURCES.elb),
  applicationLoadBalancerHour: hour(0.0225, SOURCES.elb),
  interfaceEndpointZoneHour: hour(0.01, SOURCES.privatelink),
  postgresInstanceHour: {
    usd: {
      "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
      "db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072,
      "db.m6g.large": 0.159, "db.m7g.large": 0.168, "db.m6i.large": 0.178,
    },
    source: SOURCES.rds,
  },
  rdsStorageGbMonth: { usd: { gp3: 0.115, gp2: 0.115 }, source: SOURCES.rds },
  fargateVcpuHour: hour(0.04048, SOURCES.fargate),
  fargateGbHour: hour(0.004445, SOURCES.fargate),
  ec2InstanceHour: {
    usd: {
      "t4g.nano": { usd: 0.0042, vcpus: 2 }, "t4g.micro": { usd: 0.0084, vcpus: 2 }, "t4g.small": { usd: 0.0168, vcpus: 2 },
      "t3.nano": { usd: 0.0052, vcpus: 2 }, "t3.micro": { usd: 0.0104, vcpus: 2 },
      "c5.large": { usd: 0.085, vcpus: 2 }, "m5.large": { usd: 0.096, vcpus: 2 }, "r5.large": { usd: 0.126, vcpus: 2 },
      "c6i.large": { usd: 0.085, vcpus: 2 }, "m6i.large": { usd: 0.096, vcpus: 2 }, "r6i.large": { usd: 0.126, vcpus: 2 },
      "c7i.large": { usd: 0.08925, vcpus: 2 }, "m7i.large": { usd: 0.1008, vcpus: 2 }, "r7i.large": { usd: 0.1323, vcpus: 2 },
      "g4dn.xlarge": { usd: 0.526, vcpus: 4 }, "g5.xlarge": { usd: 1.006, vcpus: 4 }, "g6.xlarge": { usd: 0.8048, vcpus: 4 },
    },
    source: SOURCES.ec2,
  },
  ebsGp3GbMonth: gbMonth(0.08, SOURCES.ebs),
};

export const PRICE_TABLE = {
  /** When the prices were read off the pages named in each entry. */
  compiled: "2026-12-01",
  currency: "USD",
  /** AWS's own month for hourly prices (8,760 hours a year / 12). */
  hoursPerMonth: 730,
  basis: "on-demand list prices, Linux, no free tier, savings plans, reserved capacity or discounts, before tax",
  regions: {
    "us-east-1": US_EAST_AND_WEST,
    "us-west-2": US_EAST_AND_WEST,
    "eu-west-1": {
      ...FLAT,
      natGatewayHour: hour(0.048, SOURCES.vpc),
      networkLoadBalancerHour: hour(0.0252, SOURCES.elb),
      applicationLoadBalancerHour: hour(0.0252, SOURCES.elb),
      interfaceEndpointZoneHour: hour(0.011, SOURCES.privatelink),
      postgresInstanceHour: {
        usd: {
          "db.t4g.micro": 0.017, "db.t4g.small": 0.034, "db.t4g.medium": 0.068, "db.t4g.large": 0.136,
          "db.t3.micro": 0.019, "db.t3.small": 0.038, "db.t3.medium": 0.076,
        },
        source: SOURCES.rds,
      },
      rdsStorageGbMonth: { usd: { gp3: 0.127, gp2: 0.127 }, source: SOURCES.rds },
      fargateVcpuHour: hour(0.04048, SOURCES.fargate),
      fargateGbHour: hour(0.004445, SOURCES.fargate),
      ec2InstanceHour: {
        usd: {
          "t4g.nano": { usd: 0.0046, vcpus: 2 }, "t4g.micro": { usd: 0.0092, vcpus: 2 }, "t4g.small": { usd: 0.0184, vcpus: 2 },
          "t3.nano": { usd: 0.0057, vcpus: 2 }, "t3.micro": { usd: 0.0114, vcpus: 2 },
          "c5.large": { usd: 0.096, vcpus: 2 }, "m5.large": { usd: 0.107, vcpus: 2 }, "r5.large": { usd: 0.141, vcpus: 2 },
          "c6i.large": { usd: 0.096, vcpus: 2 }, "m6i.large": { usd: 0.107, vcpus: 2 }, "r6i.large": { usd: 0.141, vcpus: 2 },
          "g4dn.xlarge": { usd: 0.587, vcpus: 4 }, "g5.xlarge": { usd: 1.123, vcpus: 4 },
        },
        source: SOURCES.ec2,
      },
      ebsGp3GbMonth: gbMonth(0.088, SOURCES.ebs),
    },
  } as Readonly<Record<string, RegionPrices>>,
} as const;

/** What the estimate leaves out: billed by use, or not by the hour or month. Shown with every estimate. */
export const NOT_INCLUDED: readonly string[] = [
  "S3 storage and requests (the datastore, the state buckets)",
  "data transfer: to the internet, between zones, and the per-GB processing of NAT gateways and interface endpoints",
  "load balancer capacity units (LCUs) and API Gateway requests",
  "Batch jobs: EC2 or Fargate capacity while jobs run (beyond min vCPUs), their EBS volumes",
  "Step Functions state transitions, EventBridge events, DynamoDB on-demand requests, storage and point-in-time recovery",
  "CloudWatch Logs ingestion and storage (flow logs, service, API and database logs), Container Insights metrics",
  "Cognito monthly active users beyond the free 10,000 a month (the UI's user pool, Lite tier)",
  "KMS and Secrets Manager requests; each rotation of a KMS key adds $1 a month for the first two (a rotated key costs $2 in its second year, $3 from its third)",
  "RDS backup storage beyond the database's size, snapshots, Performance Insights beyond the free 7 days",
  "taxes, support plans, the free tier",
];
