import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { anyOf } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import './timetable.tables.ts';

/** All SQL of the timetable. Reads that other modules call through index.ts take a plain `Db`. */

export interface ScheduleRow {
  id: string;
  establishment_id: string;
  school_year_id: string;
  class_id: string | null;
  class_code: string | null;
  group_id: string | null;
  group_code: string | null;
  subject_code: string;
  subject_label: string;
  weekday: number;
  starts_at: string;
  ends_at: string;
  room: string | null;
  valid_from: string;
  valid_to: string;
  pattern_id: string | null;
  pattern_code: string | null;
  weeks: string[] | null;
  source: 'manual' | 'import';
}

export interface ScheduleFilter {
  establishmentId: string;
  from: string;
  to: string;
  classIds?: readonly string[];
  groupIds?: readonly string[];
  teacherIds?: readonly string[];
  courseIds?: readonly string[];
  room?: string;
  /** Every course of the establishment (indicators, the demo). */
  all?: boolean;
}

export interface ChangeRow {
  course_id: string;
  on_date: string;
  cancelled: boolean;
  new_date: string | null;
  new_starts_at: string | null;
  new_ends_at: string | null;
  new_room: string | null;
  reason: string | null;
}

const asksSome = (f: ScheduleFilter) =>
  f.all ||
  (f.classIds?.length ?? 0) > 0 ||
  (f.groupIds?.length ?? 0) > 0 ||
  (f.teacherIds?.length ?? 0) > 0 ||
  (f.courseIds?.length ?? 0) > 0 ||
  !!f.room;

/** A course with what its occurrences of a period need: its teachers (by name) and its changes in the period. */
export interface ScheduleDetailRow extends ScheduleRow {
  teachers: { id: string; display_name: string }[];
  changes: ChangeRow[];
}

/** The courses that may occur in [from, to], of the classes, groups, teachers, rooms or ids asked (in time order). */
function schedulesQuery(db: Db, f: ScheduleFilter) {
  return db
    .selectFrom('timetable_course as c')
    .innerJoin('subject as s', 's.code', 'c.subject_code')
    .leftJoin('class as k', 'k.id', 'c.class_id')
    .leftJoin('teaching_group as g', 'g.id', 'c.group_id')
    .leftJoin('timetable_week_pattern as p', 'p.id', 'c.week_pattern_id')
    .select([
      'c.id',
      'c.establishment_id',
      'c.school_year_id',
      'c.class_id',
      'k.code as class_code',
      'c.group_id',
      'g.code as group_code',
      'c.subject_code',
      's.label as subject_label',
      'c.weekday',
      'c.starts_at',
      'c.ends_at',
      'c.room',
      'c.valid_from',
      'c.valid_to',
      'p.id as pattern_id',
      'p.code as pattern_code',
      sql<string[] | null>`p.weeks::text[]`.as('weeks'),
      'c.source',
    ])
    .where('c.establishment_id', '=', f.establishmentId)
    .where('c.valid_from', '<=', f.to)
    .where('c.valid_to', '>=', f.from)
    .$if(!f.all, (q) =>
      q.where((eb) =>
        eb.or([
          // Lists as one array parameter: one prepared statement whatever their length (anyOf).
          ...(f.classIds?.length ? [eb('c.class_id', '=', anyOf(f.classIds))] : []),
          ...(f.groupIds?.length ? [eb('c.group_id', '=', anyOf(f.groupIds))] : []),
          ...(f.courseIds?.length ? [eb('c.id', '=', anyOf(f.courseIds))] : []),
          ...(f.room ? [eb('c.room', '=', f.room)] : []),
          ...(f.teacherIds?.length
            ? [
                eb(
                  'c.id',
                  'in',
                  eb
                    .selectFrom('timetable_course_teacher as t')
                    .select('t.course_id')
                    .where('t.teacher_id', '=', anyOf(f.teacherIds)),
                ),
              ]
            : []),
        ]),
      ),
    )
    .orderBy('c.weekday')
    .orderBy('c.starts_at');
}

export const timetable = {
  /** The courses that may occur in [from, to], of the classes, groups, teachers, rooms or ids asked. */
  async schedules(db: Db, f: ScheduleFilter): Promise<ScheduleRow[]> {
    if (!asksSome(f)) return [];
    return schedulesQuery(db, f).execute() as Promise<ScheduleRow[]>;
  },

  /**
   * The same courses, each with its teachers (by name) and its changes that start or land in [from, to]: what
   * the occurrences of a period need, in one statement.
   */
  async schedulesWithDetails(db: Db, f: ScheduleFilter): Promise<ScheduleDetailRow[]> {
    if (!asksSome(f)) return [];
    return schedulesQuery(db, f)
      .select((eb) => [
        jsonArrayFrom(
          eb
            .selectFrom('timetable_course_teacher as t')
            .innerJoin('app_user as u', 'u.id', 't.teacher_id')
            .select(['u.id', 'u.display_name'])
            .whereRef('t.course_id', '=', 'c.id')
            .orderBy('u.display_name'),
        ).as('teachers'),
        jsonArrayFrom(
          eb
            .selectFrom('timetable_occurrence_change as x')
            .select([
              'x.course_id',
              'x.on_date',
              'x.cancelled',
              'x.new_date',
              'x.new_starts_at',
              'x.new_ends_at',
              'x.new_room',
              'x.reason',
            ])
            .whereRef('x.course_id', '=', 'c.id')
            .where((w) =>
              w.or([
                w.and([w('x.on_date', '>=', f.from), w('x.on_date', '<=', f.to)]),
                w.and([w('x.new_date', '>=', f.from), w('x.new_date', '<=', f.to)]),
              ]),
            ),
        ).as('changes'),
      ])
      .execute() as Promise<ScheduleDetailRow[]>;
  },

  /** The teachers of each course, with their names. */
  teachersOf: (db: Db, courseIds: readonly string[]) =>
    courseIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('timetable_course_teacher as t')
          .innerJoin('app_user as u', 'u.id', 't.teacher_id')
          .select(['t.course_id', 'u.id', 'u.display_name'])
          .where('t.course_id', 'in', [...courseIds])
          .orderBy('u.display_name')
          .execute(),

  zone: async (db: Db, establishmentId: string) =>
    (
      await db
        .selectFrom('timetable_setting')
        .select('zone')
        .where('establishment_id', '=', establishmentId)
        .executeTakeFirst()
    )?.zone ?? null,

  academyOf: async (db: Db, establishmentId: string) =>
    db
      .selectFrom('establishment as e')
      .innerJoin('academy as a', 'a.id', 'e.academy_id')
      .select(['a.code', 'a.name'])
      .where('e.id', '=', establishmentId)
      .executeTakeFirst(),

  setZone: (db: AuthorizedDb, establishmentId: string, zone: 'A' | 'B' | 'C', userId: string | null) =>
    db
      .insertInto('timetable_setting')
      .values({ establishment_id: establishmentId, zone, updated_by: userId })
      .onConflict((oc) =>
        oc.column('establishment_id').doUpdateSet({ zone, updated_by: userId, updated_at: new Date() }),
      )
      .execute(),

  slots: (db: Db, establishmentId: string) =>
    db
      .selectFrom('timetable_slot')
      .select(['code', 'starts_at', 'ends_at'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('starts_at')
      .execute(),

  async replaceSlots(db: AuthorizedDb, establishmentId: string, slots: { code: string; start: string; end: string }[]) {
    await db.deleteFrom('timetable_slot').where('establishment_id', '=', establishmentId).execute();
    if (slots.length)
      await db
        .insertInto('timetable_slot')
        .values(
          slots.map((s) => ({ establishment_id: establishmentId, code: s.code, starts_at: s.start, ends_at: s.end })),
        )
        .execute();
  },

  currentYear: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on', 'status'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),

  yearById: (db: Db, id: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on', 'status'])
      .where('id', '=', id)
      .executeTakeFirst(),

  patterns: (db: Db, schoolYearId: string) =>
    db
      .selectFrom('timetable_week_pattern')
      .select(['id', 'code', 'label', sql<string[]>`weeks::text[]`.as('weeks')])
      .where('school_year_id', '=', schoolYearId)
      .orderBy('code')
      .execute(),

  /** Insert or update patterns by code; returns code → id. */
  async upsertPatterns(
    db: AuthorizedDb,
    establishmentId: string,
    schoolYearId: string,
    patterns: { code: string; label: string; weeks: string[] }[],
  ): Promise<Map<string, string>> {
    if (patterns.length === 0) return new Map();
    const rows = await db
      .insertInto('timetable_week_pattern')
      .values(
        patterns.map((p) => ({
          establishment_id: establishmentId,
          school_year_id: schoolYearId,
          code: p.code,
          label: p.label,
          weeks: sql`${p.weeks}::date[]` as unknown as string[],
        })),
      )
      .onConflict((oc) =>
        oc.columns(['school_year_id', 'code']).doUpdateSet((eb) => ({
          label: eb.ref('excluded.label'),
          weeks: eb.ref('excluded.weeks'),
        })),
      )
      .returning(['id', 'code'])
      .execute();
    return new Map(rows.map((r) => [r.code, r.id]));
  },

  patternIn: (db: Db, schoolYearId: string, id: string) =>
    db
      .selectFrom('timetable_week_pattern')
      .select(['id', 'code'])
      .where('school_year_id', '=', schoolYearId)
      .where('id', '=', id)
      .executeTakeFirst(),

  subjectsIn: async (db: Db, codes: readonly string[]) =>
    codes.length === 0
      ? new Map<string, string>()
      : new Map(
          (
            await db
              .selectFrom('subject')
              .select(['code', 'label'])
              .where('code', 'in', [...codes])
              .execute()
          ).map((r) => [r.code, r.label]),
        ),

  /** A course with its establishment and year (for the object checks). */
  course: (db: Db, id: string) =>
    db
      .selectFrom('timetable_course as c')
      .innerJoin('school_year as y', 'y.id', 'c.school_year_id')
      .select([
        'c.id',
        'c.establishment_id',
        'c.school_year_id',
        'c.class_id',
        'c.group_id',
        'c.subject_code',
        'c.weekday',
        'c.starts_at',
        'c.ends_at',
        'c.room',
        'c.week_pattern_id',
        'c.valid_from',
        'c.valid_to',
        'y.status as year_status',
        'y.starts_on as year_from',
        'y.ends_on as year_to',
      ])
      .where('c.id', '=', id)
      .executeTakeFirst(),

  insertCourse: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      school_year_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      weekday: number;
      starts_at: string;
      ends_at: string;
      room: string | null;
      week_pattern_id: string | null;
      valid_from: string;
      valid_to: string;
      source?: 'manual' | 'import';
      external_key?: string | null;
    },
  ) => db.insertInto('timetable_course').values(row).returning('id').executeTakeFirstOrThrow(),

  updateCourse: (
    db: AuthorizedDb,
    id: string,
    set: Partial<{
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      weekday: number;
      starts_at: string;
      ends_at: string;
      room: string | null;
      week_pattern_id: string | null;
      valid_from: string;
      valid_to: string;
    }>,
  ) =>
    db
      .updateTable('timetable_course')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  deleteCourse: (db: AuthorizedDb, id: string) => db.deleteFrom('timetable_course').where('id', '=', id).execute(),

  async setTeachers(db: AuthorizedDb, establishmentId: string, courseId: string, teacherIds: readonly string[]) {
    await db.deleteFrom('timetable_course_teacher').where('course_id', '=', courseId).execute();
    if (teacherIds.length)
      await db
        .insertInto('timetable_course_teacher')
        .values(teacherIds.map((t) => ({ course_id: courseId, teacher_id: t, establishment_id: establishmentId })))
        .execute();
  },

  change: (db: Db, courseId: string, onDate: string) =>
    db
      .selectFrom('timetable_occurrence_change')
      .selectAll()
      .where('course_id', '=', courseId)
      .where('on_date', '=', onDate)
      .executeTakeFirst(),

  upsertChange: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      course_id: string;
      on_date: string;
      cancelled: boolean;
      new_date: string | null;
      new_starts_at: string | null;
      new_ends_at: string | null;
      new_room: string | null;
      reason: string | null;
      created_by: string;
    },
  ) =>
    db
      .insertInto('timetable_occurrence_change')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['course_id', 'on_date']).doUpdateSet({
          cancelled: row.cancelled,
          new_date: row.new_date,
          new_starts_at: row.new_starts_at,
          new_ends_at: row.new_ends_at,
          new_room: row.new_room,
          reason: row.reason,
          created_by: row.created_by,
          updated_at: new Date(),
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow(),

  deleteChange: (db: AuthorizedDb, courseId: string, onDate: string) =>
    db
      .deleteFrom('timetable_occurrence_change')
      .where('course_id', '=', courseId)
      .where('on_date', '=', onDate)
      .executeTakeFirst(),

  // ---- names for pickers and headings ----

  classesOf: (db: Db, establishmentId: string, ids?: readonly string[]) =>
    db
      .selectFrom('class as k')
      .innerJoin('school_year as y', 'y.id', 'k.school_year_id')
      .select(['k.id', 'k.code', 'k.label'])
      .where('k.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .$if(ids !== undefined, (q) =>
        q.where('k.id', 'in', ids!.length ? [...ids!] : ['00000000-0000-0000-0000-000000000000']),
      )
      .orderBy('k.code')
      .execute(),

  groupsOf: (db: Db, establishmentId: string, ids?: readonly string[]) =>
    db
      .selectFrom('teaching_group as g')
      .innerJoin('school_year as y', 'y.id', 'g.school_year_id')
      .select(['g.id', 'g.code', 'g.label'])
      .where('g.establishment_id', '=', establishmentId)
      .where('y.status', '=', 'current')
      .$if(ids !== undefined, (q) =>
        q.where('g.id', 'in', ids!.length ? [...ids!] : ['00000000-0000-0000-0000-000000000000']),
      )
      .orderBy('g.code')
      .execute(),

  teachersIn: (db: Db, establishmentId: string) =>
    db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.display_name'])
      .distinct()
      .where('m.establishment_id', '=', establishmentId)
      .where('m.profile', '=', 'teacher')
      .where('u.status', '!=', 'detached')
      .orderBy('u.display_name')
      .execute(),

  rooms: async (db: Db, establishmentId: string) =>
    (
      await db
        .selectFrom('timetable_course')
        .select('room')
        .distinct()
        .where('establishment_id', '=', establishmentId)
        .where('room', 'is not', null)
        .orderBy('room')
        .execute()
    ).map((r) => r.room as string),

  names: (db: Db, ids: readonly string[]) => relations.displayNames(db, ids),

  // ---- the ICS subscription ----

  liveFeed: (db: Db, userId: string, establishmentId: string) =>
    db
      .selectFrom('timetable_feed_token')
      .select(['id', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where('establishment_id', '=', establishmentId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),

  revokeFeeds: (db: AuthorizedDb, userId: string, establishmentId: string) =>
    db
      .updateTable('timetable_feed_token')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', userId)
      .where('establishment_id', '=', establishmentId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),

  insertFeed: (db: AuthorizedDb, userId: string, establishmentId: string, hash: Buffer) =>
    db
      .insertInto('timetable_feed_token')
      .values({ user_id: userId, establishment_id: establishmentId, token_hash: hash })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow(),

  /** The live subscription of a token, with its owner still a member there. */
  feedByHash: (db: Db, hash: Buffer) =>
    db
      .selectFrom('timetable_feed_token as f')
      .innerJoin('app_user as u', 'u.id', 'f.user_id')
      .innerJoin('establishment as e', 'e.id', 'f.establishment_id')
      .select(['f.id', 'f.user_id', 'f.establishment_id', 'u.display_name', 'u.status', 'e.name as establishment_name'])
      .where('f.token_hash', '=', hash)
      .where('f.revoked_at', 'is', null)
      .executeTakeFirst(),

  feedUsed: (db: AuthorizedDb, id: string) =>
    db.updateTable('timetable_feed_token').set({ last_used_at: new Date() }).where('id', '=', id).execute(),

  /** Profiles of a person in an establishment (the feed has no session to read them from). */
  profilesOf: async (db: Db, userId: string, establishmentId: string) =>
    (
      await db
        .selectFrom('membership')
        .select('profile')
        .where('user_id', '=', userId)
        .where('establishment_id', '=', establishmentId)
        .execute()
    ).map((r) => r.profile),

  /** For the personal-data export: the person's subscriptions and the courses they teach. */
  feedsOf: (db: Db, userId: string) =>
    db
      .selectFrom('timetable_feed_token')
      .select(['establishment_id', 'created_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', userId)
      .execute(),

  coursesTaughtBy: (db: Db, userId: string) =>
    db
      .selectFrom('timetable_course_teacher as t')
      .innerJoin('timetable_course as c', 'c.id', 't.course_id')
      .innerJoin('subject as s', 's.code', 'c.subject_code')
      .select([
        'c.establishment_id',
        's.label',
        'c.weekday',
        'c.starts_at',
        'c.ends_at',
        'c.room',
        'c.valid_from',
        'c.valid_to',
      ])
      .where('t.teacher_id', '=', userId)
      .execute(),

  /** Every course count per establishment, for the indicator. */
  courseCount: async (db: Db, establishmentId: string) =>
    Number(
      (
        await db
          .selectFrom('timetable_course as c')
          .innerJoin('school_year as y', 'y.id', 'c.school_year_id')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('c.establishment_id', '=', establishmentId)
          .where('y.status', '=', 'current')
          .executeTakeFirstOrThrow()
      ).n,
    ),

  changeCount: async (db: Db, establishmentId: string, from: string, to: string) =>
    Number(
      (
        await db
          .selectFrom('timetable_occurrence_change')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('on_date', '>=', from)
          .where('on_date', '<=', to)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  liveFeedCount: async (db: Db, establishmentId: string) =>
    Number(
      (
        await db
          .selectFrom('timetable_feed_token')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('revoked_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  /** Week views over a period, from the usage roll-up. */
  weekViews: async (db: Db, establishmentId: string, from: string, to: string) =>
    Number(
      (
        await db
          .selectFrom('usage_daily')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('events'), eb.lit(0)).as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('service', '=', 'timetable')
          .where('action', 'like', 'week.%')
          .where('day', '>=', from)
          .where('day', '<=', to)
          .executeTakeFirstOrThrow()
      ).n,
    ),
};
