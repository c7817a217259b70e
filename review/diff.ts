import { PathStep } from "./plan";

/**
 * Attribute-level differences between a change's before and after values: only the leaves that change,
 * with nested paths (`tags.Name`, `ingress[0].cidr_blocks[1]`). A leaf the plan knows only after apply
 * shows as unknown; a leaf under a sensitive mark shows as sensitive on both sides and its value is never
 * copied into the result, so no renderer can print it.
 */

/** One side of an attribute change, as a renderer may show it. Sensitive sides carry no value at all. */
export type Shown =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "sensitive" }
  | { readonly kind: "unknown" };

export interface AttributeChange {
  readonly path: readonly PathStep[];
  readonly before: Shown;
  readonly after: Shown;
  /** The path is (inside) one of the change's `replace_paths`. */
  readonly forcesReplacement: boolean;
}

export interface ChangeValues {
  readonly before: unknown;
  readonly after: unknown;
  readonly afterUnknown: unknown;
  readonly beforeSensitive: unknown;
  readonly afterSensitive: unknown;
  readonly replacePaths?: readonly (readonly PathStep[])[];
}

export interface DiffOptions {
  /**
   * Also mask attributes whose names look secret (password, token, private_key, ...): for plans that carry
   * no sensitivity marks at all (format 0.1, Terraform before 0.15).
   * @default false
   */
  readonly maskSecretNames?: boolean;
}

export const SENSITIVE: Shown = { kind: "sensitive" };
export const UNKNOWN: Shown = { kind: "unknown" };
export const SECRET_NAME = /pass(word|wd|phrase)|secret|private_key|token|credential|api_?key|access_key/i;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `value[key]` when `value` itself holds `key`: plan JSON may use keys such as `toString`, `constructor` or
 * `__proto__`, which a plain lookup would find on Object.prototype instead (a function, not plan data).
 */
export function own(value: unknown, key: PathStep): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** Sets `object[key]` as an own property, even for `__proto__` (an assignment would set the prototype). */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The part of a mask (`true`, or nested like the value) that covers `step`. */
function child(mask: unknown, step: PathStep): unknown {
  if (mask === true) return true;
  return own(mask, step);
}

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual(own(a, k), own(b, k))) return false;
  }
  return true;
}

/**
 * `value` with every part under a sensitive mark (and, with `secretNames`, under a secret-looking key)
 * replaced by SENSITIVE_TEXT: what may be shown of a value that holds marked parts.
 */
export function redact(value: unknown, mask: unknown, secretNames: boolean): unknown {
  if (mask === true) return SENSITIVE_TEXT;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, child(mask, i), secretNames));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretNames && SECRET_NAME.test(k) ? SENSITIVE_TEXT : redact(v, child(mask, k), secretNames)]));
  }
  return value;
}

/** Every changed leaf of `change`, in path order. */
export function attributeChanges(change: ChangeValues, options: DiffOptions = {}): AttributeChange[] {
  const out: AttributeChange[] = [];
  const replacePaths = change.replacePaths ?? [];
  const forces = (path: readonly PathStep[]) =>
    replacePaths.some((r) => {
      const n = Math.min(r.length, path.length);
      for (let i = 0; i < n; i++) if (r[i] !== path[i]) return false;
      return true;
    });
  // A value shown whole (a leaf, a container that appears or goes, the old side of an unknown) may hold
  // marked or secret-named parts below this level: those are redacted in the copy that is shown.
  const shown = (value: unknown, mask: unknown): Shown => ({ kind: "value", value: redact(value ?? null, mask, options.maskSecretNames === true) });
  const push = (path: PathStep[], before: Shown, after: Shown) =>
    out.push({ path: [...path], before, after, forcesReplacement: forces(path) });

  const walk = (path: PathStep[], b: unknown, a: unknown, unk: unknown, bs: unknown, as: unknown, secret: boolean): void => {
    const masked = bs === true || as === true || secret;
    if (unk === true) {
      push(path, masked ? SENSITIVE : shown(b, bs), UNKNOWN);
      return;
    }
    if (masked) {
      // Both sides masked: a value that becomes sensitive may equal its old, unmarked value.
      if (!deepEqual(b, a) || (bs === true) !== (as === true)) push(path, SENSITIVE, SENSITIVE);
      return;
    }
    const bothContainers = (isObject(b) || b == null) && (isObject(a) || a == null) && (isObject(a) || isObject(b));
    const bothLists = (Array.isArray(b) || b == null) && (Array.isArray(a) || a == null) && (Array.isArray(a) || Array.isArray(b));
    const before = out.length;
    if (bothContainers) {
      const bo = (b ?? {}) as Record<string, unknown>;
      const ao = (a ?? {}) as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])].sort();
      for (const k of keys) {
        path.push(k);
        walk(path, own(bo, k), own(ao, k), child(unk, k), child(bs, k), child(as, k), options.maskSecretNames === true && SECRET_NAME.test(k));
        path.pop();
      }
    } else if (bothLists) {
      const bl = (b ?? []) as unknown[];
      const al = (a ?? []) as unknown[];
      for (let i = 0; i < Math.max(bl.length, al.length); i++) {
        path.push(i);
        walk(path, bl[i], al[i], child(unk, i), child(bs, i), child(as, i), secret);
        path.pop();
      }
    } else if (!deepEqual(b, a)) {
      push(path, shown(b, bs), shown(a, as));
      return;
    }
    // `null` -> `{}` or `[]` has no changed leaf; show the container itself.
    if (out.length === before && !deepEqual(b, a)) push(path, shown(b, bs), shown(a, as));
  };

  walk([], change.before, change.after, change.afterUnknown, change.beforeSensitive, change.afterSensitive, false);
  return out;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["tags", "Name"]` -> `tags.Name`; `["ingress", 0, "cidr_blocks"]` -> `ingress[0].cidr_blocks`. */
export function formatPath(path: readonly PathStep[]): string {
  let s = "";
  for (const step of path) {
    if (typeof step === "number") s += `[${step}]`;
    else if (IDENTIFIER.test(step)) s += s === "" ? step : `.${step}`;
    else s += `[${JSON.stringify(step)}]`;
  }
  return s === "" ? "(whole value)" : s;
}

export const SENSITIVE_TEXT = "(sensitive)";
export const UNKNOWN_TEXT = "(known after apply)";

/** A value as one line of JSON, cut to `maxLength` characters (0: no limit) with a note of how much was cut. */
export function formatValue(value: unknown, maxLength = 0): string {
  const text = value === undefined ? "null" : JSON.stringify(value);
  if (maxLength > 0 && text.length > maxLength) return `${text.slice(0, maxLength)}... (${text.length - maxLength} more characters)`;
  return text;
}

export function formatShown(shown: Shown, maxLength = 0): string {
  if (shown.kind === "sensitive") return SENSITIVE_TEXT;
  if (shown.kind === "unknown") return UNKNOWN_TEXT;
  return formatValue(shown.value, maxLength);
}

/** A whole value (an output, say) as one line: sensitive parts as `(sensitive)`, unknown parts as `(known after apply)`. */
export function formatWholeValue(value: unknown, unknown: unknown, sensitive: unknown, maxLength = 0): string {
  const render = (v: unknown, unk: unknown, sens: unknown): string => {
    if (sens === true) return SENSITIVE_TEXT;
    if (unk === true) return UNKNOWN_TEXT;
    if (Array.isArray(v)) return `[${v.map((e, i) => render(e, child(unk, i), child(sens, i))).join(",")}]`;
    if (isObject(v)) {
      const parts = Object.keys(v).map((k) => `${JSON.stringify(k)}:${render(own(v, k), child(unk, k), child(sens, k))}`);
      // Keys the plan lists only in the unknown mask (not yet in the value).
      if (isObject(unk)) for (const k of Object.keys(unk)) if (!Object.prototype.hasOwnProperty.call(v, k) && unk[k] === true) parts.push(`${JSON.stringify(k)}:${UNKNOWN_TEXT}`);
      return `{${parts.join(",")}}`;
    }
    return v === undefined ? "null" : JSON.stringify(v);
  };
  const text = render(value, unknown, sensitive);
  if (maxLength > 0 && text.length > maxLength) return `${text.slice(0, maxLength)}... (${text.length - maxLength} more characters)`;
  return text;
}
