import { isUtf8 } from "buffer";
import * as fs from "fs";
import { PlanInputError } from "./errors";
import { Plan, toPlan } from "./plan";

/**
 * Reading plan files: bytes to parsed JSON, with one clear line for everything that is not a plan's JSON
 * (missing, empty, UTF-16, binary plan file, log lines of a CI wrapper around the JSON, the human-readable
 * plan, broken JSON with the line and column of the fault).
 */

const SHOW_JSON = "run `terraform show -json <planfile> > plan.json`";

/** Reads and checks a plan file; throws PlanInputError (one line) when it cannot. */
export function readPlanFile(path: string): Plan {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new PlanInputError(`cannot read ${path}: no such file`);
    if (code === "EISDIR") throw new PlanInputError(`cannot read ${path}: it is a directory, not a plan file`);
    if (code === "EACCES") throw new PlanInputError(`cannot read ${path}: permission denied`);
    throw new PlanInputError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return toPlan(parsePlanText(bytes, path), path);
}

/** Bytes or text to parsed JSON; `source` names the input in messages. */
export function parsePlanText(input: Buffer | string, source = "the input"): unknown {
  const text = typeof input === "string" ? input.replace(/^\uFEFF/, "") : decode(input, source);
  if (text.trim() === "") {
    throw new PlanInputError(`${source} is empty; expected the JSON of a saved plan: ${SHOW_JSON}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new PlanInputError(notJson(text, source));
  }
}

/** UTF-8 text of the bytes, or a one-line reason they are not UTF-8 JSON. */
function decode(bytes: Buffer, source: string): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const reencode = "write the file as UTF-8 (in PowerShell: `terraform show -json plan | Out-File -Encoding utf8 plan.json`, or run the command in bash)";
  if (b0 === 0xff && b1 === 0xfe && bytes[2] === 0 && bytes[3] === 0) {
    throw new PlanInputError(`${source} is UTF-32 encoded (byte-order mark FF FE 00 00), not UTF-8; ${reencode}`);
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const order = b0 === 0xff ? "FF FE, little-endian" : "FE FF, big-endian";
    throw new PlanInputError(
      `${source} is UTF-16 encoded (byte-order mark ${order}), not UTF-8: PowerShell's \`>\` writes UTF-16; ${reencode}`,
    );
  }
  if (b0 === 0x50 && b1 === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new PlanInputError(`${source} is a binary Terraform plan file (a zip archive), not its JSON; ${SHOW_JSON}`);
  }
  if (b0 === 0x1f && b1 === 0x8b) throw new PlanInputError(`${source} is gzip-compressed; decompress it first (\`gunzip\`)`);
  const head = bytes.subarray(0, 4096);
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const zeros = head.filter((b) => b === 0).length;
    const looksUtf16 = zeros * 3 >= head.length; // ASCII text in UTF-16 is every other byte zero
    throw new PlanInputError(
      looksUtf16
        ? `${source} looks UTF-16 encoded (NUL bytes between the characters, no byte-order mark), not UTF-8; ${reencode}`
        : `${source} contains NUL bytes at byte ${nul}: it is binary, not the JSON of a plan; ${SHOW_JSON}`,
    );
  }
  const start = b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte-order mark is harmless
  const body = start ? bytes.subarray(start) : bytes;
  if (!isUtf8(body)) {
    throw new PlanInputError(`${source} is not valid UTF-8 text (another encoding, or a binary file); ${SHOW_JSON}`);
  }
  return body.toString("utf8");
}

/** Lines CI wrappers write around a command's output: setup-terraform's `[command]...` and workflow commands. */
const WRAPPER_LINE = /^(\[command\].*|::(debug|set-output|error|warning|notice|add-mask|group|endgroup|stop-commands)\b.*|##\[(debug|command|group|endgroup)\].*)$/m;

/** Why `text` (which JSON.parse refused) is not a plan's JSON, in one line. */
function notJson(text: string, source: string): string {
  const edges = text.length > 16384 ? `${text.slice(0, 8192)}\n${text.slice(-8192)}` : text;
  const wrapper = WRAPPER_LINE.exec(edges);
  // Older wrappers also URL-encode the newline that ends the output: `...}%0A`.
  if (wrapper || /[}\]]%0A\s*$/.test(text.slice(-256))) {
    const sample = (wrapper?.[0] ?? "").replace(/\s+/g, " ").slice(0, 60);
    return (
      `${source} has log lines around the JSON${sample ? ` (e.g. "${sample}")` : ""}: the terraform wrapper of ` +
      "hashicorp/setup-terraform added them; turn it off with `terraform_wrapper: false` on the setup-terraform step, then write the JSON again"
    );
  }
  if (/^\s*(Terraform used the selected providers|Terraform will perform|No changes\.|Refreshing state|Acquiring state lock|Plan: \d+ to add|\s*# \S+ (will|must) be)/m.test(text.slice(0, 4096))) {
    return `${source} is the human-readable output of terraform plan or show, not JSON; ${SHOW_JSON}`;
  }
  const firstLine = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  if (/^\s*\{.*"@level"\s*:/.test(firstLine) && /"@message"/.test(firstLine)) {
    return `${source} is the streamed log of \`terraform plan -json\` (one JSON message per line), not a plan; save the plan with \`-out\`, then ${SHOW_JSON}`;
  }
  const { offset, problem } = locateJsonError(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${source} is not JSON: ${problem} at line ${line}, column ${column} (offset ${offset}); expected the output of \`terraform show -json <planfile>\``;
}

/** Where and why `text` stops being JSON (JSON.parse in Node 20 does not always say where). */
export function locateJsonError(text: string): { offset: number; problem: string } {
  const scanner = new JsonScanner(text);
  try {
    scanner.document();
  } catch (e) {
    if (e instanceof JsonFault) return { offset: e.offset, problem: e.problem };
    throw e;
  }
  return { offset: text.length, problem: "unexpected end of input" };
}

class JsonFault {
  constructor(public readonly offset: number, public readonly problem: string) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class JsonScanner {
  private i = 0;
  constructor(private readonly t: string) {}

  public document(): void {
    this.value();
    this.ws();
    if (this.i < this.t.length) this.fail(`unexpected ${this.what()} after the JSON value`);
  }

  private fail(problem: string): never {
    throw new JsonFault(this.i, problem);
  }

  private what(): string {
    if (this.i >= this.t.length) return "end of input";
    const c = this.t[this.i];
    return /[\x00-\x1f]/.test(c) ? `control character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}` : `character ${JSON.stringify(c)}`;
  }

  private ws(): void {
    while (this.i < this.t.length && " \t\n\r".includes(this.t[this.i])) this.i++;
  }

  private value(): void {
    this.ws();
    const c = this.t[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const word of ["true", "false", "null"]) {
      if (this.t.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(`unexpected ${this.what()}`);
  }

  private object(): void {
    this.i++;
    this.ws();
    if (this.t[this.i] === "}") {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.t[this.i] !== '"') this.fail(`expected a quoted property name, found ${this.what()}`);
      this.string();
      this.ws();
      if (this.t[this.i] !== ":") this.fail(`expected ":" after a property name, found ${this.what()}`);
      this.i++;
      this.value();
      this.ws();
      if (this.t[this.i] === ",") this.i++;
      else if (this.t[this.i] === "}") return void this.i++;
      else this.fail(`expected "," or "}" in an object, found ${this.what()}`);
    }
  }

  private array(): void {
    this.i++;
    this.ws();
    if (this.t[this.i] === "]") {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      if (this.t[this.i] === ",") this.i++;
      else if (this.t[this.i] === "]") return void this.i++;
      else this.fail(`expected "," or "]" in a list, found ${this.what()}`);
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      if (this.i >= this.t.length) this.fail("unterminated string");
      const c = this.t[this.i];
      if (c === '"') return void this.i++;
      if (c === "\\") {
        const e = this.t[this.i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.t.slice(this.i + 2, this.i + 6))) this.fail("invalid \\u escape in a string");
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail("invalid escape in a string");
        this.i += 2;
        continue;
      }
      if (c < " ") this.fail(`${this.what()} inside a string`);
      this.i++;
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.t);
    if (!m || m[0] === "-") this.fail("invalid number");
    this.i += m[0].length;
  }
}
