#!/usr/bin/env node
// The deployment's Mermaid diagram: transpile (swc, no type-check), then `npm run diagram -- --env NAME` or `-- --readme`.
require("./build").build();
process.exitCode = require("../dist/modules/diagram-cli").diagramMain(process.argv.slice(2));
