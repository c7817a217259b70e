import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { DEFAULT_CONFIG_DIR, main as synth } from "../main";
import { parseEnvironment } from "./config/load";
import { deploymentDiagram, readmeWithDiagram, renderMermaid } from "./diagram";
import { MetaflowStack } from "./metaflow-stack";

/**
 * `npm run diagram -- --env NAME [--config-dir DIR]`: synthesizes the environment and prints its Mermaid
 * diagram (the one synth writes to cdktf.out/stacks/metaflow-NAME/diagram.mmd). `npm run diagram -- --readme`
 * redraws the README's diagram of the built-in default deployment.
 */

export const DIAGRAM_USAGE = "usage: npm run diagram -- --env <name> [--config-dir DIR]   or   npm run diagram -- --readme";

/** The Mermaid diagram of the built-in default deployment (`{}` as environment dev), built in memory. */
export function defaultDiagram(): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(require("os").tmpdir(), "mf-diagram-")), skipValidation: true });
  const stack = new MetaflowStack(app, parseEnvironment("dev", {}));
  try {
    return renderMermaid(deploymentDiagram(stack.toTerraform()));
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

export function diagramMain(argv: readonly string[], root = process.cwd()): number {
  const fail = (message: string) => {
    process.stderr.write(`error: ${message}\n`);
    return 1;
  };
  if (argv.length === 1 && argv[0] === "--readme") {
    const file = path.join(root, "README.md");
    const before = fs.readFileSync(file, "utf8");
    const after = readmeWithDiagram(before, defaultDiagram());
    fs.writeFileSync(file, after);
    process.stdout.write(after === before ? "README.md's diagram is up to date.\n" : "Redrew README.md's diagram of the default deployment.\n");
    return 0;
  }
  let environment: string | undefined;
  let configDir = process.env.METAFLOW_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if ((argv[i] === "--env" || argv[i] === "--config-dir") && (value === undefined || value.startsWith("--"))) return fail(`${argv[i]} needs a value; ${DIAGRAM_USAGE}`);
    if (argv[i] === "--env") environment = argv[++i];
    else if (argv[i] === "--config-dir") configDir = argv[++i];
    else return fail(`unknown argument ${JSON.stringify(argv[i])}; ${DIAGRAM_USAGE}`);
  }
  if (!environment) return fail(`--env is required; ${DIAGRAM_USAGE}`);
  if (synth(["--env", environment, "--quiet", "--config-dir", configDir]) !== 0) return fail("synthesis failed (see above)");
  process.stdout.write(fs.readFileSync(path.join(process.env.CDKTF_OUTDIR ?? "cdktf.out", "stacks", `metaflow-${environment}`, "diagram.mmd"), "utf8"));
  return 0;
}

if (require.main === module) {
  process.exitCode = diagramMain(process.argv.slice(2));
}
