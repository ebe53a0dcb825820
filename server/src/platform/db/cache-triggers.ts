import { type Kysely, sql } from 'kysely';

/**
 * For the migrations of new caches (platform/cache.ts): on `table`, the statement-level triggers that announce the
 * keys a change touches, `<topic>:<value of the expression>` on `preau_cache`, once per distinct value per statement
 * (function `preau_cache_statement`, migration 0040), and `<topic>:*` on TRUNCATE.
 *
 * `keys` pairs a topic with an SQL expression over the table's columns, e.g. `[['lb', 'audience_id']]`; a NULL value
 * announces `<topic>:*`. `name` makes the trigger names unique (`<table>_<name>_<event>`).
 * Earlier migrations (0040, 0301, 0502–0503) wrote these loops themselves; they are frozen as they are.
 */
export async function createCacheTriggers(
  db: Kysely<unknown>,
  table: string,
  name: string,
  keys: readonly (readonly [topic: string, expression: string])[],
  opts: { skipInsert?: boolean } = {},
): Promise<void> {
  const list = sql.join(keys.flat().map((a) => sql.lit(a)));
  for (const [event, referencing] of [
    ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
    ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
    ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
  ] as const) {
    if (event === 'INSERT' && opts.skipInsert) continue;
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_${name}_${event.toLowerCase()}`)} AFTER ${sql.raw(event)}
        ON ${sql.table(table)} ${referencing} FOR EACH STATEMENT
        EXECUTE FUNCTION preau_cache_statement(${list})`.execute(db);
  }
  await sql`
    CREATE TRIGGER ${sql.id(`${table}_${name}_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate(${list})`.execute(db);
}
