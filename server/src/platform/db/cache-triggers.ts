import { type Kysely, sql } from 'kysely';

/**
 * For the migrations of new caches (platform/cache.ts): on `table`, the statement-level triggers that announce the
 * keys a change touches, `<topic>:<value of the expression>` on `preau_cache`, once per distinct value per statement
 * (function `preau_cache_statement`, migration 0040), and `<topic>:*` on TRUNCATE.
 *
 * `keys` pairs a topic with an SQL expression over the table's columns, e.g. `[['lb', 'audience_id']]`; a NULL value
 * announces `<topic>:*`. `name` makes the trigger names unique (`<table>_<name>_<event>`). `events` creates only some of
 * the triggers (all four by default): an expression may then name its transition table (`new_rows` on INSERT and
 * UPDATE, `old_rows` on DELETE), e.g. to announce one coarser key for a statement of many rows.
 * Earlier migrations (0040, 0301, 0502–0503) wrote these loops themselves; they are frozen as they are.
 * A trigger function written by hand announces with `preau_cache_announce(payload)`, never `pg_notify` itself: inside
 * the application's transactions the announcement then leaves after the commit (migration 0999).
 */
export async function createCacheTriggers(
  db: Kysely<unknown>,
  table: string,
  name: string,
  keys: readonly (readonly [topic: string, expression: string])[],
  opts: { skipInsert?: boolean; events?: readonly ('INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE')[] } = {},
): Promise<void> {
  const wanted = new Set(opts.events ?? ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
  const list = sql.join(keys.flat().map((a) => sql.lit(a)));
  for (const [event, referencing] of [
    ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
    ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
    ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
  ] as const) {
    if ((event === 'INSERT' && opts.skipInsert) || !wanted.has(event)) continue;
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_${name}_${event.toLowerCase()}`)} AFTER ${sql.raw(event)}
        ON ${sql.table(table)} ${referencing} FOR EACH STATEMENT
        EXECUTE FUNCTION preau_cache_statement(${list})`.execute(db);
  }
  if (!wanted.has('TRUNCATE')) return;
  await sql`
    CREATE TRIGGER ${sql.id(`${table}_${name}_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate(${list})`.execute(db);
}
