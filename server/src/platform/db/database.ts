import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay ISO strings (`YYYY-MM-DD`): a birth date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// bigint ids and counts fit in JS numbers here; keep them as strings only where they may not.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const urls = new WeakMap<Kysely<Database>, string>();

export function createDatabase(connectionString: string, max = 10): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'preau' });
  pool.on('error', () => {
    // A dropped idle client (database restart) must not crash the process; the next query reconnects.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  urls.set(db, connectionString);
  return db;
}

/** The connection string a database handle was created with (a worker thread opens its own pool with it). */
export function connectionStringOf(db: Kysely<Database>): string | null {
  return urls.get(db) ?? null;
}
