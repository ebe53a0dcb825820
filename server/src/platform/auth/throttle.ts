import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';

/**
 * Login throttling, stored in PostgreSQL so that every server instance shares it.
 *
 * - Per login: after FREE_FAILURES failures, each further failure blocks the login for a growing delay
 *   (2 s, 4 s, 8 s… capped at MAX_BLOCK_S = 15 minutes): guessing is slowed to a crawl, and the real owner
 *   is never locked out for more than minutes. The count starts over only after a quiet WINDOW: 15 minutes
 *   after the first failure if the key was never blocked, else 15 minutes after its last block ended (not
 *   15 minutes after the first failure, which the growing delays themselves would reach, handing an
 *   attacker FREE_FAILURES new free guesses every quarter of an hour).
 * - Per address: counts *failures only* (a school behind one NAT address logs in successfully by the
 *   hundreds at 8 a.m.), with a high threshold. While a login is blocked its attempts are refused before
 *   any password check and do not count against the address, so an attack on one account never blocks the
 *   other users of that address.
 */
export const FREE_FAILURES = 5;
export const MAX_BLOCK_S = 15 * 60;
export const ADDRESS_FREE_FAILURES = 300;
/** An address is never blocked for more than a minute: a whole school may share it. */
export const ADDRESS_MAX_BLOCK_S = 60;
const WINDOW = '15 minutes';

export const loginKey = (login: string) => `login:${login.toLowerCase()}`;
export const addressKey = (address: string) => `addr:${address}`;

/** Seconds until the keys may try again (0 = free), and which keys have failures on record. */
export async function throttleState(db: Db, keys: string[]): Promise<{ wait: number; recorded: Set<string> }> {
  const rows = await db
    .selectFrom('login_throttle')
    .select([
      'key',
      sql<number>`GREATEST(0, CEIL(EXTRACT(EPOCH FROM (COALESCE(blocked_until, now()) - now()))))::int`.as('wait'),
    ])
    .where('key', 'in', keys)
    .execute();
  return { wait: rows.reduce((max, r) => Math.max(max, r.wait), 0), recorded: new Set(rows.map((r) => r.key)) };
}

/** Seconds until each key may try again (0 = free). */
export async function blockedFor(db: Db, keys: string[]): Promise<number> {
  return (await throttleState(db, keys)).wait;
}

/** Count a failure for a key; returns the delay now imposed (seconds). */
export async function recordFailure(
  db: Db,
  key: string,
  freeFailures: number,
  maxBlockS = MAX_BLOCK_S,
): Promise<number> {
  const res = await sql<{ wait: number }>`
    INSERT INTO login_throttle AS t (key, failures, window_started_at)
    VALUES (${key}, 1, now())
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN COALESCE(t.blocked_until, t.window_started_at) < now() - ${WINDOW}::interval
                      THEN 1 ELSE t.failures + 1 END,
      window_started_at = CASE WHEN COALESCE(t.blocked_until, t.window_started_at) < now() - ${WINDOW}::interval
                      THEN now() ELSE t.window_started_at END,
      blocked_until = CASE WHEN COALESCE(t.blocked_until, t.window_started_at) < now() - ${WINDOW}::interval
                      THEN NULL ELSE t.blocked_until END
    RETURNING failures AS wait`.execute(db);
  const failures = res.rows[0]?.wait ?? 1;
  if (failures <= freeFailures) return 0;
  const delay = Math.min(maxBlockS, 2 ** Math.min(failures - freeFailures, 20));
  await db
    .updateTable('login_throttle')
    .set({ blocked_until: sql<Date>`now() + make_interval(secs => ${delay})` })
    .where('key', '=', key)
    .execute();
  return delay;
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
