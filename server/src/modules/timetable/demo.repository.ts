import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import './timetable.tables.ts';

/** What the timetable's demo reads of the demo académie, and its set-based writes. */
export const demoData = {
  establishment: (db: Db, id: string) =>
    db.selectFrom('establishment').select(['id', 'type']).where('id', '=', id).executeTakeFirstOrThrow(),

  classes: (db: Db, schoolYearId: string) =>
    db.selectFrom('class').select(['id', 'code']).where('school_year_id', '=', schoolYearId).orderBy('code').execute(),

  groups: (db: Db, schoolYearId: string) =>
    db
      .selectFrom('teaching_group')
      .select(['id', 'code'])
      .where('school_year_id', '=', schoolYearId)
      .orderBy('code')
      .execute(),

  assignments: (db: Db, schoolYearId: string) =>
    db
      .selectFrom('teaching_assignment')
      .select(['teacher_id', 'class_id', 'group_id', 'subject_code'])
      .where('school_year_id', '=', schoolYearId)
      .orderBy('subject_code')
      .orderBy('teacher_id')
      .execute(),

  async insertCourses(
    db: AuthorizedDb,
    rows: {
      id: string;
      establishment_id: string;
      school_year_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      weekday: number;
      starts_at: string;
      ends_at: string;
      room: string | null;
      week_pattern_id: string | null;
      valid_from: string;
      valid_to: string;
    }[],
    teachers: { course_id: string; teacher_id: string; establishment_id: string }[],
  ) {
    for (let i = 0; i < rows.length; i += 1000)
      await db
        .insertInto('timetable_course')
        .values(rows.slice(i, i + 1000))
        .execute();
    for (let i = 0; i < teachers.length; i += 2000)
      await db
        .insertInto('timetable_course_teacher')
        .values(teachers.slice(i, i + 2000))
        .execute();
  },

  insertChanges: (
    db: AuthorizedDb,
    rows: {
      establishment_id: string;
      course_id: string;
      on_date: string;
      cancelled: boolean;
      new_date: string | null;
      new_starts_at: string | null;
      new_ends_at: string | null;
      new_room: string | null;
      reason: string | null;
      created_by: string | null;
    }[],
  ) => (rows.length ? db.insertInto('timetable_occurrence_change').values(rows).execute() : Promise.resolve([])),
};
