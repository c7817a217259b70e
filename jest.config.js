/** Jest with @swc/jest: transpile only; types are checked once by `npm run typecheck` (part of `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // Terraform-level tests run init/validate/plan for real; allow them time on a 2-core machine.
  testTimeout: 180000,
};
