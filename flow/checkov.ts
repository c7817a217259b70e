import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { Environment, parseEnvironment } from "../modules/config/load";
import { MetaflowStack } from "../modules/metaflow-stack";
import { CHECKOV_SUPPRESSIONS, CheckovSuppression } from "../modules/rules/checkov-suppressions";
import { plannedStateBuckets, STATE_STACK, StateStack } from "../modules/state-stack";
import { shippedConfigs } from "./docs";
import { prepareOffline } from "./offline";
import { projectRoot } from "./project";
import { PythonTools } from "./python-tools";
import { terraform } from "./terraform";

/**
 * checkov (tools/requirements/checkov.txt, the `checkov` tool set) on every shipped stack, twice: on its
 * synthesized JSON (`cdk.tf.json`, checkov's terraform_json framework) and on the JSON of an offline plan
 * (`terraform show -json`, its terraform_plan framework), all files in one checkov run. Each result is
 * traced to its stack, its Terraform address and its construct path; a failed check passes only when
 * `CHECKOV_SUPPRESSIONS` (modules/rules/checkov-suppressions.ts) excuses it with a reason, and a
 * suppression that excuses nothing is itself a finding, so the file stays honest. `npm run checkov` and
 * __tests__/checkov.test.ts run this.
 */

/** The two readings checkov makes of a stack. */
export type ScanKind = "synth" | "plan";
export const SCAN_KINDS: readonly ScanKind[] = ["synth", "plan"];
const FILE_OF: Record<ScanKind, string> = { synth: "cdk.tf.json", plan: "plan.json" };
const FRAMEWORK_OF: Record<ScanKind, string> = { synth: "terraform_json", plan: "terraform_plan" };
export const KIND_TITLE: Record<ScanKind, string> = { synth: "synthesized JSON", plan: "plan JSON" };

/** One stack to scan: its id, its synthesized JSON (with construct paths) and its offline plan's JSON. */
export interface ScanInput {
  /** The stack's id, `metaflow-dev`. */
  readonly stack: string;
  /** The README's name for it. */
  readonly title: string;
  /** `stack.toTerraform()`: what cdktf writes to cdk.tf.json, `"//"` metadata with construct paths included. */
  readonly synth: any;
  /** `terraform show -json` of an offline plan of the stack. */
  readonly plan: any;
  /** How the planned stack differs from the synthesized one, when it must (a lookup that needs AWS). */
  readonly planNote?: string;
}

export type Outcome = "passed" | "failed" | "skipped";

/** One check on one resource of one file, as checkov reported it. */
export interface CheckResult {
  /** `CKV_AWS_158` */
  readonly check: string;
  /** checkov's name of the check. */
  readonly name: string;
  readonly stack: string;
  readonly kind: ScanKind;
  /** The Terraform address, `aws_cloudwatch_log_group.network_flow-logs_D7C94307` (checkov's own name when it is no resource). */
  readonly address: string;
  /** The construct path below the stack, `network/flow-logs`; undefined for what is not a synthesized resource. */
  readonly path?: string;
  readonly outcome: Outcome;
}

export interface CheckovRun {
  readonly version: string;
  /** Wall time of the one checkov process. */
  readonly seconds: number;
  readonly results: readonly CheckResult[];
}

/** A problem with checkov's run or its output; the scan cannot be judged. */
export class CheckovError extends Error {}

/** The construct path below the stack of every synthesized resource, by Terraform address. */
export function constructPaths(stack: string, synth: any): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [type, instances] of Object.entries<Record<string, any>>(synth.resource ?? {})) {
    for (const [name, body] of Object.entries(instances)) {
      const full: string | undefined = body?.["//"]?.metadata?.path;
      paths.set(`${type}.${name}`, full?.startsWith(`${stack}/`) ? full.slice(stack.length + 1) : (full ?? name));
    }
  }
  return paths;
}

/**
 * The Terraform address of what checkov calls `resource`: plan results and graph checks name it
 * `type.name` already; terraform_json's resource checks say `resource.<name>`, whose type is found by the
 * name (cdktf's logical ids are unique in a stack).
 */
function addressOf(resource: string, paths: Map<string, string>): string {
  const bare = resource.replace(/\[[^\]]*\]$/, "");
  if (!bare.startsWith("resource.")) return bare;
  const name = bare.slice("resource.".length);
  return [...paths.keys()].find((address) => address.slice(address.indexOf(".") + 1) === name) ?? bare;
}

/**
 * Writes each input's synthesized and plan JSON under `dir` (`synth/<stack>/cdk.tf.json`,
 * `plan/<stack>/plan.json`), runs checkov once over all of them, and returns every result traced to its
 * stack, address and construct path. Throws CheckovError when checkov fails, cannot parse a file, or
 * reports a file that was not given, or a given file it did not check.
 */
export function runCheckov(tools: PythonTools, inputs: readonly ScanInput[], dir: string): CheckovRun {
  const fileOf = new Map<string, { stack: string; kind: ScanKind }>();
  for (const input of inputs) {
    for (const kind of SCAN_KINDS) {
      const relative = `/${kind}/${input.stack}/${FILE_OF[kind]}`;
      fs.mkdirSync(path.join(dir, kind, input.stack), { recursive: true });
      // Plans can hold values of the config: readable by this user only, as npm run plan keeps them.
      fs.writeFileSync(path.join(dir, relative), JSON.stringify(kind === "synth" ? input.synth : input.plan, null, 2), { mode: 0o600 });
      fileOf.set(relative, { stack: input.stack, kind });
    }
  }
  const started = Date.now();
  const run = spawnSync(
    tools.bin("checkov"),
    ["--directory", dir, "--framework", ...SCAN_KINDS.map((k) => FRAMEWORK_OF[k]), "--output", "json", "--compact", "--skip-download"],
    { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024, timeout: 15 * 60_000, env: { ...process.env, LOG_LEVEL: "WARNING" } },
  );
  const seconds = (Date.now() - started) / 1000;
  // checkov exits 1 when a check failed; anything else, or no JSON, is a failure of the run itself.
  if (run.error || (run.status !== 0 && run.status !== 1)) {
    throw new CheckovError(`checkov did not run (${run.error?.message ?? `exit ${run.status}`}):\n${(run.stderr ?? "").trim().split("\n").slice(-20).join("\n")}`);
  }
  let reports: any[];
  try {
    const parsed = JSON.parse(run.stdout);
    reports = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    throw new CheckovError(`checkov's output is not JSON:\n${run.stdout.slice(0, 2000)}\n${(run.stderr ?? "").slice(-2000)}`);
  }
  const paths = new Map(inputs.map((i) => [i.stack, constructPaths(i.stack, i.synth)]));
  const results: CheckResult[] = [];
  const seen = new Set<string>();
  let version = "";
  for (const report of reports) {
    version ||= report.summary?.checkov_version ?? "";
    const parsingErrors: string[] = report.results?.parsing_errors ?? [];
    if (parsingErrors.length > 0) throw new CheckovError(`checkov could not parse ${parsingErrors.join(", ")} (${report.check_type})`);
    for (const [key, outcome] of [["passed_checks", "passed"], ["failed_checks", "failed"], ["skipped_checks", "skipped"]] as const) {
      for (const c of report.results?.[key] ?? []) {
        const file = fileOf.get(c.file_path);
        if (!file) throw new CheckovError(`checkov reported ${c.check_id} on ${c.file_path}, which is none of the files given`);
        seen.add(c.file_path);
        const stackPaths = paths.get(file.stack)!;
        const address = addressOf(String(c.resource), stackPaths);
        results.push({ check: c.check_id, name: c.check_name, stack: file.stack, kind: file.kind, address, path: stackPaths.get(address), outcome });
      }
    }
  }
  const unchecked = [...fileOf.keys()].filter((f) => !seen.has(f));
  if (unchecked.length > 0) throw new CheckovError(`checkov reported nothing on ${unchecked.join(", ")}: it did not check them`);
  return { version, seconds, results };
}

/** `*` any run of characters but `/`, `**` any run at all; the rest literal. */
function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split("**")
    .map((part) => part.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/** Whether `s` excuses `r` (every field it sets matches), and through which of its resource patterns. */
function match(s: CheckovSuppression, r: CheckResult): { pattern?: string } | undefined {
  if (s.check !== r.check) return undefined;
  if (s.stacks && !s.stacks.includes(r.stack)) return undefined;
  if (s.scan && s.scan !== r.kind) return undefined;
  if (!s.resources) return {};
  const pattern = r.path === undefined ? undefined : s.resources.find((p) => globRegExp(p).test(r.path!));
  return pattern === undefined ? undefined : { pattern };
}

export interface Judgement {
  /** Failed checks no suppression excuses: each must be fixed or excused. */
  readonly unexcused: readonly CheckResult[];
  /** Each suppression with the failures it excused. */
  readonly excused: readonly { readonly suppression: CheckovSuppression; readonly silenced: readonly CheckResult[] }[];
  /** Suppressions, or parts of one (a resource pattern, a stack), that excused nothing: remove them. */
  readonly stale: readonly string[];
  /** Suppressions that are not well formed (no reason, no such check, an unknown stack, a repeat). */
  readonly invalid: readonly string[];
}

/** Names a suppression in messages: its check and what it is limited to. */
export function describeSuppression(s: CheckovSuppression): string {
  const limits = [
    s.resources ? (s.resources.length > 0 ? `resources ${s.resources.join(", ")}` : "no resources") : "every resource",
    s.stacks ? `stacks ${s.stacks.join(", ")}` : undefined,
    s.scan ? `the ${KIND_TITLE[s.scan]} only` : undefined,
  ].filter(Boolean);
  return `${s.check} (${limits.join("; ")})`;
}

/** The least a reason says: why the resource is right as it is, not a word or two. */
const MIN_REASON = 40;

/**
 * Judges checkov's results against the suppressions: each failure is excused by the first suppression
 * that matches it, or is unexcused; a suppression, a resource pattern or a stack of one that excuses
 * nothing is stale; a suppression without a reason, naming a check checkov did not run, naming a stack
 * that was not scanned, or repeating another's scope is invalid.
 */
export function judge(results: readonly CheckResult[], suppressions: readonly CheckovSuppression[] = CHECKOV_SUPPRESSIONS): Judgement {
  const stacks = new Set(results.map((r) => r.stack));
  const checks = new Set(results.map((r) => r.check));
  const invalid: string[] = [];
  const scopes = new Set<string>();
  for (const s of suppressions) {
    const name = describeSuppression(s);
    if (!/^CKV2?_AWS_\d+$/.test(s.check)) invalid.push(`${name}: "${s.check}" is not a checkov AWS check id (CKV_AWS_<n> or CKV2_AWS_<n>)`);
    else if (!checks.has(s.check)) invalid.push(`${name}: checkov ran no check ${s.check} on any stack`);
    if (s.reason.trim().length < MIN_REASON) invalid.push(`${name}: write why the resource is right as it is (a reason of ${MIN_REASON} characters or more)`);
    for (const stack of s.stacks ?? []) if (!stacks.has(stack)) invalid.push(`${name}: ${stack} is not a scanned stack (${[...stacks].sort().join(", ")})`);
    if (s.resources?.length === 0 || s.stacks?.length === 0) invalid.push(`${name}: an empty list limits it to nothing; leave the field out to mean every one`);
    const scope = JSON.stringify([s.check, s.resources ?? null, s.stacks ?? null, s.scan ?? null]);
    if (scopes.has(scope)) invalid.push(`${name}: listed twice`);
    scopes.add(scope);
  }

  const excused = suppressions.map((suppression) => ({ suppression, silenced: [] as CheckResult[], patterns: new Set<string>(), stacks: new Set<string>() }));
  const unexcused: CheckResult[] = [];
  for (const r of results) {
    if (r.outcome !== "failed") continue;
    const found = excused.map((e) => ({ e, m: match(e.suppression, r) })).find((x) => x.m);
    if (!found) {
      unexcused.push(r);
      continue;
    }
    found.e.silenced.push(r);
    if (found.m!.pattern !== undefined) found.e.patterns.add(found.m!.pattern);
    found.e.stacks.add(r.stack);
  }
  const stale: string[] = [];
  for (const e of excused) {
    const name = describeSuppression(e.suppression);
    if (e.silenced.length === 0) {
      stale.push(`${name} excuses no failed check: remove it`);
      continue;
    }
    for (const p of e.suppression.resources ?? []) if (!e.patterns.has(p)) stale.push(`${name}: its resource pattern ${p} excuses nothing: remove the pattern`);
    for (const st of e.suppression.stacks ?? []) if (!e.stacks.has(st)) stale.push(`${name}: it excuses nothing in ${st}: remove the stack`);
  }
  return { unexcused, excused: excused.map(({ suppression, silenced }) => ({ suppression, silenced })), stale, invalid };
}

/** Counts of one stack's results in one scan: passed, failed (unexcused) and skipped (excused or skipped by checkov). */
export interface Tally {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export function tally(results: readonly CheckResult[], judgement: Judgement, stack: string, kind: ScanKind): Tally {
  const mine = results.filter((r) => r.stack === stack && r.kind === kind);
  const unexcused = new Set(judgement.unexcused);
  return {
    passed: mine.filter((r) => r.outcome === "passed").length,
    failed: mine.filter((r) => r.outcome === "failed" && unexcused.has(r)).length,
    skipped: mine.filter((r) => r.outcome === "skipped" || (r.outcome === "failed" && !unexcused.has(r))).length,
  };
}

/** The README's table: each stack's passed, failed and skipped check results, in both scans. */
export function checkovMarkdown(inputs: readonly ScanInput[], run: CheckovRun, judgement: Judgement): string {
  const cell = (t: Tally) => `${t.passed} | ${t.failed} | ${t.skipped}`;
  const distinct = (kind: ScanKind) => new Set(run.results.filter((r) => r.kind === kind).map((r) => r.check)).size;
  const lines = [
    `checkov ${run.version} (\`tools/requirements/checkov.txt\`), one run over every shipped stack: ${distinct("synth")} checks on the ` +
      `synthesized JSON (\`cdk.tf.json\`), ${distinct("plan")} on the offline plan's JSON (\`terraform show -json\`). A result is one check ` +
      `on one resource; skipped means failed and excused, with its reason, in \`modules/rules/checkov-suppressions.ts\` ` +
      `(${judgement.excused.length} suppressions, ${judgement.excused.reduce((n, e) => n + e.silenced.length, 0)} results).`,
    "",
    "| stack | synthesized: passed | failed | skipped | plan: passed | failed | skipped |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...inputs.map((i) => `| ${i.title} | ${cell(tally(run.results, judgement, i.stack, "synth"))} | ${cell(tally(run.results, judgement, i.stack, "plan"))} |`),
  ];
  const notes = inputs.filter((i) => i.planNote).map((i) => `${i.title}: ${i.planNote}.`);
  if (notes.length > 0) lines.push("", `Planned differently: ${notes.join(" ")}`);
  return lines.join("\n");
}

/** The README's block of checkov results (`<!-- generated:checkov -->`). */
export const CHECKOV_BLOCK = "checkov";

/**
 * The config a stack is planned offline with: the shipped one, except that subnet lookups of an existing
 * VPC (data sources that ask AWS at plan time) are turned off; undefined note when nothing changed.
 */
export function plannableConfig(raw: any): { raw: any; note?: string } {
  if (raw?.network?.mode === "existing" && raw.network.verifySubnets !== false) {
    return {
      raw: { ...raw, network: { ...raw.network, verifySubnets: false } },
      note: "planned with `network.verifySubnets` false, as its subnet lookups ask AWS at plan time; the resources are the same",
    };
  }
  return { raw };
}

/** A shipped stack before its plan: id, title, the stack JSON, and the JSON to plan (another when lookups need AWS). */
export interface ShippedStackJson {
  readonly stack: string;
  readonly title: string;
  readonly synth: any;
  readonly toPlan: any;
  readonly planNote?: string;
}

/** Every shipped config's stack (the default dev and each example) and the state bootstrap stack of them all. */
export function shippedStackJson(root = projectRoot()): ShippedStackJson[] {
  const environments: Environment[] = [];
  const stacks = shippedConfigs(root).map(([name, raw]): ShippedStackJson => {
    const environment = parseEnvironment(name, raw);
    environments.push(environment);
    const synth = new MetaflowStack(Testing.app(), environment).toTerraform();
    const plannable = plannableConfig(raw);
    const toPlan = plannable.note ? new MetaflowStack(Testing.app(), parseEnvironment(name, plannable.raw)).toTerraform() : synth;
    return { stack: `metaflow-${name}`, title: name === "dev" ? "default (dev)" : name, synth, toPlan, planNote: plannable.note };
  });
  const state = new StateStack(Testing.app(), plannedStateBuckets(environments)).toTerraform();
  return [...stacks, { stack: STATE_STACK, title: `${STATE_STACK} (bootstrap)`, synth: state, toPlan: state }];
}

/**
 * `terraform show -json` of an offline plan of `stackJson` (init from the local provider mirror, plan
 * without refresh against an empty local state), made in `dir` with flow/offline.ts, as `npm run plan --
 * --offline` does. Throws a FlowError when terraform fails.
 */
export function offlinePlanJson(stackJson: any, dir: string): any {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stackJson, null, 2));
  const env = prepareOffline(dir, path.join(dir, "terraform.tfstate"));
  const run = { output: "capture" as const };
  terraform(dir, ["init", "-input=false"], env, { ...run, what: "terraform init" });
  terraform(dir, ["plan", "-input=false", "-refresh=false", "-lock=false", "-out=plan.bin"], env, { ...run, what: "terraform plan" });
  return JSON.parse(terraform(dir, ["show", "-json", "plan.bin"], env, { ...run, what: "terraform show -json" }));
}

export interface ShippedScan {
  readonly inputs: readonly ScanInput[];
  readonly run: CheckovRun;
  readonly judgement: Judgement;
  /** Wall time of the offline plans, all stacks. */
  readonly planSeconds: number;
}

/** Plans every shipped stack offline and runs checkov once on all of them, in a temporary directory it removes. */
export function scanShippedStacks(tools: PythonTools, root = projectRoot()): ShippedScan {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-checkov-"));
  try {
    const started = Date.now();
    const inputs = shippedStackJson(root).map((s): ScanInput => ({
      stack: s.stack,
      title: s.title,
      synth: s.synth,
      plan: offlinePlanJson(s.toPlan, path.join(work, "terraform", s.stack)),
      planNote: s.planNote,
    }));
    const planSeconds = (Date.now() - started) / 1000;
    const run = runCheckov(tools, inputs, path.join(work, "scan"));
    return { inputs, run, judgement: judge(run.results), planSeconds };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
