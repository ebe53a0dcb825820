/**
 * The shared parts of the logbook's daily pages, in memory (platform/cache.ts), each kept by what changes it:
 *
 * - the lessons (with the homework set in them) and the homework due of one audience — a class or a group — for one
 *   week (Monday to Sunday), under topic `lb`, tagged with the audience: a write to a lesson or homework announces
 *   `lb:<class or group>` (migration 0351) and drops that audience's weeks only. A class's week page is its class
 *   and its groups' weeks put together; a student's homework week, their class's and groups'. What a reader may see
 *   of them (unpublished lessons and homework, can-write flags) is decided per request;
 * - a student's « fait » ticks, by student (topic `lbt`: their ticks announce it) — private, added per request for
 *   the student and their guardians only;
 * - a class's or group's row (code, school year and its status) under `lb` (any change of a class, a group or a
 *   school year announces `lb:*`: a few times a year);
 * - the groups drawing from a class (its students' enrolments: topic `dir`, tagged with the establishment);
 * - a teacher's assignments of the current year (topic `u`, tagged with the teacher).
 *
 * Which lessons and homework hold documents is kept with them, not the documents themselves (their names and
 * versions change in the documents module): a page reads the attachments of those holders only, usually none. The
 * logbook writes a holder's references in the transaction that writes the lesson or homework (its `updated_at`
 * at least), so that write's notification covers them.
 *
 * Periods longer than a few weeks, the lessons of authors (a teacher's own logbook) and reads inside a transaction
 * go to the database.
 */

import { relations } from '../../platform/access/relations.repository.ts';
import { type CacheSpec, cached, cacheOf, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { referencesOf } from '../documents/index.ts';
import { addDays, daysBetween, mondayOf } from '../timetable/index.ts';
import { type Audience, type HomeworkRow, type LessonWithHomework, logbook } from './logbook.repository.ts';

/** A period of at most this many weeks is read from memory (a week page; a week across two Mondays). */
const MAX_WEEKS = 3;
const WEEK_ENTRIES = 10_000;

type LessonsOfWeek = { lessons: readonly LessonWithHomework[]; files: ReadonlySet<string> };
type HomeworkOfWeek = { homework: readonly HomeworkRow[]; files: ReadonlySet<string> };

const LESSON_WEEKS = defineCache<LessonsOfWeek>({
  name: 'logbook-lesson-weeks',
  topic: 'lb',
  max: WEEK_ENTRIES,
  ttlMs: 600_000,
});
/** A page's audiences' week put together (a class's page: the class and its groups), tagged with each of them. */
const LESSON_PAGES = defineCache<LessonsOfWeek>({
  name: 'logbook-lesson-pages',
  topic: 'lb',
  max: 5_000,
  ttlMs: 600_000,
});
const HOMEWORK_WEEKS = defineCache<HomeworkOfWeek>({
  name: 'logbook-homework-weeks',
  topic: 'lb',
  max: WEEK_ENTRIES,
  ttlMs: 600_000,
});
const HOMEWORK_PAGES = defineCache<HomeworkOfWeek>({
  name: 'logbook-homework-pages',
  topic: 'lb',
  max: 20_000,
  ttlMs: 600_000,
});
const TICKS = defineCache<ReadonlySet<string>>({ name: 'logbook-ticks', topic: 'lbt', max: 20_000, ttlMs: 600_000 });

type TargetRow = NonNullable<Awaited<ReturnType<typeof logbook.target>>>;
const TARGETS = defineCache<TargetRow | undefined>({
  name: 'logbook-targets',
  topic: 'lb',
  max: 20_000,
  ttlMs: 600_000,
});
const CLASS_GROUPS = defineCache<readonly string[]>({
  name: 'logbook-class-groups',
  topic: 'dir',
  max: 20_000,
  ttlMs: 600_000,
});
type Teaching = Awaited<ReturnType<typeof relations.teachingOf>>;
const TEACHING = defineCache<Teaching>({ name: 'logbook-teaching', topic: 'u', max: 50_000, ttlMs: 120_000 });

/** The Mondays of the weeks [from, to] spans, or null past MAX_WEEKS. */
function weeksOf(from: string, to: string): string[] | null {
  const first = mondayOf(from);
  if (daysBetween(first, to) >= MAX_WEEKS * 7) return null;
  const out: string[] = [];
  for (let m = first; m <= to; m = addDays(m, 7)) out.push(m);
  return out;
}

/**
 * The values of an audience's weeks, from memory; the missing ones of a week are loaded together (one statement
 * for all the audiences a page lacks). Null when this handle has no cache or the period is too long.
 */
async function audienceWeeks<V>(
  db: Db,
  spec: CacheSpec<V>,
  establishmentId: string,
  classIds: readonly string[],
  groupIds: readonly string[],
  from: string,
  to: string,
  load: (db: Db, a: Audience, from: string, to: string) => Promise<Map<string, V>>,
): Promise<V[] | null> {
  const cache = cacheOf(db, spec);
  const weeks = cache ? weeksOf(from, to) : null;
  if (!cache || !weeks) return null;
  const audiences = [
    ...classIds.map((id) => ({ id, kind: 'class' })),
    ...groupIds.map((id) => ({ id, kind: 'group' })),
  ];
  const out: Promise<V>[] = [];
  for (const monday of weeks) {
    const key = (id: string) => `${establishmentId}|${id}|${monday}`;
    const missing = audiences.filter((x) => cache.peek(key(x.id)) === undefined);
    let batch: Promise<Map<string, V>> | undefined;
    const loadMissing = () =>
      (batch ??= load(
        db,
        {
          establishmentId,
          classIds: missing.filter((x) => x.kind === 'class').map((x) => x.id),
          groupIds: missing.filter((x) => x.kind === 'group').map((x) => x.id),
        },
        monday,
        addDays(monday, 6),
      ));
    const one = async (x: { id: string; kind: string }) => {
      const v = (await loadMissing()).get(x.id);
      if (v !== undefined) return v;
      // Dropped between the look and the read: loaded alone.
      const a = { establishmentId, [x.kind === 'class' ? 'classIds' : 'groupIds']: [x.id] };
      return (await load(db, a, monday, addDays(monday, 6))).get(x.id)!;
    };
    for (const x of audiences) out.push(cache.get(key(x.id), () => one(x), [x.id]));
  }
  return Promise.all(out);
}

/** Of these lessons and homework, those holding documents. */
async function holdersWithFiles(db: Db, lessonIds: string[], homeworkIds: string[]): Promise<Set<string>> {
  const refs = await referencesOf(db, [
    ...lessonIds.map((id) => ({ module: 'logbook', type: 'lesson', id })),
    ...homeworkIds.map((id) => ({ module: 'logbook', type: 'homework', id })),
  ]);
  return new Set([...refs].filter(([, list]) => list.length > 0).map(([id]) => id));
}

/** Rows of several audiences split by audience (a row of a class and a group goes to both). */
function byAudience<R extends { class_id: string | null; group_id: string | null }>(a: Audience, rows: R[]) {
  const out = new Map<string, R[]>([...(a.classIds ?? []), ...(a.groupIds ?? [])].map((id) => [id, []]));
  for (const r of rows) {
    if (r.class_id) out.get(r.class_id)?.push(r);
    if (r.group_id) out.get(r.group_id)?.push(r);
  }
  return out;
}

async function loadLessonWeeks(db: Db, a: Audience, from: string, to: string) {
  const lessons = await logbook.lessonsWithHomework(db, a, from, to, null);
  const files = await holdersWithFiles(
    db,
    lessons.map((l) => l.id),
    lessons.flatMap((l) => l.homework.map((h) => h.id)),
  );
  const out = new Map<string, LessonsOfWeek>();
  for (const [id, list] of byAudience(a, lessons)) {
    const mine = new Set([...list.map((l) => l.id), ...list.flatMap((l) => l.homework.map((h) => h.id))]);
    out.set(id, { lessons: list, files: new Set([...files].filter((f) => mine.has(f))) });
  }
  return out;
}

async function loadHomeworkWeeks(db: Db, a: Audience, from: string, to: string) {
  const homework = await logbook.homeworkDue(db, a, from, to);
  const files = await holdersWithFiles(
    db,
    [],
    homework.map((h) => h.id),
  );
  const out = new Map<string, HomeworkOfWeek>();
  for (const [id, list] of byAudience(a, homework))
    out.set(id, { homework: list, files: new Set(list.filter((h) => files.has(h.id)).map((h) => h.id)) });
  return out;
}

const ticksOf = (db: Db, studentId: string) => cached(db, TICKS, studentId, () => logbook.ticked(db, studentId));

export interface PageLessons {
  /** Never mutate: may be the kept list itself. */
  lessons: readonly LessonWithHomework[];
  /** The homework the student ticked (when asked for). */
  done: ReadonlySet<string> | null;
  /** The lessons and homework holding documents; null: unknown (ask for all). */
  files: ReadonlySet<string> | null;
}

/** The lessons of these audiences' weeks put together: each lesson once, by date. */
function merged(weeks: readonly LessonsOfWeek[]): LessonsOfWeek {
  if (weeks.length === 1) return weeks[0]!;
  const seen = new Set<string>();
  const lessons: LessonWithHomework[] = [];
  for (const w of weeks)
    for (const l of w.lessons)
      if (!seen.has(l.id)) {
        seen.add(l.id);
        lessons.push(l);
      }
  lessons.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  return { lessons, files: new Set(weeks.flatMap((w) => [...w.files])) };
}

/**
 * The weeks of a page's audiences, each put together once: a class's page is its class's and its ~50 groups' weeks,
 * a student's their class's and groups', kept as one entry tagged with all of them (a write to one drops it, and it
 * is put together again from the others, still in memory). Null without a cache or past MAX_WEEKS.
 */
async function pageWeeks<V>(
  db: Db,
  pageSpec: CacheSpec<V>,
  weekSpec: CacheSpec<V>,
  a: Audience,
  from: string,
  to: string,
  load: (db: Db, a: Audience, from: string, to: string) => Promise<Map<string, V>>,
  merge: (weeks: readonly V[]) => V,
): Promise<V[] | null> {
  const classIds = a.classIds ?? [];
  const groupIds = a.groupIds ?? [];
  const pages = cacheOf(db, pageSpec);
  const weeks = pages ? weeksOf(from, to) : null;
  if (!pages || !weeks) return null;
  const of = (monday: string) =>
    audienceWeeks(db, weekSpec, a.establishmentId, classIds, groupIds, monday, addDays(monday, 6), load);
  if (classIds.length + groupIds.length <= 1) return (await Promise.all(weeks.map(of))).map((w) => merge(w!));
  const ids = `${classIds.join(',')}|${groupIds.join(',')}`;
  // Tagged once loaded (a hit builds no list).
  const tags = () => [...classIds, ...groupIds];
  return Promise.all(
    weeks.map((monday) =>
      pages.get(`${a.establishmentId}|${monday}|${ids}`, async () => merge((await of(monday))!), tags),
    ),
  );
}

/**
 * The lessons of an audience over [from, to] by date, each with the homework set in it, and `tickOf`'s ticks —
 * from memory for the classes and groups of a period of a few weeks (never mutate them), else from the database.
 */
export async function pageLessons(
  db: Db,
  a: Audience,
  from: string,
  to: string,
  tickOf: string | null,
): Promise<PageLessons> {
  const weeks =
    a.all || a.authorIds?.length
      ? null
      : await pageWeeks(db, LESSON_PAGES, LESSON_WEEKS, a, from, to, loadLessonWeeks, merged);
  if (!weeks) {
    const lessons = await logbook.lessonsWithHomework(db, a, from, to, tickOf);
    const done = tickOf ? new Set(lessons.flatMap((l) => l.homework.filter((h) => h.done).map((h) => h.id))) : null;
    return { lessons, done, files: null };
  }
  const files = weeks.length === 1 ? weeks[0]!.files : new Set(weeks.flatMap((w) => [...w.files]));
  const done = tickOf ? await ticksOf(db, tickOf) : null;
  // A whole week (a week page): its kept list as it is.
  if (weeks.length === 1 && !a.subject && from === mondayOf(from) && to >= addDays(from, 6))
    return { lessons: weeks[0]!.lessons, done, files };
  // Weeks in order, each by date: the lessons are by date.
  const lessons: LessonWithHomework[] = [];
  for (const w of weeks)
    for (const l of w.lessons)
      if (l.date >= from && l.date <= to && (!a.subject || l.subject_code === a.subject)) lessons.push(l);
  return { lessons, done, files };
}

export interface PageHomework {
  homework: HomeworkRow[];
  done: ReadonlySet<string> | null;
  files: ReadonlySet<string> | null;
}

const collator = new Intl.Collator('fr');

/** The homework of these audiences' weeks put together: each once, by due date and subject. */
function mergedHomework(weeks: readonly HomeworkOfWeek[]): HomeworkOfWeek {
  if (weeks.length === 1) return weeks[0]!;
  const seen = new Set<string>();
  const homework: HomeworkRow[] = [];
  for (const w of weeks)
    for (const h of w.homework)
      if (!seen.has(h.id)) {
        seen.add(h.id);
        homework.push(h);
      }
  homework.sort((x, y) =>
    x.due_date !== y.due_date ? (x.due_date < y.due_date ? -1 : 1) : collator.compare(x.subject_label, y.subject_label),
  );
  return { homework, files: new Set(weeks.flatMap((w) => [...w.files])) };
}

/** Homework due over [from, to] for classes and groups, by due date and subject, with `tickOf`'s ticks. */
export async function pageHomework(
  db: Db,
  a: Audience & { classIds: readonly string[]; groupIds: readonly string[] },
  from: string,
  to: string,
  tickOf: string | null,
): Promise<PageHomework> {
  const weeks = await pageWeeks(db, HOMEWORK_PAGES, HOMEWORK_WEEKS, a, from, to, loadHomeworkWeeks, mergedHomework);
  if (!weeks) {
    const homework = await logbook.homeworkDue(db, a, from, to, tickOf);
    const done = tickOf ? new Set(homework.filter((h) => h.done).map((h) => h.id)) : null;
    return { homework, done, files: null };
  }
  // Weeks in order, each by due date and subject.
  const homework: HomeworkRow[] = [];
  for (const w of weeks) for (const h of w.homework) if (h.due_date >= from && h.due_date <= to) homework.push(h);
  return {
    homework,
    done: tickOf ? await ticksOf(db, tickOf) : null,
    files: weeks.length === 1 ? weeks[0]!.files : new Set(weeks.flatMap((w) => [...w.files])),
  };
}

/** A class or group of the establishment (any year) with its year's status (an unknown id is not kept). */
export const targetRow = (db: Db, establishmentId: string, kind: 'class' | 'group', id: string) =>
  cached(db, TARGETS, `${establishmentId}|${kind}|${id}`, () => logbook.target(db, establishmentId, kind, id));

/** The groups drawing from a class of the establishment (its students' groups). */
export const groupsOfClass = (db: Db, establishmentId: string, classId: string) =>
  cached(
    db,
    CLASS_GROUPS,
    `${establishmentId}|${classId}`,
    async () => [...((await relations.groupsOfClasses(db, [classId])).get(classId) ?? [])],
    [establishmentId],
  );

/** A teacher's assignments in the establishment, current year: class or group, subject. */
export const teachingOf = (db: Db, establishmentId: string, teacherId: string) =>
  cached(db, TEACHING, `${establishmentId}|${teacherId}`, () => relations.teachingOf(db, establishmentId, teacherId), [
    teacherId,
  ]);
