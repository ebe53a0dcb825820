import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../platform/db/schema.ts';

/** One person or class a check found, as the SQL returns it. */
export interface QualityHitRow {
  kind: 'person' | 'class';
  id: string;
  display_name: string;
  login: string | null;
  profile: string | null;
  class: string | null;
}

export interface QualityCheckRows {
  count: number;
  people: QualityHitRow[];
}

export interface ActivationRows {
  /** Accounts awaiting activation, with their first profile and class; `elsewhere`: also in another school. */
  people: {
    id: string;
    display_name: string;
    login: string;
    profile: string;
    class: string | null;
    elsewhere: boolean;
  }[];
  pending: number;
  activated: number;
  total: number;
  by_profile: { profile: string; activated: number; total: number }[];
  by_class: { classId: string; class: string; profile: 'student' | 'guardian'; activated: number; total: number }[];
}

/**
 * The shared CTEs: the current school year, the establishment's live members (not detached), each student's
 * current class and each guardian's children's classes, all computed once per query (set-based, no N+1).
 */
const base = (establishmentId: string) => sql`
  cy AS (
    SELECT id FROM school_year WHERE establishment_id = ${establishmentId} AND status = 'current'
  ),
  mem AS (
    SELECT m.user_id, m.profile, u.display_name, u.login, u.status, u.email, u.birth_date,
           u.phone_mobile, u.phone_home, u.phone_work
    FROM membership m JOIN app_user u ON u.id = m.user_id
    WHERE m.establishment_id = ${establishmentId} AND u.status <> 'detached'
  ),
  cur_class AS (
    SELECT c.* FROM class c JOIN cy ON cy.id = c.school_year_id WHERE c.establishment_id = ${establishmentId}
  ),
  student_class AS (
    SELECT e.student_id, string_agg(c.code, ', ' ORDER BY c.code) AS code
    FROM enrolment e JOIN cur_class c ON c.id = e.class_id
    WHERE e.establishment_id = ${establishmentId}
    GROUP BY e.student_id
  ),
  guardian_class AS (
    SELECT g.guardian_id, string_agg(DISTINCT c.code, ', ') AS code
    FROM guardianship g
    JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id
    JOIN cur_class c ON c.id = e.class_id
    WHERE g.establishment_id = ${establishmentId}
    GROUP BY g.guardian_id
  )`;

/** The count of `hits` and its first `limit` rows (by class, then name): one query per check. */
async function check(db: Db, establishmentId: string, hits: RawBuilder<unknown>, limit: number) {
  const { rows } = await sql<QualityCheckRows>`
    WITH ${base(establishmentId)},
    hits AS (${hits})
    SELECT (SELECT count(*) FROM hits)::int AS count,
           COALESCE((
             SELECT json_agg(h) FROM (
               SELECT * FROM hits ORDER BY class NULLS LAST, display_name, id LIMIT ${limit}
             ) h
           ), '[]'::json) AS people
  `.execute(db);
  return rows[0] ?? { count: 0, people: [] };
}

const classHits = (condition: RawBuilder<unknown>) => sql`
  SELECT 'class' AS kind, c.id, c.label AS display_name, NULL::text AS login, NULL::text AS profile, c.code AS class
  FROM cur_class c
  WHERE ${condition}`;

const personHits = (
  profile: string,
  condition: RawBuilder<unknown>,
  classExpr: RawBuilder<unknown> = sql`NULL::text`,
) =>
  sql`
  SELECT 'person' AS kind, mem.user_id AS id, mem.display_name, mem.login,
         mem.profile, ${classExpr} AS class
  FROM mem
  LEFT JOIN student_class sc ON sc.student_id = mem.user_id
  LEFT JOIN guardian_class gc ON gc.guardian_id = mem.user_id
  WHERE mem.profile = ${profile} AND ${condition}`;

/** A live account of someone still in the directory (a detached head teacher does not count). */
const live = (userColumn: string) =>
  sql`EXISTS (SELECT 1 FROM app_user x WHERE x.id = ${sql.ref(userColumn)} AND x.status <> 'detached')`;

const blank = (column: string) => sql`COALESCE(btrim(${sql.ref(column)}), '') = ''`;

/**
 * The checks' conditions, shared by their lists and by `counts`: over a class `c` of `cur_class`, or a member
 * `mem` (with `sc`, the student's classes, joined for `noClass`).
 */
const checks = {
  noHeadTeacher: () =>
    sql`NOT EXISTS (SELECT 1 FROM head_teacher h WHERE h.class_id = c.id AND ${live('h.teacher_id')})`,
  noTeacher: () =>
    sql`NOT EXISTS (SELECT 1 FROM teaching_assignment t WHERE t.class_id = c.id AND ${live('t.teacher_id')})`,
  noClass: () => sql`sc.student_id IS NULL`,
  noLegalGuardian: (
    establishmentId: string,
  ) => sql`(mem.birth_date IS NULL OR mem.birth_date > current_date - interval '18 years')
    AND NOT EXISTS (
      SELECT 1 FROM guardianship g
      WHERE g.establishment_id = ${establishmentId} AND g.student_id = mem.user_id AND g.level = 'legal'
        AND ${live('g.guardian_id')})`,
  noContact: () => sql`${blank('mem.email')} AND ${blank('mem.phone_mobile')} AND ${blank('mem.phone_home')}
    AND ${blank('mem.phone_work')}`,
  noAssignment: (establishmentId: string) => sql`NOT EXISTS (
    SELECT 1 FROM teaching_assignment t JOIN cy ON cy.id = t.school_year_id
    WHERE t.establishment_id = ${establishmentId} AND t.teacher_id = mem.user_id)`,
};

/** All SQL of the data-quality checks. */
export const quality = {
  currentYear: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),

  classesWithoutHeadTeacher: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, classHits(checks.noHeadTeacher()), limit),

  classesWithoutTeacher: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, classHits(checks.noTeacher()), limit),

  studentsWithoutClass: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, personHits('student', checks.noClass()), limit),

  /** Adults (18 or more, birth date known) may have no legal guardian: they are not listed. */
  studentsWithoutLegalGuardian: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, personHits('student', checks.noLegalGuardian(establishmentId), sql`sc.code`), limit),

  guardiansWithoutContact: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, personHits('guardian', checks.noContact(), sql`gc.code`), limit),

  teachersWithoutAssignment: (db: Db, establishmentId: string, limit: number) =>
    check(db, establishmentId, personHits('teacher', checks.noAssignment(establishmentId)), limit),

  /**
   * The six checks' counts only (the rollout checklist, the direction's home page): one statement over the
   * members and classes read once, with the same conditions as the checks above, and without the class labels
   * a list needs (joining them made the planner rescan the guardians' classes once per guardian: 0.5 s in a
   * lycée of 4,700 members).
   */
  counts: async (db: Db, establishmentId: string) => {
    const { rows } = await sql<{
      no_head: number;
      no_teacher: number;
      no_class: number;
      no_guardian: number;
      no_contact: number;
      unassigned: number;
    }>`
      WITH ${base(establishmentId)}
      SELECT
        (SELECT count(*) FROM cur_class c WHERE ${checks.noHeadTeacher()})::int AS no_head,
        (SELECT count(*) FROM cur_class c WHERE ${checks.noTeacher()})::int AS no_teacher,
        (SELECT count(*) FROM mem LEFT JOIN student_class sc ON sc.student_id = mem.user_id
         WHERE mem.profile = 'student' AND ${checks.noClass()})::int AS no_class,
        (SELECT count(*) FROM mem
         WHERE mem.profile = 'student' AND ${checks.noLegalGuardian(establishmentId)})::int AS no_guardian,
        (SELECT count(*) FROM mem WHERE mem.profile = 'guardian' AND ${checks.noContact()})::int AS no_contact,
        (SELECT count(*) FROM mem
         WHERE mem.profile = 'teacher' AND ${checks.noAssignment(establishmentId)})::int AS unassigned
    `.execute(db);
    const r = rows[0]!;
    return {
      classesWithoutHeadTeacher: r.no_head,
      classesWithoutTeacher: r.no_teacher,
      studentsWithoutClass: r.no_class,
      studentsWithoutLegalGuardian: r.no_guardian,
      guardiansWithoutContact: r.no_contact,
      teachersWithoutAssignment: r.unassigned,
    };
  },

  /**
   * The rollout's progress on accounts (not an anomaly): per person, their account activated or not; the
   * accounts awaiting activation listed (first profile in the order below, their class), and activated out of
   * all per profile and per class (students by class, guardians by their children's class). One query.
   */
  activationProgress: async (db: Db, establishmentId: string, limit: number): Promise<ActivationRows> => {
    const { rows } = await sql<ActivationRows>`
      WITH ${base(establishmentId)},
      person AS (
        SELECT DISTINCT ON (mem.user_id) mem.user_id, mem.profile, mem.display_name, mem.login, mem.status,
               COALESCE(sc.code, gc.code) AS class
        FROM mem
        LEFT JOIN student_class sc ON sc.student_id = mem.user_id
        LEFT JOIN guardian_class gc ON gc.guardian_id = mem.user_id
        ORDER BY mem.user_id,
          array_position(ARRAY['student','guardian','teacher','staff','principal','local_admin'], mem.profile)
      ),
      class_people AS (
        SELECT c.id AS class_id, c.code, 'student' AS profile, e.student_id AS user_id
        FROM cur_class c JOIN enrolment e ON e.class_id = c.id
        UNION
        SELECT c.id, c.code, 'guardian', g.guardian_id
        FROM cur_class c JOIN enrolment e ON e.class_id = c.id
        JOIN guardianship g ON g.student_id = e.student_id AND g.establishment_id = ${establishmentId}
      )
      SELECT
        (SELECT count(*) FILTER (WHERE status = 'pending_activation') FROM person)::int AS pending,
        (SELECT count(*) FILTER (WHERE status = 'active') FROM person)::int AS activated,
        (SELECT count(*) FROM person)::int AS total,
        COALESCE((
          SELECT json_agg(h) FROM (
            SELECT p.user_id AS id, p.display_name, p.login, p.profile, p.class,
                   EXISTS (SELECT 1 FROM membership mo
                           WHERE mo.user_id = p.user_id AND mo.establishment_id <> ${establishmentId}) AS elsewhere
            FROM person p WHERE p.status = 'pending_activation'
            ORDER BY p.class NULLS LAST, p.display_name, p.user_id LIMIT ${limit}
          ) h
        ), '[]'::json) AS people,
        COALESCE((
          SELECT json_agg(p ORDER BY array_position(
            ARRAY['student','guardian','teacher','staff','principal','local_admin'], p.profile))
          FROM (
            SELECT profile, (count(*) FILTER (WHERE status = 'active'))::int AS activated, count(*)::int AS total
            FROM mem GROUP BY profile
          ) p
        ), '[]'::json) AS by_profile,
        COALESCE((
          SELECT json_agg(k ORDER BY k.class, k.profile DESC) FROM (
            SELECT cp.class_id AS "classId", cp.code AS class, cp.profile,
                   (count(*) FILTER (WHERE mem.status = 'active'))::int AS activated,
                   count(*)::int AS total
            FROM class_people cp
            JOIN (SELECT DISTINCT user_id, status FROM mem) mem ON mem.user_id = cp.user_id
            GROUP BY cp.class_id, cp.code, cp.profile
          ) k
        ), '[]'::json) AS by_class
    `.execute(db);
    return rows[0] ?? { people: [], pending: 0, activated: 0, total: 0, by_profile: [], by_class: [] };
  },
};
