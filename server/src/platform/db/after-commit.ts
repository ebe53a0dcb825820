import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

type Hook = (db: Kysely<Database>) => Promise<void>;
const queues = new WeakMap<object, Hook[]>();
/** Per transaction: `channel` → payloads to notify once it has committed (each once). */
const notices = new WeakMap<object, Map<string, Set<string>>>();

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
  const after = new Map<string, Set<string>>();
  const result = await db.transaction().execute(async (trx) => {
    queues.set(trx, hooks);
    notices.set(trx, after);
    await sql`SELECT set_config('preau.cache_defer', 'on', true)`.execute(trx);
    const out = await work(trx);
    const kept =
      (await sql<{ kept: string | null }>`SELECT current_setting('preau.cache_deferred', true) AS kept`.execute(trx))
        .rows[0]?.kept ?? '';
    const cache = new Set(kept.split('\n').filter(Boolean));
    if (cache.size) after.set('preau_cache', cache);
    return out;
  });
  // The change is committed: what it announces leaves now, every channel in one statement, the caches' first.
  // A failure (the database gone in between) must not turn the commit into an error the caller would retry — a
  // message sent twice: it is reported, and other instances' entries live until their ttl.
  const channels: string[] = [];
  const payloads: string[] = [];
  for (const channel of ['preau_cache', ...[...after.keys()].filter((c) => c !== 'preau_cache')])
    for (const p of after.get(channel) ?? []) {
      channels.push(channel);
      payloads.push(p);
    }
  if (payloads.length) {
    try {
      await sql`SELECT pg_notify(c, p) FROM unnest(${channels}::text[], ${payloads}::text[]) AS x(c, p)`.execute(db);
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
 * Notify `payload` on `channel` once the transaction `db` belongs to has committed, with the transaction's other
 * announcements in one statement, if it is one opened by `transactionWithHooks`; returns false otherwise (the caller
 * then notifies at once).
 */
export function notifyAfterCommit(db: object, channel: string, payload: string): boolean {
  const n = notices.get(db);
  if (!n) return false;
  const set = n.get(channel) ?? new Set<string>();
  set.add(payload);
  n.set(channel, set);
  return true;
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
