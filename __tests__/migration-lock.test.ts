import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { MIGRATE_UNDER_LOCK } from "../modules/migration-lock";
import { pythonToolsOrReason, PythonTools } from "../flow/python-tools";
import { runProgram } from "./support/emulator";
import { synth } from "./support/synth";
import { policyDoc } from "./support/json";

/**
 * The metadata service's migration lock (modules/migration-lock.ts), run for real: the exact wrapper the
 * task definition carries, with psycopg2 as in the service's image, against a PostgreSQL server this test
 * starts on 127.0.0.1 and stops. The migration itself is a stand-in that records when it runs, so the test
 * sees whether two ever overlap. Skips, saying why, where PostgreSQL's server or psycopg2 is missing.
 */

const PG_BIN_DIRS = [process.env.PG_BIN, ...(fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : []), "/usr/local/bin", "/usr/bin"].filter(
  (d): d is string => Boolean(d),
);
const pgBin = PG_BIN_DIRS.find((d) => fs.existsSync(path.join(d, "postgres")) && fs.existsSync(path.join(d, "initdb")));
const asRoot = process.getuid?.() === 0;
const postgresUser = asRoot && spawnSync("id", ["-u", "postgres"]).status === 0;

function unavailable(): string | undefined {
  if (!pgBin) return `no PostgreSQL server (postgres and initdb) in ${PG_BIN_DIRS.join(", ")}; set PG_BIN`;
  if (asRoot && !postgresUser) return "running as root and there is no postgres user to run the server as";
  return undefined;
}

let tools: PythonTools | string | undefined;
const reason = unavailable() ?? (typeof (tools = pythonToolsOrReason("migrations")) === "string" ? tools : undefined);
if (reason) console.warn(`Skipping "the migration lock against PostgreSQL": ${reason}`);
const describeIf = reason ? describe.skip : describe;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describeIf("the migration lock against PostgreSQL", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mf-migration-lock-"));
  const data = path.join(work, "data");
  const sockets = path.join(work, "sockets");
  const record = path.join(work, "migrations.log");
  const fakeMigration = path.join(work, "migrate.py");
  let server: ChildProcess | undefined;
  let port = 0;
  const python = () => (tools as PythonTools).python;
  const asPostgres = (command: string, args: string[]) => (asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] as const : [command, args] as const);

  /** The wrapper, as the task runs it, around the stand-in migration: resolves with its exit code. */
  const wrapper = (id: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    runProgram(python(), ["-c", MIGRATE_UNDER_LOCK, python(), fakeMigration, id], {
      env: {
        ...process.env,
        MF_METADATA_DB_HOST: "127.0.0.1",
        MF_METADATA_DB_PORT: String(port),
        MF_METADATA_DB_NAME: "metaflow",
        MF_METADATA_DB_USER: "metaflow",
        MF_METADATA_DB_PSWD: "migration-lock-test",
        // This test server has no certificate; the service uses "require" or "verify-full".
        MF_METADATA_DB_SSL_MODE: "disable",
        RECORD: record,
        ...extraEnv,
      },
    });
  const intervals = () => {
    const lines = fs.existsSync(record) ? fs.readFileSync(record, "utf8").trim().split("\n").filter(Boolean) : [];
    const byId: Record<string, { start?: number; end?: number }> = {};
    for (const line of lines) {
      const [event, id, time] = line.split(" ");
      (byId[id] ??= {})[event as "start" | "end"] = Number(time);
    }
    return byId;
  };

  beforeAll(async () => {
    fs.mkdirSync(data);
    fs.mkdirSync(sockets);
    fs.writeFileSync(path.join(work, "pw"), "postgres-superuser\n");
    if (asRoot) spawnSync("chown", ["-R", "postgres", work]);
    const [initCmd, initArgs] = asPostgres(path.join(pgBin!, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${path.join(work, "pw")}`]);
    const init = spawnSync(initCmd, [...initArgs], { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    port = await freePort();
    const [cmd, args] = asPostgres(path.join(pgBin!, "postgres"), ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", sockets]);
    server = spawn(cmd, [...args], { stdio: "ignore" });
    const psql = (sql: string) => spawnSync(path.join(pgBin!, "psql"), ["-h", sockets, "-p", String(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
    const deadline = Date.now() + 30_000;
    while (psql("SELECT 1").status !== 0) {
      if (Date.now() > deadline) throw new Error("PostgreSQL did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const sql of ["CREATE ROLE metaflow LOGIN PASSWORD 'migration-lock-test'", "CREATE DATABASE metaflow OWNER metaflow"]) {
      const done = psql(sql);
      if (done.status !== 0) throw new Error(`${sql}: ${done.stderr}`);
    }
    // The stand-in migration: records its start and end, takes a while, exits with $EXIT (default 0).
    fs.writeFileSync(
      fakeMigration,
      [
        "import os, sys, time",
        "log = lambda e: open(os.environ['RECORD'], 'a').write('%s %s %.3f\\n' % (e, sys.argv[1], time.time()))",
        "log('start')",
        "time.sleep(float(os.environ.get('SLEEP', '1.5')))",
        "log('end')",
        "sys.exit(int(os.environ.get('EXIT', '0')))",
      ].join("\n"),
    );
  }, 120_000);

  afterAll(() => {
    if (server?.pid) {
      server.kill("SIGTERM");
      spawnSync("sleep", ["1"]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => fs.rmSync(record, { force: true }));

  test("three tasks starting at once migrate one after another, never two at the same time", async () => {
    const results = await Promise.all(["a", "b", "c"].map((id) => wrapper(id)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const runs = Object.values(intervals()).sort((x, y) => x.start! - y.start!);
    expect(runs).toHaveLength(3);
    for (let i = 1; i < runs.length; i++) expect(runs[i].start!).toBeGreaterThanOrEqual(runs[i - 1].end!);
    expect(results.every((r) => /holding the migration lock: migrating/.test(r.stderr))).toBe(true);
  }, 60_000);

  test("a failed migration fails the wrapper with its exit status, and releases the lock", async () => {
    const failed = await wrapper("bad", { EXIT: "3", SLEEP: "0.2" });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("migrations FAILED (exit 3)");
    const next = await wrapper("next", { SLEEP: "0.2" });
    expect(next.code).toBe(0);
  }, 60_000);

  test("a task killed while it migrates loses its session, so the lock goes with it", async () => {
    const env = { MF_METADATA_DB_HOST: "127.0.0.1", MF_METADATA_DB_PORT: String(port), MF_METADATA_DB_NAME: "metaflow", MF_METADATA_DB_USER: "metaflow", MF_METADATA_DB_PSWD: "migration-lock-test", MF_METADATA_DB_SSL_MODE: "disable", RECORD: record, SLEEP: "30" };
    const holder = spawn(python(), ["-c", MIGRATE_UNDER_LOCK, python(), fakeMigration, "holder"], { env: { ...process.env, ...env }, stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    while (!intervals().holder?.start) {
      if (Date.now() > deadline) throw new Error("the holder never started migrating");
      await new Promise((r) => setTimeout(r, 100));
    }
    holder.kill("SIGKILL");
    const started = Date.now();
    const next = await wrapper("after", { SLEEP: "0.2" });
    expect(next.code).toBe(0);
    // It waited for the dead session to go, not for the 30 s migration.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);

  test("the wrapper tested here is the one the task definition runs before the API", () => {
    const task = synth().resource("aws_ecs_task_definition");
    const containers = policyDoc(task.container_definitions) as unknown as any[];
    const migrate = containers.find((c) => c.name === "migrate");
    expect(migrate.command).toEqual(["/opt/latest/bin/python3", "-c", MIGRATE_UNDER_LOCK, "/opt/latest/bin/python3", "/root/run_goose.py"]);
  });
});
