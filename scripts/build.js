#!/usr/bin/env node
// Transpiles main.ts, modules/, review/ (the plan reviewer) and flow/ (plan and apply) to dist/ with swc: no
// type-check (that is `npm run typecheck`, run once by `npm test`), so synthesis never loads the AWS
// provider's type declarations.
const fs = require("fs");
const path = require("path");
const swc = require("@swc/core");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist");
const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function build() {
  const files = [path.join(root, "main.ts"), ...sources(path.join(root, "modules")), ...sources(path.join(root, "review")), ...sources(path.join(root, "flow")), ...sources(path.join(root, "hcl"))];
  fs.rmSync(out, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, swc.transformFileSync(file, { ...options, filename: file }).code);
  }
  return files.length;
}

if (require.main === module) {
  const n = build();
  if (!process.argv.includes("--quiet")) console.log(`built ${n} files into dist/`);
}
module.exports = { build };
