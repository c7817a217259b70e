import { spawnSync } from "child_process";
import * as path from "path";

/** A diagram's parse result from the real Mermaid parser: its diagram type, or the parser's error. */
export type MermaidResult = { readonly ok: true; readonly type: string } | { readonly ok: false; readonly error: string };

/**
 * Parses every diagram with the `mermaid` package's own parser (mermaid-parse.mjs, one Node process for
 * all of them, about a second).
 */
export function parseMermaid(diagrams: readonly string[]): MermaidResult[] {
  const result = spawnSync(process.execPath, [path.join(__dirname, "mermaid-parse.mjs")], {
    input: JSON.stringify(diagrams),
    encoding: "utf8",
    timeout: 60000,
  });
  if (result.status !== 0) throw new Error(`mermaid-parse.mjs failed (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}
