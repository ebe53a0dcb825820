/**
 * Who reads and writes which logbook, on the platform's batched relations (ids in, allowed ids out):
 *
 * - a teacher writes only for the courses they teach (co-teachers alike): 403 on a colleague's course;
 * - colleagues of a class read its logbook: a teacher reads the classes they teach or head, the groups they
 *   teach, and the groups drawing from those classes;
 * - a student reads their classes' and groups' logbook; a guardian their children's (read-only);
 * - the direction, local administrators and school-life staff read the whole establishment; the direction signs;
 * - inspectors named by the direction read (and sign) the named teachers' lessons (see logbook.service.ts);
 * - another establishment's objects answer 404.
 */
import type { Authorized } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { courseAudiences, coursesTaughtBy, enrolmentsOf } from '../timetable/index.ts';
import { teachingOf } from './logbook.cache.ts';

const WHOLE = new Set(['principal', 'local_admin', 'staff']);

/** Reads the whole establishment's logbook. */
export const readsAll = (auth: Pick<Authorized, 'profiles' | 'user'>) =>
  auth.user.platformAdmin || auth.profiles.some((p) => WHOLE.has(p));

export interface Scope {
  all: boolean;
  classIds: string[];
  groupIds: string[];
}

/**
 * The classes and groups whose logbook the caller reads (all, for the direction and the staff).
 *
 * `forClass`: the request reads only that class's logbook — its lessons and those of its groups (`groups`, the
 * groups drawing from it, from `related`). When the caller teaches it, its groups stand for the groups of every
 * class they teach (a superset of them): the answer for this class's objects is the same, without reading the
 * enrolments of all their classes (a query that grows with the classes taught).
 */
export async function readScope(
  auth: Authorized,
  forClass?: { id: string; groups: readonly string[] },
): Promise<Scope> {
  if (readsAll(auth)) return { all: true, classIds: [], groupIds: [] };
  const classes = new Set<string>();
  const groups = new Set<string>();
  const people: string[] = [];
  if (auth.profiles.includes('student')) people.push(auth.user.id);
  if (auth.profiles.includes('guardian'))
    people.push(...(await relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id)));
  for (const e of (await enrolmentsOf(auth.db, people)).values()) {
    for (const c of e.classes) classes.add(c);
    for (const g of e.groups) groups.add(g);
  }
  if (auth.profiles.includes('teacher')) {
    const taught = await teachingOf(auth.db, auth.establishmentId, auth.user.id);
    const mine = taught.map((t) => t.class_id).filter((c): c is string => !!c);
    for (const c of mine) classes.add(c);
    for (const t of taught) if (t.group_id) groups.add(t.group_id);
    if (forClass && mine.includes(forClass.id)) for (const g of forClass.groups) groups.add(g);
    else
      for (const set of (await relations.groupsOfClasses(auth.db, mine)).values()) for (const g of set) groups.add(g);
  }
  return { all: false, classIds: [...classes], groupIds: [...groups] };
}

/** A class or group the caller may read (404 outside the establishment, 403 otherwise). */
export async function checkReads(
  auth: Authorized,
  scope: Scope,
  kind: 'class' | 'group',
  id: string,
  inEstablishment: boolean,
) {
  if (!inEstablishment) throw notFound();
  if (scope.all) return;
  if (!(kind === 'class' ? scope.classIds : scope.groupIds).includes(id)) throw forbidden();
}

/** The course the caller writes in: of the establishment (else 404) and theirs (else 403). */
export async function writableCourse(auth: Authorized, courseId: string) {
  const course = (await courseAudiences(auth.db, [courseId])).get(courseId);
  if (!course || course.establishmentId !== auth.establishmentId) throw notFound();
  if (!(await coursesTaughtBy(auth.db, auth.user.id, [courseId])).has(courseId)) throw forbidden();
  return course;
}

/** Of these courses, those the caller teaches (the `can.write` flags). */
export function taughtCourses(auth: Authorized, courseIds: string[]) {
  return coursesTaughtBy(auth.db, auth.user.id, courseIds);
}

/** A group the homework may target: one drawing from the course's class, or one the teacher teaches. */
export async function checkHomeworkGroup(auth: Authorized, classId: string | null, groupId: string): Promise<void> {
  if (!(await relations.groupsIn(auth.db, auth.establishmentId, [groupId])).has(groupId)) throw notFound();
  if (classId && (await relations.groupsOfClasses(auth.db, [classId])).get(classId)?.has(groupId)) return;
  if ((await relations.groupsTaughtBy(auth.db, auth.user.id, [groupId])).has(groupId)) return;
  throw new AppError(400, 'HOMEWORK_TARGET');
}

/** Whether the caller may read an object of this class or group (lessons, homework), or wrote it. */
export function mayRead(
  scope: Scope,
  userId: string,
  o: { class_id: string | null; group_id: string | null; author_id: string | null },
) {
  return (
    scope.all ||
    o.author_id === userId ||
    (o.class_id !== null && scope.classIds.includes(o.class_id)) ||
    (o.group_id !== null && scope.groupIds.includes(o.group_id))
  );
}

/** The student whose homework or logbook it is: the student themself or a guardian's child (else 403/404). */
export async function checkStudent(auth: Authorized, studentId: string): Promise<void> {
  if (studentId === auth.user.id && auth.profiles.includes('student')) return;
  const here = await relations.membersOf(auth.db, auth.establishmentId, [studentId], ['student']);
  if (!here.has(studentId)) throw notFound();
  if (readsAll(auth)) return;
  if (
    auth.profiles.includes('guardian') &&
    (await relations.childrenOf(auth.db, auth.user.id, [studentId])).has(studentId)
  )
    return;
  if (
    auth.profiles.includes('teacher') &&
    (await relations.studentsTaughtBy(auth.db, auth.user.id, [studentId])).has(studentId)
  )
    return;
  throw forbidden();
}

/** The classes and groups of a student (current year). */
export async function audienceOfStudent(db: Db, studentId: string) {
  const e = (await enrolmentsOf(db, [studentId])).get(studentId);
  return { classIds: [...(e?.classes ?? [])], groupIds: [...(e?.groups ?? [])] };
}

/** The groups of classes and the classes of groups, for the workload (a group's students are in classes). */
export async function related(db: Db, classIds: string[], groupIds: string[]) {
  const groups = new Set(groupIds);
  const classes = new Set(classIds);
  for (const set of (await relations.groupsOfClasses(db, classIds)).values()) for (const g of set) groups.add(g);
  for (const set of (await relations.classesOfGroups(db, groupIds)).values()) for (const c of set) classes.add(c);
  return { classIds: [...classes], groupIds: [...groups] };
}

/** Of these people, the establishment's teachers. */
export function teachersAmong(db: Db, establishmentId: string, ids: string[]) {
  return relations.membersOf(db, establishmentId, ids, ['teacher']);
}

/** A guardian's children in the establishment. */
export const childrenOf = (auth: Authorized) => relations.allChildrenOf(auth.db, auth.establishmentId, auth.user.id);

/** Classes and groups in the establishment (current year), for the visa and the workload. */
export const classesIn = (db: Db, establishmentId: string, ids: string[]) =>
  relations.classesIn(db, establishmentId, ids);
export const groupsIn = (db: Db, establishmentId: string, ids: string[]) =>
  relations.groupsIn(db, establishmentId, ids);

/** Students and guardians of a class or group: who is told of new homework. */
export async function studentsAndGuardians(db: Db, classId: string | null, groupId: string | null) {
  const students = classId
    ? ((await relations.studentsOfClasses(db, [classId])).get(classId) ?? new Set<string>())
    : ((await relations.studentsOfGroups(db, [groupId!])).get(groupId!) ?? new Set<string>());
  const guardians = new Set<string>();
  for (const set of (await relations.guardiansOf(db, students)).values()) for (const g of set) guardians.add(g);
  return { students: [...students], guardians: [...guardians] };
}

/** The documents holders' audience check: of these lesson or homework ids, those the person may read. */
export async function readableHolders(
  db: Db,
  userId: string,
  rows: {
    id: string;
    establishment_id: string;
    class_id: string | null;
    group_id: string | null;
    author_id: string | null;
    course_id: string | null;
    publish_at: Date | null;
  }[],
): Promise<Set<string>> {
  const out = new Set<string>();
  const byEst = new Map<string, typeof rows>();
  for (const r of rows) byEst.set(r.establishment_id, [...(byEst.get(r.establishment_id) ?? []), r]);
  for (const [establishmentId, list] of byEst) {
    const profiles = (await relations.profilesIn(db, establishmentId, [userId])).get(userId);
    if (!profiles) continue;
    // The same scope as a request's, for a reader known by id only (the documents module asks).
    const auth = {
      db,
      establishmentId,
      user: { id: userId, platformAdmin: false },
      profiles: [...profiles],
    } as unknown as Authorized;
    const scope = await readScope(auth);
    const taught = await coursesTaughtBy(
      db,
      userId,
      list.map((r) => r.course_id).filter((c): c is string => !!c),
    );
    const now = Date.now();
    for (const r of list) {
      const published = !r.publish_at || r.publish_at.getTime() <= now;
      if (r.author_id === userId || (r.course_id && taught.has(r.course_id))) out.add(r.id);
      else if (published && mayRead(scope, userId, r)) out.add(r.id);
    }
  }
  return out;
}
