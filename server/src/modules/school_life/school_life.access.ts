/**
 * Who may see and change which school-life data, on the batched relations (ids in, allowed ids out, one query
 * each). Need-to-know (arrêté ENT, art. 4): a student sees their own records, a guardian their children's, a
 * teacher their own students' (and takes the roll call of the courses they teach), the school-life staff
 * (profile `staff`) and the direction everything of their establishment; a platform administrator who is not a
 * member sees none of it; another establishment nothing (404).
 */

import { sql } from 'kysely';
import type { Authorized } from '../../platform/access/authorize.ts';
import { isStudentOf } from '../../platform/access/relations.cache.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { courseAudiences, coursesTaughtBy } from '../timetable/index.ts';

/** School-life staff (CPE, assistants d'éducation) and the direction. */
export function isSchoolLifeStaff(auth: Pick<Authorized, 'profiles'>): boolean {
  return auth.profiles.includes('staff') || auth.profiles.includes('principal');
}

export const isDirection = (auth: Pick<Authorized, 'profiles'>) => auth.profiles.includes('principal');

/** The establishment of a course, before `authorize()` (unknown course: 404). */
export async function courseAudience(db: Db, courseId: string) {
  const audience = (await courseAudiences(db, [courseId])).get(courseId);
  if (!audience) throw notFound();
  return audience;
}

/** The roll call of a course: its teachers and the school-life staff; other members 403. */
export async function checkRollCaller(auth: Authorized, courseId: string): Promise<'teacher' | 'staff'> {
  if (isSchoolLifeStaff(auth)) return 'staff';
  if (auth.profiles.includes('teacher') && (await coursesTaughtBy(auth.db, auth.user.id, [courseId])).has(courseId))
    return 'teacher';
  throw forbidden();
}

/** The students of a course's class or group (current year). */
export async function studentsOfCourse(db: Db, audience: { classId: string | null; groupId: string | null }) {
  if (audience.classId) return (await relations.studentsOfClasses(db, [audience.classId])).get(audience.classId);
  if (audience.groupId) return (await relations.studentsOfGroups(db, [audience.groupId])).get(audience.groupId);
  return undefined;
}

/**
 * The students whose records the caller may read, or `null` for all of the establishment (staff, direction).
 * With `student`, that one only: a student of the establishment (else 404) the caller may see (else 403).
 */
export async function readableStudents(auth: Authorized, student?: string): Promise<string[] | null> {
  if (student) {
    // The facts of these checks come from memory (relations.cache.ts, relations.repository.ts), the checks run here.
    if (!(await isStudentOf(auth.db, auth.establishmentId, student))) throw notFound();
    if (student === auth.user.id || isSchoolLifeStaff(auth)) return [student];
    if (
      auth.profiles.includes('guardian') &&
      (await relations.childrenOf(auth.db, auth.user.id, [student])).has(student)
    )
      return [student];
    if (
      auth.profiles.includes('teacher') &&
      (await relations.studentsTaughtBy(auth.db, auth.user.id, [student])).has(student)
    )
      return [student];
    throw forbidden();
  }
  if (isSchoolLifeStaff(auth)) return null;
  const ids = new Set<string>();
  if (auth.profiles.includes('student')) ids.add(auth.user.id);
  if (auth.profiles.includes('guardian'))
    for (const c of await relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id)) ids.add(c);
  if (auth.profiles.includes('teacher')) {
    for (const id of await studentsTaughtHere(auth)) ids.add(id);
  }
  if (ids.size === 0 && !auth.profiles.some((p) => p === 'student' || p === 'guardian' || p === 'teacher'))
    throw forbidden();
  return [...ids];
}

/** Every student of the classes and groups the teacher teaches this year in the establishment. */
export async function studentsTaughtHere(auth: Authorized): Promise<string[]> {
  const teaching = await relations.teachingOf(auth.db, auth.establishmentId, auth.user.id);
  const classIds = teaching.map((t) => t.class_id).filter((x): x is string => !!x);
  const groupIds = teaching.map((t) => t.group_id).filter((x): x is string => !!x);
  const [byClass, byGroup] = await Promise.all([
    relations.studentsOfClasses(auth.db, classIds),
    relations.studentsOfGroups(auth.db, groupIds),
  ]);
  const out = new Set<string>();
  for (const s of [...byClass.values(), ...byGroup.values()]) for (const id of s) out.add(id);
  return [...out];
}

/** A guardian's justification: only a guardian of that student (else 403 NOT_A_GUARDIAN, nothing written). */
export async function checkGuardianOf(auth: Authorized, studentId: string): Promise<void> {
  const mine = await relations.childrenOf(auth.db, auth.user.id, [studentId]);
  if (!mine.has(studentId)) throw new AppError(403, 'NOT_A_GUARDIAN');
}

/** An incident or punishment: the staff for any student of the establishment, a teacher for their students. */
export async function checkPunisher(auth: Authorized, studentId: string): Promise<void> {
  const here = await relations.membersOf(auth.db, auth.establishmentId, [studentId], ['student']);
  if (!here.has(studentId)) throw notFound();
  if (isSchoolLifeStaff(auth)) return;
  if ((await relations.studentsTaughtBy(auth.db, auth.user.id, [studentId])).has(studentId)) return;
  throw forbidden();
}

/** A student of the establishment (the staff's own entries). */
export async function checkStudentHere(auth: Authorized, studentId: string): Promise<void> {
  const here = await relations.membersOf(auth.db, auth.establishmentId, [studentId], ['student']);
  if (!here.has(studentId)) throw notFound();
}

/** The staff's pages (board, threshold, decisions): staff and direction only, even with the permission. */
export function requireStaff(auth: Authorized): void {
  if (!isSchoolLifeStaff(auth)) throw forbidden();
}

/** The guardians of these students (to tell them), batched. */
export const guardiansOf = (db: Db, studentIds: string[]) => relations.guardiansOf(db, studentIds);

/**
 * For the documents module (`documentHolders.justification`): of these justifications, those the person may read
 * the attached documents of — the student's guardians, the student, the school-life staff and the direction of
 * the establishment. One query.
 */
export async function readableJustifications(db: Db, userId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const res = await sql<{ id: string }>`
    SELECT j.id FROM school_life_justification j
    JOIN school_life_absence a ON a.id = j.absence_id
    WHERE j.id = ANY(${ids}::uuid[])
      AND (a.student_id = ${userId}
        OR EXISTS (SELECT 1 FROM guardianship g WHERE g.student_id = a.student_id AND g.guardian_id = ${userId})
        OR EXISTS (SELECT 1 FROM membership m WHERE m.user_id = ${userId} AND m.establishment_id = j.establishment_id
                     AND m.profile IN ('staff', 'principal')))`.execute(db);
  return new Set(res.rows.map((r) => r.id));
}
