import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';

/**
 * Login throttling, stored in PostgreSQL so that every server instance shares it (docs/SECURITY.md).
 *
 * - Per address and login (`pair`): after FREE_FAILURES failures, each further failure blocks that login
 *   *from that address* for a growing delay (2 s, 4 s, 8 s… capped at MAX_BLOCK_S = 15 minutes). The count
 *   starts over only after a quiet WINDOW: 15 minutes after the first failure if the key was never blocked,
 *   else 15 minutes after its last block ended (not 15 minutes after the first failure, which the growing
 *   delays themselves would reach, handing an attacker FREE_FAILURES new free guesses every quarter of an hour).
 * - Per login, from anywhere (`login`, passwords only): the same allowance and delays bound guessing spread
 *   over many addresses. While it is blocked, an address from which the person has logged in before (a
 *   *known* address, within KNOWN_ADDRESS_DAYS) may still try: so an attacker elsewhere, guessing once every
 *   15 minutes, slows the attacker down without locking the person out of their usual places.
 * - Per address (`addr`): counts *failures only* (a school behind one NAT address logs in successfully by
 *   the hundreds at 8 a.m.), with a high threshold. While a key is blocked its attempts are refused before
 *   any password check and do not count anywhere, so an attack on one account never blocks the other users
 *   of that address.
 * - Activation codes (50 random bits) have no per-login key: online guessing of a code is hopeless at these
 *   rates, and nobody can keep a person from activating their account by guessing from elsewhere.
 */
export const FREE_FAILURES = 5;
export const MAX_BLOCK_S = 15 * 60;
export const ADDRESS_FREE_FAILURES = 300;
/** An address is never blocked for more than a minute: a whole school may share it. */
export const ADDRESS_MAX_BLOCK_S = 60;
/** A successful login from an address makes it a known address of that person for this long. */
export const KNOWN_ADDRESS_DAYS = 90;
const WINDOW = '15 minutes';

export const loginKey = (login: string) => `login:${login.toLowerCase()}`;
export const addressKey = (address: string) => `addr:${address}`;
export const pairKey = (address: string, login: string) => `pair:${address}|${login.toLowerCase()}`;
/** A (login, activation code) already counted once as a failure (see `firstTimeChecked`). */
export const checkedCodeKey = (login: string, code: string) =>
  `check:${createHash('sha256')
    .update(`${login.toLowerCase()}:${code.toUpperCase().replace(/[^0-9A-Z]/g, '')}`)
    .digest('hex')}`;

/**
 * The same as `throttleWaits`, as a JSON object `{key: seconds}` to read within another statement (the login reads
 * it with the account, in one round trip).
 */
export const throttleWaitsJson = (keys: string[]) =>
  sql<Record<string, number>>`(SELECT COALESCE(json_object_agg(t.key,
      GREATEST(0, CEIL(EXTRACT(EPOCH FROM (COALESCE(t.blocked_until, now()) - now()))))::int), '{}'::json)
    FROM login_throttle t WHERE t.key = ANY(${keys}))`;

/** Seconds until each key may try again (0 = free, or no row), in one query. */
export async function throttleWaits(db: Db, keys: string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('login_throttle')
    .select([
      'key',
      sql<number>`GREATEST(0, CEIL(EXTRACT(EPOCH FROM (COALESCE(blocked_until, now()) - now()))))::int`.as('wait'),
    ])
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.key, r.wait]));
}

/** Seconds until the keys may try again (0 = free), and which keys have failures on record. */
export async function throttleState(db: Db, keys: string[]): Promise<{ wait: number; recorded: Set<string> }> {
  const waits = await throttleWaits(db, keys);
  return { wait: Math.max(0, ...waits.values()), recorded: new Set(waits.keys()) };
}

/**
 * Has the person logged in (or activated their account) from this address within KNOWN_ADDRESS_DAYS?
 * Read from the audit trail (indexed by target), only when their login is blocked from everywhere.
 */
export async function isKnownAddress(db: Db, userId: string | null, address: string): Promise<boolean> {
  const res = await sql<{ known: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM audit_event
      WHERE target_type = 'user' AND target_id = ${userId ?? '00000000-0000-0000-0000-000000000000'}
        AND action IN ('auth.login.success', 'auth.activate') AND address = ${address}
        AND at > now() - make_interval(days => ${KNOWN_ADDRESS_DAYS})
    ) AS known`.execute(db);
  return res.rows[0]?.known ?? false;
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

/**
 * True the first time a (login, code) marker is seen: a code re-sent with every keystroke of the live
 * password feedback counts as one failure, not one per keystroke. A different code counts again.
 */
export async function firstTimeChecked(db: Db, key: string): Promise<boolean> {
  const res = await sql<{ key: string }>`
    INSERT INTO login_throttle (key, failures, window_started_at) VALUES (${key}, 1, now())
    ON CONFLICT (key) DO NOTHING
    RETURNING key`.execute(db);
  return res.rows.length > 0;
}

export async function clearFailures(db: Db, ...keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('login_throttle').where('key', 'in', keys).execute();
}

/** Rows whose window and block ended a day ago say nothing any more (run with the sessions purge). */
export async function purgeThrottle(db: Db): Promise<number> {
  const res = await db
    .deleteFrom('login_throttle')
    .where(sql<boolean>`COALESCE(blocked_until, window_started_at) < now() - interval '1 day'`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
