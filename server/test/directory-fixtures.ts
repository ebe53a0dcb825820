import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import type { makeEstablishment } from './helpers.ts';

/** Classes, groups, enrolments, links and assignments for the directory administration tests. */

export type School = Awaited<ReturnType<typeof makeEstablishment>>;

export async function makeClass(
  db: Kysely<Database>,
  school: School,
  code: string,
  schoolYearId = school.schoolYearId,
) {
  return db
    .insertInto('class')
    .values({ establishment_id: school.id, school_year_id: schoolYearId, code, label: `Classe ${code}` })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeGroup(
  db: Kysely<Database>,
  school: School,
  code: string,
  schoolYearId = school.schoolYearId,
) {
  return db
    .insertInto('teaching_group')
    .values({ establishment_id: school.id, school_year_id: schoolYearId, code, label: `Groupe ${code}` })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function archivedYear(db: Kysely<Database>, school: School) {
  return db
    .insertInto('school_year')
    .values({
      establishment_id: school.id,
      label: '2025-2026',
      starts_on: '2025-09-01',
      ends_on: '2026-08-31',
      status: 'archived',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function enrol(
  db: Kysely<Database>,
  school: School,
  studentId: string,
  target: { classId?: string; groupId?: string },
  schoolYearId = school.schoolYearId,
) {
  return db
    .insertInto('enrolment')
    .values({
      establishment_id: school.id,
      school_year_id: schoolYearId,
      student_id: studentId,
      class_id: target.classId ?? null,
      group_id: target.groupId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function subject(db: Kysely<Database>, code = '061300', label = 'Mathématiques') {
  await db
    .insertInto('subject')
    .values({ code, label })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return code;
}

export async function assign(
  db: Kysely<Database>,
  school: School,
  teacherId: string,
  target: { classId?: string; groupId?: string },
  subjectCode?: string,
  schoolYearId = school.schoolYearId,
) {
  return db
    .insertInto('teaching_assignment')
    .values({
      establishment_id: school.id,
      school_year_id: schoolYearId,
      teacher_id: teacherId,
      class_id: target.classId ?? null,
      group_id: target.groupId ?? null,
      subject_code: subjectCode ?? (await subject(db)),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function headTeacher(db: Kysely<Database>, school: School, teacherId: string, classId: string) {
  return db
    .insertInto('head_teacher')
    .values({
      establishment_id: school.id,
      school_year_id: school.schoolYearId,
      teacher_id: teacherId,
      class_id: classId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function guard(
  db: Kysely<Database>,
  school: School,
  guardianId: string,
  studentId: string,
  level: 'legal' | 'in_charge' = 'legal',
) {
  return db
    .insertInto('guardianship')
    .values({ establishment_id: school.id, guardian_id: guardianId, student_id: studentId, level })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Pages of a PDF as pdfkit writes them (page dictionaries are never compressed). */
export const pdfPageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

let classCounter = 0;
/** A class of the current year with a code of its own (for tests that need a new one per call). */
export const freshClass = (db: Kysely<Database>, school: School) =>
  makeClass(db, school, `X${(classCounter++).toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)}`);

/**
 * A merge of two fresh members of `school`, as the merge route leaves it when they share nothing but the
 * membership (so an undo has only the account to restore). Returns the merge id.
 */
export async function makeMerge(db: Kysely<Database>, school: School) {
  const [kept, merged] = await Promise.all(
    ['Garde', 'Fusion'].map((name) =>
      db
        .insertInto('app_user')
        .values({
          login: `merge.${name.toLowerCase()}.${Math.random().toString(36).slice(2)}`,
          first_name: 'Alex',
          last_name: name,
          display_name: `${name.toUpperCase()} Alex`,
          status: 'active',
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    ),
  );
  await db
    .insertInto('membership')
    .values({ establishment_id: school.id, user_id: kept!.id, profile: 'student' })
    .execute();
  await db
    .updateTable('app_user')
    .set({ status: 'detached', detached_at: new Date(), merged_into: kept!.id })
    .where('id', '=', merged!.id)
    .execute();
  const journal = {
    moved: {},
    dropped: {},
    keptRows: [],
    keptUser: {},
    mergedUser: { status: 'active', detached_at: null, merged_into: null, external_id: null },
    sessionsEnded: 0,
  };
  const row = await db
    .insertInto('user_merge')
    .values({
      establishment_id: school.id,
      kept_id: kept!.id,
      merged_id: merged!.id,
      journal: JSON.stringify(journal),
      undo_until: new Date(Date.now() + 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
