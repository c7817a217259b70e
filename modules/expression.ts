import { IConstruct } from "constructs";
import {
  DefaultTokenResolver, Fn, IResolvable, IResolveContext, Lazy, StringConcat, TerraformDataSource, TerraformResource, Token, Tokenization,
} from "cdktf";

/**
 * Pieces of Terraform expressions that cdktf's typed API cannot write: the instances of a resource with
 * `for_each` (`aws_subnet.private[each.key].id`) and `for` expressions over a module's variables. They are
 * HCL text, in which `hcl(value)` stands for any value (a token as the expression it stands for), made
 * into a token by `expression(text)` that cdktf writes and nests like its own expressions. Used only where
 * a construct is driven by Terraform values (a plain Terraform module); the app's configs never reach them.
 */

const resolver = new DefaultTokenResolver(new StringConcat());
const resolved = (value: unknown, scope: IConstruct) => Tokenization.resolve(value, { scope, resolver, preparing: false });

/** Whether `text` is one `${...}` interpolation (its first `${` closes at its last character). */
function isOneInterpolation(text: string): boolean {
  if (!text.startsWith("${") || !text.endsWith("}")) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i === text.length - 1;
  }
  return false;
}

/** HCL text of a resolved value: `${x}` as `x`, other strings as (template) string literals, collections element by element. */
function asHcl(value: unknown): string {
  if (typeof value === "string") return isOneInterpolation(value) ? value.slice(2, -1) : JSON.stringify(value);
  if (Array.isArray(value)) {
    // A list token resolves to its one interpolation.
    if (value.length === 1 && typeof value[0] === "string" && isOneInterpolation(value[0])) return value[0].slice(2, -1);
    return `[${value.map(asHcl).join(", ")}]`;
  }
  if (value && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${asHcl(v)}`).join(", ")} }`;
  return value === undefined ? "null" : JSON.stringify(value);
}

/** HCL text of `value` inside a raw expression: a token as the expression it stands for, a literal as HCL. */
export function hcl(value: unknown): string {
  return Lazy.stringValue({ produce: (context: IResolveContext) => asHcl(resolved(value, context.scope)) });
}

/** An HCL expression as cdktf writes its own: `${text}` as a value, `(text)` nested in another expression. */
class HclExpression implements IResolvable {
  public readonly creationStack: string[] = [];
  constructor(private readonly text: string) {}

  public resolve(context: IResolveContext): string {
    const text = String(resolved(this.text, context.scope));
    return context.suppressBraces ? `(${text})` : `\${${text}}`;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** `text`, an HCL expression (with `hcl(...)` parts), as a token. */
export function rawExpression(text: string): IResolvable {
  return new HclExpression(text);
}

/** `text`, an HCL expression, as a string token. */
export function expression(text: string): string {
  return Token.asString(new HclExpression(text));
}

/** `text`, an HCL expression of a list, as a list token. */
export function listExpression(text: string): string[] {
  return Token.asList(new HclExpression(text));
}

/** `type.name` of a resource, or `data.type.name` of a data source. */
export function addressOf(element: TerraformResource | TerraformDataSource): string {
  return `${element instanceof TerraformDataSource ? "data." : ""}${element.terraformResourceType}.${element.friendlyUniqueId}`;
}

/** An attribute of one instance of a resource with `for_each`; `key` is HCL. */
export function instanceAttribute(element: TerraformResource | TerraformDataSource, key: string, attribute: string): string {
  return expression(`${addressOf(element)}[${key}].${attribute}`);
}

/** The lists one after another: in TypeScript for literal lists, else Terraform's `concat`. */
export function concatLists<T = string>(...lists: readonly (readonly T[])[]): T[] {
  if (!lists.some((list) => Token.isUnresolved(list))) return lists.flat() as T[];
  return listExpression(`concat(${lists.map((list) => hcl(list)).join(", ")})`) as unknown as T[];
}

/** `table[key]`: looked up in TypeScript for a literal key, by Terraform's `lookup` for a Terraform value. */
export function lookupIn<K extends string>(table: Readonly<Partial<Record<K, string>>>, key: K): string {
  return Token.isUnresolved(key) ? Fn.lookup(table, key) : table[key]!;
}
