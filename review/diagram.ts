import { ChangeMark, deploymentDiagram, markChanges, renderMermaid } from "../modules/diagram";
import { isDestructive } from "./plan";
import { Review, ReviewedChange } from "./report";

/**
 * The deployment's diagram (modules/diagram.ts) for a review: drawn from the synthesized stack the plan was
 * made from, with the parts the plan changes marked (created, updated, replaced, deleted).
 */

function markOf(item: ReviewedChange): ChangeMark | undefined {
  const { kind } = item.change;
  if (kind === "create") return "created";
  if (kind === "update") return "updated";
  if (kind === "delete" || kind === "forget") return "deleted";
  if (isDestructive(item.change)) return "replaced";
  return undefined;
}

/** Changed construct paths of a review and what happens to each. */
export function changedPaths(review: Review): Map<string, ChangeMark> {
  const changes = new Map<string, ChangeMark>();
  for (const item of review.groups.flatMap((g) => g.items)) {
    const mark = markOf(item);
    if (mark && item.placement.path) changes.set(item.placement.path.replace(/\[[^\]]*\]$/, ""), mark);
  }
  return changes;
}

export interface ReviewDiagram {
  /** The Mermaid flowchart, changed parts in the classes created, updated, replaced and deleted. */
  readonly mermaid: string;
  /** How many nodes or areas are marked. */
  readonly marked: number;
}

/** The marked diagram, or undefined when the review has no synthesized stack (`ReviewOptions.stack`). */
export function reviewDiagram(review: Review): ReviewDiagram | undefined {
  if (review.stack === undefined) return undefined;
  const diagram = deploymentDiagram(review.stack);
  if (diagram.areas.length === 0) return undefined;
  const changes = changedPaths(review);
  return { mermaid: renderMermaid(diagram, { changes }), marked: markChanges(diagram, changes).size };
}
