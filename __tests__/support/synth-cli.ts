import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../main";

/** What one in-process run of the synth CLI did. */
export interface SynthRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The config dir the files were written to. */
  readonly dir: string;
  /** The output dir (which did not exist before the run). */
  readonly outdir: string;
  readonly milliseconds: number;
}

/**
 * Writes `files` (name to text or bytes) into a fresh config dir and runs `main` in-process, as
 * `npm run synth` does, with a fresh output dir that does not exist yet; output is captured. Exceptions
 * from `main` propagate: a crash is the caller's failure to report. Removes nothing: call `cleanUp`.
 */
export function runSynth(files: Record<string, string | Buffer>, args: readonly string[] = ["--quiet"]): SynthRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-fuzz-"));
  const dir = path.join(root, "environments");
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const outdir = path.join(root, "cdktf.out");
  const saved = { out: process.env.CDKTF_OUTDIR, config: process.env.METAFLOW_CONFIG_DIR };
  process.env.CDKTF_OUTDIR = outdir;
  delete process.env.METAFLOW_CONFIG_DIR;
  let stdout = "";
  let stderr = "";
  const outSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  const errSpy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  const started = Date.now();
  try {
    const code = main(["--config-dir", dir, ...args]);
    return { code, stdout, stderr, dir, outdir, milliseconds: Date.now() - started };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    if (saved.out === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved.out;
    if (saved.config !== undefined) process.env.METAFLOW_CONFIG_DIR = saved.config;
  }
}

/** Removes a run's config and output dirs. */
export function cleanUp(run: SynthRun): void {
  fs.rmSync(path.dirname(run.dir), { recursive: true, force: true });
}
