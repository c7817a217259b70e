import * as fs from "fs";
import * as path from "path";
import { gapsMarkdown } from "./emulator/gaps";

/** Parts of the docs generated from code: file, block name, content. */
export function generatedDocs(): { file: string; name: string; content: string }[] {
  return [{ file: "docs/emulator.md", name: "emulator-gaps", content: gapsMarkdown() }];
}

/** `text` with the block `name` replaced by `content`; throws when the markers are missing. */
export function withBlock(text: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** Rewrites every generated block that is stale; returns the files written. */
export function writeGeneratedDocs(root: string): string[] {
  const written: string[] = [];
  for (const { file, name, content } of generatedDocs()) {
    const full = path.join(root, file);
    const text = fs.readFileSync(full, "utf8");
    const next = withBlock(text, name, content);
    if (next !== text) {
      fs.writeFileSync(full, next);
      written.push(file);
    }
  }
  return written;
}
