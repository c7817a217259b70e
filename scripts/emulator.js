#!/usr/bin/env node
// npm run emulator: the AWS API emulator in the foreground, for plan/apply/profile --emulator; see flow/emulator/main.ts.
require("./build").build();
require("../dist/flow/emulator/main")
  .emulatorMain(process.argv.slice(2))
  .then((code) => process.exit(code));
