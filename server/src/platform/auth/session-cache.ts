import { cached, cacheOf, defineCache } from '../cache.ts';
import type { Db } from '../db/schema.ts';
import {
  type NewSessionRow,
  type SessionLookup,
  type SessionRow,
  sessions,
  type UserEntry,
} from './session.repository.ts';

/**
 * Every request's session lookup, from memory: the session row by its token hash (topic `s`: deleted or changed
 * sessions are announced by a trigger) and the user with their memberships by id (topic `u`). Expiry times are
 * checked on each request, against the cached row, so an expired session is refused without a query.
 */
export const SESSIONS = defineCache<SessionRow | undefined>({
  name: 'sessions',
  topic: 's',
  max: 200_000,
  ttlMs: 120_000,
});
export const USERS = defineCache<UserEntry | undefined>({ name: 'users', topic: 'u', max: 200_000, ttlMs: 120_000 });

export const userEntry = (db: Db, userId: string): Promise<UserEntry | undefined> =>
  cached(db, USERS, userId, () => sessions.user(db, userId));

/**
 * The user's entry read by a login's own statement (`sessions.insertForLogin`): taken as the load of the cached
 * entry. Call it before the answer arrives: as any load, it is not kept if an invalidation overlapped it.
 */
export function userEntryAtLogin(db: Db, userId: string, loaded: Promise<UserEntry | undefined>): void {
  loaded.catch(() => {}); // the login awaits the statement itself: its failure is the login's
  cached(db, USERS, userId, () => loaded).catch(() => {});
}

/** The active session of this token hash with its user, or undefined (unknown, expired, user not active). */
export async function findActiveSession(db: Db, tokenHash: Buffer): Promise<SessionLookup | undefined> {
  // Without caches, the one query that reads both.
  if (!cacheOf(db, SESSIONS)) return sessions.findActive(db, tokenHash);
  const s = await cached(db, SESSIONS, tokenHash.toString('hex'), () => sessions.row(db, tokenHash));
  const now = Date.now();
  if (!s || s.expiresAt <= now || s.idleExpiresAt <= now) return undefined;
  const u = await userEntry(db, s.userId);
  if (u?.status !== 'active') return undefined;
  return {
    sessionId: s.sessionId,
    userId: s.userId,
    csrfToken: s.csrfToken,
    lastSeenAt: new Date(s.lastSeenAt),
    rememberMe: s.rememberMe,
    login: u.login,
    displayName: u.displayName,
    platformAdmin: u.platformAdmin,
    memberships: u.memberships,
  };
}

/** After `sessions.touch`: the cached row follows (the same LEAST as the SQL). */
export function sessionTouched(db: Db, tokenHash: Buffer, idleExpiresAt: Date): void {
  const c = cacheOf(db, SESSIONS);
  const key = tokenHash.toString('hex');
  const s = c?.peek(key);
  if (!c || !s) return;
  c.set(key, { ...s, lastSeenAt: Date.now(), idleExpiresAt: Math.min(idleExpiresAt.getTime(), s.expiresAt) });
}

/** A session this instance has just written: the next request finds it without a query. */
export function sessionCreated(db: Db, id: string, row: NewSessionRow): void {
  cacheOf(db, SESSIONS)?.set(row.tokenHash.toString('hex'), {
    sessionId: id,
    userId: row.userId,
    csrfToken: row.csrfToken,
    rememberMe: row.rememberMe,
    lastSeenAt: Date.now(),
    idleExpiresAt: row.idleExpiresAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  });
}
