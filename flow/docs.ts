import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { parseEnvironment } from "../modules/config/load";
import { iamMarkdown } from "../modules/iam-table";
import { MetaflowStack } from "../modules/metaflow-stack";
import { CHECKOV_SUPPRESSIONS, CheckovSuppression } from "../modules/rules/checkov-suppressions";
import { gapsMarkdown } from "./emulator/gaps";

const ROOT = path.resolve(__dirname, "..");

/** Every shipped config: the default deployment (`{}` as dev) and each example, as `[name, raw config]`. */
export function shippedConfigs(root = ROOT): [string, unknown][] {
  const dir = path.join(root, "examples", "environments");
  const examples = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  return [["dev", {}], ...examples.map((f): [string, unknown] => [f.replace(/\.json$/, ""), JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))])];
}

/** The synthesized stacks of every shipped config, with their regions. */
export function shippedStacks(root = ROOT): { title: string; stack: any; region: string }[] {
  return shippedConfigs(root).map(([name, raw]) => {
    const environment = parseEnvironment(name, raw);
    const stack = new MetaflowStack(Testing.app(), environment);
    return { title: name === "dev" ? "default" : name, stack: JSON.parse(Testing.synth(stack)), region: environment.config.region };
  });
}

/** The checkov suppressions as a table: check, where (construct paths below the stack, stacks, reading), reason. */
export function checkovSuppressionsMarkdown(suppressions: readonly CheckovSuppression[] = CHECKOV_SUPPRESSIONS): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const where = (s: CheckovSuppression) =>
    [
      s.resources ? s.resources.map((r) => `\`${r}\``).join(", ") : "every resource",
      s.stacks ? `in ${s.stacks.map((x) => `\`${x}\``).join(", ")}` : undefined,
      s.scan ? `(${s.scan === "synth" ? "synthesized JSON" : "plan JSON"} only)` : undefined,
    ].filter(Boolean).join(" ");
  return [
    "| check | where | reason |",
    "|---|---|---|",
    ...suppressions.map((s) => `| \`${s.check}\` | ${cell(where(s))} | ${cell(s.reason)} |`),
  ].join("\n");
}

/** Parts of the docs generated from code: file, block name, content. */
export function generatedDocs(root = ROOT): { file: string; name: string; content: string }[] {
  return [
    { file: "docs/emulator.md", name: "emulator-gaps", content: gapsMarkdown() },
    { file: "docs/iam.md", name: "iam-grants", content: iamMarkdown(shippedStacks(root)) },
    { file: "modules/rules/README.md", name: "checkov-suppressions", content: checkovSuppressionsMarkdown() },
  ];
}

/** `text` with the block `name` replaced by `content`; throws when the markers are missing. */
export function withBlock(text: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** Rewrites every generated block that is stale; returns the files written. */
export function writeGeneratedDocs(root: string): string[] {
  const written: string[] = [];
  for (const { file, name, content } of generatedDocs(root)) {
    const full = path.join(root, file);
    const text = fs.readFileSync(full, "utf8");
    const next = withBlock(text, name, content);
    if (next !== text) {
      fs.writeFileSync(full, next);
      written.push(file);
    }
  }
  return written;
}
