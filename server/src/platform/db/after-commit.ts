import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Hook = (db: Kysely<Database>) => Promise<void>;
const queues = new WeakMap<object, Hook[]>();

/**
 * A transaction whose `afterCommit` hooks run once it has committed (not if it rolled back), on the database
 * handle it came from, before this returns. What it is for: PostgreSQL serialises the commits of every transaction
 * that sent a NOTIFY on one cluster-wide lock held through the commit's WAL flush, so a NOTIFY inside a busy write
 * (a roll call, a message) caps the whole cluster at one such commit per fsync. A notification that is only a hint
 * to listeners (the timeline's live counters) goes out right after the commit instead, in a statement with no
 * write to flush. A crash between the two loses the hint, never data.
 */
export async function transactionWithHooks<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
  onHookError: (e: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hook[] = [];
  const result = await db.transaction().execute((trx) => {
    queues.set(trx, hooks);
    return work(trx);
  });
  // The change is committed: a hook that fails (the database gone in between) must not turn it into an error
  // the caller would retry — a message sent twice. Hooks are hints; the failure is logged.
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
