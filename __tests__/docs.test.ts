import * as fs from "fs";
import * as path from "path";
import { generatedDocs, withBlock } from "../flow/docs";

/** The generated parts of the docs match the code they come from (`npm run docs` rewrites them). */

const ROOT = path.resolve(__dirname, "..");

describe.each(generatedDocs().map((d) => [d.file, d.name, d.content] as const))("%s, block %s", (file, name, content) => {
  test("is up to date (run `npm run docs` when this fails)", () => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    expect(withBlock(text, name, content)).toBe(text);
  });
});

describe("withBlock", () => {
  test("replaces what is between the markers and nothing else", () => {
    expect(withBlock("a\n<!-- generated:x -->\nold\n<!-- end:x -->\nb", "x", "new")).toBe("a\n<!-- generated:x -->\nnew\n<!-- end:x -->\nb");
  });

  test("fails when the markers are missing", () => {
    expect(() => withBlock("no markers", "x", "new")).toThrow("no <!-- generated:x --> ... <!-- end:x --> block");
  });
});
