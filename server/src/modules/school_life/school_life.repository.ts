import { sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { AbsenceStateCol, Mark } from './school_life.tables.ts';
import './school_life.tables.ts';

/** All SQL of school life. Reads that indicators, widgets and the export call take a plain `Db`. */

export interface AbsenceRow {
  id: string;
  establishment_id: string;
  student_id: string;
  student_name: string;
  class_code: string | null;
  kind: 'absence' | 'lateness';
  left_early: boolean;
  starts_at: Date;
  ends_at: Date;
  on_date: string;
  minutes: number | null;
  state: AbsenceStateCol;
  reason_code: string | null;
  comment: string | null;
  source: 'roll_call' | 'staff';
  subject_label: string | null;
  /** The student's class of the current year (its code is `class_code`). */
  class_id: string | null;
}

export interface JustificationRow {
  id: string;
  absence_id: string;
  status: 'pending' | 'accepted' | 'refused';
  reason_code: string | null;
  reason_text: string;
  comment: string | null;
  guardian_id: string | null;
  guardian_name: string | null;
  created_at: Date;
  decision_comment: string | null;
}

export interface AbsenceFilter {
  establishmentId: string;
  /** `null`: every student of the establishment (the staff). */
  studentIds: string[] | null;
  classId?: string;
  state?: AbsenceStateCol;
  from?: string;
  to?: string;
  pending?: boolean;
  limit: number;
}

/** The class of each student (current year), for the lists. */
const classCodeOf = (db: Db) =>
  db
    .selectFrom('enrolment as e')
    .innerJoin('class as c', 'c.id', 'e.class_id')
    .innerJoin('school_year as y', 'y.id', 'e.school_year_id')
    .where('y.status', '=', 'current')
    .select(['e.student_id', 'c.code', 'c.id as class_id']);

export const schoolLife = {
  // ---- the absenteeism alert (threshold.ts) ----
  /** Establishments with school-life absences recorded since this date. */
  establishmentsWithAbsencesSince: async (db: AuthorizedDb, since: string) =>
    (
      await db
        .selectFrom('school_life_absence')
        .select('establishment_id')
        .distinct()
        .where('on_date', '>=', since)
        .execute()
    ).map((r) => r.establishment_id),

  /** Records the month's alerts; returns the students not alerted before this month. */
  recordThresholdAlerts: async (
    db: AuthorizedDb,
    establishmentId: string,
    month: string,
    students: { studentId: string; halfDays: number }[],
  ) => {
    if (students.length === 0) return new Set<string>();
    const rows = await db
      .insertInto('school_life_threshold_alert')
      .values(
        students.map((s) => ({
          establishment_id: establishmentId,
          student_id: s.studentId,
          month,
          half_days: s.halfDays,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning('student_id')
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  // ---- retention (purge.ts) ----
  /** Justifications of the absences dated before `before`. */
  justificationsBefore: async (db: AuthorizedDb, before: string) =>
    (
      await db
        .selectFrom('school_life_justification as j')
        .innerJoin('school_life_absence as a', 'a.id', 'j.absence_id')
        .select('j.id')
        .where('a.on_date', '<', before)
        .execute()
    ).map((r) => r.id),

  deleteAbsencesBefore: async (db: AuthorizedDb, before: string) =>
    Number(
      (await db.deleteFrom('school_life_absence').where('on_date', '<', before).executeTakeFirst()).numDeletedRows,
    ),

  deleteRollCallsBefore: async (db: AuthorizedDb, before: string) =>
    Number(
      (await db.deleteFrom('school_life_roll_call').where('on_date', '<', before).executeTakeFirst()).numDeletedRows,
    ),

  /** Incidents and punishments; sanctions stay (the administrative file's rules). */
  deleteIncidentsBefore: async (db: AuthorizedDb, before: string) =>
    Number(
      (
        await db
          .deleteFrom('school_life_incident')
          .where('on_date', '<', before)
          .where('kind', '!=', 'sanction')
          .executeTakeFirst()
      ).numDeletedRows,
    ),

  // ---- reasons ----
  reasons: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_life_reason')
      .select(['code', 'label', 'legitimate'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('position')
      .execute(),

  async replaceReasons(
    db: AuthorizedDb,
    establishmentId: string,
    items: { code: string; label: string; legitimate: boolean }[],
  ) {
    await db.deleteFrom('school_life_reason').where('establishment_id', '=', establishmentId).execute();
    await db
      .insertInto('school_life_reason')
      .values(items.map((r, i) => ({ establishment_id: establishmentId, ...r, position: i })))
      .execute();
  },

  // ---- roll calls ----
  rollCall: (db: Db, courseId: string, date: string) =>
    db
      .selectFrom('school_life_roll_call as r')
      .leftJoin('app_user as u', 'u.id', 'r.taken_by')
      .select(['r.id', 'r.taken_at', 'r.updated_at', 'u.display_name as taken_by_name'])
      .where('r.course_id', '=', courseId)
      .where('r.on_date', '=', date)
      .executeTakeFirst(),

  marks: (db: Db, rollCallId: string) =>
    db
      .selectFrom('school_life_mark')
      .select(['student_id', 'mark', 'minutes'])
      .where('roll_call_id', '=', rollCallId)
      .execute(),

  /** Creates or updates the roll call of (course, date); `created` when it is the first. */
  upsertRollCall: (
    db: AuthorizedDb,
    row: {
      establishmentId: string;
      courseId: string;
      date: string;
      classId: string | null;
      groupId: string | null;
      takenBy: string;
    },
  ) =>
    db
      .insertInto('school_life_roll_call')
      .values({
        establishment_id: row.establishmentId,
        course_id: row.courseId,
        on_date: row.date,
        class_id: row.classId,
        group_id: row.groupId,
        taken_by: row.takenBy,
      })
      .onConflict((oc) =>
        oc.columns(['course_id', 'on_date']).doUpdateSet({ taken_by: row.takenBy, updated_at: sql`now()` }),
      )
      .returning(['id', 'taken_at', sql<boolean>`xmax = 0`.as('created')])
      .executeTakeFirstOrThrow(),

  async replaceMarks(
    db: AuthorizedDb,
    rollCallId: string,
    establishmentId: string,
    marks: { studentId: string; mark: Mark; minutes: number | null }[],
  ) {
    await db.deleteFrom('school_life_mark').where('roll_call_id', '=', rollCallId).execute();
    if (marks.length === 0) return;
    await db
      .insertInto('school_life_mark')
      .values(
        marks.map((m) => ({
          roll_call_id: rollCallId,
          student_id: m.studentId,
          establishment_id: establishmentId,
          mark: m.mark,
          minutes: m.minutes,
        })),
      )
      .execute();
  },

  /** The roll call's absence records: which students already have one (to tell guardians only once). */
  async recordsOfRollCall(db: Db, rollCallId: string) {
    const rows = await db
      .selectFrom('school_life_absence')
      .select(['id', 'student_id'])
      .where('roll_call_id', '=', rollCallId)
      .execute();
    return new Map(rows.map((r) => [r.student_id, r.id]));
  },

  /** Removes the roll call's records of students no longer marked (their justifications go with them). */
  async dropRecordsExcept(db: AuthorizedDb, rollCallId: string, keep: string[]) {
    let q = db.deleteFrom('school_life_absence').where('roll_call_id', '=', rollCallId);
    if (keep.length) q = q.where('student_id', 'not in', keep);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  },

  /** One statement for the roll call's records: new ones inserted, existing ones updated when they change (state kept). */
  async upsertRollCallRecords(
    db: AuthorizedDb,
    rows: {
      establishmentId: string;
      studentId: string;
      kind: 'absence' | 'lateness';
      leftEarly: boolean;
      start: Date;
      end: Date;
      date: string;
      minutes: number | null;
      rollCallId: string;
      courseId: string;
      subjectCode: string;
      createdBy: string;
    }[],
  ) {
    if (rows.length === 0) return [];
    return (
      db
        .insertInto('school_life_absence')
        .values(
          rows.map((r) => ({
            establishment_id: r.establishmentId,
            student_id: r.studentId,
            kind: r.kind,
            left_early: r.leftEarly,
            starts_at: r.start,
            ends_at: r.end,
            on_date: r.date,
            minutes: r.minutes,
            source: 'roll_call' as const,
            roll_call_id: r.rollCallId,
            course_id: r.courseId,
            subject_code: r.subjectCode,
            created_by: r.createdBy,
            reason_code: null,
            comment: null,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['roll_call_id', 'student_id'])
            .doUpdateSet((eb) => ({
              kind: eb.ref('excluded.kind'),
              left_early: eb.ref('excluded.left_early'),
              starts_at: eb.ref('excluded.starts_at'),
              ends_at: eb.ref('excluded.ends_at'),
              minutes: eb.ref('excluded.minutes'),
              updated_at: sql`now()`,
            }))
            // A correction that leaves a record as it was writes nothing: no row version, and no cache notification
            // (migration 0402) — a transaction that notifies waits for the others' commits.
            .where(
              sql<boolean>`(school_life_absence.kind, school_life_absence.left_early, school_life_absence.starts_at,
              school_life_absence.ends_at, school_life_absence.minutes)
              IS DISTINCT FROM (excluded.kind, excluded.left_early, excluded.starts_at, excluded.ends_at, excluded.minutes)`,
            ),
        )
        // Only the records inserted or changed (the unchanged ones were already there: nobody is told again).
        .returning(['id', 'student_id'])
        .execute()
    );
  },

  /** Of these students, those with a school-life entry covering [start, end] (a whole day entered by the CPE). */
  async coveredByStaffEntry(db: Db, establishmentId: string, studentIds: string[], start: Date, end: Date) {
    if (studentIds.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('school_life_absence')
      .select('student_id')
      .distinct()
      .where('establishment_id', '=', establishmentId)
      .where('source', '=', 'staff')
      .where('kind', '=', 'absence')
      .where('student_id', 'in', studentIds)
      .where('starts_at', '<=', start)
      .where('ends_at', '>=', end)
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  /** Roll calls taken for these courses over [from, to], with their absent counts. */
  rollCallsOf: (db: Db, establishmentId: string, courseIds: string[], from: string, to: string) =>
    courseIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('school_life_roll_call as r')
          .select((eb) => [
            'r.course_id',
            'r.on_date',
            'r.taken_at',
            eb
              .selectFrom('school_life_mark as m')
              .select(eb.fn.countAll<number>().as('n'))
              .whereRef('m.roll_call_id', '=', 'r.id')
              .where('m.mark', '=', 'absent')
              .as('absent'),
          ])
          .where('r.establishment_id', '=', establishmentId)
          .where('r.course_id', 'in', courseIds)
          .where('r.on_date', '>=', from)
          .where('r.on_date', '<=', to)
          .execute(),

  /** Display names of people, by id. */
  async names(db: Db, ids: string[]) {
    if (ids.length === 0) return new Map<string, { first: string; last: string; display: string }>();
    const rows = await db
      .selectFrom('app_user')
      .select(['id', 'first_name', 'last_name', 'display_name'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, { first: r.first_name, last: r.last_name, display: r.display_name }]));
  },

  // ---- absences ----
  async absences(db: Db, f: AbsenceFilter): Promise<AbsenceRow[]> {
    if (f.studentIds && f.studentIds.length === 0) return [];
    let q = db
      .selectFrom('school_life_absence as a')
      .innerJoin('app_user as u', 'u.id', 'a.student_id')
      .leftJoin(classCodeOf(db).as('k'), 'k.student_id', 'a.student_id')
      .leftJoin('subject as s', 's.code', 'a.subject_code')
      .select([
        'a.id',
        'a.establishment_id',
        'a.student_id',
        'u.display_name as student_name',
        'k.code as class_code',
        'k.class_id',
        'a.kind',
        'a.left_early',
        'a.starts_at',
        'a.ends_at',
        'a.on_date',
        'a.minutes',
        'a.state',
        'a.reason_code',
        'a.comment',
        'a.source',
        's.label as subject_label',
      ])
      .where('a.establishment_id', '=', f.establishmentId);
    if (f.studentIds) q = q.where('a.student_id', 'in', f.studentIds);
    if (f.classId) q = q.where('k.class_id', '=', f.classId);
    if (f.state) q = q.where('a.state', '=', f.state);
    if (f.from) q = q.where('a.on_date', '>=', f.from);
    if (f.to) q = q.where('a.on_date', '<=', f.to);
    if (f.pending)
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('school_life_justification as j')
            .select('j.id')
            .whereRef('j.absence_id', '=', 'a.id')
            .where('j.status', '=', 'pending'),
        ),
      );
    return q.orderBy('a.starts_at', 'desc').orderBy('a.id').limit(f.limit).execute() as Promise<AbsenceRow[]>;
  },

  absenceById: (db: Db, id: string) =>
    db
      .selectFrom('school_life_absence')
      .select(['id', 'establishment_id', 'student_id', 'state', 'kind', 'starts_at', 'on_date'])
      .where('id', '=', id)
      .executeTakeFirst(),

  /** The latest justification of each absence. */
  async latestJustifications(db: Db, absenceIds: string[]) {
    if (absenceIds.length === 0) return new Map<string, JustificationRow>();
    const rows = await db
      .selectFrom('school_life_justification as j')
      .leftJoin('app_user as g', 'g.id', 'j.guardian_id')
      .select([
        'j.id',
        'j.absence_id',
        'j.status',
        'j.reason_code',
        'j.reason_text',
        'j.comment',
        'j.guardian_id',
        'g.display_name as guardian_name',
        'j.created_at',
        'j.decision_comment',
      ])
      .distinctOn('j.absence_id')
      .where('j.absence_id', 'in', absenceIds)
      .orderBy('j.absence_id')
      .orderBy('j.created_at', 'desc')
      .execute();
    return new Map(rows.map((r) => [r.absence_id, r as JustificationRow]));
  },

  /** The student's other absences of that day still open to a justification (not justified, none pending). */
  sameDayOpen: (db: Db, establishmentId: string, studentId: string, onDate: string, except: string) =>
    db
      .selectFrom('school_life_absence as a')
      .select('a.id')
      .where('a.establishment_id', '=', establishmentId)
      .where('a.student_id', '=', studentId)
      .where('a.on_date', '=', onDate)
      .where('a.state', '!=', 'justified')
      .where('a.id', '!=', except)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('school_life_justification as j')
              .select('j.id')
              .whereRef('j.absence_id', '=', 'a.id')
              .where('j.status', '=', 'pending'),
          ),
        ),
      )
      .execute(),

  /** The pending justifications of the student's absences of that day (answered together). */
  pendingSameDay: (db: Db, establishmentId: string, studentId: string, onDate: string) =>
    db
      .selectFrom('school_life_justification as j')
      .innerJoin('school_life_absence as a', 'a.id', 'j.absence_id')
      .select(['j.id', 'j.absence_id', 'j.reason_code'])
      .where('a.establishment_id', '=', establishmentId)
      .where('a.student_id', '=', studentId)
      .where('a.on_date', '=', onDate)
      .where('j.status', '=', 'pending')
      .execute(),

  pendingJustification: (db: Db, absenceId: string) =>
    db
      .selectFrom('school_life_justification')
      .select(['id', 'reason_code', 'guardian_id'])
      .where('absence_id', '=', absenceId)
      .where('status', '=', 'pending')
      .executeTakeFirst(),

  insertAbsence: (
    db: AuthorizedDb,
    row: {
      establishmentId: string;
      studentId: string;
      kind: 'absence' | 'lateness';
      start: Date;
      end: Date;
      date: string;
      minutes: number | null;
      state: AbsenceStateCol;
      reasonCode: string | null;
      comment: string | null;
      createdBy: string;
    },
  ) =>
    db
      .insertInto('school_life_absence')
      .values({
        establishment_id: row.establishmentId,
        student_id: row.studentId,
        kind: row.kind,
        starts_at: row.start,
        ends_at: row.end,
        on_date: row.date,
        minutes: row.minutes,
        state: row.state,
        reason_code: row.reasonCode,
        comment: row.comment,
        source: 'staff',
        roll_call_id: null,
        course_id: null,
        subject_code: null,
        created_by: row.createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  updateAbsence: (
    db: AuthorizedDb,
    id: string,
    set: { state?: AbsenceStateCol; reason_code?: string | null; comment?: string | null },
  ) =>
    db
      .updateTable('school_life_absence')
      .set({ ...set, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute(),

  insertJustification: (
    db: AuthorizedDb,
    row: {
      establishmentId: string;
      absenceId: string;
      guardianId: string;
      reasonCode: string | null;
      reasonText: string;
      comment: string | null;
    },
  ) =>
    db
      .insertInto('school_life_justification')
      .values({
        establishment_id: row.establishmentId,
        absence_id: row.absenceId,
        guardian_id: row.guardianId,
        reason_code: row.reasonCode,
        reason_text: row.reasonText,
        comment: row.comment,
      })
      .returning(['id', 'status'])
      .executeTakeFirstOrThrow(),

  decide: (db: AuthorizedDb, id: string, status: 'accepted' | 'refused', by: string, comment: string | null) =>
    db
      .updateTable('school_life_justification')
      .set({ status, decided_by: by, decided_at: sql`now()`, decision_comment: comment })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst(),

  // ---- board ----
  dayRecords: (db: Db, establishmentId: string, date: string) =>
    db
      .selectFrom('school_life_absence as a')
      .innerJoin('app_user as u', 'u.id', 'a.student_id')
      .leftJoin(classCodeOf(db).as('k'), 'k.student_id', 'a.student_id')
      .select([
        'a.student_id',
        'u.display_name as name',
        'k.class_id',
        'k.code as class_code',
        'a.kind',
        'a.left_early',
        'a.starts_at',
        'a.ends_at',
      ])
      .where('a.establishment_id', '=', establishmentId)
      .where('a.on_date', '<=', date)
      .where(sql<boolean>`a.ends_at > (${date}::date::timestamp AT TIME ZONE 'Europe/Paris')`)
      .where(sql<boolean>`a.starts_at < ((${date}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`)
      .execute(),

  /** Students marked present (no mark) at an afternoon roll call of the day: enrolled in the audience, unmarked. */
  async presentInAfternoon(db: Db, establishmentId: string, date: string, studentIds: string[]) {
    if (studentIds.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('school_life_roll_call as r')
      .innerJoin('timetable_course as c', 'c.id', 'r.course_id')
      .innerJoin('enrolment as e', (j) =>
        j.on((eb) => eb.or([eb('e.class_id', '=', eb.ref('r.class_id')), eb('e.group_id', '=', eb.ref('r.group_id'))])),
      )
      .select('e.student_id')
      .distinct()
      .where('r.establishment_id', '=', establishmentId)
      .where('r.on_date', '=', date)
      .where('c.starts_at', '>=', '12:30')
      .where('e.student_id', 'in', studentIds)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('school_life_mark as m')
              .select('m.student_id')
              .whereRef('m.roll_call_id', '=', 'r.id')
              .whereRef('m.student_id', '=', 'e.student_id')
              .where('m.mark', 'in', ['absent', 'left_early']),
          ),
        ),
      )
      .execute();
    return new Set(rows.map((r) => r.student_id));
  },

  // ---- absenteeism ----
  /**
   * Unjustified half-days per student and month over [from, to): each Paris half-day (morning before 12:30,
   * afternoon after) an absence not justified overlaps counts once, Sundays aside. One query.
   */
  halfDays: (db: Db, establishmentId: string, from: string, to: string, studentIds?: string[]) => {
    let inner = db
      .selectFrom('school_life_absence as a')
      .select(['a.student_id', 'a.starts_at', 'a.ends_at'])
      .where('a.establishment_id', '=', establishmentId)
      .where('a.kind', '=', 'absence')
      .where('a.left_early', '=', false)
      .where('a.state', '!=', 'justified')
      .where('a.on_date', '>=', sql<string>`${from}::date - 31`)
      .where('a.on_date', '<', to);
    if (studentIds) inner = inner.where('a.student_id', 'in', studentIds.length ? studentIds : ['']);
    return db
      .with('a', () => inner)
      .with('h', (qc) =>
        qc
          .selectFrom(
            sql<{ student_id: string; day: string; half: number }>`(
              SELECT DISTINCT a.student_id, d.day::date AS day, half.n AS half
              FROM a
              CROSS JOIN LATERAL generate_series(
                (a.starts_at AT TIME ZONE 'Europe/Paris')::date,
                (a.ends_at AT TIME ZONE 'Europe/Paris')::date, interval '1 day') AS d(day)
              CROSS JOIN (VALUES (0), (1)) AS half(n)
              WHERE extract(isodow FROM d.day) <> 7
                AND a.starts_at < ((d.day::date + CASE WHEN half.n = 0 THEN time '12:30' ELSE time '24:00' END)
                                    AT TIME ZONE 'Europe/Paris')
                AND a.ends_at > ((d.day::date + CASE WHEN half.n = 0 THEN time '00:00' ELSE time '12:30' END)
                                  AT TIME ZONE 'Europe/Paris')
            )`.as('x'),
          )
          .selectAll(),
      )
      .selectFrom('h')
      .select([
        'h.student_id',
        sql<string>`to_char(h.day, 'YYYY-MM')`.as('month'),
        sql<number>`count(*)::int`.as('half_days'),
      ])
      .where(sql<boolean>`h.day >= ${from}::date`)
      .where(sql<boolean>`h.day < ${to}::date`)
      .groupBy(['h.student_id', sql`to_char(h.day, 'YYYY-MM')`])
      .execute();
  },

  studentsWithClass: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('app_user as u')
          .leftJoin(classCodeOf(db).as('k'), 'k.student_id', 'u.id')
          .select(['u.id', 'u.display_name', 'k.code as class_code'])
          .where('u.id', 'in', ids)
          .execute(),

  /** Students of the establishment matching every word of `q` (accents folded), at most 20, by name. */
  searchStudents: (db: Db, establishmentId: string, q: string | undefined, among: string[] | null) => {
    let query = db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .leftJoin(classCodeOf(db).as('k'), 'k.student_id', 'u.id')
      .select(['u.id', 'u.display_name', 'k.code as class_code'])
      .where('m.establishment_id', '=', establishmentId)
      .where('m.profile', '=', 'student')
      .where('u.status', '!=', 'detached');
    if (among) query = query.where('u.id', 'in', among.length ? among : ['00000000-0000-0000-0000-000000000000']);
    for (const word of (q ?? '').split(/\s+/).filter(Boolean))
      query = query.where(
        sql<boolean>`translate(lower(u.display_name || ' ' || coalesce(k.code, '')), 'àâäéèêëîïôöùûüç', 'aaaeeeeiioouuuc') LIKE ${`%${word
          .toLowerCase()
          .normalize('NFD')
          .replace(/\p{Diacritic}/gu, '')
          .replace(/[%_\\]/g, '')}%`}`,
      );
    return query.orderBy('u.display_name').limit(20).execute();
  },

  // ---- incidents ----
  incidents: (db: Db, establishmentId: string, f: { studentIds: string[] | null; givenBy?: string }) => {
    let q = db
      .selectFrom('school_life_incident as i')
      .innerJoin('app_user as s', 's.id', 'i.student_id')
      .leftJoin('app_user as g', 'g.id', 'i.given_by')
      .select([
        'i.id',
        'i.student_id',
        's.display_name as student_name',
        'i.kind',
        'i.on_date',
        'i.reason',
        'i.detail',
        'g.display_name as given_by_name',
        'i.created_at',
      ])
      .where('i.establishment_id', '=', establishmentId);
    if (f.studentIds) q = q.where('i.student_id', 'in', f.studentIds.length ? f.studentIds : ['']);
    if (f.givenBy) q = q.where('i.given_by', '=', f.givenBy);
    return q.orderBy('i.on_date', 'desc').orderBy('i.created_at', 'desc').limit(500).execute();
  },

  insertIncident: (
    db: AuthorizedDb,
    row: {
      establishmentId: string;
      studentId: string;
      kind: 'incident' | 'retenue' | 'exclusion_cours' | 'sanction';
      date: string;
      reason: string;
      detail: string | null;
      givenBy: string;
    },
  ) =>
    db
      .insertInto('school_life_incident')
      .values({
        establishment_id: row.establishmentId,
        student_id: row.studentId,
        kind: row.kind,
        on_date: row.date,
        reason: row.reason,
        detail: row.detail,
        given_by: row.givenBy,
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow(),

  // ---- widgets, indicators, export ----
  toJustifyCount: (db: Db, establishmentId: string, studentIds: string[]) =>
    studentIds.length === 0
      ? Promise.resolve(0)
      : db
          .selectFrom('school_life_absence as a')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('a.establishment_id', '=', establishmentId)
          .where('a.student_id', 'in', studentIds)
          .where('a.state', '=', 'to_justify')
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('school_life_justification as j')
                  .select('j.id')
                  .whereRef('j.absence_id', '=', 'a.id')
                  .where('j.status', '=', 'pending'),
              ),
            ),
          )
          .executeTakeFirstOrThrow()
          .then((r) => r.n),

  pendingCount: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_life_justification')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow()
      .then((r) => r.n),

  rollCallCount: (db: Db, establishmentId: string, from: string, to: string) =>
    db
      .selectFrom('school_life_roll_call')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('on_date', '>=', from)
      .where('on_date', '<=', to)
      .executeTakeFirstOrThrow()
      .then((r) => r.n),

  /** Absences of the period, and those justified by a guardian's online justification the CPE accepted. */
  justifiedOnline: (db: Db, establishmentId: string, from: string, to: string) =>
    db
      .selectFrom('school_life_absence as a')
      .select([
        sql<number>`count(*)::int`.as('total'),
        sql<number>`count(*) FILTER (WHERE EXISTS (SELECT 1 FROM school_life_justification j
          WHERE j.absence_id = a.id AND j.status = 'accepted'))::int`.as('online'),
      ])
      .where('a.establishment_id', '=', establishmentId)
      .where('a.on_date', '>=', from)
      .where('a.on_date', '<=', to)
      .executeTakeFirstOrThrow(),

  incidentCount: (db: Db, establishmentId: string, from: string, to: string) =>
    db
      .selectFrom('school_life_incident')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('on_date', '>=', from)
      .where('on_date', '<=', to)
      .executeTakeFirstOrThrow()
      .then((r) => r.n),

  exportAbsences: (db: Db, userId: string) =>
    db
      .selectFrom('school_life_absence')
      .select(['establishment_id', 'kind', 'starts_at', 'ends_at', 'state', 'reason_code', 'comment', 'source'])
      .where('student_id', '=', userId)
      .orderBy('starts_at')
      .execute(),

  exportJustifications: (db: Db, userId: string) =>
    db
      .selectFrom('school_life_justification as j')
      .innerJoin('school_life_absence as a', 'a.id', 'j.absence_id')
      .select(['j.establishment_id', 'a.student_id', 'j.reason_text', 'j.comment', 'j.status', 'j.created_at'])
      .where((eb) => eb.or([eb('j.guardian_id', '=', userId), eb('a.student_id', '=', userId)]))
      .orderBy('j.created_at')
      .execute(),

  exportIncidents: (db: Db, userId: string) =>
    db
      .selectFrom('school_life_incident')
      .select(['establishment_id', 'kind', 'on_date', 'reason', 'detail', 'given_by', 'student_id'])
      .where((eb) => eb.or([eb('student_id', '=', userId), eb('given_by', '=', userId)]))
      .orderBy('on_date')
      .execute(),

  exportRollCalls: (db: Db, userId: string) =>
    db
      .selectFrom('school_life_roll_call')
      .select(['establishment_id', 'course_id', 'on_date', 'taken_at'])
      .where('taken_by', '=', userId)
      .orderBy('on_date')
      .execute(),
};

/** Bulk writes of the demo seed (chunked multi-row inserts). */
export const schoolLifeDemo = {
  async insert<
    T extends
      | 'school_life_roll_call'
      | 'school_life_mark'
      | 'school_life_absence'
      | 'school_life_justification'
      | 'school_life_incident',
  >(db: AuthorizedDb, table: T, rows: Record<string, unknown>[]) {
    for (let i = 0; i < rows.length; i += 1000) {
      await db
        .insertInto(table)
        .values(rows.slice(i, i + 1000) as never)
        .execute();
    }
  },
};
