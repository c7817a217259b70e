// Parses Mermaid diagrams with the real parser of the `mermaid` package (pinned in package.json), in plain
// Node: mermaid is an ES module that expects a browser, so this runs as its own process (Jest's CommonJS
// transform cannot load it) with a minimal DOM from linkedom for DOMPurify, which mermaid sanitizes labels
// with. Reads a JSON list of diagram texts on stdin; writes a JSON list of results, one per diagram:
// { ok: true, type } or { ok: false, error }.
import { parseHTML } from "linkedom";

const { window } = parseHTML("<!doctype html><html><head></head><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e?.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(results));
