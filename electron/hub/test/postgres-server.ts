import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

/** A PostgreSQL cluster started by `startPostgresServer`, listening on 127.0.0.1 only. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The cluster's superuser, made by initdb. */
  readonly user: string;
  /** Generated at initdb and kept in the data folder (`lintel-password`); scram-sha-256 over TCP. */
  readonly password: string;
  /** The database the caller asked for, created on first start. */
  readonly database: string;
  /** `postgresql://user:password@127.0.0.1:port/database`. */
  readonly connectionString: string;
  readonly dataDir: string;
  /** Server log (stderr of `postgres`). */
  readonly logPath: string;
  /** Fast shutdown (rolls back open transactions, flushes WAL); removes the data folder unless `keep`. */
  stop(): Promise<void>;
}

/** Options of `startPostgresServer`; every one has a default. */
export interface PostgresServerOptions {
  /** Data folder; default a new temp folder, removed on stop. A given folder is kept and reused on the next start. */
  readonly dataDir?: string;
  /** TCP port on 127.0.0.1; default a free one. */
  readonly port?: number;
  /** Database created on first start; default 'lintel'. */
  readonly database?: string;
  /** PostgreSQL's bin folder; default $LINTEL_PG_BIN, `pg_config --bindir`, or the newest /usr/lib/postgresql/<n>/bin. */
  readonly binDir?: string;
  /**
   * When false, `fsync = off` and `synchronous_commit = off`: several times faster for throwaway test data, but a
   * crash may lose commits. Default true (what a site runs).
   */
  readonly durable?: boolean;
  /** Time allowed for the server to accept connections, ms; default 30 000. */
  readonly startTimeoutMs?: number;
}

const PASSWORD_FILE = 'lintel-password';
const SUPERUSER = 'lintel';

/**
 * Starts a PostgreSQL cluster (initdb on first use) for tests, benches and development: 127.0.0.1 only, its
 * socket inside the data folder, password auth. PostgreSQL refuses to run as root, so under root the cluster runs
 * as the `postgres` system user (or $LINTEL_PG_USER; `nobody` when neither exists) and the data folder is
 * handed to that user.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? findBinDir();
  const runAs = serverUser();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lintel-pg-'));
  const database = options.database ?? 'lintel';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new RangeError(`database name "${database}" must be lower-case letters, digits and _`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
  chmodSync(dataDir, 0o700);
  if (runAs && spawnSync('test', ['-w', dataDir], { uid: runAs.uid, gid: runAs.gid }).status !== 0) {
    throw new Error(
      `PostgreSQL runs as uid ${runAs.uid} here (it refuses root) and cannot reach ${dataDir}: every folder above it must be searchable by that user (chmod o+x), or choose a data folder elsewhere`,
    );
  }

  const passwordPath = join(dataDir, PASSWORD_FILE);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (readdirSync(dataDir).length > 0) throw new Error(`cannot create a PostgreSQL cluster in ${dataDir}: the folder is not empty`);
    const password = randomBytes(18).toString('base64url');
    // initdb reads the password from a file, never from the command line (visible in ps); the file sits in a
    // folder of its own that the server's user can read, since initdb wants the data folder empty.
    const pwDir = mkdtempSync(join(tmpdir(), 'lintel-pgpw-'));
    const pwfile = join(pwDir, 'password');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      chownSync(pwDir, runAs.uid, runAs.gid);
      chownSync(pwfile, runAs.uid, runAs.gid);
    }
    try {
      run(join(binDir, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], runAs);
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
    writeFileSync(passwordPath, password, { mode: 0o600 });
    if (runAs) chownSync(passwordPath, runAs.uid, runAs.gid);
  }
  const password = readFileSync(passwordPath, 'utf8').trim();

  const port = options.port ?? (await freePort());
  const logPath = join(dataDir, 'lintel-postgres.log');
  const logFd = openSync(logPath, 'a', 0o600);
  if (runAs) chownSync(logPath, runAs.uid, runAs.gid);
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${dataDir}`, '-c', 'max_connections=50'];
  if (options.durable === false) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawn(join(binDir, 'postgres'), ['-D', dataDir, ...settings], {
    stdio: ['ignore', logFd, logFd],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    env: { ...process.env, LC_ALL: 'C.UTF-8', ...(runAs ? { HOME: dataDir } : {}) },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const host = '127.0.0.1';
  const base = { host, port, user: SUPERUSER, password };
  try {
    await waitUntilReady(base, child, logPath, options.startTimeoutMs ?? 30_000);
    await ensureDatabase(base, database);
  } catch (error) {
    await stopChild(child, exited);
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    ...base,
    database,
    connectionString: `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${host}:${port}/${database}`,
    dataDir,
    logPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, exited);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The folder of initdb and postgres. */
function findBinDir(): string {
  const fromEnv = process.env.LINTEL_PG_BIN;
  if (fromEnv) return fromEnv;
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && existsSync(join(pgConfig.stdout.trim(), 'initdb'))) return pgConfig.stdout.trim();
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL is not installed: no initdb under /usr/lib/postgresql/<n>/bin or pg_config; install it (apt-get install postgresql) or set LINTEL_PG_BIN');
}

/** The user the server runs as when this process is root (PostgreSQL refuses root); undefined otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of [process.env.LINTEL_PG_USER, 'postgres', 'nobody']) {
    if (!name) continue;
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error(`running as root (${userInfo().username}) and no postgres or nobody user to run PostgreSQL as: set LINTEL_PG_USER`);
}

function run(command: string, args: string[], runAs: { uid: number; gid: number } | undefined): void {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (result.status !== 0) {
    throw new Error(`${command} failed (exit ${String(result.status)}): ${(result.stderr || result.stdout || String(result.error)).trim()}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(config: pg.ClientConfig, child: ChildProcess, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} while starting: ${tail(logPath)}`);
    const client = new pg.Client({ ...config, database: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new Error(`postgres did not accept connections within ${timeoutMs} ms (${(error as Error).message}): ${tail(logPath)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function ensureDatabase(config: pg.ClientConfig, database: string): Promise<void> {
  const client = new pg.Client({ ...config, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    // The name was checked against [a-z0-9_] above, so quoting it is enough.
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM is PostgreSQL's smart shutdown: sessions just closed by their clients end on their own (fast
  // shutdown would send them a termination error their client may still be reading). SIGINT (fast) when sessions
  // linger, SIGKILL only when it hangs.
  child.kill('SIGTERM');
  const fast = setTimeout(() => child.kill('SIGINT'), 3000);
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(fast);
  clearTimeout(kill);
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no server log)';
  }
}
