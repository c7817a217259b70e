#!/usr/bin/env node
// npm run plan -- --env <name>: synthesize, plan, review; see flow/plan.ts.
require("./build").build();
process.exitCode = require("../dist/flow/plan").planMain(process.argv.slice(2));
