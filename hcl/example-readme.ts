import * as fs from "fs";
import * as path from "path";
import { interfaceTables, ModuleInfo } from "./write-modules";

export const EXAMPLE_DIR = path.join("examples", "plain-terraform");
const BEGIN = "<!-- BEGIN GENERATED: npm run modules -->";
const END = "<!-- END GENERATED -->";

/** The README's generated part: each module's inputs and outputs. */
export function generatedSection(modules: readonly ModuleInfo[]): string {
  const parts = modules.map((m) => `### ${m.name}\n\n${m.description}. Source: \`../../terraform-modules/${m.name}\`.\n\n${interfaceTables(m)}`);
  return `${BEGIN}\n\n${parts.join("\n")}\n${END}`;
}

/** Replaces the generated section of the example's README (the text around it is kept by hand). */
export function exampleReadme(current: string, modules: readonly ModuleInfo[]): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${EXAMPLE_DIR}/README.md lacks the ${BEGIN} ... ${END} markers`);
  return `${current.slice(0, start)}${generatedSection(modules)}${current.slice(end + END.length)}`;
}

export function writeExampleReadme(root: string, modules: readonly ModuleInfo[]): void {
  const file = path.join(root, EXAMPLE_DIR, "README.md");
  fs.writeFileSync(file, exampleReadme(fs.readFileSync(file, "utf8"), modules));
}
