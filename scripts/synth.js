#!/usr/bin/env node
// The main job: transpile (swc, no type-check), then synthesize every environment with plain node.
// `npm run synth -- --env prod` synthesizes one; cdktf.json runs this same file for `npx cdktf synth`.
require("./build").build();
const { main } = require("../dist/main");
process.exitCode = main(process.argv.slice(2));
