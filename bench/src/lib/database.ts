/**
 * The PostgreSQL the bench runs against: the server's embedded PostgreSQL in a throw-away folder of the
 * system temp dir (port 0, thrown away at the end, but with fsync on as in production), or the server named by
 * DATABASE_URL, where dedicated bench databases are created and dropped. With `statements`, the embedded one
 * loads pg_stat_statements (the bench's --pg-statements).
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../../../server/src/platform/db/database.ts';
import { databaseUrl, startEmbeddedPostgres } from '../../../server/src/platform/db/embedded.ts';
import { migrateToLatest } from '../../../server/src/platform/db/migrate.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';

export interface BenchCluster {
  /** Connection URL of the server's maintenance database. */
  serverUrl: string;
  embedded: boolean;
  /** `PostgreSQL 18.1 (embedded)`… */
  description: string;
  /** Create (dropping any leftover of the same name) and return its URL. */
  create(name: string): Promise<string>;
  drop(name: string): Promise<void>;
  stop(): Promise<void>;
  /** The postmaster's pid (embedded only): CPU time of PostgreSQL per request. */
  postmasterPid(): number | null;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Bad database name: ${name}`);
  return `"${name}"`;
};

export async function startCluster(
  log: (m: string) => void = () => {},
  { statements = false }: { statements?: boolean } = {},
): Promise<BenchCluster> {
  const external = process.env.DATABASE_URL;
  let serverUrl: string;
  let stopServer: () => Promise<void>;
  let pgDir: string | null = null;
  if (external) {
    serverUrl = external;
    stopServer = async () => {};
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'preau-bench-'));
    await chmod(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, who must reach the folder
    log(`Starting an embedded PostgreSQL in ${dataDir}…`);
    // Thrown away at the end, but durable while it runs: commits are flushed to disk as in production.
    const handle = await startEmbeddedPostgres({
      dataDir,
      port: 0,
      ephemeral: true,
      durable: true,
      settings: statements ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {},
      log,
    });
    serverUrl = handle.url;
    pgDir = join(dataDir, 'pg');
    stopServer = async () => {
      await handle.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const version = await admin(serverUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
  const fsync = await admin(serverUrl, async (c) => (await c.query('SHOW fsync')).rows[0].fsync as string);
  const created = new Set<string>();
  const drop = async (name: string) => {
    await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
    created.delete(name);
  };
  return {
    serverUrl,
    embedded: !external,
    description: `PostgreSQL ${String(version).split(' ')[0]} (${external ? `DATABASE_URL, fsync ${fsync}` : `embedded, fsync ${fsync}`})`,
    async create(name) {
      await drop(name);
      await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${ident(name)}`));
      created.add(name);
      return databaseUrl(serverUrl, name);
    },
    drop,
    postmasterPid() {
      if (!pgDir) return null;
      try {
        return Number.parseInt(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8'), 10) || null;
      } catch {
        return null;
      }
    },
    async stop() {
      for (const name of [...created]) await drop(name).catch(() => {});
      await stopServer();
    },
  };
}

/** A new, migrated database on the cluster, with a Kysely handle. */
export async function migratedDatabase(
  cluster: BenchCluster,
  name: string,
  poolSize = 10,
): Promise<{ url: string; db: Kysely<Database> }> {
  const url = await cluster.create(name);
  const db = createDatabase(url, poolSize);
  await migrateToLatest(db);
  return { url, db };
}

/** --pg-statements: start counting statements on this database (pg_stat_statements, preloaded by startCluster). */
export async function resetStatements(db: Kysely<Database>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(db);
  await sql`SELECT pg_stat_statements_reset()`.execute(db);
}

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** Share of all statements' execution time. */
  share: number;
}

/** The statements that took the most execution time since resetStatements, with their calls (`BENCH_TOP_STATEMENTS`: how many, 15). */
export async function topStatements(
  db: Kysely<Database>,
  limit = Number(process.env.BENCH_TOP_STATEMENTS ?? 15),
): Promise<StatementStat[]> {
  const res = await sql<{ query: string; calls: string; total: number; mean: number; share: number }>`
    SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls::text,
           round(total_exec_time::numeric, 1)::float8 AS total, round(mean_exec_time::numeric, 3)::float8 AS mean,
           round((100 * total_exec_time / NULLIF(sum(total_exec_time) OVER (), 0))::numeric, 1)::float8 AS share
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY total_exec_time DESC LIMIT ${limit}`.execute(db);
  return res.rows.map((r) => ({
    query: r.query,
    calls: Number(r.calls),
    totalMs: r.total,
    meanMs: r.mean,
    share: r.share,
  }));
}

/**
 * What this database's busy backends wait on, sampled every `everyMs` until `stop()`: `{ 'Lock/transactionid': 12,
 * 'LWLock/WALWrite': 3, 'CPU': 40, … }` counted over the samples (`CPU` when a backend runs without waiting).
 * A NOTIFYing commit waiting for another shows as `Lock/object`.
 */
export function sampleWaits(db: Kysely<Database>, everyMs = 100): { stop(): Promise<Record<string, number>> } {
  const counts: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await sql<{ wait: string; n: number }>`
        SELECT coalesce(wait_event_type || '/' || wait_event, 'CPU') AS wait, count(*)::int AS n
        FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
          AND pid <> pg_backend_pid()
        GROUP BY 1`.execute(db);
      for (const r of res.rows) counts[r.wait] = (counts[r.wait] ?? 0) + r.n;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
    },
  };
}
