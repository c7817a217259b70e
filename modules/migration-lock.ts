/**
 * Migrations one at a time. Every metadata-service task migrates the schema before it serves (the one-shot
 * `migrate` container runs run_goose.py, that is `goose up`), but goose v3.9.0 takes no lock and some
 * migrations are not idempotent (`ADD COLUMN run_id` without IF NOT EXISTS), so two tasks starting together
 * on an empty or older schema race and one fails. This wrapper runs run_goose.py holding a PostgreSQL
 * session advisory lock: the first task applies what is pending, each later one waits, then finds nothing
 * left to do. A crashed holder's session ends and releases the lock. The wrapper exits with run_goose's
 * status, so a failed migration fails the task before its API starts, and the deployment's circuit breaker
 * rolls back while the old tasks go on serving.
 *
 * Python 3 with psycopg2, as the metadata-service image has (/opt/latest, the virtualenv run_goose.py runs in).
 * Run as `python3 -c MIGRATE_UNDER_LOCK <command...>`; the connection comes from the MF_METADATA_DB_*
 * variables the service reads.
 */

/** The advisory lock's key: the same for every task of every release (the bytes of `mfmigrat` as a 64-bit number). */
export const MIGRATION_LOCK_KEY = 7883108497233174900n;

/** How long a task waits to reach the database before it fails (a new database takes a moment). */
export const CONNECT_WAIT_SECONDS = 120;

export const MIGRATE_UNDER_LOCK = [
  "import os, subprocess, sys, time",
  "import psycopg2",
  "env = os.environ",
  "args = dict(host=env['MF_METADATA_DB_HOST'], port=env['MF_METADATA_DB_PORT'], dbname=env['MF_METADATA_DB_NAME'],",
  "            user=env['MF_METADATA_DB_USER'], password=env['MF_METADATA_DB_PSWD'], sslmode=env.get('MF_METADATA_DB_SSL_MODE', 'require'),",
  "            connect_timeout=10, application_name='metaflow-migrate')",
  "if env.get('MF_METADATA_DB_SSL_ROOT_CERT'): args['sslrootcert'] = env['MF_METADATA_DB_SSL_ROOT_CERT']",
  `deadline = time.time() + ${CONNECT_WAIT_SECONDS}`,
  "while True:",
  "    try:",
  "        conn = psycopg2.connect(**args)",
  "        break",
  "    except psycopg2.OperationalError as e:",
  "        if time.time() > deadline: raise",
  "        print('waiting for the database: %s' % str(e).strip(), file=sys.stderr, flush=True)",
  "        time.sleep(2)",
  "conn.autocommit = True",
  "cur = conn.cursor()",
  "print('waiting for the migration lock', file=sys.stderr, flush=True)",
  `cur.execute('SELECT pg_advisory_lock(%s)', (${MIGRATION_LOCK_KEY},))`,
  "print('holding the migration lock: migrating', file=sys.stderr, flush=True)",
  "status = subprocess.call(sys.argv[1:])",
  `cur.execute('SELECT pg_advisory_unlock(%s)', (${MIGRATION_LOCK_KEY},))`,
  "conn.close()",
  "print('migrations done' if status == 0 else 'migrations FAILED (exit %d)' % status, file=sys.stderr, flush=True)",
  "sys.exit(status)",
].join("\n");

/** The migrate container's command: `python -c <wrapper> <the migration command>`. */
export function migrateCommand(python: string, migration: readonly string[]): string[] {
  return [python, "-c", MIGRATE_UNDER_LOCK, ...migration];
}
