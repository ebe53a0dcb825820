/**
 * Use cases of the timetable. Each starts with `authorize()` (ADR 0009), then the object checks of
 * timetable.access.ts. Occurrences are computed (occurrences.ts) from the courses, the week patterns, the
 * zone's holidays and the direction's changes: nothing is stored per occurrence but the changes.
 */

import { createHash, randomBytes } from 'node:crypto';
import type {
  Course,
  CreateCourseBody,
  FeedLink,
  OccurrenceChangeBody,
  TimetableOptions,
  TimetableSettings,
  UpdateCourseBody,
  WeekItem,
  WeekQuery,
  WeekResponse,
} from '@preau/contracts';
import { permissionsIn } from '../../platform/access/access.ts';
import { type Authorized, authorize, trustedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { cached, cacheOf, defineCache } from '../../platform/cache.ts';
import { frenchDay } from '../../platform/dates.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { oncePerRequest } from '../../platform/request-memo.ts';
import { recordUsage } from '../../platform/usage.ts';
import { openServicesFor } from '../services/index.ts';
import { notify, withdraw } from '../timeline/index.ts';
import {
  addDays,
  closedDays,
  hhmm,
  holidaysBetween,
  holidaysOf,
  mondayOf,
  parisDate,
  parisIso,
  weekdayOf,
  type Zone,
  zoneOfAcademy,
} from './calendar.ts';
import { type CourseSchedule, expandOccurrences, type Occurrence, runsOn } from './occurrences.ts';
import {
  audienceOf,
  checkClassOrGroup,
  checkRoom,
  checkStudent,
  checkTeacher,
  childrenOf,
  courseIn,
  seesWholeTimetable,
  targetIn,
  teachersAmong,
} from './timetable.access.ts';
import { type ScheduleDetailRow, type ScheduleFilter, type ScheduleRow, timetable } from './timetable.repository.ts';

const SERVICE = 'timetable' as const;

/** The slots most French secondary schools use, until the establishment sets its own. */
export const DEFAULT_SLOTS = [
  { code: 'M1', start: '08:00', end: '08:55' },
  { code: 'M2', start: '08:55', end: '09:50' },
  { code: 'M3', start: '10:05', end: '11:00' },
  { code: 'M4', start: '11:00', end: '11:55' },
  { code: 'S1', start: '13:30', end: '14:25' },
  { code: 'S2', start: '14:25', end: '15:20' },
  { code: 'S3', start: '15:35', end: '16:30' },
  { code: 'S4', start: '16:30', end: '17:25' },
];

// ---- occurrences, for this module and the others (index.ts) ----

export interface OccurrenceInfo {
  courseId: string;
  date: string;
  /** Paris wall-clock times, `HH:MM`. */
  startsAt: string;
  endsAt: string;
  /** ISO instants with the Paris offset. */
  start: string;
  end: string;
  establishmentId: string;
  schoolYearId: string;
  subject: { code: string; label: string };
  classId: string | null;
  classCode: string | null;
  groupId: string | null;
  groupCode: string | null;
  teachers: { id: string; displayName: string }[];
  room: string | null;
  cancelled: boolean;
  movedFrom: { date: string; startsAt: string; endsAt: string } | null;
  reason: string | null;
  weekPattern: string | null;
  /**
   * The same object for every occurrence of one version of the course (its row as kept in memory, until the course
   * or its teachers change): what a caller computes from the course's own fields (id, subject, class, group,
   * teachers) may be remembered on it, in a WeakMap.
   */
  version: object;
}

/** The establishment's holiday zone: its choice, else its académie's (from the database). */
function loadZone(db: Db, establishmentId: string): Promise<{ zone: Zone; chosen: boolean }> {
  // The logbook's and school life's home widgets and the occurrences they compute all need it: once per request.
  return oncePerRequest(`timetable.zone:${establishmentId}`, async () => {
    const chosen = await timetable.zone(db, establishmentId);
    if (chosen) return { zone: chosen, chosen: true };
    const academy = await timetable.academyOf(db, establishmentId);
    return { zone: academy ? zoneOfAcademy(academy.code || academy.name) : 'C', chosen: false };
  });
}

/** What every week and logbook page reads of an establishment's timetable settings (never mutated). */
interface Calendar {
  zone: { zone: Zone; chosen: boolean };
  slots: { code: string; start: string; end: string }[];
  /** The current school year's week patterns: code and Mondays. */
  patterns: { code: string; weeks: string[] }[];
}

/**
 * Per establishment, from memory: its zone, slots and current week patterns change a few times a year, and every
 * change announces `tt:<establishment>` (migration 0301). Reads inside a transaction go to the database.
 */
const CALENDAR = defineCache<Calendar>({ name: 'timetable-calendar', topic: 'tt', max: 5_000, ttlMs: 600_000 });

function calendarOf(db: Db, establishmentId: string): Promise<Calendar> {
  return cached(db, CALENDAR, establishmentId, async () => {
    const [zone, slots, year] = await Promise.all([
      loadZone(db, establishmentId),
      loadSlots(db, establishmentId),
      timetable.currentYear(db, establishmentId),
    ]);
    const patterns = year ? await timetable.patterns(db, year.id) : [];
    return { zone, slots, patterns: patterns.map((p) => ({ code: p.code, weeks: p.weeks })) };
  });
}

/** The establishment's holiday zone: its choice, else its académie's. */
export async function zoneOf(db: Db, establishmentId: string): Promise<{ zone: Zone; chosen: boolean }> {
  // Without caches (a transaction, notifications down), only the zone is read.
  return cacheOf(db, CALENDAR) ? (await calendarOf(db, establishmentId)).zone : loadZone(db, establishmentId);
}

/**
 * A student's classes and groups of the current year: from memory for one student (the platform's
 * `relations.audiencesOf`, topic `u`), in one query for several.
 */
export const enrolmentsOf = (
  db: Db,
  studentIds: readonly string[],
): Promise<Map<string, { classes: ReadonlySet<string>; groups: ReadonlySet<string> }>> =>
  relations.audiencesOf(db, studentIds);

/**
 * The courses of an establishment that may occur from `since` on (about the last twelve months), with their
 * teachers and changes, indexed by what pages ask for. Kept in memory per establishment: every timetable edit, a
 * class, group or subject relabelled, a teacher renamed announce `ttc:<establishment>` (migration 0302).
 */
interface EstablishmentCourses {
  since: string;
  rows: ScheduleDetailRow[];
  byClass: Map<string, ScheduleDetailRow[]>;
  byGroup: Map<string, ScheduleDetailRow[]>;
  byTeacher: Map<string, ScheduleDetailRow[]>;
  byId: Map<string, ScheduleDetailRow>;
  /** Each course's place in `rows` (time order). */
  order: Map<string, number>;
}

const COURSES = defineCache<EstablishmentCourses>({
  name: 'timetable-courses',
  topic: 'ttc',
  // About 1 MB per lycée of 1,500 courses: a few hundred establishments per instance.
  max: 300,
  ttlMs: 600_000,
});

const FAR = '9999-12-31';

async function loadCourses(db: Db, establishmentId: string): Promise<EstablishmentCourses> {
  const since = addDays(parisDate(new Date()), -370);
  const rows = await timetable.schedulesWithDetails(db, { establishmentId, from: since, to: FAR, all: true });
  const push = (m: Map<string, ScheduleDetailRow[]>, k: string | null, r: ScheduleDetailRow) => {
    if (k === null) return;
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  const c: EstablishmentCourses = {
    since,
    rows,
    byClass: new Map(),
    byGroup: new Map(),
    byTeacher: new Map(),
    byId: new Map(),
    order: new Map(),
  };
  for (const [i, r] of rows.entries()) {
    c.order.set(r.id, i);
    c.byId.set(r.id, r);
    push(c.byClass, r.class_id, r);
    push(c.byGroup, r.group_id, r);
    for (const t of r.teachers) push(c.byTeacher, t.id, r);
  }
  return c;
}

/**
 * What `timetable.schedulesWithDetails` answers, from the establishment's courses in memory when it can, with the
 * kept entry they came from (null when read from the database).
 */
async function coursesEntry(db: Db, f: ScheduleFilter): Promise<EstablishmentCourses | null> {
  const cache = cacheOf(db, COURSES);
  if (!cache) return null;
  const c = await cache.get(f.establishmentId, () => loadCourses(db, f.establishmentId));
  // A period before what is held (last year's weeks) reads the database.
  return f.from < c.since ? null : c;
}

/** The kept courses `f` asks for, as `timetable.schedulesWithDetails` would answer them. */
function pickCourses(c: EstablishmentCourses, f: ScheduleFilter): ScheduleDetailRow[] {
  let rows = c.rows;
  if (!f.all) {
    const picked = new Set<ScheduleDetailRow>();
    const add = (list: ScheduleDetailRow[] | undefined) => {
      for (const r of list ?? []) picked.add(r);
    };
    for (const k of f.classIds ?? []) add(c.byClass.get(k));
    for (const k of f.groupIds ?? []) add(c.byGroup.get(k));
    for (const k of f.teacherIds ?? []) add(c.byTeacher.get(k));
    for (const k of f.courseIds ?? []) {
      const r = c.byId.get(k);
      if (r) picked.add(r);
    }
    if (f.room) for (const r of c.rows) if (r.room === f.room) picked.add(r);
    // In time order (weekday, start), as the statement would answer: the rows' order when loaded.
    rows = [...picked].sort((a, b) => c.order.get(a.id)! - c.order.get(b.id)!);
  }
  const out: ScheduleDetailRow[] = [];
  for (const r of rows) {
    if (r.valid_from > f.to || r.valid_to < f.from) continue;
    const changes = r.changes.filter(
      (x) =>
        (x.on_date >= f.from && x.on_date <= f.to) ||
        (x.new_date !== null && x.new_date >= f.from && x.new_date <= f.to),
    );
    if (changes.length === r.changes.length) out.push(r);
    else {
      const copy = { ...r, changes };
      SCHEDULES.set(copy, prepared(r));
      out.push(copy);
    }
  }
  return out;
}

/**
 * A course's schedule and teachers as the expansion wants them, remembered per row object: the rows kept in memory
 * (`coursesFor`) are the same objects from request to request, so a week page no longer rebuilds them.
 */
const SCHEDULES = new WeakMap<object, { schedule: CourseSchedule; teachers: { id: string; displayName: string }[] }>();

function prepared(r: ScheduleDetailRow) {
  let p = SCHEDULES.get(r);
  if (!p) {
    p = { schedule: schedule(r), teachers: r.teachers.map((t) => ({ id: t.id, displayName: t.display_name })) };
    SCHEDULES.set(r, p);
  }
  return p;
}

const schedule = (r: ScheduleRow): CourseSchedule => ({
  id: r.id,
  weekday: r.weekday,
  startsAt: hhmm(r.starts_at),
  endsAt: hhmm(r.ends_at),
  validFrom: r.valid_from,
  validTo: r.valid_to,
  weeks: r.weeks ? new Set(r.weeks) : null,
  room: r.room,
});

/**
 * The occurrences over [from, to] of the courses of some classes, groups, teachers, students, a room or some
 * course ids — batched: four queries whatever the number of ids. Cancelled occurrences are kept (marked).
 */
export async function occurrencesFor(
  db: Db,
  q: Omit<ScheduleFilter, 'all'> & { studentIds?: readonly string[]; all?: boolean },
): Promise<OccurrenceInfo[]> {
  const classIds = [...(q.classIds ?? [])];
  const groupIds = [...(q.groupIds ?? [])];
  if (q.studentIds?.length) {
    for (const e of (await enrolmentsOf(db, q.studentIds)).values()) {
      classIds.push(...e.classes);
      groupIds.push(...e.groups);
    }
  }
  const filter: ScheduleFilter = { ...q, classIds, groupIds };
  // The courses with their teachers and changes (from memory, else one statement), the zone from memory.
  const [entry, zone] = await Promise.all([coursesEntry(db, filter), zoneOf(db, q.establishmentId)]);
  // Expanded once per kept courses entry (a course's change replaces the entry, and its expansions with it), filter,
  // period and zone: a class's week page asks the same expansion for each of its teachers.
  const memo = entry ? expansionsOf(entry) : null;
  const key = memo ? expansionKey(filter, zone.zone) : '';
  const kept = memo?.get(key);
  if (kept) return kept.slice();
  const rows = entry ? pickCourses(entry, filter) : await timetable.schedulesWithDetails(db, filter);
  const value = rows.length ? expand(rows, zone.zone, q.from, q.to) : [];
  if (memo) {
    if (memo.size >= MAX_EXPANSIONS) memo.clear();
    memo.set(key, value);
  }
  return value.slice();
}

/** Expansions kept per courses entry; cleared past this many (a few hundred pages of an establishment's week). */
const MAX_EXPANSIONS = 2_000;
const EXPANSIONS = new WeakMap<EstablishmentCourses, Map<string, OccurrenceInfo[]>>();

function expansionsOf(entry: EstablishmentCourses): Map<string, OccurrenceInfo[]> {
  let m = EXPANSIONS.get(entry);
  if (!m) {
    m = new Map();
    EXPANSIONS.set(entry, m);
  }
  return m;
}

const ids = (list: readonly string[] | undefined) => (list?.length ? [...list].sort().join(',') : '');

function expansionKey(f: ScheduleFilter, zone: string): string {
  return [
    f.from,
    f.to,
    zone,
    f.all ? 'all' : '',
    ids(f.classIds),
    ids(f.groupIds),
    ids(f.teacherIds),
    ids(f.courseIds),
    f.room ?? '',
  ].join('|');
}

/** The occurrences of these course rows over [from, to], each with its course's details. */
function expand(rows: ScheduleDetailRow[], zone: Zone, from: string, to: string): OccurrenceInfo[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const occurrences = expandOccurrences(
    rows.map((r) => prepared(r).schedule),
    rows
      .flatMap((r) => r.changes)
      .map((c) => ({
        courseId: c.course_id,
        onDate: c.on_date,
        cancelled: c.cancelled,
        newDate: c.new_date,
        newStartsAt: c.new_starts_at ? hhmm(c.new_starts_at) : null,
        newEndsAt: c.new_ends_at ? hhmm(c.new_ends_at) : null,
        newRoom: c.new_room,
        reason: c.reason,
      })),
    from,
    to,
    closedDays(zone),
  );
  return occurrences.map((o) => {
    const r = byId.get(o.courseId)!;
    return info(o, r, prepared(r));
  });
}

function info(o: Occurrence, r: ScheduleRow, version: ReturnType<typeof prepared>): OccurrenceInfo {
  return {
    courseId: o.courseId,
    date: o.date,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    start: parisIso(o.date, o.startsAt),
    end: parisIso(o.date, o.endsAt),
    establishmentId: r.establishment_id,
    schoolYearId: r.school_year_id,
    subject: { code: r.subject_code, label: r.subject_label },
    classId: r.class_id,
    classCode: r.class_code,
    groupId: r.group_id,
    groupCode: r.group_code,
    teachers: version.teachers,
    room: o.room,
    cancelled: o.cancelled,
    movedFrom: o.movedFrom,
    reason: o.reason,
    weekPattern: r.pattern_code,
    version,
  };
}

/**
 * The same, grouped by whom they concern: for many classes, groups, teachers and students at once (one batch of
 * queries), each id mapped to its occurrences over [from, to]. A student's are those of their classes and groups.
 */
export async function occurrencesByTarget(
  db: Db,
  q: {
    establishmentId: string;
    from: string;
    to: string;
    classIds?: readonly string[];
    groupIds?: readonly string[];
    teacherIds?: readonly string[];
    studentIds?: readonly string[];
  },
) {
  const enrolments = await relations.enrolmentsOf(db, q.studentIds ?? []);
  const classIds = new Set(q.classIds ?? []);
  const groupIds = new Set(q.groupIds ?? []);
  for (const e of enrolments.values()) {
    for (const c of e.classes) classIds.add(c);
    for (const g of e.groups) groupIds.add(g);
  }
  const all = await occurrencesFor(db, {
    establishmentId: q.establishmentId,
    from: q.from,
    to: q.to,
    classIds: [...classIds],
    groupIds: [...groupIds],
    teacherIds: q.teacherIds ?? [],
  });
  const push = (m: Map<string, OccurrenceInfo[]>, k: string, o: OccurrenceInfo) => m.set(k, [...(m.get(k) ?? []), o]);
  const askedClasses = new Set(q.classIds ?? []);
  const askedGroups = new Set(q.groupIds ?? []);
  const teachers = new Set(q.teacherIds ?? []);
  const byClass = new Map<string, OccurrenceInfo[]>();
  const byGroup = new Map<string, OccurrenceInfo[]>();
  const byTeacher = new Map<string, OccurrenceInfo[]>();
  const byStudent = new Map<string, OccurrenceInfo[]>();
  for (const o of all) {
    if (o.classId && askedClasses.has(o.classId)) push(byClass, o.classId, o);
    if (o.groupId && askedGroups.has(o.groupId)) push(byGroup, o.groupId, o);
    for (const t of o.teachers) if (teachers.has(t.id)) push(byTeacher, t.id, o);
  }
  for (const [student, e] of enrolments)
    byStudent.set(
      student,
      all.filter((o) => (o.classId && e.classes.has(o.classId)) || (o.groupId && e.groups.has(o.groupId))),
    );
  return { all, byClass, byGroup, byTeacher, byStudent };
}

/** Whether the course has an occurrence (before changes) on that date, holidays aside. */
export async function occursOn(db: Db, courseId: string, date: string): Promise<boolean> {
  const course = await timetable.course(db, courseId);
  if (!course) return false;
  const rows = await timetable.schedules(db, {
    establishmentId: course.establishment_id,
    from: date,
    to: date,
    courseIds: [courseId],
  });
  const row = rows[0];
  if (!row) return false;
  const { zone } = await zoneOf(db, course.establishment_id);
  return runsOn(schedule(row), date) && !closedDays(zone)(date);
}

// ---- the week ----

function present(o: OccurrenceInfo, slots: { code: string; start: string }[]): WeekItem {
  const item: WeekItem = {
    id: o.courseId,
    courseId: o.courseId,
    date: o.date,
    start: o.start,
    end: o.end,
    subject: { id: o.subject.code, name: o.subject.label },
    teachers: o.teachers,
    cancelled: o.cancelled,
  };
  if (o.classId) item.class = { id: o.classId, name: o.classCode ?? '' };
  if (o.groupId) item.group = { id: o.groupId, name: o.groupCode ?? '' };
  if (o.room) item.room = o.room;
  if (o.movedFrom)
    item.moved = {
      date: o.movedFrom.date,
      start: parisIso(o.movedFrom.date, o.movedFrom.startsAt),
      end: parisIso(o.movedFrom.date, o.movedFrom.endsAt),
    };
  if (o.reason) item.reason = o.reason;
  const slot = slots.find((s) => s.start === o.startsAt);
  if (slot) item.slot = slot.code;
  if (o.weekPattern) item.weekPattern = o.weekPattern;
  return item;
}

async function loadSlots(db: Db, establishmentId: string) {
  const rows = await timetable.slots(db, establishmentId);
  return rows.length
    ? rows.map((r) => ({ code: r.code, start: hhmm(r.starts_at), end: hhmm(r.ends_at) }))
    : DEFAULT_SLOTS;
}

type Target = {
  kind: WeekResponse['of']['kind'];
  id: string | null;
  name: string;
  filter: Partial<ScheduleFilter> & { studentIds?: string[] };
};

async function targetOf(auth: Authorized, q: WeekQuery): Promise<Target> {
  if (q.student) {
    await checkStudent(auth, q.student);
    const names = await timetable.names(auth.db, [q.student]);
    return { kind: 'student', id: q.student, name: names.get(q.student) ?? '', filter: { studentIds: [q.student] } };
  }
  if (q.class) {
    await checkClassOrGroup(auth, 'class', q.class);
    const c = (await timetable.classesOf(auth.db, auth.establishmentId, [q.class]))[0];
    return { kind: 'class', id: q.class, name: c?.code ?? '', filter: { classIds: [q.class] } };
  }
  if (q.group) {
    await checkClassOrGroup(auth, 'group', q.group);
    const g = (await timetable.groupsOf(auth.db, auth.establishmentId, [q.group]))[0];
    return { kind: 'group', id: q.group, name: g?.code ?? '', filter: { groupIds: [q.group] } };
  }
  if (q.teacher) {
    await checkTeacher(auth, q.teacher);
    const names = await timetable.names(auth.db, [q.teacher]);
    return { kind: 'teacher', id: q.teacher, name: names.get(q.teacher) ?? '', filter: { teacherIds: [q.teacher] } };
  }
  if (q.room) {
    checkRoom(auth);
    return { kind: 'room', id: q.room, name: q.room, filter: { room: q.room } };
  }
  const me: Target = { kind: 'me', id: auth.user.id, name: auth.user.displayName, filter: {} };
  if (auth.profiles.includes('student')) me.filter.studentIds = [auth.user.id];
  if (auth.profiles.includes('teacher')) me.filter.teacherIds = [auth.user.id];
  if (!me.filter.studentIds && !me.filter.teacherIds && auth.profiles.includes('guardian')) {
    const children = [...(await childrenOf(auth))];
    if (children.length !== 1) throw new AppError(400, 'STUDENT_REQUIRED');
    const names = await timetable.names(auth.db, children);
    return { kind: 'student', id: children[0]!, name: names.get(children[0]!) ?? '', filter: { studentIds: children } };
  }
  return me;
}

/** `GET /api/timetable/week`: the week of the caller, a child, a class, a group, a teacher or a room. */
export async function week(ctx: RequestContext, q: WeekQuery): Promise<WeekResponse> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'timetable.read',
    service: SERVICE,
  });
  const target = await targetOf(auth, q);
  const from = mondayOf(q.date);
  const to = addDays(from, 6);
  const [occurrences, calendar] = await Promise.all([
    occurrencesFor(auth.db, { establishmentId: auth.establishmentId, from, to, ...target.filter }),
    calendarOf(auth.db, auth.establishmentId),
  ]);
  recordUsage(ctx, auth.establishmentId, SERVICE, `week.${target.kind}`);
  return {
    from,
    to,
    of: { kind: target.kind, id: target.id, name: target.name },
    weekPatterns: calendar.patterns.filter((p) => p.weeks.includes(from)).map((p) => p.code),
    holidays: holidaysBetween(calendar.zone.zone, from, to),
    items: occurrences.map((o) => present(o, calendar.slots)),
  };
}

/** Whose weeks the caller may open. */
export async function options(ctx: RequestContext, establishmentId: string): Promise<TimetableOptions> {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.read', service: SERVICE });
  const whole = seesWholeTimetable(auth);
  const children = auth.profiles.includes('guardian') ? [...(await childrenOf(auth))] : [];
  const names = await timetable.names(auth.db, children);
  const mine = [...(auth.profiles.includes('student') ? [auth.user.id] : []), ...children];
  const own = whole ? null : await audienceOf(auth, mine);
  const [classes, groups, teachers, rooms, perms] = await Promise.all([
    timetable.classesOf(auth.db, establishmentId, own?.classes),
    timetable.groupsOf(auth.db, establishmentId, own?.groups),
    whole ? timetable.teachersIn(auth.db, establishmentId) : Promise.resolve([]),
    whole ? timetable.rooms(auth.db, establishmentId) : Promise.resolve([]),
    permissionsIn(auth.db, auth.user, establishmentId, ['timetable.manage']),
  ]);
  return {
    children: children
      .map((id) => ({ id, displayName: names.get(id) ?? '' }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr')),
    classes: classes.map((c) => ({ id: c.id, name: c.code })),
    groups: groups.map((g) => ({ id: g.id, name: g.code })),
    teachers: teachers.map((t) => ({ id: t.id, displayName: t.display_name })),
    rooms,
    ownWeek: auth.profiles.includes('student') || auth.profiles.includes('teacher'),
    can: { manage: perms.includes('timetable.manage') },
  };
}

// ---- settings ----

async function settingsOf(db: Db, establishmentId: string): Promise<TimetableSettings> {
  const year = await timetable.currentYear(db, establishmentId);
  if (!year) throw notFound();
  // From the database: the settings page answers a change with what it wrote.
  const [zone, slots, patterns] = await Promise.all([
    loadZone(db, establishmentId),
    loadSlots(db, establishmentId),
    timetable.patterns(db, year.id),
  ]);
  return {
    zone: zone.zone,
    zoneChosen: zone.chosen,
    slots,
    weekPatterns: patterns.map((p) => ({ id: p.id, code: p.code, label: p.label, weeks: [...p.weeks].sort() })),
    holidays: holidaysOf(zone.zone).filter((h) => h.to >= year.starts_on && h.from <= year.ends_on),
    schoolYear: { id: year.id, label: year.label, from: year.starts_on, to: year.ends_on },
  };
}

export async function getSettings(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.read', service: SERVICE });
  return settingsOf(auth.db, establishmentId);
}

export async function updateSettings(
  ctx: RequestContext,
  body: { establishment: string; zone?: Zone; slots?: { code: string; start: string; end: string }[] },
) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'timetable.manage',
    service: SERVICE,
  });
  if (body.slots) {
    for (const s of body.slots) if (s.end <= s.start) throw new AppError(400, 'COURSE_TIMES');
    if (new Set(body.slots.map((s) => s.code)).size !== body.slots.length)
      throw new AppError(400, 'VALIDATION', { errors: [{ path: 'body.slots', message: 'codes en double' }] });
  }
  await auth.transaction(async (trx) => {
    if (body.zone) await timetable.setZone(trx, auth.establishmentId, body.zone, auth.user.id);
    if (body.slots) await timetable.replaceSlots(trx, auth.establishmentId, body.slots);
    await audit(trx, ctx, {
      action: 'timetable.settings.update',
      establishmentId: auth.establishmentId,
      targetType: 'establishment',
      targetId: auth.establishmentId,
      details: { zone: body.zone ?? null, slots: body.slots ?? null },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'settings.update');
  return settingsOf(auth.db, auth.establishmentId);
}

/** Weeks A and B alternate from the first week of the year; weeks without any class day are skipped. */
export function alternatingWeeks(from: string, to: string, zone: Zone): { A: string[]; B: string[] } {
  const closed = closedDays(zone);
  const out = { A: [] as string[], B: [] as string[] };
  let next: 'A' | 'B' = 'A';
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) {
    const schoolDays = [0, 1, 2, 3, 4].map((i) => addDays(monday, i)).filter((d) => d >= from && d <= to && !closed(d));
    if (schoolDays.length === 0) continue;
    out[next].push(monday);
    next = next === 'A' ? 'B' : 'A';
  }
  return out;
}

export async function createAlternatingWeeks(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.manage', service: SERVICE });
  const year = await timetable.currentYear(auth.db, establishmentId);
  if (!year) throw notFound();
  const { zone } = await zoneOf(auth.db, establishmentId);
  const weeks = alternatingWeeks(year.starts_on, year.ends_on, zone);
  await auth.transaction(async (trx) => {
    await timetable.upsertPatterns(trx, establishmentId, year.id, [
      { code: 'A', label: 'Semaine A', weeks: weeks.A },
      { code: 'B', label: 'Semaine B', weeks: weeks.B },
    ]);
    await audit(trx, ctx, {
      action: 'timetable.week_patterns.alternate',
      establishmentId,
      targetType: 'school_year',
      targetId: year.id,
      details: { A: weeks.A.length, B: weeks.B.length },
    });
  });
  recordUsage(ctx, establishmentId, SERVICE, 'week_patterns.create');
  return settingsOf(auth.db, establishmentId);
}

// ---- courses ----

async function presentCourses(db: Db, rows: ScheduleRow[]): Promise<Course[]> {
  const teachers = await timetable.teachersOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    subject: { id: r.subject_code, name: r.subject_label },
    teachers: teachers.filter((t) => t.course_id === r.id).map((t) => ({ id: t.id, displayName: t.display_name })),
    class: r.class_id ? { id: r.class_id, name: r.class_code ?? '' } : null,
    group: r.group_id ? { id: r.group_id, name: r.group_code ?? '' } : null,
    weekday: r.weekday,
    start: hhmm(r.starts_at),
    end: hhmm(r.ends_at),
    room: r.room,
    weekPattern: r.pattern_id ? { id: r.pattern_id, code: r.pattern_code ?? '' } : null,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    source: r.source,
  }));
}

export async function listCourses(
  ctx: RequestContext,
  q: { establishment: string; class?: string; group?: string; teacher?: string },
) {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'timetable.manage',
    service: SERVICE,
  });
  const year = await timetable.currentYear(auth.db, q.establishment);
  if (!year) return { items: [] };
  const rows = await timetable.schedules(auth.db, {
    establishmentId: q.establishment,
    from: year.starts_on,
    to: year.ends_on,
    ...(q.class ? { classIds: [q.class] } : {}),
    ...(q.group ? { groupIds: [q.group] } : {}),
    ...(q.teacher ? { teacherIds: [q.teacher] } : {}),
    all: !q.class && !q.group && !q.teacher,
  });
  return {
    items: await presentCourses(
      auth.db,
      rows.filter((r) => r.school_year_id === year.id),
    ),
  };
}

interface CourseInput {
  classId: string | null;
  groupId: string | null;
  subjectCode: string;
  teacherIds: string[];
  weekday: number;
  start: string;
  end: string;
  room: string | null;
  weekPatternId: string | null;
  validFrom: string;
  validTo: string;
}

async function checkCourse(
  auth: Authorized,
  yearId: string,
  year: { starts_on: string; ends_on: string },
  c: CourseInput,
) {
  if ((c.classId === null) === (c.groupId === null)) throw new AppError(400, 'COURSE_TARGET');
  if (c.end <= c.start) throw new AppError(400, 'COURSE_TIMES');
  if (c.validFrom > c.validTo || c.validFrom < year.starts_on || c.validTo > year.ends_on)
    throw new AppError(400, 'COURSE_DATES', { vars: { from: year.starts_on, to: year.ends_on } });
  if (!(await timetable.subjectsIn(auth.db, [c.subjectCode])).has(c.subjectCode))
    throw new AppError(400, 'SUBJECT_UNKNOWN', { vars: { code: c.subjectCode } });
  const teachers = await teachersAmong(auth, c.teacherIds);
  if (c.teacherIds.some((t) => !teachers.has(t))) throw new AppError(400, 'TEACHER_UNKNOWN');
  await targetIn(auth, c.classId, c.groupId);
  if (c.weekPatternId && !(await timetable.patternIn(auth.db, yearId, c.weekPatternId)))
    throw new AppError(400, 'WEEK_PATTERN_UNKNOWN');
}

async function oneCourse(db: Db, establishmentId: string, id: string): Promise<Course> {
  const rows = await timetable.schedules(db, {
    establishmentId,
    from: '0001-01-01',
    to: '9999-12-31',
    courseIds: [id],
  });
  const out = await presentCourses(db, rows);
  if (!out[0]) throw notFound();
  return out[0];
}

export async function createCourse(ctx: RequestContext, body: CreateCourseBody): Promise<Course> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'timetable.manage',
    service: SERVICE,
  });
  const year = await timetable.currentYear(auth.db, auth.establishmentId);
  if (!year) throw notFound();
  const input: CourseInput = {
    classId: body.classId ?? null,
    groupId: body.groupId ?? null,
    subjectCode: body.subjectCode,
    teacherIds: [...new Set(body.teacherIds)],
    weekday: body.weekday,
    start: body.start,
    end: body.end,
    room: body.room || null,
    weekPatternId: body.weekPatternId ?? null,
    validFrom: body.validFrom ?? year.starts_on,
    validTo: body.validTo ?? year.ends_on,
  };
  await checkCourse(auth, year.id, year, input);
  const id = await auth.transaction(async (trx) => {
    const row = await timetable.insertCourse(trx, {
      establishment_id: auth.establishmentId,
      school_year_id: year.id,
      class_id: input.classId,
      group_id: input.groupId,
      subject_code: input.subjectCode,
      weekday: input.weekday,
      starts_at: input.start,
      ends_at: input.end,
      room: input.room,
      week_pattern_id: input.weekPatternId,
      valid_from: input.validFrom,
      valid_to: input.validTo,
    });
    await timetable.setTeachers(trx, auth.establishmentId, row.id, input.teacherIds);
    await audit(trx, ctx, {
      action: 'timetable.course.create',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_course',
      targetId: row.id,
      details: { ...input },
    });
    return row.id;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'course.create');
  return oneCourse(auth.db, auth.establishmentId, id);
}

/** The course and its establishment, for use cases about one course (`establishment: 'object'`). */
async function authorizeCourse(ctx: RequestContext, id: string, permission: 'timetable.manage' | 'timetable.read') {
  const course = await timetable.course(ctx.db, id);
  if (!course) throw notFound();
  const auth = await authorize(ctx, { establishmentId: course.establishment_id, permission, service: SERVICE });
  await courseIn(auth, id);
  if (permission === 'timetable.manage' && course.year_status !== 'current')
    throw new AppError(409, 'TIMETABLE_ARCHIVED');
  return { auth, course };
}

export async function updateCourse(ctx: RequestContext, id: string, body: UpdateCourseBody): Promise<Course> {
  const { auth, course } = await authorizeCourse(ctx, id, 'timetable.manage');
  const before = await oneCourse(auth.db, auth.establishmentId, id);
  const input: CourseInput = {
    classId: body.classId !== undefined ? body.classId : course.class_id,
    groupId: body.groupId !== undefined ? body.groupId : course.group_id,
    subjectCode: body.subjectCode ?? course.subject_code,
    teacherIds: body.teacherIds ? [...new Set(body.teacherIds)] : before.teachers.map((t) => t.id),
    weekday: body.weekday ?? course.weekday,
    start: body.start ?? hhmm(course.starts_at),
    end: body.end ?? hhmm(course.ends_at),
    room: body.room !== undefined ? body.room || null : course.room,
    weekPatternId: body.weekPatternId !== undefined ? body.weekPatternId : course.week_pattern_id,
    validFrom: body.validFrom ?? course.valid_from,
    validTo: body.validTo ?? course.valid_to,
  };
  // A class given alone replaces the group, and the other way round.
  if (body.classId && body.groupId === undefined) input.groupId = null;
  if (body.groupId && body.classId === undefined) input.classId = null;
  await checkCourse(auth, course.school_year_id, { starts_on: course.year_from, ends_on: course.year_to }, input);
  await auth.transaction(async (trx) => {
    await timetable.updateCourse(trx, id, {
      class_id: input.classId,
      group_id: input.groupId,
      subject_code: input.subjectCode,
      weekday: input.weekday,
      starts_at: input.start,
      ends_at: input.end,
      room: input.room,
      week_pattern_id: input.weekPatternId,
      valid_from: input.validFrom,
      valid_to: input.validTo,
    });
    if (body.teacherIds) await timetable.setTeachers(trx, auth.establishmentId, id, input.teacherIds);
    await audit(trx, ctx, {
      action: 'timetable.course.update',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_course',
      targetId: id,
      details: { before, after: input },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'course.update');
  return oneCourse(auth.db, auth.establishmentId, id);
}

export async function deleteCourse(ctx: RequestContext, id: string): Promise<void> {
  const { auth } = await authorizeCourse(ctx, id, 'timetable.manage');
  const before = await oneCourse(auth.db, auth.establishmentId, id);
  await auth.transaction(async (trx) => {
    await timetable.deleteCourse(trx, id);
    await audit(trx, ctx, {
      action: 'timetable.course.delete',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_course',
      targetId: id,
      details: { before },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'course.delete');
}

// ---- one occurrence: cancelled or moved ----

const frenchTime = (time: string) => `${Number(time.slice(0, 2))} h ${time.slice(3, 5)}`;

/** Students of the course's class or group, their guardians, and its other teachers. */
async function audienceOfCourse(db: Db, classId: string | null, groupId: string | null, courseId: string) {
  const students = classId
    ? ((await relations.studentsOfClasses(db, [classId])).get(classId) ?? new Set<string>())
    : ((await relations.studentsOfGroups(db, [groupId!])).get(groupId!) ?? new Set<string>());
  const guardians = new Set<string>();
  for (const set of (await relations.guardiansOf(db, students)).values()) for (const g of set) guardians.add(g);
  const teachers = (await relations.teachersOfCourses(db, [courseId])).get(courseId) ?? new Set<string>();
  return [...students, ...guardians, ...teachers];
}

export async function changeOccurrence(ctx: RequestContext, id: string, date: string, body: OccurrenceChangeBody) {
  const { auth, course } = await authorizeCourse(ctx, id, 'timetable.manage');
  const existing = await timetable.change(auth.db, id, date);
  if (!existing && !(await occursOn(auth.db, id, date)))
    throw new AppError(404, 'OCCURRENCE_NOT_FOUND', { vars: { date } });
  const subject = (await timetable.subjectsIn(auth.db, [course.subject_code])).get(course.subject_code) ?? '';
  const start = hhmm(course.starts_at);
  let change: Parameters<typeof timetable.upsertChange>[1];
  let text: string;
  let kind: 'timetable.course.cancelled' | 'timetable.course.moved';
  if ('cancelled' in body) {
    change = {
      establishment_id: auth.establishmentId,
      course_id: id,
      on_date: date,
      cancelled: true,
      new_date: null,
      new_starts_at: null,
      new_ends_at: null,
      new_room: null,
      reason: body.reason || null,
      created_by: auth.user.id,
    };
    kind = 'timetable.course.cancelled';
    text = `Cours annulé : ${subject}, ${frenchDay(date)} à ${frenchTime(start)}${body.reason ? ` (${body.reason})` : ''}.`;
  } else {
    const m = body.moveTo;
    if (m.end <= m.start) throw new AppError(400, 'COURSE_TIMES');
    if (m.date < course.year_from || m.date > course.year_to || weekdayOf(m.date) === 7)
      throw new AppError(400, 'COURSE_DATES', { vars: { from: course.year_from, to: course.year_to } });
    change = {
      establishment_id: auth.establishmentId,
      course_id: id,
      on_date: date,
      cancelled: false,
      new_date: m.date,
      new_starts_at: m.start,
      new_ends_at: m.end,
      new_room: m.room === undefined ? course.room : m.room || null,
      reason: body.reason || null,
      created_by: auth.user.id,
    };
    kind = 'timetable.course.moved';
    text = `Cours déplacé : ${subject} du ${frenchDay(date)} à ${frenchTime(start)} → ${frenchDay(m.date)} à ${frenchTime(m.start)}${change.new_room ? `, salle ${change.new_room}` : ''}.`;
  }
  const recipients = await audienceOfCourse(auth.db, course.class_id, course.group_id, id);
  const notified = await auth.transaction(async (trx) => {
    const row = await timetable.upsertChange(trx, change);
    await withdraw(trx, { type: 'timetable_occurrence', id: row.id });
    await audit(trx, ctx, {
      action: 'cancelled' in body ? 'timetable.occurrence.cancel' : 'timetable.occurrence.move',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_course',
      targetId: id,
      details: { date, ...body },
    });
    const sent = await notify(trx, {
      establishmentId: auth.establishmentId,
      kind,
      recipients,
      actorId: auth.user.id,
      text: { fr: text },
      link: `/timetable?date=${change.new_date ?? date}`,
      source: { type: 'timetable_occurrence', id: row.id },
    });
    return sent?.recipients ?? 0;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'cancelled' in body ? 'occurrence.cancel' : 'occurrence.move');
  return { courseId: id, date, notified };
}

export async function restoreOccurrence(ctx: RequestContext, id: string, date: string): Promise<void> {
  const { auth } = await authorizeCourse(ctx, id, 'timetable.manage');
  const existing = await timetable.change(auth.db, id, date);
  if (!existing) throw new AppError(404, 'OCCURRENCE_NOT_FOUND', { vars: { date } });
  await auth.transaction(async (trx) => {
    await timetable.deleteChange(trx, id, date);
    await withdraw(trx, { type: 'timetable_occurrence', id: existing.id });
    await audit(trx, ctx, {
      action: 'timetable.occurrence.restore',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_course',
      targetId: id,
      details: { date },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'occurrence.restore');
}

// ---- the ICS subscription ----

const hashToken = (token: string) => createHash('sha256').update(token).digest();

function feedLink(
  row: { created_at: Date | string; last_used_at: Date | null } | undefined,
  url: string | null,
): FeedLink {
  return {
    url,
    active: !!row,
    createdAt: row ? new Date(row.created_at).toISOString() : null,
    lastUsedAt: row?.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  };
}

export async function getFeed(ctx: RequestContext, establishmentId: string): Promise<FeedLink> {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.read', service: SERVICE });
  return feedLink(await timetable.liveFeed(auth.db, auth.user.id, establishmentId), null);
}

export async function createFeed(ctx: RequestContext, establishmentId: string, origin: string): Promise<FeedLink> {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.read', service: SERVICE });
  const token = randomBytes(32).toString('base64url');
  const row = await auth.transaction(async (trx) => {
    await timetable.revokeFeeds(trx, auth.user.id, establishmentId);
    return timetable.insertFeed(trx, auth.user.id, establishmentId, hashToken(token));
  });
  recordUsage(ctx, establishmentId, SERVICE, 'feed.create');
  return feedLink(
    { created_at: row.created_at, last_used_at: null },
    `${ctx.config.publicOrigin ?? origin}/api/timetable/ics/${token}.ics`,
  );
}

export async function revokeFeed(ctx: RequestContext, establishmentId: string): Promise<void> {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.read', service: SERVICE });
  await timetable.revokeFeeds(auth.db, auth.user.id, establishmentId);
  recordUsage(ctx, establishmentId, SERVICE, 'feed.revoke');
}

export interface FeedEvents {
  name: string;
  events: (OccurrenceInfo & { who: string | null })[];
}

/**
 * The events of a subscription: the person's occurrences (a guardian's: each child's) from a week ago to eight
 * weeks ahead. The token is the credential (no session): a revoked token, an account no longer active, a
 * membership gone or the service closed to the person answer 404, like an unknown token.
 */
export async function feedEvents(ctx: RequestContext, rawToken: string): Promise<FeedEvents> {
  const token = rawToken.replace(/\.ics$/, '');
  const db = trustedDb(ctx.db, 'ICS subscription: the revocable token is the credential');
  const feed = await timetable.feedByHash(db, hashToken(token));
  if (feed?.status !== 'active') throw notFound();
  const profiles = await timetable.profilesOf(db, feed.user_id, feed.establishment_id);
  if (profiles.length === 0) throw notFound();
  if (!(await openServicesFor(db, feed.establishment_id, profiles)).includes(SERVICE)) throw notFound();
  const today = parisDate();
  const from = addDays(today, -7);
  const to = addDays(today, 56);
  const events: FeedEvents['events'] = [];
  const own = {
    studentIds: profiles.includes('student') ? [feed.user_id] : [],
    teacherIds: profiles.includes('teacher') ? [feed.user_id] : [],
  };
  if (own.studentIds.length || own.teacherIds.length)
    for (const o of await occurrencesFor(db, { establishmentId: feed.establishment_id, from, to, ...own }))
      events.push({ ...o, who: null });
  if (profiles.includes('guardian')) {
    const children = [...(await relations.allChildrenOf(db, feed.establishment_id, feed.user_id))];
    const names = await timetable.names(db, children);
    for (const child of children)
      for (const o of await occurrencesFor(db, {
        establishmentId: feed.establishment_id,
        from,
        to,
        studentIds: [child],
      }))
        events.push({ ...o, who: names.get(child) ?? null });
  }
  await timetable.feedUsed(db, feed.id);
  return { name: `Emploi du temps — ${feed.display_name} (${feed.establishment_name})`, events };
}
