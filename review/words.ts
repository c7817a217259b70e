import { ActionKind } from "./plan";

/** The reviewer's words for Terraform's action kinds and action reasons, shared by every output format. */

/** What happens, as a short phrase: `replace (destroy, then create)`. */
export const ACTION_WORDS: Record<ActionKind, string> = {
  create: "create",
  update: "update in place",
  "replace-delete-first": "replace (destroy, then create)",
  "replace-create-first": "replace (create, then destroy)",
  delete: "delete",
  forget: "forget (removed from state, left running)",
  "create-then-forget": "replace (create new, forget old: the old object is left running)",
  read: "read (data source)",
  "no-op": "no change",
  other: "unrecognized action",
};

/** Why, in human words, for each `action_reason` Terraform writes. */
export const REASON_WORDS: Record<string, string> = {
  replace_because_tainted: "the object is tainted (a failed create, or `terraform taint`)",
  replace_because_cannot_update: "a changed attribute cannot be updated in place",
  replace_by_request: "replacement was requested (`-replace`)",
  replace_by_triggers: "`replace_triggered_by` references changed",
  delete_because_no_resource_config: "its resource block is no longer in the configuration",
  delete_because_wrong_repetition: "the resource switched between count, for_each and a single instance",
  delete_because_count_index: "its count index is beyond the new count",
  delete_because_each_key: "its for_each key is no longer in the map or set",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_no_move_target: "it was moved to an address that is not in the configuration",
  read_because_config_unknown: "its configuration depends on values known only after apply",
  read_because_dependency_pending: "it depends on a resource with changes pending",
  read_because_check_nested: "a check block reads it",
};

/** `action_reason` in words, with the code kept for searching; a reason this reviewer does not know is shown as is. */
export function reasonWords(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const words = REASON_WORDS[reason];
  return words ? `${words} (${reason})` : reason;
}

/** Count rows, in the order every format lists them. */
export const COUNT_ROWS = [
  ["create", "to create"],
  ["update", "to update in place"],
  ["replace-delete-first", "to replace, destroy first"],
  ["replace-create-first", "to replace, create first"],
  ["delete", "to delete"],
  ["forget", "to forget"],
  ["read", "to read"],
  ["no-op", "unchanged"],
  ["moved", "moved"],
  ["import", "to import"],
] as const;

export type CountKey = (typeof COUNT_ROWS)[number][0] | "other";
