#!/usr/bin/env node
// npm run checkov [-- --readme]: checkov on every shipped stack's synthesized and offline plan JSON
// (flow/checkov.ts); `--readme` rewrites README.md's table of results.
require("./build").build();
process.exitCode = require("../dist/flow/checkov-cli").checkovMain(process.argv.slice(2));
