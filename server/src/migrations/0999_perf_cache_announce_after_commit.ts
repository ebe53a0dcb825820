import { type Kysely, sql } from 'kysely';

/**
 * PostgreSQL serialises the commits of every transaction that sent a NOTIFY, on one cluster-wide lock held through
 * the commit's WAL flush: with the cache triggers notifying inside the busy writes of the morning (a roll call tells
 * `sl:<student>` and `tl:<guardian>`), those commits queued one fsync at a time — the bench's roll calls spent 85 %
 * of their samples waiting on that lock (`Lock/object`). Every cache trigger function now announces through
 * `preau_cache_announce`: inside a transaction of the application that asked for it (`transactionWithHooks` sets
 * `preau.cache_defer`), the announcement is kept in the transaction-local setting `preau.cache_deferred` and the
 * application sends it right after the commit, in a statement that writes nothing (platform/db/after-commit.ts);
 * any other writer (an import, a job, an operator's psql) notifies inside its transaction as before. A rolled-back
 * transaction or savepoint drops what it kept with the rest of its work. A crash between the commit and the
 * announcement leaves other instances' entries stale until their ttl (every cache has one).
 *
 * Numbered last on purpose: it rewrites every trigger function that notifies `preau_cache` (migrations 0040, 0301,
 * 0302, 0351, 0502 and `preau_cache_statement`, which `createCacheTriggers` uses), so it must run after them on a new
 * database. A function written later calls `preau_cache_announce` itself (platform/db/cache-triggers.ts).
 */
const NOTIFY = "pg_notify('preau_cache',";
const ANNOUNCE = 'preau_cache_announce(';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION preau_cache_announce(payload text) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      kept text := coalesce(current_setting('preau.cache_deferred', true), '');
    BEGIN
      -- Past 256 kB kept (a huge transaction), the rest goes at commit as before.
      IF current_setting('preau.cache_defer', true) = 'on' AND length(kept) < 262144 THEN
        PERFORM set_config('preau.cache_deferred', kept || payload || E'\n', true);
      ELSE
        PERFORM pg_notify('preau_cache', payload);
      END IF;
    END $$`.execute(db);
  await rewrite(db, NOTIFY, ANNOUNCE);
}

/** Every trigger function of this schema that notifies `preau_cache`, with `from` replaced by `to` in its body. */
async function rewrite(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  await sql`
    DO $$
    DECLARE f record;
    BEGIN
      FOR f IN
        SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype
          AND strpos(p.prosrc, ${sql.lit(from)}) > 0
      LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
          f.proname, replace(f.prosrc, ${sql.lit(from)}, ${sql.lit(to)}));
      END LOOP;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rewrite(db, ANNOUNCE, NOTIFY);
  await sql`DROP FUNCTION preau_cache_announce(text)`.execute(db);
}
