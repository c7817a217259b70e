import { CostComparison, compareEstimates, CostResolver, estimate, stackRegion } from "../modules/cost/estimate";
import { CostResource, valueAt } from "../modules/cost/rules";
import { constructPaths } from "./areas";
import { Plan } from "./plan";

/**
 * The idle cost before and after a plan, priced by the cost rules (modules/cost/) from the plan's own
 * values: `before` from each change's prior values, `after` from its planned values. Values known only after
 * apply (a new service's task definition ARN, a new endpoint's subnet ids) are followed through the plan's
 * configuration references instead.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const keyless = (address: string) => address.replace(/\[[^\]]*\]$/, "");

/** Resolves references among `resources` by value (an ARN or id one of them holds) or by the configuration's references. */
function resolver(resources: readonly CostResource[], plan: Plan, unknown: ReadonlyMap<string, unknown>): CostResolver {
  const byKeyless = new Map<string, CostResource>();
  for (const r of resources) if (!byKeyless.has(keyless(r.address))) byKeyless.set(keyless(r.address), r);
  const isUnknown = (from: CostResource, attribute: string) => valueAt(unknown.get(from.address), attribute) === true;
  const configured = (from: CostResource, attribute: string) => plan.references.get(keyless(from.address))?.[attribute];
  return {
    referenced: (from, attribute, type) => {
      const value = valueAt(from.values, attribute);
      if (typeof value === "string" && value !== "" && !isUnknown(from, attribute)) {
        const byValue = resources.find((r) => r.type === type && (r.values.arn === value || r.values.id === value));
        if (byValue) return byValue;
      }
      const ref = configured(from, attribute)?.find((a) => a.split(".").slice(-2)[0] === type);
      return ref ? byKeyless.get(ref) : undefined;
    },
    listLength: (from, attribute) => {
      const value = valueAt(from.values, attribute);
      if (Array.isArray(value) && !isUnknown(from, attribute)) return value.length;
      const refs = configured(from, attribute);
      if (!refs || refs.length === 0 || refs.some((r) => !byKeyless.has(r))) return undefined;
      return refs.length;
    },
  };
}

/**
 * Before and after of the plan's idle cost, or undefined when the plan names no region (the `aws`
 * provider's region is not a constant) and the stack does not either. `stack` places lines by construct path.
 */
export function planCost(plan: Plan, stack?: unknown): CostComparison | undefined {
  const region = plan.providerRegion ?? (stack === undefined ? undefined : stackRegion(stack));
  if (region === undefined) return undefined;
  const managed = plan.resourceChanges.filter((c) => c.mode === "managed" && c.deposed === undefined);
  const side = (pick: "before" | "after") => {
    const resources = managed
      .filter((c) => isObject(c[pick]))
      .map((c): CostResource => ({ address: c.address, type: c.type, values: c[pick] as Json }));
    const unknown = new Map(pick === "after" ? managed.map((c) => [c.address, c.afterUnknown]) : []);
    return { resources, resolve: resolver(resources, plan, unknown) };
  };
  const paths = stack === undefined ? undefined : constructPaths(stack);
  const before = side("before");
  const after = side("after");
  return compareEstimates(estimate(before.resources, region, before.resolve, paths), estimate(after.resources, region, after.resolve, paths));
}
