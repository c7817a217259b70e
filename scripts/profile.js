#!/usr/bin/env node
// npm run profile -- --env <name>: write the deployed Metaflow profile to ~/.metaflowconfig; see flow/profile.ts.
require("./build").build();
process.exitCode = require("../dist/flow/profile").profileMain(process.argv.slice(2));
