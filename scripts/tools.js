#!/usr/bin/env node
// npm run tools [-- SET...]: installs the Python tool sets (tools/requirements/<set>.txt, exact pins) into
// .venv/<set>. Every command and test that needs one installs it itself; this is for doing it ahead.
require("./build").build();
const { ensurePythonTools, TOOL_SETS, ToolsUnavailableError } = require("../dist/flow/python-tools");

const sets = process.argv.slice(2);
const unknown = sets.filter((s) => !(s in TOOL_SETS));
if (unknown.length > 0) {
  process.stderr.write(`error: unknown tool set ${unknown.join(", ")}; the sets are: ${Object.keys(TOOL_SETS).join(", ")}\n`);
  process.exitCode = 1;
} else {
  for (const set of sets.length > 0 ? sets : Object.keys(TOOL_SETS)) {
    try {
      const tools = ensurePythonTools(set);
      process.stderr.write(`${set}: ${tools.dir}\n`);
    } catch (e) {
      if (!(e instanceof ToolsUnavailableError)) throw e;
      process.stderr.write(`error: ${set}: ${e.message}\n`);
      process.exitCode = 1;
    }
  }
}
