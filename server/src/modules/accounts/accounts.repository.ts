import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.ts';

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
        // Member somewhere, and suspended in every establishment: nothing left to log in to.
        sql<boolean>`EXISTS (SELECT 1 FROM membership m WHERE m.user_id = app_user.id)
          AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = app_user.id AND NOT EXISTS (
            SELECT 1 FROM membership_suspension s WHERE s.user_id = m.user_id AND s.establishment_id = m.establishment_id))`.as(
          'suspended_everywhere',
        ),
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

export interface MeRelations {
  classes: { id: string; code: string; label: string; establishment_id: string }[];
  children: { id: string; display_name: string; first_name: string; establishment_id: string }[];
}

export const meQueries = {
  /** The user's classes of the current school year (enrolled or teaching) and children, in one query. */
  relations: async (db: Db, userId: string): Promise<MeRelations> => {
    const res = await sql<MeRelations>`
      SELECT
        COALESCE((SELECT json_agg(c ORDER BY c.code, c.id) FROM (
          SELECT c.id, c.code, c.label, c.establishment_id
          FROM enrolment e JOIN class c ON c.id = e.class_id JOIN school_year sy ON sy.id = c.school_year_id
          WHERE e.student_id = ${userId} AND sy.status = 'current'
          UNION
          SELECT c.id, c.code, c.label, c.establishment_id
          FROM teaching_assignment t JOIN class c ON c.id = t.class_id JOIN school_year sy ON sy.id = c.school_year_id
          WHERE t.teacher_id = ${userId} AND sy.status = 'current'
        ) c), '[]'::json) AS classes,
        COALESCE((SELECT json_agg(ch ORDER BY ch.display_name, ch.id) FROM (
          SELECT s.id, s.display_name, s.first_name, g.establishment_id
          FROM guardianship g JOIN app_user s ON s.id = g.student_id
          WHERE g.guardian_id = ${userId} AND s.status <> 'detached'
        ) ch), '[]'::json) AS children`.execute(db);
    return res.rows[0]!;
  },
};
