import { areaOfPath } from "../areas";
import { NOT_INCLUDED, PRICE_TABLE } from "./prices";
import { COST_RULE_BY_TYPE, CostContext, CostResource, PricedItem, UnpricedItem, valueAt } from "./rules";

/**
 * The monthly idle cost of a set of resources: each resource priced by the rule for its type
 * (rules.ts) with the region's prices (prices.ts). `estimateStack` prices a synthesized stack
 * (`cdk.tf.json`); the plan reviewer prices a plan's before and after values (review/cost.ts) and
 * `compareEstimates` says what changed.
 */

/** Where a line sits in the deployment, when known. */
interface Placed {
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack (`network/nat-0`). */
  readonly path?: string;
  /** Area title (`network`, `metadata service`). */
  readonly area?: string;
}

export type CostLine = PricedItem & Placed;
export type UnpricedLine = UnpricedItem & Placed;

export interface Estimate {
  readonly region: string;
  /** False when the table has no prices for the region: nothing is priced then. */
  readonly regionPriced: boolean;
  readonly compiled: string;
  readonly hoursPerMonth: number;
  /** Priced lines, largest first. */
  readonly lines: readonly CostLine[];
  /** Things that bill while idle but could not be priced. */
  readonly unpriced: readonly UnpricedLine[];
  readonly totalUsd: number;
  readonly notIncluded: readonly string[];
}

/** How to answer a rule's questions about other resources; each source of resources has its own. */
export interface CostResolver {
  readonly referenced: CostContext["referenced"];
  readonly listLength: CostContext["listLength"];
}

/** Prices `resources` in `region`; `paths` (address to construct path) places the lines in areas. */
export function estimate(
  resources: readonly CostResource[],
  region: string,
  resolver: CostResolver,
  paths: ReadonlyMap<string, string> = new Map(),
): Estimate {
  const prices = PRICE_TABLE.regions[region];
  const base = { region, compiled: PRICE_TABLE.compiled, hoursPerMonth: PRICE_TABLE.hoursPerMonth, notIncluded: NOT_INCLUDED };
  const placed = (r: CostResource): Placed => {
    const path = paths.get(r.address.replace(/\[[^\]]*\]$/, ""));
    return { address: r.address, type: r.type, path, area: path ? areaOfPath(path)?.title : undefined };
  };
  if (!prices) {
    const billed = resources.filter((r) => COST_RULE_BY_TYPE.has(r.type));
    return {
      ...base,
      regionPriced: false,
      lines: [],
      unpriced: billed.map((r) => ({ ...placed(r), item: r.type, reason: `the price table has no prices for ${region}` })),
      totalUsd: 0,
    };
  }
  const context: CostContext = { prices, hoursPerMonth: PRICE_TABLE.hoursPerMonth, ...resolver };
  const lines: CostLine[] = [];
  const unpriced: UnpricedLine[] = [];
  for (const r of resources) {
    const rule = COST_RULE_BY_TYPE.get(r.type);
    if (!rule) continue;
    for (const result of rule.price(r, context)) {
      if ("monthlyUsd" in result) lines.push({ ...placed(r), ...result });
      else unpriced.push({ ...placed(r), ...result });
    }
  }
  lines.sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.address.localeCompare(b.address));
  return { ...base, regionPriced: true, lines, unpriced, totalUsd: lines.reduce((n, l) => n + l.monthlyUsd, 0) };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A whole-value reference `${aws_x.name.attr}` in synthesized JSON: `[type, name]`. */
const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z0-9_]+\}$/;

/** The literal region of a synthesized stack's default `aws` provider, if it has one. */
export function stackRegion(stack: unknown): string | undefined {
  const providers = isObject(stack) && isObject(stack.provider) ? stack.provider.aws : undefined;
  const list = Array.isArray(providers) ? providers : providers === undefined ? [] : [providers];
  const main = list.find((p) => isObject(p) && p.alias === undefined) ?? list[0];
  const region = isObject(main) ? main.region : undefined;
  return typeof region === "string" && !region.includes("${") ? region : undefined;
}

/** The resources of a synthesized stack, one per `count` instance; construct paths from its metadata. */
export function stackResources(stack: unknown): { resources: CostResource[]; paths: Map<string, string>; unknownCount: string[] } {
  const resources: CostResource[] = [];
  const paths = new Map<string, string>();
  const unknownCount: string[] = [];
  const blocks = isObject(stack) && isObject(stack.resource) ? stack.resource : {};
  for (const [type, byName] of Object.entries(blocks)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) continue;
      const address = `${type}.${name}`;
      const meta = isObject(body["//"]) ? body["//"].metadata : undefined;
      if (isObject(meta) && typeof meta.path === "string") paths.set(address, meta.path.split("/").slice(1).join("/"));
      const { "//": _meta, ...values } = body;
      const count = body.count === undefined ? 1 : typeof body.count === "number" ? body.count : undefined;
      if (count === undefined || body.for_each !== undefined) {
        unknownCount.push(address);
        continue;
      }
      if (body.count === undefined) resources.push({ address, type, values });
      else for (let i = 0; i < count; i++) resources.push({ address: `${address}[${i}]`, type, values });
    }
  }
  return { resources, paths, unknownCount };
}

/**
 * The idle cost of a synthesized stack (`cdk.tf.json`, parsed): its region from the provider (or
 * `region`), references between resources read from `${type.name.attr}` values.
 */
export function estimateStack(stack: unknown, region = stackRegion(stack)): Estimate {
  const { resources, paths, unknownCount } = stackResources(stack);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const resolver: CostResolver = {
    referenced: (from, attribute, type) => {
      const m = REFERENCE.exec(String(valueAt(from.values, attribute) ?? ""));
      return m && m[1] === type ? byAddress.get(`${m[1]}.${m[2]}`) : undefined;
    },
    listLength: (from, attribute) => {
      const value = valueAt(from.values, attribute);
      return Array.isArray(value) ? value.length : undefined;
    },
  };
  const result = estimate(resources, region ?? "(unknown region)", resolver, paths);
  const counted = unknownCount
    .filter((address) => COST_RULE_BY_TYPE.has(address.split(".")[0]))
    .map((address) => ({ address, type: address.split(".")[0], path: paths.get(address), item: address.split(".")[0], reason: "its count or for_each is known only at plan time" }));
  return counted.length ? { ...result, unpriced: [...result.unpriced, ...counted] } : result;
}

/** One resource's monthly cost before and after a change. */
export interface CostLineChange {
  readonly address: string;
  readonly type: string;
  readonly path?: string;
  readonly area?: string;
  readonly beforeUsd: number;
  readonly afterUsd: number;
  readonly deltaUsd: number;
  /**
   * The priced items, joined (`database db.t4g.small Multi-AZ; database storage 20 GB gp3 Multi-AZ`), as
   * `before → after` when they differ.
   */
  readonly items: string;
}

export interface CostComparison {
  readonly before: Estimate;
  readonly after: Estimate;
  readonly deltaUsd: number;
  /** Every resource whose cost changed, largest change first. */
  readonly changes: readonly CostLineChange[];
}

/** What changed between two estimates, resource by resource. */
export function compareEstimates(before: Estimate, after: Estimate): CostComparison {
  const byAddress = new Map<string, { before: number; after: number; beforeItems: string[]; afterItems: string[]; line: CostLine }>();
  for (const [side, estimate] of [["before", before], ["after", after]] as const) {
    for (const line of estimate.lines) {
      const entry = byAddress.get(line.address) ?? { before: 0, after: 0, beforeItems: [], afterItems: [], line };
      entry[side] += line.monthlyUsd;
      entry[`${side}Items`].push(line.item);
      if (side === "after") entry.line = line;
      byAddress.set(line.address, entry);
    }
  }
  const items = (b: string[], a: string[]) => {
    const [bt, at] = [b.join("; "), a.join("; ")];
    return !bt || !at || bt === at ? at || bt : `${bt} → ${at}`;
  };
  const changes = [...byAddress.entries()]
    .map(([address, e]): CostLineChange => ({
      address,
      type: e.line.type,
      path: e.line.path,
      area: e.line.area,
      beforeUsd: e.before,
      afterUsd: e.after,
      deltaUsd: e.after - e.before,
      items: items(e.beforeItems, e.afterItems),
    }))
    .filter((c) => Math.abs(c.deltaUsd) >= 0.005)
    .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || a.address.localeCompare(b.address));
  return { before, after, deltaUsd: after.totalUsd - before.totalUsd, changes };
}
