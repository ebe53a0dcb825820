import type { EstablishmentProfile } from '@preau/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/schema.ts';

export interface SessionLookup {
  sessionId: string;
  userId: string;
  csrfToken: string;
  lastSeenAt: Date;
  rememberMe: boolean;
  login: string;
  displayName: string;
  platformAdmin: boolean;
  memberships: { establishmentId: string; profiles: EstablishmentProfile[]; functions: string[] }[];
}

/** A session row as the cache keeps it (times in epoch milliseconds). */
export interface SessionRow {
  sessionId: string;
  userId: string;
  csrfToken: string;
  rememberMe: boolean;
  lastSeenAt: number;
  idleExpiresAt: number;
  expiresAt: number;
}

/** What a request needs to know about its user, whichever session it comes with. */
export interface UserEntry {
  id: string;
  login: string;
  displayName: string;
  firstName: string;
  lastName: string;
  email: string | null;
  /** The directory's civilité (Mme, M.…), if known. */
  title: string | null;
  status: 'pending_activation' | 'active' | 'blocked' | 'detached';
  platformAdmin: boolean;
  memberships: { establishmentId: string; profiles: EstablishmentProfile[]; functions: string[] }[];
}

// A stable order (by establishment name): the portal's default establishment never changes between requests.
const MEMBERSHIPS_JSON = sql<UserEntry['memberships']>`COALESCE((
  SELECT json_agg(json_build_object('establishmentId', x.establishment_id,
           'profiles', x.profiles, 'functions', x.functions) ORDER BY x.name, x.establishment_id)
  FROM (
    SELECT m.establishment_id, min(e.name) AS name, array_agg(m.profile ORDER BY m.profile) AS profiles,
           (SELECT COALESCE(array_agg(DISTINCT f), '{}') FROM membership m2, unnest(m2.functions) f
             WHERE m2.user_id = u.id AND m2.establishment_id = m.establishment_id) AS functions
    FROM membership m JOIN establishment e ON e.id = m.establishment_id WHERE m.user_id = u.id
      -- an establishment that suspended the person is not one of theirs while it lasts
      AND NOT EXISTS (SELECT 1 FROM membership_suspension ms
                      WHERE ms.user_id = m.user_id AND ms.establishment_id = m.establishment_id)
    GROUP BY m.establishment_id
  ) x
), '[]'::json)`;

/** A user's entry (`UserEntry`) as one JSON value, over `app_user u`. */
const USER_ENTRY_JSON = sql<UserEntry>`json_build_object('id', u.id, 'login', u.login, 'displayName', u.display_name,
  'firstName', u.first_name, 'lastName', u.last_name, 'email', u.email, 'title', u.title, 'status', u.status,
  'platformAdmin', u.is_platform_admin, 'memberships', ${MEMBERSHIPS_JSON})`;

export interface NewSessionRow {
  tokenHash: Buffer;
  userId: string;
  csrfToken: string;
  rememberMe: boolean;
  idleExpiresAt: Date;
  expiresAt: Date;
  address: string | null;
  userAgent: string | null;
}

/** All SQL about sessions. One round-trip finds the session, the user and their memberships. */
export const sessions = {
  insert: (db: Db, row: NewSessionRow) =>
    db
      .insertInto('session')
      .values({
        token_hash: row.tokenHash,
        user_id: row.userId,
        csrf_token: row.csrfToken,
        remember_me: row.rememberMe,
        idle_expires_at: row.idleExpiresAt,
        expires_at: row.expiresAt,
        address: row.address,
        user_agent: row.userAgent,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow(),

  /**
   * A login's writes in one statement (atomic without a transaction, one round-trip at the 8 a.m. rush):
   * the session, the user's last login time and the audit event; with them, the user's entry (`user`, what
   * `sessions.user` reads) and the first screen's other per-person reads (`reads`: a name → a scalar SQL expression,
   * each answered under its name). The reads see the database as it was just before the writes.
   */
  insertForLogin: async <R extends Record<string, unknown>>(
    db: Db,
    row: NewSessionRow,
    action: string,
    reads: { [K in keyof R]: RawBuilder<R[K]> },
  ): Promise<{ id: string; user: UserEntry | undefined } & R> => {
    const extra = Object.entries(reads as Record<string, RawBuilder<unknown>>).map(
      ([name, read]) => sql`, ${read} AS ${sql.id(name)}`,
    );
    const res = await sql<{ id: string; user: UserEntry | null } & R>`
      WITH s AS (
        INSERT INTO session (token_hash, user_id, csrf_token, remember_me, idle_expires_at, expires_at, address, user_agent)
        VALUES (${row.tokenHash}, ${row.userId}, ${row.csrfToken}, ${row.rememberMe}, ${row.idleExpiresAt},
                ${row.expiresAt}, ${row.address}, ${row.userAgent})
        RETURNING id
      ), u AS (
        UPDATE app_user SET last_login_at = now() WHERE id = ${row.userId}
      ), a AS (
        INSERT INTO audit_event (actor_id, action, target_type, target_id, details, address)
        VALUES (${row.userId}, ${action}, 'user', ${row.userId}, '{}'::jsonb, ${row.address})
      )
      SELECT s.id, (SELECT ${USER_ENTRY_JSON} FROM app_user u WHERE u.id = ${row.userId}) AS "user"${sql.join(extra, sql``)}
      FROM s`.execute(db);
    const r = res.rows[0]!;
    return { ...r, user: r.user ?? undefined };
  },

  findActive: async (db: Db, tokenHash: Buffer): Promise<SessionLookup | undefined> => {
    const res = await sql<SessionLookup>`
      SELECT s.id AS "sessionId", s.user_id AS "userId", s.csrf_token AS "csrfToken",
             s.last_seen_at AS "lastSeenAt", s.remember_me AS "rememberMe",
             u.login, u.display_name AS "displayName", u.is_platform_admin AS "platformAdmin",
             ${MEMBERSHIPS_JSON} AS memberships
      FROM session s JOIN app_user u ON u.id = s.user_id
      WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND s.idle_expires_at > now()
        AND u.status = 'active'`.execute(db);
    const row = res.rows[0];
    if (!row) return undefined;
    return row;
  },

  /** The session row alone, expired or not (the cache checks the expiry times itself). */
  row: async (db: Db, tokenHash: Buffer): Promise<SessionRow | undefined> => {
    const res = await sql<SessionRow>`
      SELECT id AS "sessionId", user_id AS "userId", csrf_token AS "csrfToken", remember_me AS "rememberMe",
             (extract(epoch FROM last_seen_at) * 1000)::float8 AS "lastSeenAt",
             (extract(epoch FROM idle_expires_at) * 1000)::float8 AS "idleExpiresAt",
             (extract(epoch FROM expires_at) * 1000)::float8 AS "expiresAt"
      FROM session WHERE token_hash = ${tokenHash}`.execute(db);
    return res.rows[0];
  },

  /** A user with their memberships (establishment, profiles, functions), whatever their status. */
  user: async (db: Db, userId: string): Promise<UserEntry | undefined> => {
    const res = await sql<{ user: UserEntry }>`
      SELECT ${USER_ENTRY_JSON} AS "user" FROM app_user u WHERE u.id = ${userId}`.execute(db);
    return res.rows[0]?.user;
  },

  touch: (db: Db, sessionId: string, idleExpiresAt: Date) =>
    db
      .updateTable('session')
      .set({ last_seen_at: new Date(), idle_expires_at: sql<Date>`LEAST(${idleExpiresAt}, expires_at)` })
      .where('id', '=', sessionId)
      .execute(),

  delete: (db: Db, sessionId: string) => db.deleteFrom('session').where('id', '=', sessionId).execute(),

  deleteOthers: (db: Db, userId: string, keepSessionId: string | null) => {
    let q = db.deleteFrom('session').where('user_id', '=', userId);
    if (keepSessionId) q = q.where('id', '<>', keepSessionId);
    return q.execute();
  },

  listForUser: (db: Db, userId: string) =>
    db
      .selectFrom('session')
      .select([
        'id',
        'created_at',
        'last_seen_at',
        'expires_at',
        'idle_expires_at',
        'user_agent',
        'address',
        'remember_me',
      ])
      .where('user_id', '=', userId)
      .where('expires_at', '>', new Date())
      .where('idle_expires_at', '>', new Date())
      .orderBy('last_seen_at', 'desc')
      .limit(100)
      .execute(),

  deleteExpired: (db: Db) =>
    db
      .deleteFrom('session')
      .where((eb) => eb.or([eb('expires_at', '<', new Date()), eb('idle_expires_at', '<', new Date())]))
      .execute(),
};
