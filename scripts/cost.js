#!/usr/bin/env node
// The idle-cost estimate: transpile (swc, no type-check), then `npm run cost -- --env NAME`.
require("./build").build();
process.exitCode = require("../dist/modules/cost/cli").costMain(process.argv.slice(2));
