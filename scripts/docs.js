#!/usr/bin/env node
// npm run docs: rewrites the generated parts of the docs (between `<!-- generated:NAME -->` and
// `<!-- end:NAME -->`) from the code that owns them. A test fails when they are stale.
require("./build").build();
const { writeGeneratedDocs } = require("../dist/flow/docs");
const written = writeGeneratedDocs(require("path").resolve(__dirname, ".."));
console.log(written.length ? `Rewrote ${written.join(", ")}` : "The generated parts of the docs are up to date.");
