import { InstancePrice, Price, RegionPrices } from "./prices";

/**
 * One rule per resource type: what a resource of that type bills while idle, from its attributes. A new type
 * (a UI's load balancer, an ECR repository with a flat fee) is one entry in `COST_RULES`. Types without a
 * rule bill only by use, or nothing.
 */

/** A resource as the estimate sees it: its attributes as the synthesized JSON or a plan holds them. */
export interface CostResource {
  readonly address: string;
  readonly type: string;
  /** Nested blocks are objects (synthesized JSON) or lists of objects (plans); `block` reads both. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** What a rule may ask of the resources around the one it prices. */
export interface CostContext {
  readonly prices: RegionPrices;
  readonly hoursPerMonth: number;
  /**
   * The resource of `type` that `from`'s `attribute` (a dotted path into nested blocks: `launch_template.id`)
   * refers to (a service's task definition), when it can be told.
   */
  readonly referenced: (from: CostResource, attribute: string, type: string) => CostResource | undefined;
  /** How many elements the list `attribute` has (an endpoint's subnets), when it can be told. */
  readonly listLength: (from: CostResource, attribute: string) => number | undefined;
}

/** One priced item: `monthlyUsd` with the arithmetic that gave it. */
export interface PricedItem {
  readonly item: string;
  readonly monthlyUsd: number;
  readonly formula: string;
}

/** An item that bills while idle but cannot be priced from what is known (an unknown class, a value known after apply). */
export interface UnpricedItem {
  readonly item: string;
  readonly reason: string;
}

export type RuleResult = PricedItem | UnpricedItem;

export interface CostRule {
  readonly type: string;
  /** What of this type is priced, for the README's table. */
  readonly priced: string;
  readonly price: (resource: CostResource, context: CostContext) => RuleResult[];
}

/** A nested block written as an object (cdktf) or a one-element list (plan JSON). */
export function block(value: unknown): Readonly<Record<string, unknown>> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "object" && first !== null && !Array.isArray(first) ? (first as Record<string, unknown>) : undefined;
}

/** The value at a dotted attribute path (`launch_template.id`), through nested blocks written either way. */
export function valueAt(values: unknown, path: string): unknown {
  let value: unknown = values;
  for (const step of path.split(".")) value = block(value)?.[step];
  return value;
}

/** A number from a number or a numeric string (`"512"`); undefined otherwise, e.g. a `${var.x}` reference. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

const isTrue = (v: unknown) => v === true || v === "true";
const money = (n: number) => n.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");

/** `price` per hour for a month: `0.045 $/h × 730 h`. */
function hourly(item: string, count: number, price: Price | number, context: CostContext, unit = "h"): PricedItem {
  const usd = typeof price === "number" ? price : price.usd;
  const times = count === 1 ? "" : `${count} × `;
  return { item, monthlyUsd: count * usd * context.hoursPerMonth, formula: `${times}${money(usd)} $/${unit} × ${context.hoursPerMonth} h` };
}

function monthly(item: string, count: number, price: Price): PricedItem {
  return { item, monthlyUsd: count * price.usd, formula: `${count === 1 ? "" : `${count} × `}${money(price.usd)} $/month` };
}

const unpriced = (item: string, reason: string): UnpricedItem => ({ item, reason });

/** The on-demand price of an instance type, or of its family's `.large` (`.xlarge` for GPU families) when given a family. */
function instancePrice(prices: RegionPrices, instanceType: string): [string, InstancePrice] | undefined {
  const table = prices.ec2InstanceHour.usd;
  const candidates = instanceType.includes(".") ? [instanceType] : [`${instanceType}.large`, `${instanceType}.xlarge`];
  for (const c of candidates) if (table[c]) return [c, table[c]];
  return undefined;
}

/** A resource's public IPv4 addresses for a month. */
const publicIpv4 = (item: string, count: number, context: CostContext) => hourly(item, count, context.prices.publicIpv4Hour, context);

export const COST_RULES: readonly CostRule[] = [
  {
    type: "aws_nat_gateway",
    priced: "each NAT gateway by the hour (its Elastic IP is priced with aws_eip)",
    price: (_r, c) => [hourly("NAT gateway", 1, c.prices.natGatewayHour, c)],
  },
  {
    type: "aws_eip",
    priced: "each Elastic IP as a public IPv4 address by the hour",
    price: (_r, c) => [publicIpv4("public IPv4 address (Elastic IP)", 1, c)],
  },
  {
    type: "aws_lb",
    priced: "network and application load balancers by the hour, and the public IPv4 address per subnet of an internet-facing one",
    price: (r, c) => {
      const kind = r.values.load_balancer_type ?? "application";
      const items: RuleResult[] = [];
      if (kind === "network") items.push(hourly("network load balancer", 1, c.prices.networkLoadBalancerHour, c));
      else if (kind === "application") items.push(hourly("application load balancer", 1, c.prices.applicationLoadBalancerHour, c));
      else return [unpriced(`${String(kind)} load balancer`, "no price for this load balancer type in the table")];
      if (r.values.internal === false || r.values.internal === "false") {
        const zones = c.listLength(r, "subnets");
        items.push(zones === undefined ? unpriced("public IPv4 addresses of the load balancer", "its subnets are not known") : publicIpv4(`public IPv4 addresses (${zones} zones)`, zones, c));
      }
      return items;
    },
  },
  {
    type: "aws_vpc_endpoint",
    priced: "interface endpoints by the hour in each zone (subnet) they sit in; gateway endpoints are free",
    price: (r, c) => {
      const type = r.values.vpc_endpoint_type ?? "Gateway";
      if (type === "Gateway") return [];
      const service = String(r.values.service_name ?? "").split(".").slice(3).join(".") || "endpoint";
      if (type !== "Interface") return [unpriced(`${service} ${String(type)} endpoint`, "no price for this endpoint type in the table")];
      const zones = c.listLength(r, "subnet_ids");
      if (zones === undefined) return [unpriced(`${service} interface endpoint`, "its subnets are not known, so neither is its number of zones")];
      return [hourly(`${service} interface endpoint, ${zones} zone${zones === 1 ? "" : "s"}`, zones, c.prices.interfaceEndpointZoneHour, c)];
    },
  },
  {
    type: "aws_db_instance",
    priced: "the PostgreSQL instance class by the hour (twice for Multi-AZ), its allocated storage by the GB-month (twice for Multi-AZ), and the RDS-managed master secret",
    price: (r, c) => {
      const klass = String(r.values.instance_class ?? "?");
      const multiAz = isTrue(r.values.multi_az);
      const copies = multiAz ? 2 : 1;
      const az = multiAz ? "Multi-AZ" : "Single-AZ";
      const items: RuleResult[] = [];
      const engine = r.values.engine;
      const instance = c.prices.postgresInstanceHour.usd[klass];
      if (engine !== undefined && engine !== "postgres") items.push(unpriced(`${String(engine)} ${klass}`, "the table has PostgreSQL prices only"));
      else if (instance === undefined) items.push(unpriced(`database ${klass} ${az}`, `no price for ${klass} in the table; add it to modules/cost/prices.ts`));
      else items.push(hourly(`database ${klass} ${az}`, copies, instance, c));
      const gb = numberOf(r.values.allocated_storage);
      const storageType = String(r.values.storage_type ?? "gp2");
      const perGb = c.prices.rdsStorageGbMonth.usd[storageType];
      if (gb === undefined) items.push(unpriced("database storage", "allocated_storage is not known"));
      else if (perGb === undefined) items.push(unpriced(`database storage ${gb} GB ${storageType}`, `no price for ${storageType} storage in the table`));
      else items.push({ item: `database storage ${gb} GB ${storageType} ${az}`, monthlyUsd: copies * gb * perGb, formula: `${copies === 1 ? "" : `${copies} × `}${gb} GB × ${money(perGb)} $/GB-month` });
      if (isTrue(r.values.manage_master_user_password)) items.push(monthly("RDS-managed master secret", 1, c.prices.secretMonth));
      return items;
    },
  },
  {
    type: "aws_ecs_service",
    priced: "Fargate tasks by the hour: desired count × (vCPUs × the vCPU price + GB × the memory price) of the task definition",
    price: (r, c) => {
      const provider = block(r.values.capacity_provider_strategy)?.capacity_provider;
      const launchType = r.values.launch_type ?? (typeof provider === "string" && provider.startsWith("FARGATE") ? "FARGATE" : undefined);
      if (launchType !== "FARGATE") return [];
      const count = numberOf(r.values.desired_count) ?? 1;
      const task = c.referenced(r, "task_definition", "aws_ecs_task_definition");
      const cpu = numberOf(task?.values.cpu);
      const memory = numberOf(task?.values.memory);
      if (cpu === undefined || memory === undefined) return [unpriced(`${count} Fargate task${count === 1 ? "" : "s"}`, "the task definition's cpu and memory are not known")];
      const vcpu = cpu / 1024;
      const gb = memory / 1024;
      const perTask = vcpu * c.prices.fargateVcpuHour.usd + gb * c.prices.fargateGbHour.usd;
      return [{
        item: `${count} Fargate task${count === 1 ? "" : "s"} of ${vcpu} vCPU, ${gb} GB${provider === "FARGATE_SPOT" ? " (Fargate Spot bills less; on-demand price shown)" : ""}`,
        monthlyUsd: count * perTask * c.hoursPerMonth,
        formula: `${count} × (${vcpu} × ${money(c.prices.fargateVcpuHour.usd)} + ${gb} × ${money(c.prices.fargateGbHour.usd)}) $/h × ${c.hoursPerMonth} h`,
      }];
    },
  },
  {
    type: "aws_batch_compute_environment",
    priced: "EC2 and Spot environments' min vCPUs by the hour, at the cheapest listed instance type's price per vCPU (Spot at the on-demand price, an upper bound)",
    price: (r, c) => {
      const resources = block(r.values.compute_resources);
      const kind = resources?.type;
      const min = numberOf(resources?.min_vcpus) ?? 0;
      if ((kind !== "EC2" && kind !== "SPOT") || min === 0) return [];
      const types = Array.isArray(resources?.instance_type) ? resources!.instance_type.map(String) : [];
      const priced = types.map((t) => instancePrice(c.prices, t)).filter((p): p is [string, InstancePrice] => p !== undefined);
      if (priced.length === 0 || priced.length < types.length) {
        return [unpriced(`Batch ${min} min vCPUs`, `no price in the table for ${types.filter((t) => !instancePrice(c.prices, t)).join(", ") || "its instance types"}`)];
      }
      const [name, cheapest] = priced.sort((a, b) => a[1].usd / a[1].vcpus - b[1].usd / b[1].vcpus)[0];
      const perVcpu = cheapest.usd / cheapest.vcpus;
      return [{
        item: `Batch ${min} min vCPUs kept running (${name}${kind === "SPOT" ? ", on-demand price for Spot" : ""})`,
        monthlyUsd: min * perVcpu * c.hoursPerMonth,
        formula: `${min} vCPUs × ${money(cheapest.usd)} $/h / ${cheapest.vcpus} vCPUs × ${c.hoursPerMonth} h`,
      }];
    },
  },
  {
    type: "aws_instance",
    priced: "the instance type by the hour, its gp3 root volume by the GB-month, and its public IPv4 address",
    price: (r, c) => {
      const type = String(r.values.instance_type ?? "?");
      const found = instancePrice(c.prices, type);
      const items: RuleResult[] = [found && found[0] === type ? hourly(`EC2 instance ${type}`, 1, found[1].usd, c) : unpriced(`EC2 instance ${type}`, `no price for ${type} in the table`)];
      // The root volume is set on the instance, or by the launch template it is launched from.
      const template = c.referenced(r, "launch_template.id", "aws_launch_template");
      const fromTemplate = (Array.isArray(template?.values.block_device_mappings) ? template!.values.block_device_mappings : [template?.values.block_device_mappings])
        .map((m) => block(block(m)?.ebs)?.volume_size)[0];
      const gb = numberOf(block(r.values.root_block_device)?.volume_size ?? fromTemplate);
      if (gb !== undefined) {
        const perGb = c.prices.ebsGp3GbMonth.usd;
        items.push({ item: `root volume ${gb} GB gp3`, monthlyUsd: gb * perGb, formula: `${gb} GB × ${money(perGb)} $/GB-month` });
      }
      if (isTrue(r.values.associate_public_ip_address)) items.push(publicIpv4("public IPv4 address of the instance", 1, c));
      return items;
    },
  },
  { type: "aws_kms_key", priced: "each customer-managed key by the month", price: (_r, c) => [monthly("KMS key", 1, c.prices.kmsKeyMonth)] },
  {
    type: "aws_cognito_user_pool",
    priced: "nothing while idle: a user pool bills per monthly active user, and the first 10,000 a month are free (Lite and Essentials tiers)",
    price: (r, c) => [{
      item: `Cognito user pool (${String(r.values.user_pool_tier ?? "Essentials").toLowerCase()} tier)`,
      monthlyUsd: 0,
      formula: `the first ${c.prices.cognitoFreeMonthlyActiveUsers.users.toLocaleString("en-US")} monthly active users are free; beyond them it bills per user (not included)`,
    }],
  },
  { type: "aws_secretsmanager_secret", priced: "each secret by the month", price: (_r, c) => [monthly("secret", 1, c.prices.secretMonth)] },
  { type: "aws_cloudwatch_metric_alarm", priced: "each standard-resolution alarm by the month", price: (_r, c) => [monthly("CloudWatch alarm", 1, c.prices.alarmMonth)] },
  { type: "aws_route53_zone", priced: "each hosted zone by the month", price: (_r, c) => [monthly("Route 53 hosted zone", 1, c.prices.hostedZoneMonth)] },
];

export const COST_RULE_BY_TYPE: ReadonlyMap<string, CostRule> = new Map(COST_RULES.map((r) => [r.type, r]));
