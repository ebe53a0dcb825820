import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import { type School, subject } from './directory-fixtures.ts';
import '../src/modules/timetable/timetable.tables.ts';

/** Timetable courses written straight into the database, for the tests of the modules that read them. */

/** An hour after `start` ('08:00' → '09:00'). */
const hourAfter = (start: string) => `${String(Number(start.slice(0, 2)) + 1).padStart(2, '0')}:${start.slice(3)}`;

/**
 * A weekly course of a class or a group of `school`, taught by `teacherIds`: by default on Mondays from 08:00 for
 * an hour, in no room, every week of the school year 2026-2027, in maths. Returns the course's id.
 */
export async function makeCourse(
  db: Kysely<Database>,
  school: School,
  course: {
    classId?: string | null;
    groupId?: string | null;
    teacherIds: string[];
    subjectCode?: string;
    weekday?: number;
    start?: string;
    end?: string;
    room?: string | null;
    validFrom?: string;
    validTo?: string;
  },
) {
  const start = course.start ?? '08:00';
  const row = await db
    .insertInto('timetable_course')
    .values({
      establishment_id: school.id,
      school_year_id: school.schoolYearId,
      class_id: course.classId ?? null,
      group_id: course.groupId ?? null,
      subject_code: course.subjectCode ?? (await subject(db)),
      weekday: course.weekday ?? 1,
      starts_at: start,
      ends_at: course.end ?? hourAfter(start),
      room: course.room ?? null,
      week_pattern_id: null,
      valid_from: course.validFrom ?? '2026-09-01',
      valid_to: course.validTo ?? '2027-07-03',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const teacherId of course.teacherIds)
    await db
      .insertInto('timetable_course_teacher')
      .values({ course_id: row.id, teacher_id: teacherId, establishment_id: school.id })
      .execute();
  return row.id;
}
