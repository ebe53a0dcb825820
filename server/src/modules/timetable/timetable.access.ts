/**
 * Whose week a caller may open, on the batched relations (one query each, ids in, allowed ids out):
 *
 * - everyone their own week (a student: their classes and groups; a teacher: the courses they teach);
 * - a guardian the weeks of their children, and of their children's classes and groups;
 * - a student the weeks of their own classes and groups;
 * - teachers, school-life staff, the direction and local administrators any class's, group's, teacher's or
 *   room's week of the establishment (the staff room's timetable board), and any student's;
 * - nobody anything of another establishment (404).
 */

import type { Authorized } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { forbidden, notFound } from '../../platform/errors.ts';

const STAFFLIKE = new Set(['teacher', 'staff', 'principal', 'local_admin']);

/** A teacher, school-life staff, the direction, a local admin, or a platform admin. */
export function seesWholeTimetable(auth: Pick<Authorized, 'profiles' | 'user'>): boolean {
  return auth.user.platformAdmin || auth.profiles.some((p) => STAFFLIKE.has(p));
}

/** The student whose week it is: a guardian's child, the student themself, or any student for the staff. */
export async function checkStudent(auth: Authorized, studentId: string): Promise<void> {
  if (studentId === auth.user.id) return;
  const inHere = await relations.membersOf(auth.db, auth.establishmentId, [studentId], ['student']);
  if (!inHere.has(studentId)) throw notFound();
  if (seesWholeTimetable(auth)) return;
  if (
    auth.profiles.includes('guardian') &&
    (await relations.childrenOf(auth.db, auth.user.id, [studentId])).has(studentId)
  )
    return;
  throw forbidden();
}

/** The classes and groups of these students (current year). */
export async function audienceOf(auth: Authorized, studentIds: string[]) {
  const enrolments = await relations.enrolmentsOf(auth.db, studentIds);
  const classes = new Set<string>();
  const groups = new Set<string>();
  for (const e of enrolments.values()) {
    for (const c of e.classes) classes.add(c);
    for (const g of e.groups) groups.add(g);
  }
  return { classes: [...classes], groups: [...groups] };
}

/** A class's (or group's) week: the staff any of the establishment, students and guardians their own. */
export async function checkClassOrGroup(auth: Authorized, kind: 'class' | 'group', id: string): Promise<void> {
  const here =
    kind === 'class'
      ? await relations.classesIn(auth.db, auth.establishmentId, [id])
      : await relations.groupsIn(auth.db, auth.establishmentId, [id]);
  if (!here.has(id)) throw notFound();
  if (seesWholeTimetable(auth)) return;
  const mine = [auth.user.id];
  if (auth.profiles.includes('guardian'))
    mine.push(...(await relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id)));
  const { classes, groups } = await audienceOf(auth, mine);
  if ((kind === 'class' ? classes : groups).includes(id)) return;
  throw forbidden();
}

/** A teacher's week: the staff only; the teacher must teach in the establishment. */
export async function checkTeacher(auth: Authorized, teacherId: string): Promise<void> {
  const here = await relations.membersOf(auth.db, auth.establishmentId, [teacherId], ['teacher']);
  if (!here.has(teacherId)) throw notFound();
  if (teacherId === auth.user.id || seesWholeTimetable(auth)) return;
  throw forbidden();
}

/** A room's week: the staff only. */
export function checkRoom(auth: Authorized): void {
  if (!seesWholeTimetable(auth)) throw forbidden();
}

/** A course of the establishment (else 404): for the direction's changes. */
export async function courseIn(auth: Authorized, courseId: string) {
  const audience = (await relations.audiencesOfCourses(auth.db, [courseId])).get(courseId);
  if (!audience || audience.establishmentId !== auth.establishmentId) throw notFound();
  return audience;
}

/** Of these people, those who teach in the establishment. */
export function teachersAmong(auth: Authorized, ids: string[]) {
  return relations.membersOf(auth.db, auth.establishmentId, ids, ['teacher']);
}

/** The class and group ids of the establishment's current year among these. */
export async function targetIn(auth: Authorized, classId: string | null, groupId: string | null): Promise<void> {
  if (classId && !(await relations.classesIn(auth.db, auth.establishmentId, [classId])).has(classId)) throw notFound();
  if (groupId && !(await relations.groupsIn(auth.db, auth.establishmentId, [groupId])).has(groupId)) throw notFound();
}

/** A guardian's children in the establishment. */
export function childrenOf(auth: Authorized) {
  return relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id);
}
