import { IConstruct } from "constructs";
import { Suppression } from "./types";

/** Metadata type under which suppressions are kept on the construct they excuse. */
const SUPPRESSION = "metaflow:rule-suppression";

/**
 * Excuses `scope`, and every resource under it, from rule `ruleId`, for a written `reason`: why the
 * construct is right as it is. Call it next to the construct, where a reviewer reads both. Every
 * suppression is listed in the synth summary; one without a reason, or naming no rule of the pack, fails
 * synth (MF-RULES-1, MF-RULES-2).
 */
export function suppress(scope: IConstruct, ruleId: string, reason: string): void {
  scope.node.addMetadata(SUPPRESSION, { ruleId, reason });
}

/** The suppressions written on `scope` itself (not its parents). */
export function suppressionsOn(scope: IConstruct): Suppression[] {
  return scope.node.metadata
    .filter((m) => m.type === SUPPRESSION)
    .map((m) => ({ ruleId: String(m.data?.ruleId ?? ""), reason: typeof m.data?.reason === "string" ? m.data.reason : "", path: scope.node.path }));
}
