/**
 * The PostgreSQL the bench runs against: the server's embedded PostgreSQL in a throw-away folder of the
 * system temp dir (port 0, ephemeral), or the server named by DATABASE_URL, where dedicated bench databases
 * are created and dropped.
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
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

export async function startCluster(log: (m: string) => void = () => {}): Promise<BenchCluster> {
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
    const handle = await startEmbeddedPostgres({ dataDir, port: 0, ephemeral: true, log });
    serverUrl = handle.url;
    pgDir = join(dataDir, 'pg');
    stopServer = async () => {
      await handle.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const version = await admin(serverUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
  const created = new Set<string>();
  const drop = async (name: string) => {
    await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
    created.delete(name);
  };
  return {
    serverUrl,
    embedded: !external,
    description: `PostgreSQL ${String(version).split(' ')[0]} (${external ? 'DATABASE_URL' : 'embedded, fsync off'})`,
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
