import { IConstruct } from "constructs";
import { Annotations, Aspects, IAspect, TerraformResource, TerraformStack } from "cdktf";
import { suppressionsOn } from "./suppress";
import { Finding, Rule, RuleContext, StackReport, Suppression, SynthResource } from "./types";

/** The pack's own checks, on suppressions: not resource rules, so not counted among them. */
export const SUPPRESSION_WITHOUT_REASON = "MF-RULES-1";
export const SUPPRESSION_OF_UNKNOWN_RULE = "MF-RULES-2";

export interface RulePackOptions {
  /** The rules to check. */
  readonly rules: readonly Rule[];
  /** The stack's environment, for rules that differ in dev-like ones. @default none: not an environment stack */
  readonly environment?: string;
}

/** What the pack knows of one stack: its synthesized resources and what it found so far. */
interface StackState {
  readonly context: RuleContext;
  readonly byPath: Map<string, SynthResource>;
  readonly resources: number;
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** By `suppressionKey`: each suppression and the findings it silenced. */
  readonly suppressions: Map<string, { readonly suppression: Suppression; readonly silenced: Finding[] }>;
}

const suppressionKey = (s: Suppression) => JSON.stringify([s.path, s.ruleId, s.reason]);

/**
 * The rule pack as a cdktf Aspect, in the manner of cdk-nag: added to a stack, it visits every construct
 * there. Each Terraform resource is checked by the rules for its type against its synthesized body
 * (`stack.toTerraform()`, taken once per stack at the first visit: the JSON cdktf writes, so `addOverride`,
 * lifecycle and meta-arguments are seen). Findings become cdktf annotations (an error annotation stops
 * `app.synth()`) and a report that main.ts checks before it writes anything (`checkRules`).
 */
export class RulePack implements IAspect {
  public readonly rules: readonly Rule[];
  public readonly environment?: string;
  private readonly rulesByType = new Map<string, Rule[]>();
  private readonly known: Set<string>;
  private readonly visited = new WeakSet<IConstruct>();
  private readonly states = new Map<TerraformStack, StackState>();

  constructor(options: RulePackOptions) {
    this.rules = options.rules;
    this.environment = options.environment;
    this.known = new Set(this.rules.map((r) => r.id));
    for (const rule of this.rules) {
      for (const type of rule.appliesTo) {
        if (!this.rulesByType.has(type)) this.rulesByType.set(type, []);
        this.rulesByType.get(type)!.push(rule);
      }
    }
  }

  /** The packs added to `stack`. */
  public static on(stack: TerraformStack): RulePack[] {
    return Aspects.of(stack).all.filter((a): a is RulePack => a instanceof RulePack);
  }

  public visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    const state = this.stateOf(TerraformStack.of(node));
    for (const suppression of suppressionsOn(node)) this.register(node, suppression, state);
    if (TerraformResource.isTerraformResource(node)) this.checkResource(node, state);
  }

  /** Visits every construct of `stack` (as cdktf's aspect pass would; a visited construct is not checked twice) and reports. */
  public check(stack: TerraformStack): StackReport {
    for (const node of stack.node.findAll()) this.visit(node);
    return this.report(stack);
  }

  /** What was found in `stack` so far. */
  public report(stack: TerraformStack): StackReport {
    const state = this.stateOf(stack);
    return {
      stack: stack.node.id,
      rules: this.rules.length,
      resources: state.resources,
      errors: [...state.errors],
      warnings: [...state.warnings],
      suppressions: [...state.suppressions.values()].map(({ suppression, silenced }) => ({ suppression, silenced: [...silenced] })),
    };
  }

  private stateOf(stack: TerraformStack): StackState {
    let state = this.states.get(stack);
    if (!state) {
      const byType = new Map<string, SynthResource[]>();
      const byPath = new Map<string, SynthResource>();
      const json = stack.toTerraform();
      for (const [type, instances] of Object.entries<Record<string, Record<string, unknown>>>(json.resource ?? {})) {
        for (const [name, { "//": meta, ...body }] of Object.entries(instances)) {
          const path = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? `${stack.node.path}/${name}`;
          const resource: SynthResource = { type, name, address: `${type}.${name}`, path, body };
          if (!byType.has(type)) byType.set(type, []);
          byType.get(type)!.push(resource);
          byPath.set(path, resource);
        }
      }
      const environment = this.environment;
      state = {
        context: { environment, resources: (type) => byType.get(type) ?? [] },
        byPath,
        resources: byPath.size,
        errors: [],
        warnings: [],
        suppressions: new Map(),
      };
      this.states.set(stack, state);
    }
    return state;
  }

  private register(node: IConstruct, suppression: Suppression, state: StackState): void {
    if (state.suppressions.has(suppressionKey(suppression))) return;
    state.suppressions.set(suppressionKey(suppression), { suppression, silenced: [] });
    const where = `suppression of ${suppression.ruleId || "(no rule)"} on ${node.node.path}`;
    if (!suppression.reason.trim()) {
      this.record(node, state, {
        ruleId: SUPPRESSION_WITHOUT_REASON,
        level: "error",
        path: node.node.path,
        message: `${where} has no reason. Fix: write why the construct is right as it is: suppress(construct, "${suppression.ruleId}", "<reason>").`,
      });
    }
    if (!this.known.has(suppression.ruleId)) {
      this.record(node, state, {
        ruleId: SUPPRESSION_OF_UNKNOWN_RULE,
        level: "error",
        path: node.node.path,
        message: `${where} names no rule of the pack. Fix: use a rule id from modules/rules/README.md.`,
      });
    }
  }

  private checkResource(node: TerraformResource, state: StackState): void {
    const resource = state.byPath.get(node.node.path);
    if (!resource) return; // moved away, or added after the snapshot
    for (const rule of this.rulesByType.get(resource.type) ?? []) {
      for (const problem of rule.check(resource, state.context)) {
        const finding: Finding = {
          ruleId: rule.id,
          level: rule.level,
          path: resource.path,
          address: resource.address,
          message: `${problem}. Fix: ${rule.fix}`,
        };
        const excuse = this.excuse(node, rule.id, state);
        if (excuse) {
          excuse.push(finding);
          Annotations.of(node).addInfo(`[${rule.id}] suppressed: ${problem}`);
        } else {
          this.record(node, state, finding);
        }
      }
    }
  }

  /** The findings list of a valid suppression of `ruleId` on `node` or a parent within the stack. */
  private excuse(node: IConstruct, ruleId: string, state: StackState): Finding[] | undefined {
    for (const scope of node.node.scopes.reverse()) {
      const found = suppressionsOn(scope).find((s) => s.ruleId === ruleId && s.reason.trim());
      if (found) {
        this.register(scope, found, state);
        return state.suppressions.get(suppressionKey(found))!.silenced;
      }
      if (TerraformStack.isStack(scope)) break;
    }
    return undefined;
  }

  private record(node: IConstruct, state: StackState, finding: Finding): void {
    (finding.level === "error" ? state.errors : state.warnings).push(finding);
    const annotations = Annotations.of(node);
    const text = `[${finding.ruleId}] ${finding.message}`;
    if (finding.level === "error") annotations.addError(text);
    else annotations.addWarning(text);
  }
}
