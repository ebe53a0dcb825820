import { sql } from 'kysely';
import type { Db, NewAppUser } from '../../../platform/db/schema.ts';
import { memberElsewhere, suspendedIn } from '../directory.repository.ts';

/** Profiles whose membership carries functions (CPE, DOC…). */
export const FUNCTION_PROFILES = ['staff', 'teacher', 'principal', 'local_admin'] as const;

/** All SQL of the manual corrections: people, guardian links, teaching assignments, head teachers, lookups. */
export const people = {
  currentYear: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),

  /** A member of the establishment with their profiles and functions there; undefined if not a member. */
  member: (db: Db, establishmentId: string, userId: string, opts: { forUpdate?: boolean } = {}) =>
    db
      .selectFrom('app_user as u')
      .selectAll('u')
      .select([
        sql<string[]>`(
          SELECT array_agg(m.profile ORDER BY m.profile) FROM membership m
          WHERE m.user_id = u.id AND m.establishment_id = ${establishmentId})`.as('profiles'),
        sql<string[]>`(
          SELECT COALESCE(array_agg(DISTINCT f ORDER BY f), '{}') FROM membership m2, unnest(m2.functions) f
          WHERE m2.user_id = u.id AND m2.establishment_id = ${establishmentId})`.as('functions'),
        suspendedIn(establishmentId).as('suspended_here'),
        memberElsewhere(establishmentId).as('elsewhere'),
      ])
      .where('u.id', '=', userId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('membership as m')
            .select(sql.lit(1).as('one'))
            .whereRef('m.user_id', '=', 'u.id')
            .where('m.establishment_id', '=', establishmentId),
        ),
      )
      .$if(!!opts.forUpdate, (q) => q.forUpdate('u'))
      .executeTakeFirst(),

  /**
   * The logins taken that share `base`'s stem (`marie.martin`, `marie.martin2`…), lower-cased, to allocate a
   * free one. Uses the login-stem index of migration 0002, never a scan of the académie's accounts.
   */
  loginsLike: async (db: Db, base: string) =>
    new Set(
      (
        await db
          .selectFrom('app_user')
          .select(sql<string>`lower(login)`.as('login'))
          .where(
            sql<string>`regexp_replace(lower(login), '[0-9]+$', '')`,
            '=',
            sql<string>`regexp_replace(${base}, '[0-9]+$', '')`,
          )
          .execute()
      ).map((r) => r.login),
    ),

  insertUser: (db: Db, row: NewAppUser & { id: string }) =>
    db.insertInto('app_user').values(row).returning('id').executeTakeFirstOrThrow(),

  insertMembership: (db: Db, establishmentId: string, userId: string, profile: string, functions: string[] = []) =>
    db
      .insertInto('membership')
      .values({ establishment_id: establishmentId, user_id: userId, profile, functions })
      .onConflict((oc) => oc.columns(['user_id', 'establishment_id', 'profile']).doNothing())
      .returning('id')
      .executeTakeFirst(),

  updateUser: (db: Db, userId: string, changes: Record<string, string | null>) =>
    db
      .updateTable('app_user')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', userId)
      .execute(),

  setFunctions: (db: Db, establishmentId: string, userId: string, functions: string[]) =>
    db
      .updateTable('membership')
      .set({ functions })
      .where('establishment_id', '=', establishmentId)
      .where('user_id', '=', userId)
      .where('profile', 'in', FUNCTION_PROFILES)
      .execute(),

  /** A class or group of the establishment's current school year. */
  currentClass: (db: Db, establishmentId: string, classId: string) =>
    db
      .selectFrom('class as c')
      .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
      .select(['c.id', 'c.code', 'c.label', 'c.school_year_id'])
      .where('c.id', '=', classId)
      .where('c.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .executeTakeFirst(),

  currentGroup: (db: Db, establishmentId: string, groupId: string) =>
    db
      .selectFrom('teaching_group as g')
      .innerJoin('school_year as sy', 'sy.id', 'g.school_year_id')
      .select(['g.id', 'g.code', 'g.label', 'g.school_year_id'])
      .where('g.id', '=', groupId)
      .where('g.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .executeTakeFirst(),

  /** The student's class enrolments of the current school year. */
  currentClassEnrolments: (db: Db, establishmentId: string, studentId: string) =>
    db
      .selectFrom('enrolment as e')
      .innerJoin('class as c', 'c.id', 'e.class_id')
      .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
      .select(['e.id', 'c.id as class_id', 'c.code', 'c.label'])
      .where('e.establishment_id', '=', establishmentId)
      .where('e.student_id', '=', studentId)
      .where('sy.status', '=', 'current')
      .orderBy('c.code')
      .execute(),

  deleteEnrolments: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve([]) : db.deleteFrom('enrolment').where('id', 'in', ids).execute(),

  insertEnrolment: (
    db: Db,
    row: { establishmentId: string; schoolYearId: string; studentId: string; classId: string },
  ) =>
    db
      .insertInto('enrolment')
      .values({
        establishment_id: row.establishmentId,
        school_year_id: row.schoolYearId,
        student_id: row.studentId,
        class_id: row.classId,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  guardianship: (db: Db, establishmentId: string, guardianId: string, studentId: string) =>
    db
      .selectFrom('guardianship')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('guardian_id', '=', guardianId)
      .where('student_id', '=', studentId)
      .executeTakeFirst(),

  upsertGuardianship: (
    db: Db,
    row: {
      establishmentId: string;
      guardianId: string;
      studentId: string;
      level: 'legal' | 'in_charge';
      relation: string | null;
    },
  ) =>
    db
      .insertInto('guardianship')
      .values({
        establishment_id: row.establishmentId,
        guardian_id: row.guardianId,
        student_id: row.studentId,
        level: row.level,
        relation: row.relation,
      })
      .onConflict((oc) =>
        oc
          .columns(['establishment_id', 'guardian_id', 'student_id'])
          .doUpdateSet({ level: row.level, relation: row.relation }),
      )
      .returning('id')
      .executeTakeFirstOrThrow(),

  deleteGuardianship: (db: Db, id: string) => db.deleteFrom('guardianship').where('id', '=', id).execute(),

  guardiansOf: (db: Db, establishmentId: string, studentId: string) =>
    db
      .selectFrom('guardianship as g')
      .innerJoin('app_user as p', 'p.id', 'g.guardian_id')
      .select(['p.id', 'p.display_name', 'g.level', 'g.relation'])
      .where('g.establishment_id', '=', establishmentId)
      .where('g.student_id', '=', studentId)
      .orderBy(sql`g.level <> 'legal'`)
      .orderBy('p.display_name')
      .execute(),

  subject: (db: Db, code: string) =>
    db.selectFrom('subject').select(['code', 'label']).where('code', '=', code).executeTakeFirst(),

  subjects: (db: Db) => db.selectFrom('subject').select(['code', 'label']).orderBy('label').orderBy('code').execute(),

  /** The teacher's assignments of the current school year, with class or group and subject. */
  assignments: (db: Db, establishmentId: string, teacherId: string, assignmentId?: string) =>
    db
      .selectFrom('teaching_assignment as t')
      .innerJoin('school_year as sy', 'sy.id', 't.school_year_id')
      .innerJoin('subject as s', 's.code', 't.subject_code')
      .leftJoin('class as c', 'c.id', 't.class_id')
      .leftJoin('teaching_group as g', 'g.id', 't.group_id')
      .select([
        't.id',
        'c.id as class_id',
        'c.code as class_code',
        'c.label as class_label',
        'g.id as group_id',
        'g.code as group_code',
        'g.label as group_label',
        's.code as subject_code',
        's.label as subject_label',
      ])
      .where('t.establishment_id', '=', establishmentId)
      .where('t.teacher_id', '=', teacherId)
      .where('sy.status', '=', 'current')
      .$if(!!assignmentId, (q) => q.where('t.id', '=', assignmentId!))
      .orderBy(sql`COALESCE(c.code, g.code)`)
      .orderBy('s.label')
      .execute(),

  assignmentExists: (
    db: Db,
    teacherId: string,
    target: { classId?: string | undefined; groupId?: string | undefined },
    subjectCode: string,
  ) =>
    db
      .selectFrom('teaching_assignment')
      .select('id')
      .where('teacher_id', '=', teacherId)
      .where('subject_code', '=', subjectCode)
      .$if(!!target.classId, (q) => q.where('class_id', '=', target.classId!))
      .$if(!!target.groupId, (q) => q.where('group_id', '=', target.groupId!))
      .executeTakeFirst(),

  insertAssignment: (
    db: Db,
    row: {
      establishmentId: string;
      schoolYearId: string;
      teacherId: string;
      classId: string | null;
      groupId: string | null;
      subjectCode: string;
    },
  ) =>
    db
      .insertInto('teaching_assignment')
      .values({
        establishment_id: row.establishmentId,
        school_year_id: row.schoolYearId,
        teacher_id: row.teacherId,
        class_id: row.classId,
        group_id: row.groupId,
        subject_code: row.subjectCode,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  deleteAssignment: (db: Db, id: string) => db.deleteFrom('teaching_assignment').where('id', '=', id).execute(),

  headTeacher: (db: Db, teacherId: string, classId: string) =>
    db
      .selectFrom('head_teacher')
      .selectAll()
      .where('teacher_id', '=', teacherId)
      .where('class_id', '=', classId)
      .executeTakeFirst(),

  insertHeadTeacher: (
    db: Db,
    row: { establishmentId: string; schoolYearId: string; teacherId: string; classId: string },
  ) =>
    db
      .insertInto('head_teacher')
      .values({
        establishment_id: row.establishmentId,
        school_year_id: row.schoolYearId,
        teacher_id: row.teacherId,
        class_id: row.classId,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  deleteHeadTeacher: (db: Db, id: string) => db.deleteFrom('head_teacher').where('id', '=', id).execute(),

  /** The current year's classes with their number of students and their head teachers, in one query. */
  classes: (db: Db, establishmentId: string) =>
    db
      .selectFrom('class as c')
      .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
      .select((eb) => [
        'c.id',
        'c.code',
        'c.label',
        'c.mef_code',
        eb
          .selectFrom('enrolment as e')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('e.class_id', '=', 'c.id')
          .as('students'),
        sql<{ id: string; displayName: string }[]>`COALESCE((
          SELECT json_agg(json_build_object('id', u.id, 'displayName', u.display_name) ORDER BY u.display_name)
          FROM head_teacher h JOIN app_user u ON u.id = h.teacher_id
          WHERE h.class_id = c.id AND u.status <> 'detached'), '[]'::json)`.as('head_teachers'),
      ])
      .where('c.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .orderBy('c.code')
      .execute(),

  groups: (db: Db, establishmentId: string) =>
    db
      .selectFrom('teaching_group as g')
      .innerJoin('school_year as sy', 'sy.id', 'g.school_year_id')
      .select((eb) => [
        'g.id',
        'g.code',
        'g.label',
        'g.kind',
        eb
          .selectFrom('enrolment as e')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('e.group_id', '=', 'g.id')
          .as('students'),
      ])
      .where('g.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .orderBy('g.code')
      .execute(),
};
