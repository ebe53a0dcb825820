import { sql } from 'kysely';
import { throttleWaitsJson } from '../../platform/auth/throttle.ts';
import type { Db } from '../../platform/db/schema.ts';

// Member somewhere, and suspended in every establishment: nothing left to log in to.
const SUSPENDED_EVERYWHERE_OF = (u: string) => `EXISTS (SELECT 1 FROM membership m WHERE m.user_id = ${u}.id)
  AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = ${u}.id AND NOT EXISTS (
    SELECT 1 FROM membership_suspension s WHERE s.user_id = m.user_id AND s.establishment_id = m.establishment_id))`;
const SUSPENDED_EVERYWHERE = sql.raw<boolean>(SUSPENDED_EVERYWHERE_OF('u'));

/** All SQL of the accounts module. */
export const users = {
  byLogin: (db: Db, login: string) =>
    db
      .selectFrom('app_user')
      .select([
        'id',
        'login',
        'first_name',
        'last_name',
        'display_name',
        'email',
        'title',
        'status',
        'is_platform_admin',
        'password_hash',
        'activation_code_hash',
        'activation_expires_at',
        sql.raw<boolean>(SUSPENDED_EVERYWHERE_OF('app_user')).as('suspended_everywhere'),
      ])
      .where(sql`lower(login)`, '=', login.toLowerCase())
      .executeTakeFirst(),

  byId: (db: Db, id: string) =>
    db
      .selectFrom('app_user')
      .select([
        'id',
        'login',
        'first_name',
        'last_name',
        'display_name',
        'email',
        'title',
        'status',
        'is_platform_admin',
        'password_hash',
      ])
      .where('id', '=', id)
      .executeTakeFirst(),

  activate: (db: Db, id: string, passwordHash: string, email: string | undefined) =>
    db
      .updateTable('app_user')
      .set({
        password_hash: passwordHash,
        password_changed_at: new Date(),
        status: 'active',
        activation_code_hash: null,
        activation_expires_at: null,
        updated_at: new Date(),
        ...(email ? { email } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending_activation')
      .executeTakeFirst(),

  /** The demo académie: accounts activated at given times (set-based, one statement). */
  activateMany: (db: Db, rows: { id: string; at: Date }[], passwordHash: string) =>
    sql`
      UPDATE app_user u SET status = 'active', password_hash = ${passwordHash}, password_changed_at = r.at,
             activation_code_hash = NULL, activation_expires_at = NULL, updated_at = now()
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.at.toISOString())}::timestamptz[]) AS r(id, at)
      WHERE u.id = r.id AND u.status = 'pending_activation'`.execute(db),

  setEmail: (db: Db, id: string, email: string | null) =>
    db.updateTable('app_user').set({ email, updated_at: new Date() }).where('id', '=', id).execute(),

  setPassword: (db: Db, id: string, passwordHash: string) =>
    db
      .updateTable('app_user')
      .set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  /** Profiles held anywhere: the password policy depends on whether the person is only a student. */
  profiles: async (db: Db, id: string) =>
    (await db.selectFrom('membership').select('profile').distinct().where('user_id', '=', id).execute()).map(
      (r) => r.profile,
    ),
};

/** An account as a login, an activation or a password check reads it. */
export type LoginAccount = NonNullable<Awaited<ReturnType<typeof users.byLogin>>>;

export const loginQueries = {
  /**
   * A login's first statement (before the password is checked): the throttle state of its keys and the account, in
   * one round trip. The same account as `users.byLogin`.
   */
  accountAndThrottle: async (
    db: Db,
    login: string,
    keys: string[],
  ): Promise<{ waits: Map<string, number>; user: LoginAccount | undefined }> => {
    type AccountJson = Omit<LoginAccount, 'activation_expires_at'> & { activation_expires_at: string | null };
    const res = await sql<{ waits: Record<string, number>; account: AccountJson | null }>`
      SELECT ${throttleWaitsJson(keys)} AS waits, (
        SELECT json_build_object('id', u.id, 'login', u.login, 'first_name', u.first_name, 'last_name', u.last_name,
          'display_name', u.display_name, 'email', u.email, 'title', u.title, 'status', u.status,
          'is_platform_admin', u.is_platform_admin, 'password_hash', u.password_hash,
          'activation_code_hash', u.activation_code_hash, 'activation_expires_at', u.activation_expires_at,
          'suspended_everywhere', ${SUSPENDED_EVERYWHERE})
        FROM app_user u WHERE lower(u.login) = ${login.toLowerCase()}
      ) AS account`.execute(db);
    const row = res.rows[0];
    const account = row?.account ?? undefined;
    return {
      waits: new Map(Object.entries(row?.waits ?? {})),
      user: account && {
        ...account,
        activation_expires_at: account.activation_expires_at === null ? null : new Date(account.activation_expires_at),
      },
    };
  },
};

export interface MeRelations {
  classes: { id: string; code: string; label: string; establishment_id: string }[];
  children: { id: string; display_name: string; first_name: string; establishment_id: string }[];
}

/** The user's classes of the current school year (enrolled or teaching) and children, as one JSON value. */
const relationsJson = (userId: string) => sql<MeRelations>`json_build_object(
  'classes', COALESCE((SELECT json_agg(c ORDER BY c.code, c.id) FROM (
    SELECT c.id, c.code, c.label, c.establishment_id
    FROM enrolment e JOIN class c ON c.id = e.class_id JOIN school_year sy ON sy.id = c.school_year_id
    WHERE e.student_id = ${userId} AND sy.status = 'current'
    UNION
    SELECT c.id, c.code, c.label, c.establishment_id
    FROM teaching_assignment t JOIN class c ON c.id = t.class_id JOIN school_year sy ON sy.id = c.school_year_id
    WHERE t.teacher_id = ${userId} AND sy.status = 'current'
  ) c), '[]'::json),
  'children', COALESCE((SELECT json_agg(ch ORDER BY ch.display_name, ch.id) FROM (
    SELECT s.id, s.display_name, s.first_name, g.establishment_id
    FROM guardianship g JOIN app_user s ON s.id = g.student_id
    WHERE g.guardian_id = ${userId} AND s.status <> 'detached'
  ) ch), '[]'::json))`;

export const meQueries = {
  /** The user's classes of the current school year (enrolled or teaching) and children, in one query. */
  relations: async (db: Db, userId: string): Promise<MeRelations> => {
    const res = await sql<{ r: MeRelations }>`SELECT ${relationsJson(userId)} AS r`.execute(db);
    return res.rows[0]!.r;
  },
  /** The same, read by the login's own statement (`sessions.insertForLogin`). */
  relationsJson,
};
