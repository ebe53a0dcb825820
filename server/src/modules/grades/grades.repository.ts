/** All SQL of the grades module (Kysely), no decisions. Functions take `AuthorizedDb` (ADR 0009). */
import { sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import './grades.tables.ts';
import type { GradeCode } from '@preau/contracts';

type Db = AuthorizedDb;

export interface SettingRow {
  period_kind: 'trimester' | 'semester';
  publication_delay_hours: number;
  not_handed_in_zero: boolean;
}

export const DEFAULT_SETTING: SettingRow = {
  period_kind: 'trimester',
  publication_delay_hours: 48,
  not_handed_in_zero: false,
};

export interface AssessmentRow {
  id: string;
  establishment_id: string;
  school_year_id: string;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
  subject_label: string;
  teacher_id: string | null;
  teacher_name: string | null;
  target_name: string;
  title: string;
  on_date: string;
  coefficient: number;
  scale: number;
  competencies: string[];
  visible_at: Date;
  notified_at: Date | null;
}

/** An assessment of a student's page: the student's own grade, the class's figures kept on the assessment. */
export type StudentAssessmentRow = Pick<
  AssessmentRow,
  | 'id'
  | 'class_id'
  | 'group_id'
  | 'subject_code'
  | 'subject_label'
  | 'title'
  | 'on_date'
  | 'coefficient'
  | 'scale'
  | 'competencies'
  | 'visible_at'
> & {
  /** Its students and guardians were told (`notified_at`): it counts in the families' kept figures. */
  told: boolean;
  grade: GradeRow;
  stats: { mean: number; min: number; max: number } | null;
  /** The kept subject figures of its class or group (`grades_class_stat`), and how many assessments they cover. */
  subjectStats: { assessments: number; average: number | null; min: number | null; max: number | null } | null;
};

export interface GradeRow {
  assessmentId: string;
  studentId: string;
  value: number | null;
  code: GradeCode | null;
  levels: (number | null)[] | null;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

const assessmentSelect = (db: Db) =>
  db
    .selectFrom('grades_assessment as a')
    .innerJoin('subject as s', 's.code', 'a.subject_code')
    .leftJoin('app_user as t', 't.id', 'a.teacher_id')
    .leftJoin('class as c', 'c.id', 'a.class_id')
    .leftJoin('teaching_group as g', 'g.id', 'a.group_id')
    .select([
      'a.id',
      'a.establishment_id',
      'a.school_year_id',
      'a.class_id',
      'a.group_id',
      'a.subject_code',
      's.label as subject_label',
      'a.teacher_id',
      't.display_name as teacher_name',
      // a class by its code (2NDE1), a group by its label
      sql<string>`coalesce(c.code, g.label, '')`.as('target_name'),
      'a.title',
      'a.on_date',
      'a.coefficient',
      'a.scale',
      'a.competencies',
      'a.visible_at',
      'a.notified_at',
    ]);

type RawAssessment = Omit<AssessmentRow, 'coefficient' | 'scale'> & { coefficient: string; scale: string };
const assessment = (r: RawAssessment): AssessmentRow => ({
  ...r,
  coefficient: Number(r.coefficient),
  scale: Number(r.scale),
});

export const grades = {
  async setting(db: Db, establishmentId: string): Promise<SettingRow> {
    const row = await db
      .selectFrom('grades_setting')
      .select(['period_kind', 'publication_delay_hours', 'not_handed_in_zero'])
      .where('establishment_id', '=', establishmentId)
      .executeTakeFirst();
    return row ?? DEFAULT_SETTING;
  },

  async saveSetting(db: Db, establishmentId: string, s: SettingRow, by: string | null) {
    await db
      .insertInto('grades_setting')
      .values({ establishment_id: establishmentId, ...s, updated_by: by, updated_at: new Date() })
      .onConflict((oc) => oc.column('establishment_id').doUpdateSet({ ...s, updated_by: by, updated_at: new Date() }))
      .execute();
  },

  /** The current school year and the establishment's settings (defaults when it has none), in one query. */
  async yearAndSetting(db: Db, establishmentId: string) {
    const row = await db
      .selectFrom('school_year as y')
      .leftJoin('grades_setting as st', 'st.establishment_id', 'y.establishment_id')
      .select([
        'y.id',
        'y.starts_on',
        'y.ends_on',
        'y.label',
        'st.period_kind',
        'st.publication_delay_hours',
        'st.not_handed_in_zero',
      ])
      .where('y.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .executeTakeFirst();
    if (!row) return undefined;
    const { period_kind, publication_delay_hours, not_handed_in_zero, ...year } = row;
    const setting: SettingRow =
      period_kind === null || publication_delay_hours === null || not_handed_in_zero === null
        ? DEFAULT_SETTING
        : { period_kind, publication_delay_hours, not_handed_in_zero };
    return { year, setting };
  },

  currentYear(db: Db, establishmentId: string) {
    return db
      .selectFrom('school_year')
      .select(['id', 'starts_on', 'ends_on', 'label'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst();
  },

  establishmentName(db: Db, establishmentId: string) {
    return db.selectFrom('establishment').select(['name', 'city']).where('id', '=', establishmentId).executeTakeFirst();
  },

  async subjects(db: Db, codes: Iterable<string>) {
    const list = [...new Set(codes)];
    if (list.length === 0) return new Map<string, string>();
    const rows = await db.selectFrom('subject').select(['code', 'label']).where('code', 'in', list).execute();
    return new Map(rows.map((r) => [r.code, r.label]));
  },

  async names(db: Db, userIds: Iterable<string>) {
    const list = [...new Set(userIds)];
    if (list.length === 0) return new Map<string, { displayName: string; last: string; first: string }>();
    const rows = await db
      .selectFrom('app_user')
      .select(['id', 'display_name', 'last_name', 'first_name'])
      .where('id', 'in', list)
      .execute();
    return new Map(rows.map((r) => [r.id, { displayName: r.display_name, last: r.last_name, first: r.first_name }]));
  },

  async targetName(db: Db, kind: 'class' | 'group', id: string) {
    const row =
      kind === 'class'
        ? await db.selectFrom('class').select('code as label').where('id', '=', id).executeTakeFirst()
        : await db.selectFrom('teaching_group').select('label').where('id', '=', id).executeTakeFirst();
    return row?.label ?? '';
  },

  async classNames(db: Db, ids: Iterable<string>) {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map<string, string>();
    const rows = await db.selectFrom('class').select(['id', 'code as label']).where('id', 'in', list).execute();
    return new Map(rows.map((r) => [r.id, r.label]));
  },

  async groupNames(db: Db, ids: Iterable<string>) {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map<string, string>();
    const rows = await db.selectFrom('teaching_group').select(['id', 'label']).where('id', 'in', list).execute();
    return new Map(rows.map((r) => [r.id, r.label]));
  },

  /** The current year's classes of an establishment (for the direction's report list). */
  classesOf(db: Db, establishmentId: string) {
    return db
      .selectFrom('class')
      .innerJoin('school_year as y', 'y.id', 'class.school_year_id')
      .select(['class.id', 'class.code as label'])
      .where('class.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .orderBy('class.code')
      .execute();
  },

  async insertAssessment(
    db: Db,
    row: {
      establishment_id: string;
      school_year_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      teacher_id: string;
      title: string;
      on_date: string;
      coefficient: number;
      scale: number;
      competencies: string[];
      visible_at: Date;
      notified_at: Date | null;
    },
  ) {
    return (await db.insertInto('grades_assessment').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async updateAssessment(
    db: Db,
    id: string,
    set: Partial<{ title: string; on_date: string; coefficient: number; scale: number; competencies: string[] }>,
  ) {
    await db
      .updateTable('grades_assessment')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  async publishNow(db: Db, id: string, now: Date) {
    await db
      .updateTable('grades_assessment')
      .set({ visible_at: now, notified_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
  },

  async deleteAssessment(db: Db, id: string) {
    await db.deleteFrom('grades_assessment').where('id', '=', id).execute();
  },

  /** Insert or replace grades (one statement). */
  async upsertGrades(
    db: Db,
    establishmentId: string,
    assessmentId: string,
    rows: { studentId: string; value: number | null; code: GradeCode | null; levels: (number | null)[] | null }[],
  ) {
    if (rows.length === 0) return;
    await db
      .insertInto('grades_grade')
      .values(
        rows.map((r) => ({
          assessment_id: assessmentId,
          student_id: r.studentId,
          establishment_id: establishmentId,
          value: r.value,
          code: r.code,
          levels: r.levels,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['assessment_id', 'student_id']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          code: eb.ref('excluded.code'),
          levels: eb.ref('excluded.levels'),
          updated_at: new Date(),
        })),
      )
      .execute();
  },

  async deleteGrades(db: Db, assessmentId: string, studentIds: string[]) {
    if (studentIds.length === 0) return;
    await db
      .deleteFrom('grades_grade')
      .where('assessment_id', '=', assessmentId)
      .where('student_id', 'in', studentIds)
      .execute();
  },

  async assessmentById(db: Db, id: string): Promise<AssessmentRow | undefined> {
    const r = await assessmentSelect(db).where('a.id', '=', id).executeTakeFirst();
    return r ? assessment(r as RawAssessment) : undefined;
  },

  establishmentOfAssessment(db: Db, id: string) {
    return db.selectFrom('grades_assessment').select('establishment_id').where('id', '=', id).executeTakeFirst();
  },

  /** The assessments of a class or group in a year, between two dates, of some teacher or subject when given. */
  async assessmentsOf(
    db: Db,
    q: {
      schoolYearId: string;
      classId?: string;
      groupId?: string;
      from: string;
      to: string;
      teacherId?: string;
      subjectCodes?: string[];
    },
  ): Promise<AssessmentRow[]> {
    let query = assessmentSelect(db)
      .where('a.school_year_id', '=', q.schoolYearId)
      .where('a.on_date', '>=', q.from)
      .where('a.on_date', '<=', q.to);
    if (q.classId) query = query.where('a.class_id', '=', q.classId);
    if (q.groupId) query = query.where('a.group_id', '=', q.groupId);
    if (q.teacherId) query = query.where('a.teacher_id', '=', q.teacherId);
    if (q.subjectCodes) {
      if (q.subjectCodes.length === 0) return [];
      query = query.where('a.subject_code', 'in', q.subjectCodes);
    }
    const rows = await query.orderBy('a.on_date').orderBy('a.created_at').execute();
    return rows.map((r) => assessment(r as RawAssessment));
  },

  /**
   * The assessments a student has a grade in (current year, between two dates), visible before `visibleBy` when
   * given, each with the student's own grade, the assessment's class figures (kept on its row) and the kept
   * subject figures of its class or group for these dates and this audience (`published`) — one query on the
   * student's grades.
   */
  async assessmentsOfStudent(
    db: Db,
    q: { studentId: string; schoolYearId: string; from: string; to: string; visibleBy?: Date; published: boolean },
  ): Promise<StudentAssessmentRow[]> {
    // Only what the page shows: no teacher nor class name (one index probe less per assessment and per join).
    let query = db
      .selectFrom('grades_grade as gg')
      .innerJoin('grades_assessment as a', 'a.id', 'gg.assessment_id')
      .innerJoin('subject as s', 's.code', 'a.subject_code')
      .leftJoin('grades_class_stat as cs', (j) =>
        j
          .on('cs.target_id', '=', sql<string>`coalesce(a.class_id, a.group_id)`)
          .onRef('cs.subject_code', '=', 'a.subject_code')
          .onRef('cs.school_year_id', '=', 'a.school_year_id')
          .on('cs.range_from', '=', q.from)
          .on('cs.range_to', '=', q.to)
          .on('cs.published', '=', q.published),
      )
      .select([
        'a.id',
        'a.class_id',
        'a.group_id',
        'a.subject_code',
        's.label as subject_label',
        'a.title',
        'a.on_date',
        sql<number>`a.coefficient::float8`.as('coefficient'),
        sql<number>`a.scale::float8`.as('scale'),
        'a.competencies',
        'a.visible_at',
        sql<boolean>`a.notified_at IS NOT NULL`.as('told'),
        'cs.assessments as subject_assessments',
        'cs.average as subject_average',
        'cs.min as subject_min',
        'cs.max as subject_max',
        'gg.value',
        'gg.code',
        'gg.levels',
        'a.value_count',
        sql<number | null>`a.value_mean::float8`.as('value_mean'),
        sql<number | null>`a.value_min::float8`.as('value_min'),
        sql<number | null>`a.value_max::float8`.as('value_max'),
      ])
      .where('gg.student_id', '=', q.studentId)
      .where('a.school_year_id', '=', q.schoolYearId)
      .where('a.on_date', '>=', q.from)
      .where('a.on_date', '<=', q.to);
    if (q.visibleBy) query = query.where('a.visible_at', '<=', q.visibleBy);
    const rows = await query.orderBy('a.on_date', 'desc').orderBy('a.created_at', 'desc').execute();
    return rows.map(
      ({
        value,
        code,
        levels,
        value_count,
        value_mean,
        value_min,
        value_max,
        subject_assessments,
        subject_average,
        subject_min,
        subject_max,
        ...r
      }) => ({
        ...r,
        grade: { assessmentId: r.id, studentId: q.studentId, value: num(value), code, levels },
        stats: value_count > 0 ? { mean: value_mean!, min: value_min!, max: value_max! } : null,
        subjectStats:
          subject_assessments === null
            ? null
            : { assessments: subject_assessments, average: subject_average, min: subject_min, max: subject_max },
      }),
    );
  },

  /**
   * The home widget's grades in one statement: these students' latest grades of the current year visible to
   * families at `now` (at most `limit`), and the next time another of them becomes visible, if any.
   */
  async latestVisibleAndNext(db: Db, establishmentId: string, studentIds: string[], now: Date, limit: number) {
    if (studentIds.length === 0) return { rows: [], next: null };
    const res = await sql<{
      next_at: Date | null;
      id: string | null;
      student_id: string;
      display_name: string;
      subject_label: string;
      title: string;
      on_date: string;
      scale: string;
      value: string | null;
      code: GradeCode | null;
      class_id: string | null;
      group_id: string | null;
    }>`
      SELECT n.next_at, l.id, l.student_id, l.display_name, l.subject_label, l.title, l.on_date, l.scale, l.value,
             l.code, l.class_id, l.group_id
      FROM (
        SELECT min(a.visible_at) AS next_at
        FROM grades_grade gg JOIN grades_assessment a ON a.id = gg.assessment_id
        JOIN school_year y ON y.id = a.school_year_id
        WHERE gg.student_id = ANY(${studentIds}::uuid[]) AND a.establishment_id = ${establishmentId}
          AND y.status = 'current' AND a.visible_at > ${now}
      ) n
      LEFT JOIN LATERAL (
        SELECT a.id, gg.student_id, u.display_name, s.label AS subject_label, a.title, a.on_date, a.scale, gg.value,
               gg.code, a.class_id, a.group_id, a.visible_at
        FROM grades_grade gg JOIN grades_assessment a ON a.id = gg.assessment_id
        JOIN school_year y ON y.id = a.school_year_id
        JOIN subject s ON s.code = a.subject_code
        JOIN app_user u ON u.id = gg.student_id
        WHERE gg.student_id = ANY(${studentIds}::uuid[]) AND a.establishment_id = ${establishmentId}
          AND y.status = 'current' AND a.visible_at <= ${now}
        ORDER BY a.visible_at DESC, a.id
        LIMIT ${limit}
      ) l ON true
      ORDER BY l.visible_at DESC, l.id`.execute(db);
    const next = res.rows[0]?.next_at;
    return {
      rows: res.rows
        .filter((r): r is typeof r & { id: string } => r.id !== null)
        .map(({ next_at: _next, ...r }) => ({ ...r, scale: Number(r.scale), value: num(r.value) })),
      next: next ? new Date(next) : null,
    };
  },

  /**
   * Serialises the refreshes of the class's figures of these school years until the end of the transaction: taken
   * first in every transaction that changes grades or assessments, before any row lock (so that two writers never
   * wait on each other in opposite orders), it makes each refresh read every committed change of the others.
   */
  async lockStats(db: Db, schoolYearIds: string[]) {
    for (const id of [...new Set(schoolYearIds)].sort())
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`grades.stats:${id}`}, 0))`.execute(db);
  },

  /**
   * Recomputes the class's figures kept on these assessments' rows (or on every assessment of a school year): the
   * number of values, their mean, minimum and maximum — codes left out.
   */
  async refreshAssessmentStats(db: Db, scope: { ids: string[] } | { schoolYearId: string }) {
    if ('ids' in scope && scope.ids.length === 0) return;
    const which =
      'ids' in scope ? sql`a.id = ANY(${scope.ids}::uuid[])` : sql`a.school_year_id = ${scope.schoolYearId}::uuid`;
    await sql`
      UPDATE grades_assessment a
      SET value_count = s.n, value_mean = s.mean, value_min = s.min, value_max = s.max
      FROM (
        SELECT a.id, count(g.value)::int AS n, avg(g.value) AS mean, min(g.value) AS min, max(g.value) AS max
        FROM grades_assessment a LEFT JOIN grades_grade g ON g.assessment_id = a.id AND g.value IS NOT NULL
        WHERE ${which}
        GROUP BY a.id
      ) s
      WHERE a.id = s.id AND (a.value_count, a.value_mean, a.value_min, a.value_max)
        IS DISTINCT FROM (s.n, s.mean, s.min, s.max)`.execute(db);
  },

  /**
   * Recomputes the class's subject figures of some classes or groups × subjects of a school year (every one when
   * `keys` is null), for each range of dates given (the periods and the whole year): per range, the students graded
   * in the assessments of that class or group and subject, each one's average over them (out of 20, coefficients
   * applied, codes left out or « non rendu » as zero — the arithmetic of `classStats`), and the class's average,
   * minimum and maximum of those averages; once over every assessment and once over those whose students and
   * guardians were told (`published`). Two statements (the rows of the keys are replaced); the caller holds
   * `lockStats`.
   */
  async refreshClassStats(
    db: Db,
    q: {
      schoolYearId: string;
      keys: { targetId: string; subjectCode: string }[] | null;
      ranges: { from: string; to: string }[];
      notHandedInZero: boolean;
    },
  ) {
    if (q.keys?.length === 0) return;
    const targets = q.keys?.map((k) => k.targetId) ?? [];
    const subjects = q.keys?.map((k) => k.subjectCode) ?? [];
    const ofKeys = (alias: string, target: ReturnType<typeof sql>) =>
      q.keys
        ? sql`AND (${target}, ${sql.ref(`${alias}.subject_code`)}) IN (
            SELECT * FROM unnest(${targets}::uuid[], ${subjects}::text[]))`
        : sql``;
    await sql`
      DELETE FROM grades_class_stat s WHERE s.school_year_id = ${q.schoolYearId}::uuid
      ${ofKeys('s', sql`s.target_id`)}`.execute(db);
    await sql`
      WITH r AS (
        SELECT * FROM unnest(${q.ranges.map((r) => r.from)}::date[], ${q.ranges.map((r) => r.to)}::date[])
          AS r(range_from, range_to)
      ), v AS (
        SELECT a.id, coalesce(a.class_id, a.group_id) AS target_id, a.subject_code,
          a.coefficient::float8 AS coef, a.scale::float8 AS scale, r.range_from, r.range_to, p.published
        FROM grades_assessment a
        JOIN r ON a.on_date BETWEEN r.range_from AND r.range_to
        CROSS JOIN (VALUES (false), (true)) AS p(published)
        WHERE a.school_year_id = ${q.schoolYearId}::uuid
          ${q.keys ? sql`AND (a.class_id = ANY(${targets}::uuid[]) OR a.group_id = ANY(${targets}::uuid[]))` : sql``}
          ${ofKeys('a', sql`coalesce(a.class_id, a.group_id)`)}
          AND (NOT p.published OR a.notified_at IS NOT NULL)
      ), per AS (
        SELECT v.target_id, v.subject_code, v.range_from, v.range_to, v.published, g.student_id,
          sum(v.coef * coalesce(g.value::float8 / v.scale * 20, 0))
            FILTER (WHERE v.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND ${q.notHandedInZero}))) AS points,
          sum(v.coef)
            FILTER (WHERE v.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND ${q.notHandedInZero}))) AS weight
        FROM v JOIN grades_grade g ON g.assessment_id = v.id
        GROUP BY 1, 2, 3, 4, 5, 6
      ), s AS (
        SELECT target_id, subject_code, range_from, range_to, published,
          avg(points / nullif(weight, 0)) AS average, min(points / nullif(weight, 0)) AS min,
          max(points / nullif(weight, 0)) AS max
        FROM per GROUP BY 1, 2, 3, 4, 5
      ), c AS (
        SELECT target_id, subject_code, range_from, range_to, published, count(*)::int AS n
        FROM v GROUP BY 1, 2, 3, 4, 5
      )
      INSERT INTO grades_class_stat
        (school_year_id, target_id, subject_code, range_from, range_to, published, assessments, average, min, max)
      SELECT ${q.schoolYearId}::uuid, c.target_id, c.subject_code, c.range_from, c.range_to, c.published, c.n,
        s.average, s.min, s.max
      FROM c LEFT JOIN s USING (target_id, subject_code, range_from, range_to, published)`.execute(db);
  },

  /**
   * The class's figures for a student's page, in one statement that reads the grades of these assessments once
   * (from the covering index): per assessment, the mean, minimum and maximum of its values (codes left out); per
   * subject, the student's average (out of 20, coefficients applied, codes left out or « non rendu » as zero) and
   * the class's average, minimum and maximum of the averages of every student graded in them — the arithmetic of
   * grades.compute.ts, aggregated in PostgreSQL so that the page never carries the whole class's grades.
   * `has_mine`: the student has a grade row (maybe only codes) in that subject.
   */
  async classStats(db: Db, assessmentIds: string[], studentId: string, notHandedInZero: boolean) {
    const byAssessment = new Map<string, { mean: number; min: number; max: number }>();
    const bySubject: {
      subject_code: string;
      mine: number | null;
      has_mine: boolean;
      class_average: number | null;
      min: number | null;
      max: number | null;
    }[] = [];
    if (assessmentIds.length === 0) return { byAssessment, bySubject };
    const result = await sql<{
      kind: 'a' | 's';
      key: string;
      mean: number | null;
      min: number | null;
      max: number | null;
      mine: number | null;
      has_mine: boolean | null;
    }>`
      WITH a AS (
        SELECT id, subject_code, coefficient::float8 AS coef, scale::float8 AS scale
        FROM grades_assessment WHERE id = ANY(${assessmentIds}::uuid[])
      ), g AS MATERIALIZED (
        SELECT assessment_id, student_id, value, code FROM grades_grade WHERE assessment_id = ANY(${assessmentIds}::uuid[])
      ), per AS (
        SELECT g.student_id, a.subject_code,
          sum(a.coef * coalesce(g.value::float8 / a.scale * 20, 0))
            FILTER (WHERE a.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND ${notHandedInZero}))) AS points,
          sum(a.coef)
            FILTER (WHERE a.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND ${notHandedInZero}))) AS weight
        FROM g JOIN a ON a.id = g.assessment_id
        GROUP BY g.student_id, a.subject_code
      ), averages AS (
        SELECT student_id, subject_code, points / nullif(weight, 0) AS average FROM per
      )
      SELECT 'a' AS kind, assessment_id::text AS key, avg(value)::float8 AS mean, min(value)::float8 AS min,
        max(value)::float8 AS max, NULL::float8 AS mine, NULL::boolean AS has_mine
      FROM g WHERE value IS NOT NULL GROUP BY assessment_id
      UNION ALL
      SELECT 's', subject_code, avg(average), min(average), max(average),
        max(average) FILTER (WHERE student_id = ${studentId}), bool_or(student_id = ${studentId})
      FROM averages GROUP BY subject_code`.execute(db);
    for (const r of result.rows) {
      if (r.kind === 'a') byAssessment.set(r.key, { mean: r.mean!, min: r.min!, max: r.max! });
      else
        bySubject.push({
          subject_code: r.key,
          mine: r.mine,
          has_mine: r.has_mine ?? false,
          class_average: r.mean,
          min: r.min,
          max: r.max,
        });
    }
    return { byAssessment, bySubject };
  },

  /** Every grade of these assessments (one query). */
  async gradesOf(db: Db, assessmentIds: string[]): Promise<GradeRow[]> {
    if (assessmentIds.length === 0) return [];
    const rows = await db
      .selectFrom('grades_grade')
      .select(['assessment_id', 'student_id', 'value', 'code', 'levels'])
      .where('assessment_id', 'in', assessmentIds)
      .execute();
    return rows.map((r) => ({
      assessmentId: r.assessment_id,
      studentId: r.student_id,
      value: num(r.value),
      code: r.code,
      levels: r.levels,
    }));
  },

  /** Every grade of these students in these assessments. */
  async gradesOfStudents(db: Db, assessmentIds: string[], studentIds: string[]): Promise<GradeRow[]> {
    if (assessmentIds.length === 0 || studentIds.length === 0) return [];
    const rows = await db
      .selectFrom('grades_grade')
      .select(['assessment_id', 'student_id', 'value', 'code', 'levels'])
      .where('assessment_id', 'in', assessmentIds)
      .where('student_id', 'in', studentIds)
      .execute();
    return rows.map((r) => ({
      assessmentId: r.assessment_id,
      studentId: r.student_id,
      value: num(r.value),
      code: r.code,
      levels: r.levels,
    }));
  },

  /** The school years with assessments past their delay whose students and guardians were not told yet. */
  async dueYears(db: Db, now: Date) {
    const rows = await db
      .selectFrom('grades_assessment')
      .select('school_year_id')
      .distinct()
      .where('notified_at', 'is', null)
      .where('visible_at', '<=', now)
      .execute();
    return rows.map((r) => r.school_year_id);
  },

  /** Assessments of these years past their delay whose students and guardians were not told yet. */
  dueForNotice(db: Db, schoolYearIds: string[], now: Date, limit = 200) {
    if (schoolYearIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('grades_assessment')
      .select(['id', 'establishment_id', 'school_year_id', 'class_id', 'group_id', 'subject_code'])
      .where('school_year_id', 'in', schoolYearIds)
      .where('notified_at', 'is', null)
      .where('visible_at', '<=', now)
      .orderBy('visible_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  async markNotified(db: Db, ids: string[], now: Date) {
    if (ids.length === 0) return;
    await db.updateTable('grades_assessment').set({ notified_at: now }).where('id', 'in', ids).execute();
  },

  async studentsGraded(db: Db, assessmentIds: string[]) {
    if (assessmentIds.length === 0) return [];
    return db
      .selectFrom('grades_grade')
      .select(['assessment_id', 'student_id'])
      .where('assessment_id', 'in', assessmentIds)
      .execute();
  },

  // ---- reports ----

  comments(db: Db, schoolYearId: string, period: string, studentIds: string[]) {
    if (studentIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('grades_comment')
      .select(['student_id', 'kind', 'subject_code', 'text'])
      .where('school_year_id', '=', schoolYearId)
      .where('period', '=', period)
      .where('student_id', 'in', studentIds)
      .execute();
  },

  async saveComment(
    db: Db,
    row: {
      establishment_id: string;
      school_year_id: string;
      period: string;
      student_id: string;
      kind: 'subject' | 'head_teacher' | 'direction';
      subject_code: string;
      author_id: string;
      text: string;
    },
  ) {
    if (row.text === '') {
      await db
        .deleteFrom('grades_comment')
        .where('school_year_id', '=', row.school_year_id)
        .where('period', '=', row.period)
        .where('student_id', '=', row.student_id)
        .where('kind', '=', row.kind)
        .where('subject_code', '=', row.subject_code)
        .execute();
      return;
    }
    await db
      .insertInto('grades_comment')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['school_year_id', 'period', 'student_id', 'kind', 'subject_code'])
          .doUpdateSet({ text: row.text, author_id: row.author_id, updated_at: new Date() }),
      )
      .execute();
  },

  report(db: Db, schoolYearId: string, classId: string, period: string) {
    return db
      .selectFrom('grades_report')
      .select(['published_at', 'published_by'])
      .where('school_year_id', '=', schoolYearId)
      .where('class_id', '=', classId)
      .where('period', '=', period)
      .executeTakeFirst();
  },

  /** The published reports of these classes in a year. */
  publishedReports(db: Db, schoolYearId: string, classIds: string[]) {
    if (classIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('grades_report')
      .select(['class_id', 'period', 'published_at'])
      .where('school_year_id', '=', schoolYearId)
      .where('class_id', 'in', classIds)
      .orderBy('published_at')
      .execute();
  },

  /**
   * The student's classes of a year, each with its published reports (period and time; none: null), one query —
   * the classes say which reports' publications change the student's page.
   */
  classesAndReportsOfStudent(db: Db, schoolYearId: string, studentId: string) {
    return db
      .selectFrom('enrolment as e')
      .leftJoin('grades_report as r', (j) =>
        j.onRef('r.class_id', '=', 'e.class_id').onRef('r.school_year_id', '=', 'e.school_year_id'),
      )
      .select(['e.class_id', 'r.period', 'r.published_at'])
      .where('e.school_year_id', '=', schoolYearId)
      .where('e.student_id', '=', studentId)
      .where('e.class_id', 'is not', null)
      .orderBy('r.published_at')
      .execute();
  },

  async publishReport(
    db: Db,
    row: { establishment_id: string; school_year_id: string; class_id: string; period: string; published_by: string },
    now: Date,
  ) {
    await db
      .insertInto('grades_report')
      .values({ ...row, published_at: now })
      .onConflict((oc) =>
        oc
          .columns(['school_year_id', 'class_id', 'period'])
          .doUpdateSet({ published_at: now, published_by: row.published_by }),
      )
      .execute();
  },

  // ---- indicators and the person's export ----

  async countAssessments(db: Db, establishmentId: string, from: Date, to: Date) {
    const r = await db
      .selectFrom('grades_assessment')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('teacher_id').distinct().as('teachers')])
      .where('establishment_id', '=', establishmentId)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .executeTakeFirstOrThrow();
    return { assessments: Number(r.n), teachers: Number(r.teachers) };
  },

  async countGrades(db: Db, establishmentId: string, from: Date, to: Date) {
    const r = await db
      .selectFrom('grades_grade')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('entered_at', '>=', from)
      .where('entered_at', '<', to)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async teacherCount(db: Db, establishmentId: string) {
    const r = await db
      .selectFrom('membership')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('profile', '=', 'teacher')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async countReports(db: Db, establishmentId: string, from: Date, to: Date) {
    const r = await db
      .selectFrom('grades_report')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('published_at', '>=', from)
      .where('published_at', '<', to)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async usageCount(db: Db, establishmentId: string, action: string, profiles: string[], from: string, to: string) {
    const r = await db
      .selectFrom('usage_daily')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('events'), eb.lit(0)).as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('service', '=', 'grades')
      .where('action', '=', action)
      .where('profile', 'in', profiles)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  gradesOfPerson(db: Db, userId: string) {
    return db
      .selectFrom('grades_grade as g')
      .innerJoin('grades_assessment as a', 'a.id', 'g.assessment_id')
      .innerJoin('subject as s', 's.code', 'a.subject_code')
      .select([
        'a.establishment_id',
        's.label',
        'a.title',
        'a.on_date',
        'a.scale',
        'a.coefficient',
        'g.value',
        'g.code',
      ])
      .where('g.student_id', '=', userId)
      .orderBy('a.on_date')
      .execute();
  },

  assessmentsByPerson(db: Db, userId: string) {
    return db
      .selectFrom('grades_assessment as a')
      .innerJoin('subject as s', 's.code', 'a.subject_code')
      .select(['a.establishment_id', 's.label', 'a.title', 'a.on_date', 'a.created_at'])
      .where('a.teacher_id', '=', userId)
      .orderBy('a.on_date')
      .execute();
  },

  commentsAbout(db: Db, userId: string) {
    return db
      .selectFrom('grades_comment')
      .select(['establishment_id', 'period', 'kind', 'subject_code', 'text', 'author_id', 'student_id', 'updated_at'])
      .where((eb) => eb.or([eb('student_id', '=', userId), eb('author_id', '=', userId)]))
      .execute();
  },
};

/** What the demo seed reads and writes in bulk. */
export const gradesDemoData = {
  assignments(db: Db, schoolYearId: string) {
    return db
      .selectFrom('teaching_assignment')
      .select(['teacher_id', 'class_id', 'group_id', 'subject_code'])
      .where('school_year_id', '=', schoolYearId)
      .execute();
  },
  enrolments(db: Db, schoolYearId: string) {
    return db
      .selectFrom('enrolment')
      .select(['student_id', 'class_id', 'group_id'])
      .where('school_year_id', '=', schoolYearId)
      .execute();
  },
  heads(db: Db, schoolYearId: string) {
    return db
      .selectFrom('head_teacher')
      .select(['teacher_id', 'class_id'])
      .where('school_year_id', '=', schoolYearId)
      .execute();
  },
  async insert(
    db: Db,
    assessments: {
      id: string;
      establishment_id: string;
      school_year_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      teacher_id: string;
      title: string;
      on_date: string;
      coefficient: number;
      scale: number;
      competencies: string[];
      visible_at: Date;
      notified_at: Date | null;
      created_at: Date;
    }[],
    rows: {
      assessment_id: string;
      student_id: string;
      establishment_id: string;
      value: number | null;
      code: GradeCode | null;
      levels: (number | null)[] | null;
      entered_at: Date;
    }[],
  ) {
    for (let i = 0; i < assessments.length; i += 1000)
      await db
        .insertInto('grades_assessment')
        .values(assessments.slice(i, i + 1000))
        .execute();
    for (let i = 0; i < rows.length; i += 5000)
      await db
        .insertInto('grades_grade')
        .values(rows.slice(i, i + 5000))
        .execute();
  },
  async comments(
    db: Db,
    rows: {
      establishment_id: string;
      school_year_id: string;
      period: string;
      student_id: string;
      kind: 'subject' | 'head_teacher' | 'direction';
      subject_code: string;
      author_id: string | null;
      text: string;
    }[],
  ) {
    if (rows.length) await db.insertInto('grades_comment').values(rows).execute();
  },
};
