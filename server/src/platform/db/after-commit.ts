import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

type Hook = (db: Kysely<Database>) => Promise<void>;
const queues = new WeakMap<object, Hook[]>();

/**
 * A transaction whose `afterCommit` hooks run once it has committed (not if it rolled back), on the database
 * handle it came from, before this returns. What it is for: PostgreSQL serialises the commits of every transaction
 * that sent a NOTIFY on one cluster-wide lock held through the commit's WAL flush, so a NOTIFY inside a busy write
 * (a roll call, a message) caps the whole cluster at one such commit per fsync. What the transaction announces goes
 * out right after the commit instead, in a statement with no write to flush: the cache triggers' announcements
 * (kept by `preau_cache_announce` while `preau.cache_defer` is on, migration 0999) first, then the hooks (the
 * timeline's live counters). A crash between the two loses the announcements, never data: other instances' entries
 * then live until their ttl. This instance's next request still reads its own writes: the announcements are sent
 * before this returns, so before the request's cache barrier.
 */
export async function transactionWithHooks<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
  onHookError: (e: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hook[] = [];
  let kept = '';
  const result = await db.transaction().execute(async (trx) => {
    queues.set(trx, hooks);
    await sql`SELECT set_config('preau.cache_defer', 'on', true)`.execute(trx);
    const out = await work(trx);
    kept =
      (await sql<{ kept: string | null }>`SELECT current_setting('preau.cache_deferred', true) AS kept`.execute(trx))
        .rows[0]?.kept ?? '';
    return out;
  });
  // The change is committed: a hook that fails (the database gone in between) must not turn it into an error
  // the caller would retry — a message sent twice. Hooks are hints; the failure is logged.
  const announcements = [...new Set(kept.split('\n').filter(Boolean))];
  if (announcements.length) {
    try {
      await sql`SELECT pg_notify('preau_cache', p) FROM unnest(${announcements}::text[]) AS p`.execute(db);
    } catch (e) {
      onHookError(e);
    }
  }
  for (const hook of hooks) {
    try {
      await hook(db);
    } catch (e) {
      onHookError(e);
    }
  }
  return result;
}

/**
 * Run `hook` once the transaction `db` belongs to has committed, if it is one opened by `transactionWithHooks`;
 * returns false otherwise (a plain handle, another kind of transaction, a savepoint): the caller then does the work
 * at once.
 */
export function afterCommit(db: object, hook: Hook): boolean {
  const q = queues.get(db);
  if (!q) return false;
  q.push(hook);
  return true;
}
