const os = require("os");

/** Jest with @swc/jest: transpile only; types are checked once by `npm run typecheck` (part of `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // Terraform-level tests run init/validate/plan for real; allow them time on a 2-core machine.
  testTimeout: 180000,
  // At least two workers even on two cores: the emulator suite spends most of its time waiting on the
  // AWS provider's fixed delays, so the other tests run beside it rather than after it.
  maxWorkers: Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1),
};
