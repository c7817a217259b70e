import { areaOfConstruct, areaRank } from "../modules/areas";
import { ActionKind, isDestructive, ResourceChange } from "./plan";

/**
 * Where each change sits: the construct path it was built at, taken from the synthesized stack's metadata
 * (`"//": { "metadata": { "path": "metaflow-dev/compute/environment-cpu/launch-template" } }` on every
 * resource of a `cdk.tf.json`), and the area that path starts with (modules/areas.ts). A plan reviewed
 * without its stack, or from a project that is not this one, is grouped by Terraform module instead.
 */

/** A synthesized stack's construct paths: `type.name` (and `data.type.name`) to the path below the stack. */
export type ConstructPaths = ReadonlyMap<string, string>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The construct path of every resource and data source in a synthesized stack (`cdk.tf.json`), without the
 * stack's own name: `aws_launch_template.compute_..._C3A7E87D` -> `compute/environment-cpu/launch-template`.
 * Resources without metadata are left out.
 */
export function constructPaths(stack: unknown): Map<string, string> {
  const paths = new Map<string, string>();
  if (!isObject(stack)) return paths;
  for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
    const blocks = stack[kind];
    if (!isObject(blocks)) continue;
    for (const [type, byName] of Object.entries(blocks)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        const meta = isObject(body) && isObject(body["//"]) ? body["//"].metadata : undefined;
        const path = isObject(meta) && typeof meta.path === "string" ? meta.path : undefined;
        if (path) paths.set(`${prefix}${type}.${name}`, path.split("/").slice(1).join("/"));
      }
    }
  }
  return paths;
}

/** cdktf's logical ids are the construct path joined by `_` with an 8-digit hash: `compute_roles_job-role_39148825`. */
const LOGICAL_ID = /^([A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*)_[0-9A-F]{8}$/;

/** Where one change sits. */
export interface Placement {
  /** The group's key: an area id (`compute`), a module address (`module.vpc`), or "" for the root module. */
  readonly group: string;
  /** Heading of the group: `metadata service`, `module.vpc`, `root module`. */
  readonly title: string;
  /** What the change is called in its group: the construct path, or the address within its module. */
  readonly name: string;
  /** The construct path below the stack, when known. */
  readonly path?: string;
  /** `metadata` (from the stack), `logical id` (a resource no longer in the stack, e.g. a delete), or `module`. */
  readonly from: "metadata" | "logical id" | "module";
}

/** The address without instance keys (`aws_x.y[0]` -> `aws_x.y`, also inside module addresses). */
const withoutKeys = (address: string) => address.replace(/\[[^\]]*\]/g, "");

/** An address's dot-separated steps, keeping instance keys whole (`module.a["x.y"]`, `aws_x.b[0]`). */
function steps(address: string): string[] {
  return address.match(/(?:[^.[]|\[[^\]]*\])+/g) ?? [];
}

/** `module.a.module.b["k"].aws_x.y` -> `module.a.module.b["k"]`; "" at the root. */
export function moduleOf(address: string): string {
  const parts = steps(address);
  let end = 0;
  while (parts[end] === "module" && end + 2 < parts.length) end += 2;
  return parts.slice(0, end).join(".");
}

/**
 * Places a change: by its construct path when `paths` (from `constructPaths`) knows the address, by the path
 * its cdktf logical id spells when the stack no longer has it (a delete), else by its module.
 */
export function place(change: ResourceChange, paths?: ConstructPaths): Placement {
  const key = withoutKeys(change.address);
  const instance = change.address.slice(key.length) || "";
  if (paths && paths.size > 0) {
    const path = paths.get(key);
    if (path) return byPath(`${path}${instance}`, "metadata");
    const id = LOGICAL_ID.exec(change.name);
    if (id && moduleOf(change.address) === "" && areaOfConstruct(id[1].split("_")[0])) {
      return byPath(`${id[1].split("_").join("/")}${instance}`, "logical id");
    }
  }
  const module = moduleOf(change.address);
  const name = module ? change.address.slice(module.length + 1) : change.address;
  return { group: module, title: module || "root module", name, from: "module" };
}

function byPath(path: string, from: Placement["from"]): Placement {
  const first = path.split("/")[0];
  const area = areaOfConstruct(first);
  return { group: area?.id ?? first, title: area?.title ?? first, name: path, path, from };
}

/** The order changes are listed in within a group: destructive first, then updates, creates, reads. */
export function kindRank(change: ResourceChange): number {
  if (isDestructive(change)) return 0;
  const ranks: Partial<Record<ActionKind, number>> = { update: 1, other: 1, create: 2, read: 3 };
  return ranks[change.kind] ?? 4;
}

/** One group of changes: an area of the deployment, or a Terraform module. */
export interface ChangeGroup<T> {
  readonly group: string;
  readonly title: string;
  /** Changes in it, destructive first, then by name. */
  readonly items: readonly T[];
}

/**
 * Groups placed items by area (in the order of modules/areas.ts, others after them by name) or by module
 * (the root module first, then by address).
 */
export function groupChanges<T extends { readonly change: ResourceChange; readonly placement: Placement }>(items: readonly T[]): ChangeGroup<T>[] {
  const groups = new Map<string, { title: string; items: T[] }>();
  for (const item of items) {
    const g = groups.get(item.placement.group) ?? { title: item.placement.title, items: [] };
    g.items.push(item);
    groups.set(item.placement.group, g);
  }
  const rank = (key: string, title: string) => (items.some((i) => i.placement.from !== "module") ? areaRank(title) : key === "" ? -1 : 0);
  return [...groups.entries()]
    .map(([group, g]) => ({
      group,
      title: g.title,
      items: [...g.items].sort((a, b) => kindRank(a.change) - kindRank(b.change) || a.placement.name.localeCompare(b.placement.name)),
    }))
    .sort((a, b) => rank(a.group, a.title) - rank(b.group, b.title) || a.title.localeCompare(b.title));
}
