import { sql } from 'kysely';
import type { AuthorizedDb } from '../../../platform/access/authorize.ts';
import type { Db } from '../../../platform/db/schema.ts';
import '../timetable.tables.ts';

/** All SQL of the timetable import: its jobs and files, what matching reads, and the set-based writes. */
export const importJobs = {
  insert: (
    db: AuthorizedDb,
    row: {
      id: string;
      establishment_id: string;
      requested_by: string;
      kind: 'sts' | 'csv';
      files: { no: number; name: string; size: number }[];
    },
  ) =>
    db
      .insertInto('timetable_import')
      .values({ ...row, files: JSON.stringify(row.files) })
      .execute(),

  insertFiles: (db: AuthorizedDb, importId: string, files: { no: number; name: string; data: Buffer }[]) =>
    db
      .insertInto('timetable_import_file')
      .values(files.map((f) => ({ import_id: importId, no: f.no, name: f.name, data: f.data })))
      .execute(),

  files: (db: Db, importId: string) =>
    db
      .selectFrom('timetable_import_file')
      .select(['no', 'name', 'data'])
      .where('import_id', '=', importId)
      .orderBy('no')
      .execute(),

  deleteFiles: (db: Db, importId: string) =>
    db.deleteFrom('timetable_import_file').where('import_id', '=', importId).execute(),

  byId: (db: Db, id: string) => db.selectFrom('timetable_import').selectAll().where('id', '=', id).executeTakeFirst(),

  list: (db: Db, establishmentId: string) =>
    db
      .selectFrom('timetable_import')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute(),

  /** queued → running, once (two workers never run one job). */
  start: async (db: Db, id: string) =>
    Number(
      (
        await db
          .updateTable('timetable_import')
          .set({ status: 'running', started_at: new Date(), phase: 'parsing', progress: 0.05 })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1,

  progress: (db: Db, id: string, progress: number, phase: string) =>
    db.updateTable('timetable_import').set({ progress, phase }).where('id', '=', id).execute(),

  finish: (db: Db, id: string, status: 'done' | 'failed', report: unknown) =>
    db
      .updateTable('timetable_import')
      .set({ status, report: JSON.stringify(report), finished_at: new Date(), progress: 1, phase: status })
      .where('id', '=', id)
      .execute(),

  /** Jobs left running or queued by a process that stopped (they never finish by themselves). */
  stale: (db: Db, before: Date) =>
    db
      .selectFrom('timetable_import')
      .select('id')
      .where('status', 'in', ['queued', 'running'])
      .where('created_at', '<', before)
      .execute(),
};

export const importData = {
  establishment: (db: Db, id: string) =>
    db.selectFrom('establishment').select(['id', 'uai', 'name']).where('id', '=', id).executeTakeFirst(),

  classes: (db: Db, schoolYearId: string) =>
    db.selectFrom('class').select(['id', 'code']).where('school_year_id', '=', schoolYearId).execute(),

  groups: (db: Db, schoolYearId: string) =>
    db.selectFrom('teaching_group').select(['id', 'code']).where('school_year_id', '=', schoolYearId).execute(),

  subjects: (db: Db) => db.selectFrom('subject').select(['code', 'label']).execute(),

  teachers: (db: Db, establishmentId: string) =>
    db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.first_name', 'u.last_name', 'u.birth_date'])
      .distinct()
      .where('m.establishment_id', '=', establishmentId)
      .where('m.profile', '=', 'teacher')
      .where('u.status', '!=', 'detached')
      .execute(),

  links: (db: Db, establishmentId: string) =>
    db
      .selectFrom('timetable_teacher_link')
      .select(['sts_id', 'user_id'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  /** The courses earlier imports created this year, with their teachers. */
  importedCourses: (db: Db, schoolYearId: string) =>
    db
      .selectFrom('timetable_course as c')
      .select([
        'c.id',
        'c.external_key',
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
        sql<
          string[]
        >`coalesce((SELECT array_agg(t.teacher_id::text ORDER BY t.teacher_id) FROM timetable_course_teacher t WHERE t.course_id = c.id), '{}')`.as(
          'teacher_ids',
        ),
      ])
      .where('c.school_year_id', '=', schoolYearId)
      .where('c.source', '=', 'import')
      .execute(),

  /** New courses, in one statement; returns key → id. */
  async insertCourses(
    db: AuthorizedDb,
    rows: {
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
      external_key: string;
    }[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000).map((r) => ({ ...r, source: 'import' as const }));
      const ids = await db.insertInto('timetable_course').values(chunk).returning(['id', 'external_key']).execute();
      for (const r of ids) out.set(r.external_key!, r.id);
    }
    return out;
  },

  updateCourse: (
    db: AuthorizedDb,
    id: string,
    set: {
      room: string | null;
      ends_at: string;
      week_pattern_id: string | null;
      valid_to: string;
      class_id: string | null;
      group_id: string | null;
    },
  ) =>
    db
      .updateTable('timetable_course')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  /** Courses the new files no longer have: those that already ran end yesterday, the others go. */
  async removeCourses(db: AuthorizedDb, ids: string[], yesterday: string) {
    if (ids.length === 0) return;
    await db
      .updateTable('timetable_course')
      .set({ valid_to: yesterday, updated_at: new Date() })
      .where('id', 'in', ids)
      .where('valid_from', '<=', yesterday)
      .where('valid_to', '>', yesterday)
      .execute();
    await db.deleteFrom('timetable_course').where('id', 'in', ids).where('valid_from', '>', yesterday).execute();
  },

  /** Replace the teachers of these courses, in two statements. */
  async setTeachers(db: AuthorizedDb, establishmentId: string, pairs: { courseId: string; teacherIds: string[] }[]) {
    if (pairs.length === 0) return;
    await db
      .deleteFrom('timetable_course_teacher')
      .where(
        'course_id',
        'in',
        pairs.map((p) => p.courseId),
      )
      .execute();
    const rows = pairs.flatMap((p) =>
      p.teacherIds.map((t) => ({ course_id: p.courseId, teacher_id: t, establishment_id: establishmentId })),
    );
    for (let i = 0; i < rows.length; i += 2000)
      await db
        .insertInto('timetable_course_teacher')
        .values(rows.slice(i, i + 2000))
        .execute();
  },

  upsertLinks: (db: AuthorizedDb, establishmentId: string, links: { stsId: string; userId: string }[]) =>
    links.length === 0
      ? Promise.resolve()
      : db
          .insertInto('timetable_teacher_link')
          .values(links.map((l) => ({ establishment_id: establishmentId, sts_id: l.stsId, user_id: l.userId })))
          .onConflict((oc) =>
            oc.columns(['establishment_id', 'sts_id']).doUpdateSet((eb) => ({ user_id: eb.ref('excluded.user_id') })),
          )
          .execute()
          .then(() => undefined),
};
