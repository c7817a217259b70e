import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clearOffline, prepareOffline } from "./offline";
import { SavedPlan } from "./saved-plan";
import { synthesize } from "./synthesize";
import { FlowError, reportingErrors, terraform } from "./terraform";

export const PROFILE_USAGE = "usage: npm run profile -- --env <name> [--profile NAME] [--force] [--offline] [--config-dir DIR]";

interface ProfileOptions {
  readonly environment: string;
  readonly profile: string;
  readonly force: boolean;
  readonly offline: boolean;
  readonly configDir?: string;
}

function parse(argv: readonly string[]): ProfileOptions {
  let environment: string | undefined;
  let profile: string | undefined;
  let configDir: string | undefined;
  let force = false;
  let offline = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new FlowError(`${flag} needs a value; ${PROFILE_USAGE}`);
      return v;
    };
    if (flag === "--env") environment = value();
    else if (flag === "--profile") profile = value();
    else if (flag === "--config-dir") configDir = value();
    else if (flag === "--force") force = true;
    else if (flag === "--offline") offline = true;
    else throw new FlowError(`unknown argument ${JSON.stringify(flag)}; ${PROFILE_USAGE}`);
  }
  if (!environment) throw new FlowError(`--env is required; ${PROFILE_USAGE}`);
  if (profile !== undefined && !/^[A-Za-z0-9_-]+$/.test(profile)) throw new FlowError(`--profile ${JSON.stringify(profile)}: use letters, digits, _ and -`);
  return { environment, profile: profile ?? environment, force, offline, configDir };
}

/** Where Metaflow looks for profile `name`: `$METAFLOW_HOME/config_<name>.json` (reference §1). */
export function profilePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.METAFLOW_HOME ?? path.join(os.homedir(), ".metaflowconfig");
  return path.join(home, `config_${name}.json`);
}

/**
 * `npm run profile -- --env <name>`: reads the deployed `metaflow_profile_json` output and writes it to
 * `~/.metaflowconfig/config_<profile>.json` (mode 0600: it holds the API key), so `METAFLOW_PROFILE=<profile>`
 * selects it. Refuses to overwrite a different existing file without `--force`.
 */
export function profileMain(argv: readonly string[], root = process.cwd()): number {
  return reportingErrors(() => {
    const options = parse(argv);
    const stackDir = synthesize({ environment: options.environment, configDir: options.configDir });
    const env = options.offline ? prepareOffline(stackDir, new SavedPlan(root, options.environment).offlineStateFile) : (clearOffline(stackDir), {});
    let raw: string;
    try {
      terraform(stackDir, ["init", "-input=false"], env, "quiet", "terraform init");
      raw = terraform(stackDir, ["output", "-json", "metaflow_profile_json"], env, "capture", "terraform output (is the environment deployed?)");
    } finally {
      if (options.offline) clearOffline(stackDir);
    }
    const profile = JSON.parse(JSON.parse(raw)) as Record<string, unknown>;
    const content = `${JSON.stringify(profile, null, 2)}\n`;

    const file = profilePath(options.profile);
    if (fs.existsSync(file)) {
      const existing = fs.readFileSync(file, "utf8");
      if (existing === content) {
        process.stderr.write(`${file} is already up to date.\n`);
        return 0;
      }
      if (!options.force) {
        throw new FlowError(`${file} exists with different content; compare it, then run again with --force to replace it`);
      }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, content, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    process.stderr.write(`Wrote ${Object.keys(profile).length} keys to ${file}. Use it with METAFLOW_PROFILE=${options.profile}.\n`);
    return 0;
  });
}
