import { sql } from 'kysely';
import type { Db } from '../../../platform/db/schema.ts';

export interface RosterRow {
  user_id: string;
  profile: string;
  activated: boolean;
  /** When the account was activated (its activation event), else — activated without one — when it joined. */
  activated_at: Date | null;
  member_since: Date;
  /** Current-year classes: a student's own, a guardian's children's. */
  classes: string[];
}

/** One line of `adoption.figures`: a profile (or '*', every member once), over the establishment or one class. */
export interface AdoptionFigureRow {
  profile: string;
  class_id: string | null;
  total: number;
  activated: number;
  accepted: number;
  /** Epoch milliseconds, ascending; null on class lines. */
  activated_times: number[] | null;
  accepted_times: number[] | null;
}

/**
 * The directory's facts the rollout cockpit reads (through `directory/index.ts`): who is a member, whether
 * their account is activated and since when, which classes they belong to; the last import, the login sheets
 * printed, the staff and their disciplines. Reads only.
 */
/**
 * The current year's classes of the establishment's students (`student_class`) and guardians, by their
 * children (`guardian_class`): the CTEs the roster and its figures share.
 */
const memberClasses = (establishmentId: string) => sql`cy AS (
        SELECT id FROM school_year WHERE establishment_id = ${establishmentId} AND status = 'current'
      ),
      student_class AS (
        SELECT e.student_id, array_agg(DISTINCT e.class_id) AS classes
        FROM enrolment e JOIN cy ON cy.id = e.school_year_id
        WHERE e.establishment_id = ${establishmentId} AND e.class_id IS NOT NULL
        GROUP BY e.student_id
      ),
      guardian_class AS (
        SELECT g.guardian_id, array_agg(DISTINCT sc.cls) AS classes
        FROM guardianship g
        JOIN (SELECT student_id, unnest(classes) AS cls FROM student_class) sc ON sc.student_id = g.student_id
        WHERE g.establishment_id = ${establishmentId}
        GROUP BY g.guardian_id
      )`;

/** When a member (`m`, account `u`) was activated: their first activation event, else the day they joined. */
const ACTIVATED_AT = sql`CASE WHEN u.password_hash IS NOT NULL THEN COALESCE(
  (SELECT min(ev.at) FROM usage_event ev
   WHERE ev.user_id = m.user_id AND ev.service = 'portal' AND ev.action = 'activate'),
  m.created_at) END`;

export const adoption = {
  /**
   * Every live member of the establishment (one row per person and profile). An account is activated once it
   * has a password (set at activation); the time is its first activation event (`portal`/`activate`), else —
   * created active, or activated before the events were kept — the day it joined the establishment.
   */
  roster: async (db: Db, establishmentId: string): Promise<RosterRow[]> => {
    const { rows } = await sql<RosterRow>`
      WITH ${memberClasses(establishmentId)}
      SELECT m.user_id, m.profile, u.password_hash IS NOT NULL AS activated,
             ${ACTIVATED_AT} AS activated_at,
             m.created_at AS member_since,
             COALESCE(CASE m.profile WHEN 'student' THEN sc.classes WHEN 'guardian' THEN gc.classes END,
                      '{}'::uuid[]) AS classes
      FROM membership m
      JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
      LEFT JOIN student_class sc ON sc.student_id = m.user_id AND m.profile = 'student'
      LEFT JOIN guardian_class gc ON gc.guardian_id = m.user_id AND m.profile = 'guardian'
      WHERE m.establishment_id = ${establishmentId}`.execute(db);
    return rows;
  },

  /**
   * The roster's figures, counted in PostgreSQL (the cockpit's pages and the direction's home widget need the
   * counts, not 5,000 rows): per profile, and for every member once (`profile` '*'), the members, those
   * activated and those who accepted the charter `charterId` in this establishment, with the activation and
   * acceptance times (epoch milliseconds, ascending: the figures at any past instant); per current-year class
   * (students, and guardians by their children's classes), the same counts. The same rules as `roster`.
   */
  figures: async (db: Db, establishmentId: string, charterId: string | null): Promise<AdoptionFigureRow[]> => {
    const ms = (column: string) => sql`floor(extract(epoch FROM ${sql.ref(column)}) * 1000)::float8`;
    const { rows } = await sql<AdoptionFigureRow>`
      WITH ${memberClasses(establishmentId)},
      r AS MATERIALIZED (
        SELECT m.user_id, m.profile, u.password_hash IS NOT NULL AS activated,
               ${ACTIVATED_AT} AS activated_at,
               a.accepted_at,
               COALESCE(CASE m.profile WHEN 'student' THEN sc.classes WHEN 'guardian' THEN gc.classes END,
                        '{}'::uuid[]) AS classes
        FROM membership m
        JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
        LEFT JOIN student_class sc ON sc.student_id = m.user_id AND m.profile = 'student'
        LEFT JOIN guardian_class gc ON gc.guardian_id = m.user_id AND m.profile = 'guardian'
        LEFT JOIN charter_acceptance a ON a.user_id = m.user_id AND a.charter_id = ${charterId}
          AND a.establishment_id = ${establishmentId}
        WHERE m.establishment_id = ${establishmentId}
      ),
      person AS (
        SELECT user_id, bool_or(activated) AS activated, min(activated_at) AS activated_at,
               min(accepted_at) AS accepted_at
        FROM r GROUP BY user_id
      )
      SELECT profile, NULL::uuid AS class_id, count(*)::int AS total,
             (count(*) FILTER (WHERE activated))::int AS activated, count(accepted_at)::int AS accepted,
             COALESCE(array_agg(${ms('activated_at')} ORDER BY activated_at) FILTER (WHERE activated),
                      '{}') AS activated_times,
             COALESCE(array_agg(${ms('accepted_at')} ORDER BY accepted_at) FILTER (WHERE accepted_at IS NOT NULL),
                      '{}') AS accepted_times
      FROM r GROUP BY profile
      UNION ALL
      SELECT '*', NULL, count(*)::int, (count(*) FILTER (WHERE activated))::int, count(accepted_at)::int,
             COALESCE(array_agg(${ms('activated_at')} ORDER BY activated_at) FILTER (WHERE activated), '{}'),
             COALESCE(array_agg(${ms('accepted_at')} ORDER BY accepted_at) FILTER (WHERE accepted_at IS NOT NULL),
                      '{}')
      FROM person
      UNION ALL
      SELECT r.profile, c.class_id, count(*)::int, (count(*) FILTER (WHERE r.activated))::int,
             count(r.accepted_at)::int, NULL, NULL
      FROM r CROSS JOIN LATERAL unnest(r.classes) AS c(class_id)
      GROUP BY r.profile, c.class_id`.execute(db);
    return rows;
  },

  /** The establishment's classes of the current school year. */
  classes: (db: Db, establishmentId: string) =>
    db
      .selectFrom('class as c')
      .innerJoin('school_year as y', 'y.id', 'c.school_year_id')
      .select(['c.id', 'c.code', 'c.label'])
      .where('c.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .orderBy('c.code')
      .execute(),

  /** Activated and total accounts per establishment and profile (for the académie view): one query. */
  activationCounts: async (db: Db, establishmentIds: string[]) => {
    if (establishmentIds.length === 0) return [];
    const { rows } = await sql<{ establishment_id: string; profile: string; activated: number; total: number }>`
      SELECT m.establishment_id, m.profile,
             (count(*) FILTER (WHERE u.password_hash IS NOT NULL))::int AS activated, count(*)::int AS total
      FROM membership m JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
      WHERE m.establishment_id = ANY(${establishmentIds}::uuid[])
      GROUP BY m.establishment_id, m.profile`.execute(db);
    return rows;
  },

  /** The latest import that really wrote (not a dry run) to the establishment, and its anomalies. */
  lastImport: (db: Db, establishmentId: string) =>
    db
      .selectFrom('import_job')
      .select([
        'status',
        'finished_at',
        'created_at',
        sql<number>`COALESCE(jsonb_array_length(report->'anomalies'), 0)`.as('anomalies'),
      ])
      .where('dry_run', '=', false)
      .where('status', 'in', ['done', 'failed'])
      .where((eb) =>
        eb.or([
          eb('establishment_id', '=', establishmentId),
          sql<boolean>`written @> ${JSON.stringify([{ establishmentId }])}::jsonb`,
        ]),
      )
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),

  /** When the data-quality page was last looked at (its usage event). */
  qualityViewedAt: async (db: Db, establishmentId: string) => {
    const row = await db
      .selectFrom('usage_event')
      .select((eb) => eb.fn.max('at').as('at'))
      .where('establishment_id', '=', establishmentId)
      .where('service', '=', 'directory')
      .where('action', '=', 'data_quality.view')
      .executeTakeFirst();
    return (row?.at as Date | null | undefined) ?? null;
  },

  /** Login sheets printed, per target (a class or the whole establishment) and profile: the last time (audit). */
  sheetsPrinted: async (db: Db, establishmentId: string) => {
    const { rows } = await sql<{ profile: string | null; target_type: string; target_id: string; at: Date }>`
      SELECT details->>'profile' AS profile, target_type, target_id, max(at) AS at
      FROM audit_event
      WHERE establishment_id = ${establishmentId} AND action = 'directory.login_sheets.print'
      GROUP BY 1, 2, 3`.execute(db);
    return rows;
  },

  /** The establishment's staff (not students nor guardians) with their profiles and this year's disciplines. */
  staff: async (db: Db, establishmentId: string) => {
    const { rows } = await sql<{ id: string; display_name: string; profiles: string[]; subjects: string[] }>`
      SELECT u.id, u.display_name, array_agg(DISTINCT m.profile) AS profiles,
             COALESCE((
               SELECT array_agg(DISTINCT t.subject_code ORDER BY t.subject_code)
               FROM teaching_assignment t JOIN school_year y ON y.id = t.school_year_id AND y.status = 'current'
               WHERE t.establishment_id = ${establishmentId} AND t.teacher_id = u.id
             ), '{}') AS subjects
      FROM membership m JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
      WHERE m.establishment_id = ${establishmentId}
        AND m.profile IN ('teacher', 'staff', 'principal', 'local_admin')
      GROUP BY u.id, u.display_name
      ORDER BY u.display_name`.execute(db);
    return rows;
  },

  /** Disciplines taught this year in the establishment. */
  subjectsTaught: (db: Db, establishmentId: string) =>
    db
      .selectFrom('teaching_assignment as t')
      .innerJoin('school_year as y', 'y.id', 't.school_year_id')
      .innerJoin('subject as s', 's.code', 't.subject_code')
      .select(['s.code', 's.label'])
      .distinct()
      .where('t.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .orderBy('s.label')
      .execute(),

  subjectLabels: async (db: Db, codes: string[]) =>
    codes.length === 0
      ? []
      : db
          .selectFrom('subject')
          .select(['code', 'label'])
          .where('code', 'in', [...new Set(codes)])
          .execute(),

  names: async (db: Db, ids: string[]) =>
    ids.length === 0
      ? []
      : db
          .selectFrom('app_user')
          .select(['id', 'display_name'])
          .where('id', 'in', [...new Set(ids)])
          .execute(),

  /** Guardians of the establishment (recipients of an information to families). */
  guardians: async (db: Db, establishmentId: string) =>
    (
      await db
        .selectFrom('membership as m')
        .innerJoin('app_user as u', 'u.id', 'm.user_id')
        .select('m.user_id')
        .distinct()
        .where('m.establishment_id', '=', establishmentId)
        .where('m.profile', '=', 'guardian')
        .where('u.status', '<>', 'detached')
        .execute()
    ).map((r) => r.user_id),

  /** Members per profile now (the denominators of the activity shares). */
  membersByProfile: async (db: Db, establishmentId: string) => {
    const rows = await db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['m.profile', (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.establishment_id', '=', establishmentId)
      .where('u.status', '<>', 'detached')
      .groupBy('m.profile')
      .execute();
    return rows.map((r) => ({ profile: r.profile, count: Number(r.n) }));
  },
};
