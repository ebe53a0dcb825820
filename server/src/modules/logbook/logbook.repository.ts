import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { anyOf } from '../../platform/db/database.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import './logbook.tables.ts';

/**
 * All SQL of the logbook. Writes take `AuthorizedDb` (ADR 0009); reads that the home widget, the jobs, the
 * document audience checks and the personal-data export share take a plain `Db`.
 */

export interface LessonRow {
  id: string;
  establishment_id: string;
  school_year_id: string;
  /** The status of the lesson's school year (`current`, or archived: read-only). */
  year_status: string;
  course_id: string | null;
  date: string;
  class_id: string | null;
  class_code: string | null;
  group_id: string | null;
  group_code: string | null;
  subject_code: string;
  subject_label: string;
  author_id: string | null;
  author_name: string | null;
  title: string;
  content: string;
  links: { url: string; label?: string }[];
  publish_at: Date | null;
  visa_id: string | null;
  amended_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface HomeworkRow {
  id: string;
  establishment_id: string;
  school_year_id: string;
  lesson_id: string | null;
  course_id: string | null;
  class_id: string | null;
  class_code: string | null;
  group_id: string | null;
  group_code: string | null;
  subject_code: string;
  subject_label: string;
  author_id: string | null;
  author_name: string | null;
  assigned_on: string;
  due_date: string;
  description: string;
  kind: 'exercise' | 'lesson' | 'assessment' | 'project';
  estimated_minutes: number | null;
  publish_at: Date | null;
}

export interface Audience {
  establishmentId: string;
  classIds?: readonly string[];
  groupIds?: readonly string[];
  authorIds?: readonly string[];
  /** Every lesson of the establishment (the direction, the staff). */
  all?: boolean;
  subject?: string;
}

const none = (a: Audience) => !a.all && !a.classIds?.length && !a.groupIds?.length && !a.authorIds?.length;

const lessonColumns = [
  'l.id',
  'l.establishment_id',
  'l.school_year_id',
  'y.status as year_status',
  'l.course_id',
  'l.date',
  'l.class_id',
  'k.code as class_code',
  'l.group_id',
  'g.code as group_code',
  'l.subject_code',
  's.label as subject_label',
  'l.author_id',
  'a.display_name as author_name',
  'l.title',
  'l.content',
  'l.links',
  'l.publish_at',
  'l.visa_id',
  'l.amended_at',
  'l.created_at',
  'l.updated_at',
] as const;

const homeworkColumns = [
  'h.id',
  'h.establishment_id',
  'h.school_year_id',
  'h.lesson_id',
  'h.course_id',
  'h.class_id',
  'k.code as class_code',
  'h.group_id',
  'g.code as group_code',
  'h.subject_code',
  's.label as subject_label',
  'h.author_id',
  'a.display_name as author_name',
  'h.assigned_on',
  'h.due_date',
  'h.description',
  'h.kind',
  'h.estimated_minutes',
  'h.publish_at',
] as const;

function lessonsQuery(db: Db) {
  return db
    .selectFrom('logbook_lesson as l')
    .innerJoin('school_year as y', 'y.id', 'l.school_year_id')
    .innerJoin('subject as s', 's.code', 'l.subject_code')
    .leftJoin('class as k', 'k.id', 'l.class_id')
    .leftJoin('teaching_group as g', 'g.id', 'l.group_id')
    .leftJoin('app_user as a', 'a.id', 'l.author_id')
    .select(lessonColumns);
}

/**
 * The rows of an audience on the alias `t` (lessons `l`, homework `h`): of its establishment, of its classes,
 * groups or authors (each list one array parameter), of its subject.
 */
function inAudience(t: 'l' | 'h', a: Audience): Expression<SqlBool> {
  const col = (c: string) => sql.ref(`${t}.${c}`);
  const who = (
    [
      ['class_id', a.classIds],
      ['group_id', a.groupIds],
      ['author_id', a.authorIds],
    ] as const
  )
    .filter(([, ids]) => ids?.length)
    .map(([c, ids]) => sql<SqlBool>`${col(c)} = ${anyOf(ids!)}`);
  return sql<SqlBool>`${col('establishment_id')} = ${a.establishmentId}${
    a.all ? sql`` : sql` AND (${sql.join(who, sql` OR `)})`
  }${a.subject ? sql` AND ${col('subject_code')} = ${a.subject}` : sql``}`;
}

/** The lessons of an audience over [from, to], by date. */
function lessonsOf(q: ReturnType<typeof lessonsQuery>, a: Audience, from: string, to: string) {
  return q.where(inAudience('l', a)).where('l.date', '>=', from).where('l.date', '<=', to).orderBy('l.date');
}

function homeworkQuery(db: Db) {
  return db
    .selectFrom('logbook_homework as h')
    .innerJoin('subject as s', 's.code', 'h.subject_code')
    .leftJoin('class as k', 'k.id', 'h.class_id')
    .leftJoin('teaching_group as g', 'g.id', 'h.group_id')
    .leftJoin('app_user as a', 'a.id', 'h.author_id')
    .select(homeworkColumns);
}

/** Whether the student ticked the homework `h` « fait » (false without a student). */
function doneColumn(
  eb: ExpressionBuilder<Database & { h: Database['logbook_homework'] }, 'h'>,
  studentId: string | null,
): Expression<boolean> {
  return studentId
    ? eb
        .exists(
          eb
            .selectFrom('logbook_homework_done as d')
            .select('d.homework_id')
            .whereRef('d.homework_id', '=', 'h.id')
            .where('d.student_id', '=', studentId),
        )
        .$castTo<boolean>()
    : sql<boolean>`false`;
}

/** A lesson with the homework set in it (by due date), each with the student's tick when one was asked. */
export type LessonWithHomework = LessonRow & { homework: (HomeworkRow & { done: boolean })[] };

export const logbook = {
  // ---- lessons ----

  /** Lessons of an audience over [from, to] (by their date). */
  lessons(db: Db, a: Audience, from: string, to: string): Promise<LessonRow[]> {
    if (none(a)) return Promise.resolve([]);
    return lessonsOf(lessonsQuery(db), a, from, to).execute() as Promise<LessonRow[]>;
  },

  /**
   * The same lessons, each with the homework set in it (by due date) and, for `tickOf`, that student's « fait »
   * ticks: a logbook page in one statement.
   */
  async lessonsWithHomework(
    db: Db,
    a: Audience,
    from: string,
    to: string,
    tickOf: string | null,
  ): Promise<LessonWithHomework[]> {
    if (none(a)) return [];
    const rows = (await lessonsOf(lessonsQuery(db), a, from, to)
      .select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('logbook_homework as h')
            .innerJoin('subject as hs', 'hs.code', 'h.subject_code')
            .leftJoin('class as hk', 'hk.id', 'h.class_id')
            .leftJoin('teaching_group as hg', 'hg.id', 'h.group_id')
            .leftJoin('app_user as ha', 'ha.id', 'h.author_id')
            .select((he) => [
              'h.id',
              'h.establishment_id',
              'h.school_year_id',
              'h.lesson_id',
              'h.course_id',
              'h.class_id',
              'hk.code as class_code',
              'h.group_id',
              'hg.code as group_code',
              'h.subject_code',
              'hs.label as subject_label',
              'h.author_id',
              'ha.display_name as author_name',
              'h.assigned_on',
              'h.due_date',
              'h.description',
              'h.kind',
              'h.estimated_minutes',
              'h.publish_at',
              sql<boolean>`${doneColumn(he as never, tickOf)}`.as('done'),
            ])
            .whereRef('h.lesson_id', '=', 'l.id')
            .orderBy('h.due_date'),
        ).as('homework'),
      )
      .execute()) as unknown as (LessonRow & {
      homework: (Omit<HomeworkRow, 'publish_at'> & { publish_at: string | null; done: boolean })[];
    })[];
    // JSON carries instants as text.
    return rows.map((l) => ({
      ...l,
      homework: l.homework.map((h) => ({ ...h, publish_at: h.publish_at === null ? null : new Date(h.publish_at) })),
    }));
  },

  lesson: (db: Db, id: string) =>
    lessonsQuery(db).where('l.id', '=', id).executeTakeFirst() as Promise<LessonRow | undefined>,

  lessonOf: (db: Db, courseId: string, date: string) =>
    db
      .selectFrom('logbook_lesson')
      .select(['id'])
      .where('course_id', '=', courseId)
      .where('date', '=', date)
      .executeTakeFirst(),

  /** Which of these (course, date) occurrences have a lesson (the home widget, the fill rate). */
  async written(db: Db, courseIds: readonly string[], from: string, to: string) {
    if (courseIds.length === 0) return new Map<string, string>();
    const rows = await db
      .selectFrom('logbook_lesson')
      .select(['id', 'course_id', 'date'])
      .where('course_id', 'in', [...courseIds])
      .where('date', '>=', from)
      .where('date', '<=', to)
      .execute();
    return new Map(rows.map((r) => [`${r.course_id}|${r.date}`, r.id]));
  },

  insertLesson: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      school_year_id: string;
      course_id: string;
      date: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      author_id: string;
      title: string;
      content: string;
      links: { url: string; label?: string }[];
      publish_at: Date | null;
    },
  ) =>
    db
      .insertInto('logbook_lesson')
      .values({ ...row, links: JSON.stringify(row.links) })
      .onConflict((oc) => oc.columns(['course_id', 'date']).doNothing())
      .returning('id')
      .executeTakeFirst(),

  updateLesson: (
    db: AuthorizedDb,
    id: string,
    set: Partial<{
      title: string;
      content: string;
      links: { url: string; label?: string }[];
      publish_at: Date | null;
      amended_at: Date;
    }>,
  ) =>
    db
      .updateTable('logbook_lesson')
      .set({ ...set, ...(set.links ? { links: JSON.stringify(set.links) } : {}), updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  deleteLesson: (db: AuthorizedDb, id: string) => db.deleteFrom('logbook_lesson').where('id', '=', id).execute(),

  insertAmendment: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      lesson_id: string;
      author_id: string;
      before: { title: string; content: string };
      after: { title: string; content: string };
    },
  ) =>
    db
      .insertInto('logbook_amendment')
      .values({ ...row, before: JSON.stringify(row.before), after: JSON.stringify(row.after) })
      .execute(),

  amendments: (db: Db, lessonIds: readonly string[]) =>
    lessonIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('logbook_amendment as m')
          .leftJoin('app_user as a', 'a.id', 'm.author_id')
          .select(['m.lesson_id', 'm.at', 'm.author_id', 'a.display_name as author_name', 'm.before'])
          .where('m.lesson_id', 'in', [...lessonIds])
          .orderBy('m.at')
          .execute(),

  // ---- homework ----

  /**
   * Homework due in [from, to] for these classes and groups (or set by these authors); with `tickOf`, each says
   * whether that student ticked it « fait » (`done`).
   */
  homeworkDue(
    db: Db,
    a: Audience,
    from: string,
    to: string,
    tickOf: string | null = null,
  ): Promise<(HomeworkRow & { done?: boolean })[]> {
    if (none(a)) return Promise.resolve([]);
    return homeworkQuery(db)
      .$if(tickOf !== null, (q) => q.select((eb) => sql<boolean>`${doneColumn(eb as never, tickOf)}`.as('done')))
      .where(inAudience('h', a))
      .where('h.due_date', '>=', from)
      .where('h.due_date', '<=', to)
      .orderBy('h.due_date')
      .orderBy('s.label')
      .execute() as Promise<(HomeworkRow & { done?: boolean })[]>;
  },

  /** Homework set in these lessons. */
  homeworkOfLessons: (db: Db, lessonIds: readonly string[]) =>
    lessonIds.length === 0
      ? Promise.resolve([] as HomeworkRow[])
      : (homeworkQuery(db)
          .where('h.lesson_id', 'in', [...lessonIds])
          .orderBy('h.due_date')
          .execute() as Promise<HomeworkRow[]>),

  homework: (db: Db, id: string) =>
    homeworkQuery(db).where('h.id', '=', id).executeTakeFirst() as Promise<HomeworkRow | undefined>,

  async insertHomework(
    db: AuthorizedDb,
    rows: {
      establishment_id: string;
      school_year_id: string;
      lesson_id: string | null;
      course_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      author_id: string;
      assigned_on: string;
      due_date: string;
      description: string;
      kind: 'exercise' | 'lesson' | 'assessment' | 'project';
      estimated_minutes: number | null;
      publish_at: Date | null;
      notified_at: Date | null;
    }[],
  ): Promise<string[]> {
    if (rows.length === 0) return [];
    return (await db.insertInto('logbook_homework').values(rows).returning('id').execute()).map((r) => r.id);
  },

  updateHomework: (
    db: AuthorizedDb,
    id: string,
    set: Partial<{
      due_date: string;
      description: string;
      kind: 'exercise' | 'lesson' | 'assessment' | 'project';
      estimated_minutes: number | null;
      publish_at: Date | null;
      notified_at: Date | null;
    }>,
  ) =>
    db
      .updateTable('logbook_homework')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  deleteHomework: (db: AuthorizedDb, id: string) => db.deleteFrom('logbook_homework').where('id', '=', id).execute(),

  /** Of these homework, those the student ticked. */
  async doneBy(db: Db, studentId: string, homeworkIds: readonly string[]) {
    if (homeworkIds.length === 0) return new Set<string>();
    const rows = await db
      .selectFrom('logbook_homework_done')
      .select('homework_id')
      .where('student_id', '=', studentId)
      .where('homework_id', 'in', [...homeworkIds])
      .execute();
    return new Set(rows.map((r) => r.homework_id));
  },

  /** Every homework the student ticked « fait » (a few hundred a year at most). */
  async ticked(db: Db, studentId: string): Promise<ReadonlySet<string>> {
    const rows = await db
      .selectFrom('logbook_homework_done')
      .select('homework_id')
      .where('student_id', '=', studentId)
      .execute();
    return new Set(rows.map((r) => r.homework_id));
  },

  setDone: (db: AuthorizedDb, row: { homework_id: string; student_id: string; establishment_id: string }) =>
    db
      .insertInto('logbook_homework_done')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .execute(),

  unsetDone: (db: AuthorizedDb, homeworkId: string, studentId: string) =>
    db
      .deleteFrom('logbook_homework_done')
      .where('homework_id', '=', homeworkId)
      .where('student_id', '=', studentId)
      .execute(),

  /** Assessments due on a day for these classes and groups (the workload warning). */
  async assessmentsOn(
    db: Db,
    establishmentId: string,
    date: string,
    classIds: readonly string[],
    groupIds: readonly string[],
  ) {
    if (classIds.length === 0 && groupIds.length === 0) return 0;
    const r = await db
      .selectFrom('logbook_homework')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('due_date', '=', date)
      .where('kind', '=', 'assessment')
      .where((eb) =>
        eb.or([
          ...(classIds.length ? [eb('class_id', 'in', [...classIds])] : []),
          ...(groupIds.length ? [eb('group_id', 'in', [...groupIds])] : []),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Homework whose publication time has come and that nobody was told about yet. */
  dueToAnnounce: (db: Db, now: Date) =>
    homeworkQuery(db)
      .where('h.notified_at', 'is', null)
      .where('h.publish_at', '<=', now)
      .orderBy('h.publish_at')
      .limit(500)
      .execute() as Promise<HomeworkRow[]>,

  markAnnounced: (db: AuthorizedDb, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve()
      : db
          .updateTable('logbook_homework')
          .set({ notified_at: new Date() })
          .where('id', 'in', [...ids])
          .execute()
          .then(() => undefined),

  // ---- visas ----

  insertVisa: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      school_year_id: string;
      signer_id: string;
      role: 'principal' | 'inspector';
      teacher_id: string | null;
      class_id: string | null;
      through: string;
      comment: string | null;
    },
  ) => db.insertInto('logbook_visa').values(row).returning(['id', 'signed_at']).executeTakeFirstOrThrow(),

  /** Sign the unsigned lessons of a teacher or of classes and groups up to a date; returns their authors. */
  async signLessons(
    db: AuthorizedDb,
    visaId: string,
    q: {
      establishmentId: string;
      schoolYearId: string;
      through: string;
      authorId?: string;
      classIds?: string[];
      groupIds?: string[];
    },
  ) {
    const rows = await db
      .updateTable('logbook_lesson')
      .set({ visa_id: visaId })
      .where('establishment_id', '=', q.establishmentId)
      .where('school_year_id', '=', q.schoolYearId)
      .where('visa_id', 'is', null)
      .where('date', '<=', q.through)
      .where((eb) =>
        eb.or([
          ...(q.authorId ? [eb('author_id', '=', q.authorId)] : []),
          ...(q.classIds?.length ? [eb('class_id', 'in', q.classIds)] : []),
          ...(q.groupIds?.length ? [eb('group_id', 'in', q.groupIds)] : []),
        ]),
      )
      .returning('author_id')
      .execute();
    await db.updateTable('logbook_visa').set({ lessons: rows.length }).where('id', '=', visaId).execute();
    return rows.map((r) => r.author_id).filter((a): a is string => a !== null);
  },

  visas: (
    db: Db,
    establishmentId: string,
    f: { teacherId?: string; classIds?: readonly string[]; ids?: readonly string[] },
  ) =>
    db
      .selectFrom('logbook_visa as v')
      .leftJoin('app_user as s', 's.id', 'v.signer_id')
      .leftJoin('app_user as t', 't.id', 'v.teacher_id')
      .leftJoin('class as k', 'k.id', 'v.class_id')
      .select([
        'v.id',
        'v.role',
        'v.signer_id',
        's.display_name as signer_name',
        'v.teacher_id',
        't.display_name as teacher_name',
        'v.class_id',
        'k.code as class_code',
        'v.through',
        'v.comment',
        'v.signed_at',
        'v.lessons',
      ])
      .where('v.establishment_id', '=', establishmentId)
      .$if(!!f.teacherId, (q) => q.where('v.teacher_id', '=', f.teacherId!))
      .$if(!!f.classIds, (q) =>
        q.where('v.class_id', 'in', f.classIds!.length ? [...f.classIds!] : ['00000000-0000-0000-0000-000000000000']),
      )
      .$if(!!f.ids, (q) =>
        q.where('v.id', 'in', f.ids!.length ? [...f.ids!] : ['00000000-0000-0000-0000-000000000000']),
      )
      .orderBy('v.signed_at', 'desc')
      .limit(200)
      .execute(),

  // ---- inspectors ----

  userByLogin: (db: Db, login: string) =>
    db
      .selectFrom('app_user')
      .select(['id', 'display_name'])
      .where(sql`lower(login)`, '=', login.toLowerCase())
      .where('status', '=', 'active')
      .executeTakeFirst(),

  insertInspector: (
    db: AuthorizedDb,
    row: {
      establishment_id: string;
      inspector_id: string;
      teacher_ids: string[];
      until: string | null;
      granted_by: string;
    },
  ) => db.insertInto('logbook_inspector').values(row).returning('id').executeTakeFirstOrThrow(),

  revokeInspector: (db: AuthorizedDb, id: string) =>
    db
      .updateTable('logbook_inspector')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute(),

  inspector: (db: Db, id: string) =>
    db
      .selectFrom('logbook_inspector')
      .selectAll()
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),

  inspectors: (db: Db, establishmentId: string) =>
    db
      .selectFrom('logbook_inspector as i')
      .innerJoin('app_user as u', 'u.id', 'i.inspector_id')
      .leftJoin('app_user as g', 'g.id', 'i.granted_by')
      .select([
        'i.id',
        'i.inspector_id',
        'u.display_name as inspector_name',
        'i.teacher_ids',
        'i.until',
        'i.granted_at',
        'i.granted_by',
        'g.display_name as granted_by_name',
      ])
      .where('i.establishment_id', '=', establishmentId)
      .where('i.revoked_at', 'is', null)
      .orderBy('i.granted_at', 'desc')
      .execute(),

  grantsOf: (db: Db, inspectorId: string) =>
    db
      .selectFrom('logbook_inspector as i')
      .innerJoin('establishment as e', 'e.id', 'i.establishment_id')
      .select(['i.id', 'i.establishment_id', 'e.name as establishment_name', 'i.teacher_ids', 'i.until'])
      .where('i.inspector_id', '=', inspectorId)
      .where('i.revoked_at', 'is', null)
      .orderBy('i.granted_at', 'desc')
      .execute(),

  // ---- progressions ----

  progressions: (db: Db, establishmentId: string, authorId: string) =>
    db
      .selectFrom('logbook_progression as p')
      .leftJoin('subject as s', 's.code', 'p.subject_code')
      .select([
        'p.id',
        'p.establishment_id',
        'p.author_id',
        'p.title',
        'p.subject_code',
        's.label as subject_label',
        'p.created_at',
        (eb) =>
          eb
            .selectFrom('logbook_progression_step as st')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('st.progression_id', '=', 'p.id')
            .as('steps'),
      ])
      .where('p.establishment_id', '=', establishmentId)
      .where('p.author_id', '=', authorId)
      .orderBy('p.created_at', 'desc')
      .execute(),

  progression: (db: Db, id: string) =>
    db
      .selectFrom('logbook_progression as p')
      .leftJoin('subject as s', 's.code', 'p.subject_code')
      .select([
        'p.id',
        'p.establishment_id',
        'p.author_id',
        'p.title',
        'p.subject_code',
        's.label as subject_label',
        'p.created_at',
      ])
      .where('p.id', '=', id)
      .executeTakeFirst(),

  steps: (db: Db, id: string) =>
    db
      .selectFrom('logbook_progression_step')
      .select(['position', 'title', 'content'])
      .where('progression_id', '=', id)
      .orderBy('position')
      .execute(),

  async insertProgression(
    db: AuthorizedDb,
    row: { establishment_id: string; author_id: string; title: string; subject_code: string | null },
    steps: { title: string; content: string }[],
  ) {
    const p = await db.insertInto('logbook_progression').values(row).returning('id').executeTakeFirstOrThrow();
    if (steps.length)
      await db
        .insertInto('logbook_progression_step')
        .values(steps.map((s, i) => ({ progression_id: p.id, position: i + 1, title: s.title, content: s.content })))
        .execute();
    return p.id;
  },

  deleteProgression: (db: AuthorizedDb, id: string) =>
    db.deleteFrom('logbook_progression').where('id', '=', id).execute(),

  // ---- years, names, indicators, export ----

  year: (db: Db, id: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'status', 'starts_on', 'ends_on'])
      .where('id', '=', id)
      .executeTakeFirst(),

  currentYear: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'status', 'starts_on', 'ends_on'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),

  archivedYears: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'archived')
      .orderBy('starts_on', 'desc')
      .execute(),

  classesOfYears: (db: Db, yearIds: readonly string[]) =>
    yearIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('class')
          .select(['id', 'code', 'school_year_id'])
          .where('school_year_id', 'in', [...yearIds])
          .orderBy('code')
          .execute(),

  groupsOfYears: (db: Db, yearIds: readonly string[]) =>
    yearIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('teaching_group')
          .select(['id', 'code', 'school_year_id'])
          .where('school_year_id', 'in', [...yearIds])
          .orderBy('code')
          .execute(),

  /** A class or group of the establishment, any year, with its year's status. */
  target: (db: Db, establishmentId: string, kind: 'class' | 'group', id: string) =>
    kind === 'class'
      ? db
          .selectFrom('class as t')
          .innerJoin('school_year as y', 'y.id', 't.school_year_id')
          .select(['t.id', 't.code', 't.school_year_id', 'y.status', 'y.starts_on', 'y.ends_on'])
          .where('t.establishment_id', '=', establishmentId)
          .where('t.id', '=', id)
          .executeTakeFirst()
      : db
          .selectFrom('teaching_group as t')
          .innerJoin('school_year as y', 'y.id', 't.school_year_id')
          .select(['t.id', 't.code', 't.school_year_id', 'y.status', 'y.starts_on', 'y.ends_on'])
          .where('t.establishment_id', '=', establishmentId)
          .where('t.id', '=', id)
          .executeTakeFirst(),

  names: (db: Db, ids: readonly string[]) => relations.displayNames(db, ids),

  establishment: (db: Db, id: string) =>
    db.selectFrom('establishment').select(['id', 'name']).where('id', '=', id).executeTakeFirst(),

  subjectLabel: async (db: Db, code: string) =>
    (await db.selectFrom('subject').select('label').where('code', '=', code).executeTakeFirst())?.label ?? code,

  subjectExists: async (db: Db, code: string) =>
    !!(await db.selectFrom('subject').select('code').where('code', '=', code).executeTakeFirst()),

  homeworkSetCount: async (db: Db, establishmentId: string, from: string, to: string) =>
    Number(
      (
        await db
          .selectFrom('logbook_homework')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('assigned_on', '>=', from)
          .where('assigned_on', '<=', to)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  visaCount: async (db: Db, establishmentId: string, from: string, to: string) =>
    Number(
      (
        await db
          .selectFrom('logbook_visa')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where(sql<string>`(signed_at AT TIME ZONE 'Europe/Paris')::date`, '>=', from)
          .where(sql<string>`(signed_at AT TIME ZONE 'Europe/Paris')::date`, '<=', to)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  lessonsWrittenBy: (db: Db, userId: string) =>
    db
      .selectFrom('logbook_lesson as l')
      .innerJoin('subject as s', 's.code', 'l.subject_code')
      .select(['l.establishment_id', 'l.date', 's.label', 'l.title', 'l.created_at', 'l.updated_at'])
      .where('l.author_id', '=', userId)
      .orderBy('l.date', 'desc')
      .limit(10_000)
      .execute(),

  homeworkSetBy: (db: Db, userId: string) =>
    db
      .selectFrom('logbook_homework as h')
      .innerJoin('subject as s', 's.code', 'h.subject_code')
      .select(['h.establishment_id', 'h.assigned_on', 'h.due_date', 's.label', 'h.kind'])
      .where('h.author_id', '=', userId)
      .orderBy('h.due_date', 'desc')
      .limit(10_000)
      .execute(),

  ticksOf: (db: Db, userId: string) =>
    db
      .selectFrom('logbook_homework_done as d')
      .innerJoin('logbook_homework as h', 'h.id', 'd.homework_id')
      .innerJoin('subject as s', 's.code', 'h.subject_code')
      .select(['d.done_at', 'h.due_date', 's.label'])
      .where('d.student_id', '=', userId)
      .orderBy('d.done_at', 'desc')
      .limit(10_000)
      .execute(),

  visasSignedBy: (db: Db, userId: string) =>
    db
      .selectFrom('logbook_visa')
      .select(['establishment_id', 'signed_at', 'through', 'comment', 'role'])
      .where('signer_id', '=', userId)
      .orderBy('signed_at', 'desc')
      .execute(),

  /** Lessons and homework of these ids, with their audience (the document holders' check). */
  lessonAudiences: (db: Db, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('logbook_lesson')
          .select(['id', 'establishment_id', 'class_id', 'group_id', 'author_id', 'course_id', 'publish_at'])
          .where('id', 'in', [...ids])
          .execute(),

  homeworkAudiences: (db: Db, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('logbook_homework')
          .select(['id', 'establishment_id', 'class_id', 'group_id', 'author_id', 'course_id', 'publish_at'])
          .where('id', 'in', [...ids])
          .execute(),
};
