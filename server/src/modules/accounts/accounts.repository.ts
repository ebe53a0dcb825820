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

export const meQueries = {
  establishments: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('establishment')
          .select(['id', 'uai', 'name', 'type'])
          .where('id', 'in', ids)
          .orderBy('name')
          .execute(),

  classesOf: (db: Db, userId: string) =>
    db
      .selectFrom('enrolment')
      .innerJoin('class', 'class.id', 'enrolment.class_id')
      .innerJoin('school_year', 'school_year.id', 'class.school_year_id')
      .select(['class.id', 'class.code', 'class.label', 'class.establishment_id'])
      .where('enrolment.student_id', '=', userId)
      .where('school_year.status', '=', 'current')
      .union(
        db
          .selectFrom('teaching_assignment')
          .innerJoin('class', 'class.id', 'teaching_assignment.class_id')
          .innerJoin('school_year', 'school_year.id', 'class.school_year_id')
          .select(['class.id', 'class.code', 'class.label', 'class.establishment_id'])
          .where('teaching_assignment.teacher_id', '=', userId)
          .where('school_year.status', '=', 'current'),
      )
      .execute(),

  childrenOf: (db: Db, userId: string) =>
    db
      .selectFrom('guardianship')
      .innerJoin('app_user as s', 's.id', 'guardianship.student_id')
      .select(['s.id', 's.display_name', 'guardianship.establishment_id'])
      .where('guardianship.guardian_id', '=', userId)
      .where('s.status', '<>', 'detached')
      .orderBy('s.display_name')
      .execute(),
};
