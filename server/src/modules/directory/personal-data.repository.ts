import type { Db } from '../../platform/db/schema.ts';

/** A person's directory record, for the export of their own data (reads only, one query per part). */
export const personalData = {
  identity: (db: Db, userId: string) =>
    db
      .selectFrom('app_user')
      .select([
        'login',
        'first_name',
        'last_name',
        'display_name',
        'title',
        'birth_date',
        'ine',
        'email',
        'phone_mobile',
        'phone_home',
        'phone_work',
        'address',
        'consents',
        'status',
        'created_at',
      ])
      .where('id', '=', userId)
      .executeTakeFirst(),

  memberships: (db: Db, userId: string) =>
    db
      .selectFrom('membership as m')
      .innerJoin('establishment as e', 'e.id', 'm.establishment_id')
      .select(['e.name as establishment', 'e.uai', 'm.profile', 'm.functions'])
      .select((eb) =>
        eb
          .selectFrom('membership_suspension as s')
          .select('s.suspended_at')
          .whereRef('s.user_id', '=', 'm.user_id')
          .whereRef('s.establishment_id', '=', 'm.establishment_id')
          .as('blockedSince'),
      )
      .where('m.user_id', '=', userId)
      .orderBy('e.name')
      .execute(),

  enrolments: (db: Db, userId: string) =>
    db
      .selectFrom('enrolment as en')
      .innerJoin('school_year as y', 'y.id', 'en.school_year_id')
      .leftJoin('class as c', 'c.id', 'en.class_id')
      .leftJoin('teaching_group as g', 'g.id', 'en.group_id')
      .select(['y.label as schoolYear', 'c.label as class', 'g.label as group'])
      .where('en.student_id', '=', userId)
      .orderBy('y.label', 'desc')
      .execute(),

  guardianships: (db: Db, userId: string) =>
    db
      .selectFrom('guardianship as gs')
      .innerJoin('app_user as g', 'g.id', 'gs.guardian_id')
      .innerJoin('app_user as s', 's.id', 'gs.student_id')
      .select(['g.display_name as guardian', 's.display_name as student', 'gs.level', 'gs.relation'])
      .where((eb) => eb.or([eb('gs.guardian_id', '=', userId), eb('gs.student_id', '=', userId)]))
      .execute(),

  teaching: (db: Db, userId: string) =>
    db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .leftJoin('class as c', 'c.id', 'ta.class_id')
      .leftJoin('teaching_group as g', 'g.id', 'ta.group_id')
      .leftJoin('subject as su', 'su.code', 'ta.subject_code')
      .select(['y.label as schoolYear', 'c.label as class', 'g.label as group', 'su.label as subject'])
      .where('ta.teacher_id', '=', userId)
      .execute(),
};
