import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATOR_CREDENTIALS } from "./emulator/override";
import { parseFlowArgs } from "./options";
import { SavedPlan } from "./saved-plan";
import { synthesize } from "./synthesize";
import { EmulatorUse, prepareTarget } from "./target";
import { FlowError, reportingErrors, terraform } from "./terraform";

export const PROFILE_USAGE = "usage: npm run profile -- --env <name> [--profile NAME] [--force] [--offline | --emulator [URL]] [--config-dir DIR]";

/** Where Metaflow looks for profile `name`: `$METAFLOW_HOME/config_<name>.json` (reference §1). */
export function profilePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.METAFLOW_HOME ?? path.join(os.homedir(), ".metaflowconfig");
  return path.join(home, `config_${name}.json`);
}

/**
 * What the Metaflow client needs besides the profile to talk to the emulator: the endpoint for S3 and for
 * boto3 (Batch, Step Functions, EventBridge, DynamoDB), the emulator's dummy credentials and region, and
 * local metadata (the emulator runs no metadata service). The profile itself stays as for a real account.
 */
export function emulatorClientEnv(emulator: Pick<EmulatorUse, "url">, region: string, profile: string): Record<string, string> {
  return {
    METAFLOW_PROFILE: profile,
    METAFLOW_S3_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKey,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretKey,
    AWS_DEFAULT_REGION: region,
    METAFLOW_DEFAULT_METADATA: "local",
  };
}

/**
 * `npm run profile -- --env <name>`: reads the deployed `metaflow_profile_json` output and writes it to
 * `~/.metaflowconfig/config_<profile>.json` (mode 0600: it holds the API key), so `METAFLOW_PROFILE=<profile>`
 * selects it. Refuses to overwrite a different existing file without `--force`. On the emulator the
 * profile is named `<env>-emulator` unless --profile says otherwise (so a real profile is never replaced),
 * and the variables the client needs there are written to plans/.emulator/<env>.env.
 */
export function profileMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parseFlowArgs(argv, PROFILE_USAGE, ["--env", "--config-dir", "--offline", "--emulator", "--profile", "--force"]);
    const stackDir = synthesize(options);
    const saved = new SavedPlan(root, options.environment);
    const target = prepareTarget(options.target, stackDir, saved);
    let raw: string;
    try {
      terraform(stackDir, ["init", "-input=false", "-reconfigure"], target.env, { output: "capture", what: "terraform init" });
      raw = terraform(stackDir, ["output", "-json", "metaflow_profile_json"], target.env, { output: "capture", what: "terraform output (is the environment deployed?)" });
    } finally {
      target.release();
    }
    const profile = JSON.parse(JSON.parse(raw)) as Record<string, unknown>;
    const content = `${JSON.stringify(profile, null, 2)}\n`;
    const name = options.profile ?? (target.kind === "emulator" ? `${options.environment}-emulator` : options.environment);

    const file = profilePath(name);
    if (fs.existsSync(file)) {
      const existing = fs.readFileSync(file, "utf8");
      if (existing !== content && !options.force) {
        throw new FlowError(`${file} exists with different content; compare it, then run again with --force to replace it`);
      }
    }
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, content, { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      process.stderr.write(`Wrote ${Object.keys(profile).length} keys to ${file}. Use it with METAFLOW_PROFILE=${name}.\n`);
    } else {
      process.stderr.write(`${file} is already up to date.\n`);
    }

    if (target.emulator) {
      const stack = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      const variables = emulatorClientEnv(target.emulator, stack.provider.aws[0].region, name);
      const envFile = path.join(SavedPlan.emulatorDir(root), `${options.environment}.env`);
      const lines = Object.entries(variables).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`);
      fs.mkdirSync(path.dirname(envFile), { recursive: true, mode: 0o700 });
      fs.writeFileSync(envFile, `# The Metaflow client against the emulator at ${target.emulator.url} (npm run profile -- --emulator)\n${lines.join("\n")}\n`, { mode: 0o600 });
      process.stderr.write(`The client needs these on the emulator (\`source ${path.relative(root, envFile) || envFile}\`):\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
    }
    return 0;
  });
}
