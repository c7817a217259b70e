import { IConstruct } from "constructs";
import { DefaultTokenResolver, IResolvable, Op, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Token, Tokenization } from "cdktf";
import { expression, hcl, listExpression, rawExpression } from "./expression";

/**
 * Choices that decide whether part of a deployment exists (a NAT instance, the API gateway, scheduling,
 * the users' role, a KMS key), for both builds. In the CDKTF app a choice is a literal from the config,
 * decided at synth: the part is built or not, exactly as an `if` would. In a plain Terraform module the
 * choice is a Terraform value (a variable): the part is built, and every resource and data source it made
 * gets `count = <condition> ? 1 : 0`, with every reference to one of them read through `one(<address>[*])`
 * (null when it is absent). `ModuleStack` applies that at synth (`applyConditions`); a stack with no
 * Terraform condition is left exactly as it was.
 */

/** A condition only Terraform can decide: an HCL boolean expression over a module's variables. */
export class TerraformCondition {
  constructor(public readonly expression: IResolvable) {}
}

/** A choice: a literal (decided at synth) or a Terraform condition (decided at plan). */
export type Condition = boolean | TerraformCondition;

export function isTerraformCondition(condition: Condition): condition is TerraformCondition {
  return condition instanceof TerraformCondition;
}

/** `value == literal`: compared at synth when `value` is a literal, else by Terraform. */
export function equals(value: string, literal: string): Condition {
  return Token.isUnresolved(value) ? new TerraformCondition(Op.eq(value, literal)) : value === literal;
}

/** A boolean setting as a condition: itself when a literal, else the Terraform value. */
export function isTrue(value: boolean): Condition {
  return Token.isUnresolved(value) ? new TerraformCondition(value as unknown as IResolvable) : value;
}

/** A list that is not empty: decided at synth for a literal list, else by Terraform. */
export function notEmpty(list: readonly string[]): Condition {
  return Token.isUnresolved(list) ? new TerraformCondition(rawExpression(`length(${hcl(list)}) > 0`)) : list.length > 0;
}

export function not(condition: Condition): Condition {
  return isTerraformCondition(condition) ? new TerraformCondition(Op.not(condition.expression)) : !condition;
}

/** Every condition holds; literals are folded, so `and(true, c)` is `c`. */
export function and(...conditions: Condition[]): Condition {
  if (conditions.includes(false)) return false;
  const open = conditions.filter(isTerraformCondition);
  if (open.length === 0) return true;
  return open.reduce((a, b) => new TerraformCondition(Op.and(a.expression, b.expression)));
}

/** Some condition holds; literals are folded, so `or(false, c)` is `c`. */
export function or(...conditions: Condition[]): Condition {
  if (conditions.includes(true)) return true;
  const open = conditions.filter(isTerraformCondition);
  if (open.length === 0) return false;
  return open.reduce((a, b) => new TerraformCondition(Op.or(a.expression, b.expression)));
}

/** The condition as HCL text, to use inside a larger expression. */
export function conditionHcl(condition: Condition): string {
  return isTerraformCondition(condition) ? hcl(condition.expression) : String(condition);
}

/** `whenTrue` where the condition holds, else `whenFalse`: chosen at synth for a literal, else by Terraform. */
export function choose<T>(condition: Condition, whenTrue: T, whenFalse: T): T {
  if (!isTerraformCondition(condition)) return condition ? whenTrue : whenFalse;
  const text = `${conditionHcl(condition)} ? ${hcl(whenTrue ?? null)} : ${hcl(whenFalse ?? null)}`;
  if (typeof whenTrue === "number") return Token.asNumber(rawExpression(text)) as T;
  if (Array.isArray(whenTrue)) return listExpression(text) as T;
  return expression(text) as T;
}

/** What a condition marks: every construct made while building the part (and so everything under them). */
interface Mark {
  readonly condition: TerraformCondition;
  readonly constructs: readonly IConstruct[];
}

const MARKS = new WeakMap<TerraformStack, Mark[]>();

/**
 * Builds the part `build` makes only where `condition` holds. A literal condition builds it or not (and
 * returns undefined when not). A Terraform condition builds it and marks everything made meanwhile,
 * anywhere in the stack (grants `build` adds to other constructs' roles too), and everything later added
 * under what it made. Singletons shared by the stack (the partition data source) must exist before.
 */
export function onlyWhere<T>(scope: IConstruct, condition: Condition, build: () => T): T | undefined {
  if (!isTerraformCondition(condition)) return condition ? build() : undefined;
  const stack = TerraformStack.of(scope);
  const before = new Set(stack.node.findAll());
  const built = build();
  const constructs = stack.node.findAll().filter((c) => !before.has(c));
  const marks = MARKS.get(stack) ?? [];
  marks.push({ condition, constructs });
  MARKS.set(stack, marks);
  return built;
}

/** Whether `construct` was made under a Terraform condition (so it may be absent, and its attributes null). */
export function isConditional(construct: IConstruct): boolean {
  const marks = MARKS.get(TerraformStack.of(construct)) ?? [];
  return marks.some((m) => m.constructs.some((c) => c === construct || construct.node.scopes.includes(c)));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = Record<string, Json>;
interface StackJson {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  [section: string]: unknown;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
/** `${expr}` to `expr`, to nest a resolved expression in a larger one. */
const inner = (value: Json) =>
  typeof value === "string" && /^\$\{[\s\S]*\}$/.test(value) ? value.slice(2, -1) : JSON.stringify(value);

/**
 * Rewrites `address.attr` (not indexed, not part of a longer address) in `value` as `one(address[*].attr)`,
 * which reads null when the counted resource is absent. Meta-arguments that must name resources directly
 * (`depends_on`, `lifecycle`) and cdktf's metadata (`//`) are left alone.
 */
export function readThroughOne(value: Json, addresses: readonly string[]): Json {
  if (typeof value === "string") {
    return addresses.reduce(
      (text, address) => text.replace(new RegExp(`(?<![\\w.\\-])${escape(address)}\\.([A-Za-z0-9_]+)`, "g"), `one(${address}[*].$1)`),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((v) => readThroughOne(v, addresses));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "//" || k === "depends_on" || k === "lifecycle" ? v : readThroughOne(v, addresses)]),
    );
  }
  return value;
}

/**
 * The stack's JSON with its Terraform conditions applied: each marked resource and data source gets
 * `count` (or its `for_each` becomes empty where the condition fails), and references to the counted ones
 * read through `one(...)`. Returns `json` unchanged when the stack has no Terraform condition.
 */
export function applyConditions(stack: TerraformStack, json: StackJson): StackJson {
  const marks = MARKS.get(stack) ?? [];
  if (marks.length === 0) return json;
  const conditionsOf = new Map<TerraformResource | TerraformDataSource, TerraformCondition[]>();
  for (const mark of marks) {
    for (const construct of mark.constructs) {
      for (const element of construct.node.findAll()) {
        if (!(element instanceof TerraformResource || element instanceof TerraformDataSource)) continue;
        const list = conditionsOf.get(element) ?? [];
        if (!list.includes(mark.condition)) list.push(mark.condition);
        conditionsOf.set(element, list);
      }
    }
  }
  const counted: string[] = [];
  for (const [element, conditions] of conditionsOf) {
    const isData = element instanceof TerraformDataSource;
    const body = (isData ? json.data : json.resource)?.[element.terraformResourceType]?.[element.friendlyUniqueId];
    if (!body) throw new Error(`applyConditions: ${element.node.path} is not in the synthesized stack`);
    const expression = (and(...conditions) as TerraformCondition).expression;
    const condition = inner(Tokenization.resolve(expression, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()), preparing: false }));
    if (body.for_each !== undefined) {
      // A map or a set alike: keys are kept, and the resource has no instance where the condition fails.
      body.for_each = `\${{ for key, value in ${inner(body.for_each)} : key => value if ${condition} }}`;
    } else {
      body.count = body.count === undefined ? `\${${condition} ? 1 : 0}` : `\${${condition} ? ${inner(body.count)} : 0}`;
      counted.push(`${isData ? "data." : ""}${element.terraformResourceType}.${element.friendlyUniqueId}`);
    }
  }
  for (const block of [json.resource, json.data]) {
    for (const byName of Object.values(block ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const lifecycle = JSON.stringify(body.lifecycle ?? {});
        const named = counted.find((a) => new RegExp(`(?<![\\w.\\-])${escape(a)}(?![\\w\\-])`).test(lifecycle));
        if (named) throw new Error(`applyConditions: the lifecycle of ${name} names ${named}, which has a Terraform condition; index it in the construct`);
        byName[name] = readThroughOne(body, counted) as Block;
      }
    }
  }
  for (const section of ["output", "locals"]) {
    if (json[section]) json[section] = readThroughOne(json[section] as Json, counted);
  }
  return json;
}
