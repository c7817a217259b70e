#!/usr/bin/env node
// npm run modules: write the plain Terraform modules (terraform-modules/<area>/) and the example's README
// tables, from the same constructs as the CDKTF app; see hcl/write-modules.ts.
require("./build").build();
const { writeModules } = require("../dist/hcl/write-modules");
const { writeExampleReadme } = require("../dist/hcl/example-readme");
const { writeExampleTest } = require("../dist/hcl/example-test");
const { writeExampleRoots, HCL_EXAMPLES } = require("../dist/hcl/example-roots");
const root = require("path").resolve(__dirname, "..");
const modules = writeModules(root);
writeExampleReadme(root, modules);
writeExampleTest(root, modules);
writeExampleRoots(root, modules);
console.log(`Wrote ${modules.length} modules to terraform-modules/ (${modules.map((m) => m.name).join(", ")}), examples/plain-terraform/ (README tables, tests/profile.tftest.hcl) and the HCL twins of the example environments (${HCL_EXAMPLES.map((e) => `examples/hcl-${e.name}`).join(", ")})`);
