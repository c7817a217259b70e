#!/usr/bin/env node
// The plan reviewer: transpile (swc, no type-check), then review a plan's JSON. `npm run review -- plan.json`.
require("./build").build();
process.exitCode = require("../dist/review/cli").main(process.argv.slice(2));
