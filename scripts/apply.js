#!/usr/bin/env node
// npm run apply -- --env <name>: apply exactly the reviewed plan; see flow/apply.ts.
require("./build").build();
process.exitCode = require("../dist/flow/apply").applyMain(process.argv.slice(2));
