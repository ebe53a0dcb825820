import type { EstablishmentProfile } from '@preau/contracts';
import { sql } from 'kysely';
import { cacheOf, defineCache } from '../cache.ts';
import type { Db } from '../db/schema.ts';
import { oncePerRequest } from '../request-memo.ts';

/**
 * The batched relations every module's access rules stand on (immich's AccessRepository shape): ids in,
 * allowed ids out, one query each, never one query per object. Teaching, enrolment and head-teacher relations
 * are those of the establishment's current school year; guardianship and membership have no year.
 */

type Ids = Iterable<string>;

const list = (ids: Ids) => [...new Set(ids)];

function groupBy(rows: { key: string; value: string }[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { key, value } of rows) {
    const set = out.get(key);
    if (set) set.add(value);
    else out.set(key, new Set([value]));
  }
  return out;
}

const STAFF_PROFILES: EstablishmentProfile[] = ['staff', 'principal', 'local_admin'];

/** People's display names, from memory: a rename announces `u:<id>` (migration 0040). */
const NAMES = defineCache<string>({ name: 'display-names', topic: 'u', max: 200_000, ttlMs: 600_000 });

interface Guardianship {
  studentId: string;
  establishmentId: string;
  seesGrades: boolean;
}
/**
 * A guardian's guardianships, from memory: every access rule about a child asks them. A guardianship added,
 * changed or removed announces `u:<guardian>` (migration 0040), as does a child's account removed.
 */
const GUARDIANSHIPS = defineCache<Guardianship[]>({
  name: 'guardianships',
  topic: 'u',
  max: 200_000,
  ttlMs: 120_000,
});

function guardianshipsOf(db: Db, guardianId: string): Promise<Guardianship[]> | null {
  const c = cacheOf(db, GUARDIANSHIPS);
  if (!c) return null;
  return c.get(guardianId, async () =>
    (
      await db
        .selectFrom('guardianship')
        .select(['student_id', 'establishment_id', 'sees_grades'])
        .where('guardian_id', '=', guardianId)
        .execute()
    ).map((r) => ({ studentId: r.student_id, establishmentId: r.establishment_id, seesGrades: r.sees_grades })),
  );
}

/**
 * A student's classes and groups of the current year, from memory for one student (topic `u`: their enrolments and
 * the school years' status announce it; the timetable's, logbook's and home widgets' audiences).
 */
const AUDIENCES = defineCache<{ classes: Set<string>; groups: Set<string> } | null>({
  name: 'student-audiences',
  topic: 'u',
  max: 100_000,
  ttlMs: 120_000,
});

/**
 * What a login's own statement reads for these caches (`sessions.insertForLogin`): a guardian's guardianships, and
 * the children's names the login has read with them. `keep…` takes that statement's answer as the caches' load;
 * call it before the answer arrives.
 */
export const relationsAtLogin = {
  guardianships: (guardianId: string) =>
    sql<Guardianship[]>`COALESCE((SELECT json_agg(json_build_object('studentId', g.student_id,
      'establishmentId', g.establishment_id, 'seesGrades', g.sees_grades)) FROM guardianship g
      WHERE g.guardian_id = ${guardianId}), '[]'::json)`,
  /**
   * The classes and groups of the current year (as `enrolmentsOf`) of the person and of their children: an object
   * with an entry for each of them, null when not enrolled.
   */
  enrolments: (userId: string) =>
    sql<Record<string, { classes: string[]; groups: string[] } | null>>`(SELECT json_object_agg(p.id, (
        SELECT json_build_object(
          'classes', COALESCE(json_agg(DISTINCT e.class_id) FILTER (WHERE e.class_id IS NOT NULL), '[]'::json),
          'groups', COALESCE(json_agg(DISTINCT e.group_id) FILTER (WHERE e.group_id IS NOT NULL), '[]'::json))
        FROM enrolment e JOIN school_year y ON y.id = e.school_year_id
        WHERE y.status = 'current' AND e.student_id = p.id
        HAVING count(*) > 0))
      FROM (SELECT ${userId}::uuid AS id UNION SELECT g.student_id FROM guardianship g WHERE g.guardian_id = ${userId}) p)`,
  keepGuardianships(db: Db, guardianId: string, loaded: Promise<Guardianship[]>): void {
    loaded.catch(() => {}); // the login awaits the statement itself: its failure is the login's
    cacheOf(db, GUARDIANSHIPS)
      ?.get(guardianId, () => loaded)
      .catch(() => {});
  },
  keepEnrolments(db: Db, loaded: Promise<Record<string, { classes: string[]; groups: string[] } | null>>): void {
    cacheOf(db, AUDIENCES)?.keepLoaded(
      loaded.then(
        (byStudent) =>
          new Map(
            Object.entries(byStudent).map(([id, e]) => [
              id,
              e && { classes: new Set(e.classes), groups: new Set(e.groups) },
            ]),
          ),
      ),
    );
  },
  keepNames(db: Db, loaded: Promise<{ id: string; displayName: string }[]>): void {
    cacheOf(db, NAMES)?.keepLoaded(loaded.then((people) => new Map(people.map((p) => [p.id, p.displayName]))));
  },
};

/** The members of the establishment holding one of these profiles (and matching `also`, when given). */
async function holders(
  db: Db,
  establishmentId: string,
  profiles: readonly EstablishmentProfile[],
  also?: ReturnType<typeof sql<boolean>>,
): Promise<Set<string>> {
  if (profiles.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('membership')
    .select('user_id')
    .distinct()
    .where('establishment_id', '=', establishmentId)
    .where('profile', 'in', [...profiles])
    .$if(!!also, (q) => q.where(also!))
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export const relations = {
  /** Display names (« NOM Prénom ») of people, by id: one query, the one every module names people with. */
  async displayNames(db: Db, userIds: Ids): Promise<Map<string, string>> {
    const ids = list(userIds);
    if (ids.length === 0) return new Map();
    const load = async (missing: string[]) => {
      const rows = await db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', missing).execute();
      return new Map(rows.map((r) => [r.id, r.display_name]));
    };
    const c = cacheOf(db, NAMES);
    return c ? c.getMany(ids, load) : load(ids);
  },

  /** Of these people, those who are members of the establishment (holding one of `profiles`, when given). */
  async membersOf(db: Db, establishmentId: string, userIds: Ids, profiles?: readonly EstablishmentProfile[]) {
    const ids = list(userIds);
    if (ids.length === 0) return new Set<string>();
    let q = db
      .selectFrom('membership')
      .select('user_id')
      .distinct()
      .where('establishment_id', '=', establishmentId)
      .where('user_id', 'in', ids);
    if (profiles) q = q.where('profile', 'in', [...profiles]);
    return new Set((await q.execute()).map((r) => r.user_id));
  },

  /** The profiles each of these people holds in the establishment. */
  async profilesIn(db: Db, establishmentId: string, userIds: Ids) {
    const ids = list(userIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('membership')
      .select(['user_id as key', 'profile as value'])
      .where('establishment_id', '=', establishmentId)
      .where('user_id', 'in', ids)
      .execute();
    return groupBy(rows);
  },

  /** Of these people, the establishment's staff: school life, administration, direction. */
  staffOf(db: Db, establishmentId: string, userIds: Ids) {
    return relations.membersOf(db, establishmentId, userIds, STAFF_PROFILES);
  },

  /** Of these classes, those of the establishment's current school year. */
  async classesIn(db: Db, establishmentId: string, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('class')
      .innerJoin('school_year', 'school_year.id', 'class.school_year_id')
      .select('class.id')
      .where('class.establishment_id', '=', establishmentId)
      .where('school_year.status', '=', 'current')
      .where('class.id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.id));
  },

  /** Of these groups, those of the establishment's current school year. */
  async groupsIn(db: Db, establishmentId: string, groupIds: Ids) {
    const ids = list(groupIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('teaching_group')
      .innerJoin('school_year', 'school_year.id', 'teaching_group.school_year_id')
      .select('teaching_group.id')
      .where('teaching_group.establishment_id', '=', establishmentId)
      .where('school_year.status', '=', 'current')
      .where('teaching_group.id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.id));
  },

  /** Of these classes, those the teacher teaches (a teaching assignment) or is head teacher of. */
  async classesTaughtBy(db: Db, teacherId: string, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .select('ta.class_id as id')
      .where('ta.teacher_id', '=', teacherId)
      .where('y.status', '=', 'current')
      .where('ta.class_id', 'in', ids)
      .union(
        db
          .selectFrom('head_teacher as h')
          .innerJoin('school_year as y', 'y.id', 'h.school_year_id')
          .select('h.class_id as id')
          .where('h.teacher_id', '=', teacherId)
          .where('y.status', '=', 'current')
          .where('h.class_id', 'in', ids),
      )
      .execute();
    return new Set(rows.map((r) => r.id).filter((id): id is string => id !== null));
  },

  /** Of these classes, those the teacher is head teacher (professeur principal) of, current year. */
  async classesHeadedBy(db: Db, teacherId: string, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('head_teacher as h')
      .innerJoin('school_year as y', 'y.id', 'h.school_year_id')
      .select('h.class_id')
      .distinct()
      .where('h.teacher_id', '=', teacherId)
      .where('y.status', '=', 'current')
      .where('h.class_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.class_id));
  },

  /** Of these groups, those the teacher teaches. */
  async groupsTaughtBy(db: Db, teacherId: string, groupIds: Ids) {
    const ids = list(groupIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .select('ta.group_id')
      .distinct()
      .where('ta.teacher_id', '=', teacherId)
      .where('y.status', '=', 'current')
      .where('ta.group_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.group_id).filter((id): id is string => id !== null));
  },

  /** Of these students, those the person is a guardian of (legal or in charge). */
  async childrenOf(db: Db, guardianId: string, studentIds: Ids) {
    const ids = list(studentIds);
    if (ids.length === 0) return new Set<string>();
    const mine = guardianshipsOf(db, guardianId);
    if (mine) {
      const of = new Set((await mine).map((g) => g.studentId));
      return new Set(ids.filter((id) => of.has(id)));
    }
    const rows = await db
      .selectFrom('guardianship')
      .select('student_id')
      .distinct()
      .where('guardian_id', '=', guardianId)
      .where('student_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  /** Of these students, those whose grades the guardian sees (`sees_grades` of the guardianship, from the feeds). */
  async childrenWithGradesOf(db: Db, guardianId: string, studentIds: Ids) {
    const ids = list(studentIds);
    if (ids.length === 0) return new Set<string>();
    const mine = guardianshipsOf(db, guardianId);
    if (mine) {
      const of = new Set((await mine).filter((g) => g.seesGrades).map((g) => g.studentId));
      return new Set(ids.filter((id) => of.has(id)));
    }
    const rows = await db
      .selectFrom('guardianship')
      .select('student_id')
      .distinct()
      .where('guardian_id', '=', guardianId)
      .where('student_id', 'in', ids)
      .where('sees_grades', '=', true)
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  /** The guardians of each student who see their grades. */
  async gradeGuardiansOf(db: Db, studentIds: Ids) {
    const ids = list(studentIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('guardianship')
      .select(['student_id as key', 'guardian_id as value'])
      .where('student_id', 'in', ids)
      .where('sees_grades', '=', true)
      .execute();
    return groupBy(rows);
  },

  /** Every child of the guardian in the establishment. */
  allChildrenOf(db: Db, establishmentId: string, guardianId: string): Promise<ReadonlySet<string>> {
    // The home page's widgets each ask: read once per request.
    return oncePerRequest(`relations.children:${establishmentId}:${guardianId}`, async () => {
      const mine = guardianshipsOf(db, guardianId);
      if (mine)
        return new Set((await mine).filter((g) => g.establishmentId === establishmentId).map((g) => g.studentId));
      const rows = await db
        .selectFrom('guardianship')
        .select('student_id')
        .distinct()
        .where('guardian_id', '=', guardianId)
        .where('establishment_id', '=', establishmentId)
        .execute();
      return new Set(rows.map((r) => r.student_id));
    });
  },

  /** Of these students, those enrolled (current year) in a class or group the teacher teaches. */
  async studentsTaughtBy(db: Db, teacherId: string, studentIds: Ids) {
    const ids = list(studentIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('enrolment as e')
      .innerJoin('school_year as y', 'y.id', 'e.school_year_id')
      .innerJoin('teaching_assignment as ta', (j) =>
        j
          .onRef('ta.school_year_id', '=', 'e.school_year_id')
          .on((eb) =>
            eb.or([eb('ta.class_id', '=', eb.ref('e.class_id')), eb('ta.group_id', '=', eb.ref('e.group_id'))]),
          ),
      )
      .select('e.student_id')
      .distinct()
      .where('y.status', '=', 'current')
      .where('ta.teacher_id', '=', teacherId)
      .where('e.student_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  /** Students of each class (current year). */
  async studentsOfClasses(db: Db, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('enrolment as e')
      .innerJoin('school_year as y', 'y.id', 'e.school_year_id')
      .select(['e.class_id as key', 'e.student_id as value'])
      .where('y.status', '=', 'current')
      .where('e.class_id', 'in', ids)
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /** Students of each group (current year). */
  async studentsOfGroups(db: Db, groupIds: Ids) {
    const ids = list(groupIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('enrolment as e')
      .innerJoin('school_year as y', 'y.id', 'e.school_year_id')
      .select(['e.group_id as key', 'e.student_id as value'])
      .where('y.status', '=', 'current')
      .where('e.group_id', 'in', ids)
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /** Classes and groups of each student (current year). */
  async enrolmentsOf(db: Db, studentIds: Ids) {
    const ids = list(studentIds);
    const out = new Map<string, { classes: Set<string>; groups: Set<string> }>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom('enrolment as e')
      .innerJoin('school_year as y', 'y.id', 'e.school_year_id')
      .select(['e.student_id', 'e.class_id', 'e.group_id'])
      .where('y.status', '=', 'current')
      .where('e.student_id', 'in', ids)
      .execute();
    for (const r of rows) {
      const entry = out.get(r.student_id) ?? { classes: new Set<string>(), groups: new Set<string>() };
      out.set(r.student_id, entry);
      if (r.class_id) entry.classes.add(r.class_id);
      if (r.group_id) entry.groups.add(r.group_id);
    }
    return out;
  },

  /** `enrolmentsOf`, from memory for one student (`AUDIENCES`), in one query for several. */
  async audiencesOf(
    db: Db,
    studentIds: readonly string[],
  ): Promise<Map<string, { classes: ReadonlySet<string>; groups: ReadonlySet<string> }>> {
    const c = studentIds.length === 1 ? cacheOf(db, AUDIENCES) : null;
    if (!c) return relations.enrolmentsOf(db, studentIds);
    const id = studentIds[0]!;
    const e = await c.get(
      id,
      async () => (await relations.enrolmentsOf(db, [id])).get(id) ?? null, // null: kept (not a miss every time)
    );
    return e ? new Map([[id, e]]) : new Map();
  },

  /** Guardians of each student. */
  async guardiansOf(db: Db, studentIds: Ids) {
    const ids = list(studentIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('guardianship')
      .select(['student_id as key', 'guardian_id as value'])
      .where('student_id', 'in', ids)
      .execute();
    return groupBy(rows);
  },

  /** Teachers of each class (assignments and head teachers, current year). */
  async teachersOfClasses(db: Db, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .select(['ta.class_id as key', 'ta.teacher_id as value'])
      .where('y.status', '=', 'current')
      .where('ta.class_id', 'in', ids)
      .union(
        db
          .selectFrom('head_teacher as h')
          .innerJoin('school_year as y', 'y.id', 'h.school_year_id')
          .select(['h.class_id as key', 'h.teacher_id as value'])
          .where('y.status', '=', 'current')
          .where('h.class_id', 'in', ids),
      )
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /** Teachers of each group (current year). */
  async teachersOfGroups(db: Db, groupIds: Ids) {
    const ids = list(groupIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .select(['ta.group_id as key', 'ta.teacher_id as value'])
      .where('y.status', '=', 'current')
      .where('ta.group_id', 'in', ids)
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /** Of these timetable courses, those the teacher teaches (co-teaching included). */
  async coursesTaughtBy(db: Db, teacherId: string, courseIds: Ids) {
    const ids = list(courseIds);
    if (ids.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('timetable_course_teacher')
      .select('course_id')
      .where('teacher_id', '=', teacherId)
      .where('course_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.course_id));
  },

  /** Teachers of each timetable course. */
  async teachersOfCourses(db: Db, courseIds: Ids) {
    const ids = list(courseIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('timetable_course_teacher')
      .select(['course_id as key', 'teacher_id as value'])
      .where('course_id', 'in', ids)
      .execute();
    return groupBy(rows);
  },

  /** The class or group, subject, establishment, school year and dates of each timetable course. */
  async audiencesOfCourses(db: Db, courseIds: Ids) {
    const ids = list(courseIds);
    const out = new Map<
      string,
      {
        establishmentId: string;
        schoolYearId: string;
        classId: string | null;
        groupId: string | null;
        subjectCode: string;
        validFrom: string;
        validTo: string;
      }
    >();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom('timetable_course')
      .select([
        'id',
        'establishment_id',
        'school_year_id',
        'class_id',
        'group_id',
        'subject_code',
        'valid_from',
        'valid_to',
      ])
      .where('id', 'in', ids)
      .execute();
    for (const r of rows)
      out.set(r.id, {
        establishmentId: r.establishment_id,
        schoolYearId: r.school_year_id,
        classId: r.class_id,
        groupId: r.group_id,
        subjectCode: r.subject_code,
        validFrom: r.valid_from,
        validTo: r.valid_to,
      });
    return out;
  },

  /** For each class, the groups some of its students are enrolled in (same school year): a class's groups. */
  async groupsOfClasses(db: Db, classIds: Ids) {
    const ids = list(classIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('enrolment as c')
      .innerJoin('enrolment as g', (j) =>
        j.onRef('g.student_id', '=', 'c.student_id').onRef('g.school_year_id', '=', 'c.school_year_id'),
      )
      .select(['c.class_id as key', 'g.group_id as value'])
      .distinct()
      .where('c.class_id', 'in', ids)
      .where('g.group_id', 'is not', null)
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /** For each group, the classes its students come from (same school year). */
  async classesOfGroups(db: Db, groupIds: Ids) {
    const ids = list(groupIds);
    if (ids.length === 0) return new Map<string, Set<string>>();
    const rows = await db
      .selectFrom('enrolment as g')
      .innerJoin('enrolment as c', (j) =>
        j.onRef('c.student_id', '=', 'g.student_id').onRef('c.school_year_id', '=', 'g.school_year_id'),
      )
      .select(['g.group_id as key', 'c.class_id as value'])
      .distinct()
      .where('g.group_id', 'in', ids)
      .where('c.class_id', 'is not', null)
      .execute();
    return groupBy(rows as { key: string; value: string }[]);
  },

  /**
   * Where a person stands in the establishment this year, in one query: the classes and groups they are enrolled
   * in, those they teach (assignments, head teacher), and those of the children they are a guardian of.
   */
  async placesOf(db: Db, establishmentId: string, userId: string) {
    const rows = await sql<{
      role: 'student' | 'teacher' | 'guardian';
      class_id: string | null;
      group_id: string | null;
    }>`
      SELECT 'student' AS role, e.class_id, e.group_id
        FROM enrolment e JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
       WHERE e.establishment_id = ${establishmentId} AND e.student_id = ${userId}
      UNION ALL
      SELECT 'teacher', ta.class_id, ta.group_id
        FROM teaching_assignment ta JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
       WHERE ta.establishment_id = ${establishmentId} AND ta.teacher_id = ${userId}
      UNION ALL
      SELECT 'teacher', h.class_id, NULL
        FROM head_teacher h JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
       WHERE h.establishment_id = ${establishmentId} AND h.teacher_id = ${userId}
      UNION ALL
      SELECT 'guardian', e.class_id, e.group_id
        FROM guardianship g
        JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id
        JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
       WHERE g.establishment_id = ${establishmentId} AND g.guardian_id = ${userId}`.execute(db);
    const empty = () => ({ classes: new Set<string>(), groups: new Set<string>() });
    const out = { student: empty(), teacher: empty(), guardian: empty() };
    for (const r of rows.rows) {
      if (r.class_id) out[r.role].classes.add(r.class_id);
      if (r.group_id) out[r.role].groups.add(r.group_id);
    }
    return out;
  },

  /** Everyone holding one of these profiles in the establishment. */
  holdersOf(db: Db, establishmentId: string, profiles: readonly EstablishmentProfile[]) {
    return holders(db, establishmentId, profiles);
  },

  /**
   * The establishment's staff whose directory function (AAF `ENTPersonFonctions`, `CODE$LABEL$…`) has one of these
   * codes: `EDU` for the vie scolaire (CPE, assistants d'éducation), `DIR` for the direction.
   */
  async staffWithFunction(db: Db, establishmentId: string, codes: readonly string[]) {
    if (codes.length === 0) return new Set<string>();
    return holders(
      db,
      establishmentId,
      STAFF_PROFILES,
      sql<boolean>`EXISTS (SELECT 1 FROM unnest(functions) f WHERE split_part(f, '$', 1) = ANY (${[...codes]}::text[]))`,
    );
  },

  /** Classes and groups a teacher teaches this year in the establishment, with the subjects. */
  async teachingOf(db: Db, establishmentId: string, teacherId: string) {
    return db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('school_year as y', 'y.id', 'ta.school_year_id')
      .select(['ta.class_id', 'ta.group_id', 'ta.subject_code'])
      .where('ta.establishment_id', '=', establishmentId)
      .where('ta.teacher_id', '=', teacherId)
      .where('y.status', '=', 'current')
      .execute();
  },
};

export type Relations = typeof relations;
