import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseEnvironment } from "../modules/config/load";
import { environmentName, generatedConfig } from "./support/config-arbitrary";
import { anyJson, check, editText, fuzzSettings, mutate, mutation, nastyString, textEdit, timeoutFor } from "./support/fuzz";
import { cleanUp, runSynth, SynthRun } from "./support/synth-cli";

/**
 * Property-based tests of the config loader and synth, on configs generated from the schema and on
 * mutations of the shipped examples (of their values and of their text). Whatever the input, `npm run synth`
 * (main, in-process) either exits 0 and writes a complete stack for every environment, or exits 1 with one
 * message per problem naming the file, writes nothing, and never throws or prints a stack trace.
 * Seeds and case counts are in the test names; FUZZ_SEED and FUZZ_RUNS change them (support/fuzz.ts).
 */

const EXAMPLES_DIR = path.join(__dirname, "..", "examples", "environments");
const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json")).sort().map((f) => ({ name: f, text: fs.readFileSync(path.join(EXAMPLES_DIR, f), "utf8") }));

/** The slowest a single case may be: a refusal is parsing only; a success builds, checks and writes two stacks. */
const MAX_REFUSAL_MS = 10000;
const MAX_SYNTH_MS = 60000;

/** Outcomes seen by a suite, printed after it so a run shows both paths were exercised. */
const outcomes: Record<string, { synthesized: number; refused: number; ruleErrors: number }> = {};

function record(suite: string, kind: "synthesized" | "refused" | "ruleErrors"): void {
  outcomes[suite] ??= { synthesized: 0, refused: 0, ruleErrors: 0 };
  outcomes[suite][kind]++;
}

/** The synth contract for one run; `files` are the names written to the config dir. */
function expectContract(run: SynthRun, files: readonly string[], suite: string): void {
  expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.stderr).not.toMatch(/RangeError|TypeError|ReferenceError/);
  if (run.code === 0) {
    expect(run.milliseconds).toBeLessThan(MAX_SYNTH_MS);
    const manifest = JSON.parse(fs.readFileSync(path.join(run.outdir, "manifest.json"), "utf8"));
    const stacks = Object.keys(manifest.stacks);
    for (const file of files) expect(stacks).toContain(`metaflow-${path.basename(file, ".json")}`);
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(run.outdir, manifest.stacks[stack].synthesizedStackPath), "utf8"));
      expect(json.provider.aws.length).toBeGreaterThan(0);
      expect(Object.keys(json.resource ?? {}).length).toBeGreaterThan(0);
    }
    record(suite, "synthesized");
    return;
  }
  expect(run.code).toBe(1);
  expect(run.milliseconds).toBeLessThan(MAX_REFUSAL_MS);
  expect(fs.existsSync(run.outdir)).toBe(false);
  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n");
  const problems = lines.filter((line) => line.startsWith("  - "));
  expect(problems.length).toBeGreaterThan(0);
  if (lines[0] === "Invalid configuration:") {
    // Every problem names a file of the config dir (or the dir, for the closing count over many files).
    for (const line of problems) expect(line.startsWith(`  - ${run.dir}`)).toBe(true);
    expect(problems.length).toBeLessThanOrEqual(201);
    for (const line of problems) expect(line.length).toBeLessThanOrEqual(`  - ${run.dir}/`.length + 64 + 1002);
    expect(run.stderr).toMatch(/\nNothing was synthesized\. Fix the values above and run again\.\n$/);
    record(suite, "refused");
  } else {
    // The rule pack refused what the config allowed: a message per finding, nothing written.
    expect(lines[0]).toMatch(/^Security rules failed: /);
    expect(run.stderr).toMatch(/Nothing was synthesized\./);
    record(suite, "ruleErrors");
  }
}

function runAndCheck(files: Record<string, string | Buffer>, suite: string): void {
  const run = runSynth(files);
  try {
    expectContract(run, Object.keys(files), suite);
  } finally {
    cleanUp(run);
  }
}

afterAll(() => {
  for (const [suite, seen] of Object.entries(outcomes)) {
    process.stdout.write(`fuzz ${suite}: ${seen.synthesized} synthesized, ${seen.refused} refused, ${seen.ruleErrors} refused by the rules\n`);
  }
});

describe("property: synth writes complete stacks or refuses with messages and writes nothing", () => {
  const generated = fuzzSettings(250);
  test(
    `configs generated from the schema (${generated.label})`,
    () => {
      check(
        fc.property(environmentName, generatedConfig, (env, config) => runAndCheck({ [`${env}.json`]: JSON.stringify(config, null, 2) }, "generated")),
        generated,
      );
      // The generator reaches both outcomes; otherwise the property says little.
      expect(outcomes.generated.synthesized).toBeGreaterThan(0);
      expect(outcomes.generated.refused).toBeGreaterThan(0);
    },
    timeoutFor(generated, 2000),
  );

  const mutated = fuzzSettings(200);
  test(
    `mutations of the example configs' values (${mutated.label})`,
    () => {
      const keys = fc.constantFrom("mode", "region", "natGateways", "__proto__", "constructor", "tags", "apiGateway", "flowLogs", "bucket", "x");
      const values = fc.oneof(anyJson, fc.constantFrom("none", "internal", "existing", "s3", "010.0.0.0/16", "sg", {}, []));
      check(
        fc.property(fc.constantFrom(...EXAMPLES), fc.array(mutation(keys, values), { minLength: 1, maxLength: 4 }), (example, edits) => {
          const config = mutate(JSON.parse(example.text), edits);
          runAndCheck({ [example.name]: JSON.stringify(config, null, 2) ?? "null" }, "mutated");
        }),
        mutated,
      );
      expect(outcomes.mutated.synthesized).toBeGreaterThan(0);
      expect(outcomes.mutated.refused).toBeGreaterThan(0);
    },
    timeoutFor(mutated, 2000),
  );

  const edited = fuzzSettings(150);
  test(
    `edits of the example configs' text, and files of other encodings (${edited.label})`,
    () => {
      const encoding = fc.constantFrom<BufferEncoding>("utf8", "utf8", "utf8", "utf16le", "latin1");
      check(
        fc.property(fc.constantFrom(...EXAMPLES), fc.array(textEdit, { minLength: 1, maxLength: 3 }), encoding, (example, edits, enc) =>
          runAndCheck({ [example.name]: Buffer.from(editText(example.text, edits), enc) }, "edited"),
        ),
        edited,
      );
    },
    timeoutFor(edited, 2000),
  );
});

describe("property: parseEnvironment returns a config or throws ConfigError, for any value", () => {
  const values = fuzzSettings(500);
  test(`any JSON value, nested or not, with any environment name (${values.label})`, () => {
    check(
      fc.property(fc.oneof(nastyString, fc.constantFrom("dev", "prod")), fc.oneof(anyJson, fc.dictionary(fc.string(), anyJson, { maxKeys: 5 })), (name, raw) => {
        try {
          parseEnvironment(name, raw);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          expect(e.problems.length).toBeGreaterThan(0);
          expect(e.problems.length).toBeLessThanOrEqual(51);
          for (const line of e.problems) expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
        }
      }),
      values,
    );
  });
});
