import * as fs from "fs";
import * as path from "path";

const PACKAGE_NAME = "metaflow-aws-cdktf";

/**
 * The project's root directory (where package.json, tools/ and .venv/ are), found upwards from this file,
 * so the same code works from the sources (ts) and from dist/.
 */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}
