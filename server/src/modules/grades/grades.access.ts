/**
 * Who may see and change which grades, on the batched relations (ids in, allowed ids out, one query each).
 * Need-to-know (arrêté ENT, art. 4):
 *
 * - a student their own grades; a guardian their children's (unless the guardianship says otherwise:
 *   `sees_grades`); a teacher their own students' (a class or group they teach, current year); school-life staff
 *   and the direction any student of the establishment; the local administrator and a platform administrator
 *   nobody's (403: they administer accounts, not results); another establishment nothing (404);
 * - students and guardians see an assessment only once its publication delay is past; everyone else at once;
 * - a teacher enters grades for a class or group they teach, in a subject they teach there, and changes the
 *   assessments of that class or group and subject (theirs, or a co-teacher's);
 * - report comments: a subject's by its teachers of the class, the head teacher's by the class's head teacher,
 *   the direction's and the publication by the direction; the school-life staff read the reports.
 */
import type { Authorized } from '../../platform/access/authorize.ts';
import { isStudentOf } from '../../platform/access/relations.cache.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { AssessmentRow } from './grades.repository.ts';

/**
 * School-life staff and the direction: any student of the establishment. Not the local administrator nor a
 * platform administrator (they administer accounts, not pupils' results), as for school life.
 */
const STAFF = new Set(['staff', 'principal']);

export function seesAllStudents(auth: Pick<Authorized, 'profiles'>): boolean {
  return auth.profiles.some((p) => STAFF.has(p));
}

/** Whether the caller sees grades at once (staff, teachers) rather than after the delay (students, guardians). */
export function seesBeforeDelay(auth: Pick<Authorized, 'profiles'>): boolean {
  return seesAllStudents(auth) || auth.profiles.includes('teacher');
}

/**
 * The student whose grades are asked for: a student of the establishment (else 404) whom the caller may see
 * (else 403). Without one, the caller's own (a student) or their only child (a guardian); else STUDENT_REQUIRED.
 */
export async function studentFor(auth: Authorized, studentId: string | undefined): Promise<string> {
  if (!studentId) {
    if (auth.profiles.includes('student')) return auth.user.id;
    if (auth.profiles.includes('guardian')) {
      const children = await relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id);
      const here = await relations.childrenWithGradesOf(auth.db, auth.user.id, children);
      if (here.size === 1) return [...here][0]!;
    }
    throw new AppError(400, 'STUDENT_REQUIRED');
  }
  // The facts of these checks come from memory (relations.cache.ts, relations.repository.ts), the checks run here.
  if (!(await isStudentOf(auth.db, auth.establishmentId, studentId))) throw notFound();
  if (studentId === auth.user.id || seesAllStudents(auth)) return studentId;
  if (
    auth.profiles.includes('guardian') &&
    (await relations.childrenWithGradesOf(auth.db, auth.user.id, [studentId])).has(studentId)
  )
    return studentId;
  if (
    auth.profiles.includes('teacher') &&
    (await relations.studentsTaughtBy(auth.db, auth.user.id, [studentId])).has(studentId)
  )
    return studentId;
  throw forbidden();
}

/** Whether this caller sees this student's grades before the delay (a teacher of theirs, the staff). */
export function beforeDelayFor(auth: Authorized, studentId: string): boolean {
  if (seesAllStudents(auth)) return true;
  return auth.profiles.includes('teacher') && studentId !== auth.user.id;
}

export type Target = { kind: 'class' | 'group'; id: string };

/** The class or group named (exactly one), of the establishment's current year — else 400 / 404. */
export async function targetIn(auth: Authorized, classId?: string, groupId?: string): Promise<Target> {
  if (!classId === !groupId) throw new AppError(400, 'GRADE_TARGET');
  const target: Target = classId ? { kind: 'class', id: classId } : { kind: 'group', id: groupId! };
  const here =
    target.kind === 'class'
      ? await relations.classesIn(auth.db, auth.establishmentId, [target.id])
      : await relations.groupsIn(auth.db, auth.establishmentId, [target.id]);
  if (!here.has(target.id)) throw notFound();
  return target;
}

/** The subjects the caller teaches in this class or group (current year). */
export async function subjectsTaught(auth: Authorized, target: Target): Promise<Set<string>> {
  const teaching = await relations.teachingOf(auth.db, auth.establishmentId, auth.user.id);
  return new Set(
    teaching
      .filter((t) => (target.kind === 'class' ? t.class_id === target.id : t.group_id === target.id))
      .map((t) => t.subject_code),
  );
}

/** A teacher enters grades in a class or group they teach (else 403), in a subject they teach there. */
export async function checkEntry(auth: Authorized, target: Target, subjectCode: string): Promise<void> {
  const subjects = await subjectsTaught(auth, target);
  if (subjects.size === 0) throw forbidden();
  if (!subjects.has(subjectCode)) throw new AppError(403, 'GRADE_SUBJECT_NOT_TAUGHT');
}

/** The students of a class or group (current year). */
export async function studentsOf(auth: Authorized, target: Target): Promise<Set<string>> {
  const map =
    target.kind === 'class'
      ? await relations.studentsOfClasses(auth.db, [target.id])
      : await relations.studentsOfGroups(auth.db, [target.id]);
  return map.get(target.id) ?? new Set();
}

export const targetOf = (a: Pick<AssessmentRow, 'class_id' | 'group_id'>): Target =>
  a.class_id ? { kind: 'class', id: a.class_id } : { kind: 'group', id: a.group_id! };

/** Whether the caller may change this assessment: its teacher, or a teacher of that class or group and subject. */
export async function canEdit(auth: Authorized, a: AssessmentRow): Promise<boolean> {
  if (!auth.profiles.includes('teacher')) return false;
  if (a.teacher_id === auth.user.id) return true;
  return (await subjectsTaught(auth, targetOf(a))).has(a.subject_code);
}

/** Reading an assessment with all its students: the staff, or a teacher of its class or group. */
export async function checkReadAssessment(auth: Authorized, a: AssessmentRow): Promise<void> {
  if (seesAllStudents(auth)) return;
  if (auth.profiles.includes('teacher') && (await subjectsTaught(auth, targetOf(a))).size > 0) return;
  throw forbidden();
}

/** What the caller may write in a class's report: its subjects, the head teacher's comment, the direction's. */
export async function reportRights(auth: Authorized, classId: string) {
  const direction = auth.profiles.includes('principal');
  const teacher = auth.profiles.includes('teacher');
  const subjects = teacher ? await subjectsTaught(auth, { kind: 'class', id: classId }) : new Set<string>();
  // A teacher of a group some of the class's students attend comments on the group's subject too.
  if (teacher) {
    const groups = (await relations.groupsOfClasses(auth.db, [classId])).get(classId) ?? new Set();
    const taught = await relations.teachingOf(auth.db, auth.establishmentId, auth.user.id);
    for (const t of taught) if (t.group_id && groups.has(t.group_id)) subjects.add(t.subject_code);
  }
  const headTeacher = teacher && (await relations.classesHeadedBy(auth.db, auth.user.id, [classId])).has(classId);
  return { subjects, headTeacher, direction, publish: direction };
}

/**
 * The class's report is the caller's to read: the direction, the school-life staff (the CPE sits on the conseil de
 * classe; reading only), its head teacher, a teacher of the class.
 */
export async function checkReport(auth: Authorized, classId: string) {
  const rights = await reportRights(auth, classId);
  if (!rights.direction && !rights.headTeacher && rights.subjects.size === 0 && !seesAllStudents(auth))
    throw forbidden();
  return rights;
}
