/**
 * The areas of a deployment, in the order the composition builds them: each is the construct id of one
 * part of `MetaflowDeployment` (modules/metaflow.ts), or of the bootstrap stack's state buckets, with the
 * name people read. The synth summary, the plan review, the cost estimate and the diagram name areas by
 * this table; a construct added to the composition needs a row here (__tests__/areas.test.ts checks).
 *
 * Pure data: the plan reviewer reads it too, without loading cdktf.
 */

export interface Area {
  /** The construct id directly under the stack (`network`, `metadata`), or a prefix of it (`state`). */
  readonly id: string;
  /** What a reader calls it: `metadata service`, `API`. */
  readonly title: string;
}

export const AREAS: readonly Area[] = [
  { id: "network", title: "network" },
  { id: "storage", title: "storage" },
  { id: "compute", title: "compute" },
  { id: "database", title: "database" },
  { id: "metadata", title: "metadata service" },
  { id: "api", title: "API" },
  { id: "ui", title: "UI" },
  { id: "scheduling", title: "scheduling" },
  { id: "users", title: "users" },
  // The bootstrap stack's buckets are `state-<bucket name>`.
  { id: "state", title: "state" },
];

/** The area of the construct `id` directly under a stack (`compute`, `state-metaflow-tfstate-us-east-1`), if it is one. */
export function areaOfConstruct(id: string): Area | undefined {
  return AREAS.find((a) => id === a.id || id.startsWith(`${a.id}-`));
}

/** The area of a construct path below its stack (`compute/environment-cpu/launch-template`), if it is in one. */
export function areaOfPath(pathBelowStack: string): Area | undefined {
  return areaOfConstruct(pathBelowStack.split("/")[0]);
}

/** Position of an area in the table, for sorting; areas not in it come last. */
export function areaRank(title: string): number {
  const i = AREAS.findIndex((a) => a.title === title);
  return i === -1 ? AREAS.length : i;
}
