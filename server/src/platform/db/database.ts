import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay ISO strings (`YYYY-MM-DD`): a birth date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// bigint ids and counts fit in JS numbers here; keep them as strings only where they may not.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const urls = new WeakMap<Kysely<Database>, string>();

/**
 * Named prepared statements: PostgreSQL parses and plans a statement once per connection instead of on every
 * execution. Planning is most of a short query's cost: measured on the demo database, the session's user lookup
 * (memberships in JSON) took 320–370 µs of backend CPU unprepared, 45–55 µs prepared; a primary-key select 53 µs
 * against 17–20 µs. Only data statements with at most 32 parameters are named (a bulk insert or a long IN list
 * stays unnamed), at most 150 per connection, so the plans a connection keeps stay bounded.
 *
 * Behind PgBouncer in transaction mode, named statements need PgBouncer ≥ 1.21 with `max_prepared_statements`;
 * otherwise set `DATABASE_PREPARE=0` (docs/OPERATIONS.md).
 */
const MAX_PREPARED_PER_CONNECTION = 150;
const MAX_PREPARED_PARAMETERS = 32;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const names = new Map<string, string>();
/** Statements whose prepared plan went stale (a column added under `SELECT *`): sent unnamed from then on. */
const unpreparable = new Set<string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    if (names.size > 10_000) names.clear();
    name = `preau_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const prepared = new Set<string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (
      args.length > 2 ||
      typeof text !== 'string' ||
      !Array.isArray(values) ||
      values.length > MAX_PREPARED_PARAMETERS ||
      !PREPARABLE.test(text) ||
      unpreparable.has(text)
    ) {
      return query(...args);
    }
    const name = statementName(text);
    if (!prepared.has(name)) {
      if (prepared.size >= MAX_PREPARED_PER_CONNECTION) return query(...args);
      prepared.add(name);
    }
    return query({ name, text, values }).catch((e: unknown) => {
      // After a migration changed a table under a running instance, a plan of `SELECT *` no longer matches.
      if (e instanceof Error && /cached plan must not change result type/.test(e.message)) {
        unpreparable.add(text);
        return query(text, values);
      }
      throw e;
    });
  };
}

/**
 * `column = ANY($1)`: a list of ids as one array parameter. An `IN ($1, $2, …)` list is a different statement for
 * each length, and past 32 parameters it is not prepared at all (above): PostgreSQL then plans it on every
 * execution (1.5–2 ms for a class's logbook week, docs/PERFORMANCE.md). Use it for lists whose length varies.
 */
export const anyOf = (ids: Iterable<string>) => sql<string>`ANY(${[...ids]})`;

export function createDatabase(
  connectionString: string,
  max = 10,
  { prepare = true }: { prepare?: boolean } = {},
): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'preau' });
  pool.on('error', () => {
    // A dropped idle client (database restart) must not crash the process; the next query reconnects.
  });
  if (prepare) pool.on('connect', prepareStatements);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  urls.set(db, connectionString);
  return db;
}

/** The connection string a database handle was created with (a worker thread opens its own pool with it). */
export function connectionStringOf(db: Kysely<Database>): string | null {
  return urls.get(db) ?? null;
}
