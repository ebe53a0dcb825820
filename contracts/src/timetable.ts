import { z } from 'zod';
import { defineApi } from './api.ts';
import { IsoDate, Uuid } from './common.ts';

/**
 * The timetable (emploi du temps): weekly courses of classes and groups, their occurrences with the direction's
 * changes, the zone's holidays, the STS-Web import and the ICS subscription. The shapes of `GET /api/timetable/week`
 * and of the imports are a contract outside checks rely on: keep them stable.
 */

/** `HH:MM`, 24 h. */
export const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
export const Zone = z.enum(['A', 'B', 'C']);
export type Zone = z.infer<typeof Zone>;

export const NamedRef = z.object({ id: z.uuid(), name: z.string() });
export const PersonRef = z.object({ id: z.uuid(), displayName: z.string() });
export const SubjectRef = z.object({ id: z.string(), name: z.string() });

/** One occurrence of a course in a week. `id` is the course's id (a course occurs at most once a day). */
export const WeekItem = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  date: IsoDate,
  /** ISO instants with the Paris offset (`2026-11-30T08:00:00+01:00`). */
  start: z.string(),
  end: z.string(),
  subject: SubjectRef,
  teachers: z.array(PersonRef),
  class: NamedRef.optional(),
  group: NamedRef.optional(),
  room: z.string().optional(),
  cancelled: z.boolean(),
  /** Where the occurrence was in the timetable, when the direction moved it. */
  moved: z.object({ date: IsoDate, start: z.string(), end: z.string() }).optional(),
  /** The direction's word on a change ("professeur absent"). */
  reason: z.string().optional(),
  /** The slot code (`M1`…`S4`) when the start matches one. */
  slot: z.string().optional(),
  /** The week pattern (`A`, `B`…) of a course that does not run every week. */
  weekPattern: z.string().optional(),
});
export type WeekItem = z.infer<typeof WeekItem>;

export const Holiday = z.object({ name: z.string(), from: IsoDate, to: IsoDate });
export type Holiday = z.infer<typeof Holiday>;

export const WeekQuery = z.strictObject({
  establishment: z.uuid(),
  date: IsoDate,
  /** A guardian's child, or a student for the staff. */
  student: z.uuid().optional(),
  class: z.uuid().optional(),
  group: z.uuid().optional(),
  teacher: z.uuid().optional(),
  room: z.string().min(1).max(60).optional(),
});
export type WeekQuery = z.infer<typeof WeekQuery>;

export const WeekResponse = z.object({
  /** Monday and Sunday of the week. */
  from: IsoDate,
  to: IsoDate,
  /** Whose week it is. */
  of: z.object({
    kind: z.enum(['me', 'student', 'class', 'group', 'teacher', 'room']),
    id: z.string().nullable(),
    name: z.string(),
  }),
  /** The week patterns this week belongs to (`A`), for the banner. */
  weekPatterns: z.array(z.string()),
  holidays: z.array(Holiday),
  items: z.array(WeekItem),
});
export type WeekResponse = z.infer<typeof WeekResponse>;

export const EstablishmentQuery = z.strictObject({ establishment: z.uuid() });

/** Whose weeks the caller may open: their own, their children's, and for the staff classes, teachers and rooms. */
export const TimetableOptions = z.object({
  children: z.array(PersonRef),
  classes: z.array(NamedRef),
  groups: z.array(NamedRef),
  teachers: z.array(PersonRef),
  rooms: z.array(z.string()),
  /** The caller has a week of their own (student or teacher). */
  ownWeek: z.boolean(),
  can: z.object({ manage: z.boolean() }),
});
export type TimetableOptions = z.infer<typeof TimetableOptions>;

export const Slot = z.object({ code: z.string().min(1).max(10), start: Time, end: Time });
export type Slot = z.infer<typeof Slot>;

export const WeekPattern = z.object({
  id: z.uuid(),
  code: z.string(),
  label: z.string(),
  /** Mondays of its weeks. */
  weeks: z.array(IsoDate),
});
export type WeekPattern = z.infer<typeof WeekPattern>;

export const TimetableSettings = z.object({
  zone: Zone,
  /** The zone was chosen by the establishment (else derived from the académie). */
  zoneChosen: z.boolean(),
  slots: z.array(Slot),
  weekPatterns: z.array(WeekPattern),
  holidays: z.array(Holiday),
  schoolYear: z.object({ id: z.uuid(), label: z.string(), from: IsoDate, to: IsoDate }),
});
export type TimetableSettings = z.infer<typeof TimetableSettings>;

export const TimetableSettingsBody = z.strictObject({
  establishment: z.uuid(),
  zone: Zone.optional(),
  slots: z.array(Slot).max(20).optional(),
});

export const AlternatingBody = z.strictObject({ establishment: z.uuid() });

export const Course = z.object({
  id: z.uuid(),
  subject: SubjectRef,
  teachers: z.array(PersonRef),
  class: NamedRef.nullable(),
  group: NamedRef.nullable(),
  weekday: z.number().int().min(1).max(6),
  start: Time,
  end: Time,
  room: z.string().nullable(),
  weekPattern: z.object({ id: z.uuid(), code: z.string() }).nullable(),
  validFrom: IsoDate,
  validTo: IsoDate,
  source: z.enum(['manual', 'import']),
});
export type Course = z.infer<typeof Course>;

export const CourseList = z.object({ items: z.array(Course) });

export const CoursesQuery = z.strictObject({
  establishment: z.uuid(),
  class: z.uuid().optional(),
  group: z.uuid().optional(),
  teacher: z.uuid().optional(),
});

const CourseFields = {
  classId: z.uuid().nullable().optional(),
  groupId: z.uuid().nullable().optional(),
  subjectCode: z.string().min(1).max(12),
  teacherIds: z.array(z.uuid()).min(1).max(4),
  weekday: z.number().int().min(1).max(6),
  start: Time,
  end: Time,
  room: z.string().trim().max(60).nullable().optional(),
  weekPatternId: z.uuid().nullable().optional(),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.optional(),
};
export const CreateCourseBody = z.strictObject({ establishment: z.uuid(), ...CourseFields });
export type CreateCourseBody = z.infer<typeof CreateCourseBody>;
export const UpdateCourseBody = z.strictObject(CourseFields).partial();
export type UpdateCourseBody = z.infer<typeof UpdateCourseBody>;

export const OccurrenceParams = z.strictObject({ id: z.uuid(), date: IsoDate });

/** Cancel the occurrence, or move it (another date, times, room). */
export const OccurrenceChangeBody = z.union([
  z.strictObject({ cancelled: z.literal(true), reason: z.string().trim().max(200).optional() }),
  z.strictObject({
    moveTo: z.strictObject({
      date: IsoDate,
      start: Time,
      end: Time,
      room: z.string().trim().max(60).nullable().optional(),
    }),
    reason: z.string().trim().max(200).optional(),
  }),
]);
export type OccurrenceChangeBody = z.infer<typeof OccurrenceChangeBody>;

export const OccurrenceChanged = z.object({ courseId: z.uuid(), date: IsoDate, notified: z.number().int() });

// ---- imports ----

export const TimetableImportStatus = z.enum(['queued', 'running', 'done', 'failed']);

export const TimetableImportCounts = z.object({
  /** Courses the files describe (one per class or group × teacher set × slot × week pattern). */
  courses: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  /** Courses left out (reported in the anomalies). */
  skipped: z.number().int(),
  teachersMatched: z.number().int(),
  classesMatched: z.number().int(),
  groupsMatched: z.number().int(),
  weekPatterns: z.number().int(),
  rooms: z.number().int(),
});
export type TimetableImportCounts = z.infer<typeof TimetableImportCounts>;

/** One finding, worded in French (`message`), with its stable code and where it was found. */
export const TimetableAnomaly = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
});
export type TimetableAnomaly = z.infer<typeof TimetableAnomaly>;

export const TimetableImportReport = z.object({
  counts: TimetableImportCounts,
  anomalies: z.array(TimetableAnomaly),
});
export type TimetableImportReport = z.infer<typeof TimetableImportReport>;

export const TimetableImport = z.object({
  id: z.uuid(),
  status: TimetableImportStatus,
  progress: z.number().min(0).max(1),
  phase: z.string(),
  kind: z.enum(['sts', 'csv']),
  files: z.array(z.object({ name: z.string(), size: z.number().int() })),
  /** Empty counts and no anomaly until the job has finished. */
  report: TimetableImportReport,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TimetableImport = z.infer<typeof TimetableImport>;

export const TimetableImportList = z.object({ items: z.array(TimetableImport) });

/** The multipart fields besides the files. */
export const TimetableImportFields = z.strictObject({ establishment: z.uuid() });

// ---- ICS subscription ----

export const FeedLink = z.object({
  /** The subscription address (https://…/api/timetable/ics/<token>.ics): shown once, at creation. */
  url: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type FeedLink = z.infer<typeof FeedLink>;

export const FeedBody = z.strictObject({ establishment: z.uuid() });
export const IcsParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,80}(\.ics)?$/) });

export const timetableApi = defineApi({
  module: 'timetable',
  permissions: ['timetable.read', 'timetable.manage'],
  errors: [
    'STUDENT_REQUIRED',
    'COURSE_TARGET',
    'COURSE_TIMES',
    'COURSE_DATES',
    'SUBJECT_UNKNOWN',
    'TEACHER_UNKNOWN',
    'WEEK_PATTERN_UNKNOWN',
    'OCCURRENCE_NOT_FOUND',
    'TIMETABLE_ARCHIVED',
    'TIMETABLE_IMPORT_NO_FILES',
    'TIMETABLE_IMPORT_FILE_TYPE',
    'TIMETABLE_IMPORT_INVALID',
    'TIMETABLE_IMPORT_ESTABLISHMENT',
  ],
  endpoints: {
    'GET /api/timetable/week': {
      summary: "A week's course occurrences: the caller's, a child's, a class's, a group's, a teacher's or a room's",
      access: { permission: 'timetable.read' },
      establishment: { query: 'establishment' },
      query: WeekQuery,
      response: WeekResponse,
      errors: ['STUDENT_REQUIRED'],
    },
    'GET /api/timetable/options': {
      summary: 'Whose weeks the caller may open',
      access: { permission: 'timetable.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: TimetableOptions,
      errors: [],
    },
    'GET /api/timetable/settings': {
      summary: "The establishment's zone, slots, week patterns and holidays",
      access: { permission: 'timetable.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: TimetableSettings,
      errors: [],
    },
    'PUT /api/timetable/settings': {
      summary: "Set the establishment's holiday zone and time slots",
      access: { permission: 'timetable.manage' },
      establishment: { body: 'establishment' },
      body: TimetableSettingsBody,
      response: TimetableSettings,
      errors: [],
    },
    'POST /api/timetable/week-patterns/alternating': {
      summary: 'Create weeks A and B, alternating from the first week of the year (holiday weeks skipped)',
      access: { permission: 'timetable.manage' },
      establishment: { body: 'establishment' },
      body: AlternatingBody,
      status: 201,
      response: TimetableSettings,
      errors: [],
    },
    'GET /api/timetable/courses': {
      summary: 'The courses of the current year, for editing (of a class, a group or a teacher)',
      access: { permission: 'timetable.manage' },
      establishment: { query: 'establishment' },
      query: CoursesQuery,
      response: CourseList,
      errors: [],
    },
    'POST /api/timetable/courses': {
      summary: 'Add a course to the timetable',
      access: { permission: 'timetable.manage' },
      establishment: { body: 'establishment' },
      body: CreateCourseBody,
      status: 201,
      response: Course,
      errors: ['COURSE_TARGET', 'COURSE_TIMES', 'COURSE_DATES', 'SUBJECT_UNKNOWN', 'TEACHER_UNKNOWN'],
    },
    'PATCH /api/timetable/courses/:id': {
      summary: 'Change a course',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      body: UpdateCourseBody,
      response: Course,
      errors: ['COURSE_TARGET', 'COURSE_TIMES', 'COURSE_DATES', 'SUBJECT_UNKNOWN', 'TEACHER_UNKNOWN'],
    },
    'DELETE /api/timetable/courses/:id': {
      summary: 'Remove a course (its past occurrences go with it)',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      status: 204,
      errors: [],
    },
    'PUT /api/timetable/courses/:id/occurrences/:date': {
      summary: 'Cancel one occurrence ("cours annulé", shown to the students) or move it',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      params: OccurrenceParams,
      body: OccurrenceChangeBody,
      response: OccurrenceChanged,
      errors: ['OCCURRENCE_NOT_FOUND', 'COURSE_TIMES', 'COURSE_DATES'],
    },
    'DELETE /api/timetable/courses/:id/occurrences/:date': {
      summary: 'Restore an occurrence as the timetable has it',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      params: OccurrenceParams,
      status: 204,
      errors: [],
    },
    'POST /api/timetable/imports': {
      summary:
        'Upload sts_emp.xml and emp_sts.xml (or a CSV file) and queue their import (multipart: establishment, files)',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      multipart: true,
      status: 202,
      response: z.object({ id: z.uuid() }),
      errors: [
        'TIMETABLE_IMPORT_NO_FILES',
        'TIMETABLE_IMPORT_FILE_TYPE',
        'TIMETABLE_IMPORT_INVALID',
        'TIMETABLE_IMPORT_ESTABLISHMENT',
      ],
    },
    'GET /api/timetable/imports/:id': {
      summary: 'An import: status, progress and report',
      access: { permission: 'timetable.manage' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      response: TimetableImport,
      errors: [],
    },
    'GET /api/timetable/imports': {
      summary: "The establishment's latest timetable imports",
      access: { permission: 'timetable.manage' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: TimetableImportList,
      errors: [],
    },
    'GET /api/timetable/feed': {
      summary: "The caller's ICS subscription (the address is shown only when created)",
      access: { permission: 'timetable.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: FeedLink,
      errors: [],
    },
    'POST /api/timetable/feed': {
      summary: 'Create (or renew) the caller’s ICS subscription address; the previous one stops working',
      access: { permission: 'timetable.read' },
      establishment: { body: 'establishment' },
      body: FeedBody,
      status: 201,
      response: FeedLink,
      errors: [],
    },
    'DELETE /api/timetable/feed': {
      summary: 'Revoke the caller’s ICS subscription address',
      access: { permission: 'timetable.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      status: 204,
      errors: [],
    },
    'GET /api/timetable/ics/:token': {
      summary: 'The ICS calendar of a subscription (read-only; the token is the credential)',
      access: { auth: 'public' },
      establishment: 'none',
      params: IcsParams,
      binary: 'text/calendar',
      errors: [],
    },
  },
});
