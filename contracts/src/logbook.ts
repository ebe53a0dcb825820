import { z } from 'zod';
import { defineApi } from './api.ts';
import { IsoDate, Uuid } from './common.ts';
import { AttachedDocument, AttachmentInputs } from './documents.ts';
import { NamedRef, PersonRef, SubjectRef } from './timetable.ts';

/**
 * The logbook (cahier de textes): per course occurrence the lesson and the homework set, visas, progressions,
 * workload, archive. `POST /api/logbook/lessons` and `GET /api/logbook/homework` are a contract outside checks
 * rely on: keep their shapes.
 */

export const HOMEWORK_KINDS = ['exercise', 'lesson', 'assessment', 'project'] as const;
export const HomeworkKind = z.enum(HOMEWORK_KINDS);
export type HomeworkKind = z.infer<typeof HomeworkKind>;

/** Sanitised on the server; script, event handlers and `javascript:` links are refused (400). */
const RichText = z.string().max(50_000);
const Link = z.strictObject({
  url: z
    .string()
    .trim()
    .max(2000)
    .regex(/^https?:\/\/[^\s]+$/i, 'adresse http:// ou https://'),
  label: z.string().trim().max(200).optional(),
});
export type Link = z.infer<typeof Link>;

const HomeworkFields = {
  dueDate: IsoDate,
  description: RichText.min(1),
  kind: HomeworkKind,
  estimatedMinutes: z.number().int().min(0).max(600).optional(),
  /** A group of the class instead of the whole class (or the course's group). */
  groupId: z.uuid().optional(),
  /** Published (shown, announced) at this instant; now when absent. */
  publishAt: z.iso.datetime({ offset: true }).optional(),
  /** Documents attached by reference (ids, or `{ documentId, version: 'latest' | 'this' }`); the teacher reads each. */
  attachments: AttachmentInputs.optional(),
};

export const NewHomework = z.strictObject(HomeworkFields);

export const CreateLessonBody = z.strictObject({
  courseId: z.uuid(),
  date: IsoDate,
  title: z.string().trim().min(1).max(200),
  content: RichText.default(''),
  links: z.array(Link).max(10).optional(),
  publishAt: z.iso.datetime({ offset: true }).optional(),
  /** Documents attached by reference (ids, or `{ documentId, version: 'latest' | 'this' }`); the teacher reads each. */
  attachments: AttachmentInputs.optional(),
  homework: z.array(NewHomework).max(10).optional(),
});
export type CreateLessonBody = z.infer<typeof CreateLessonBody>;

export const Warning = z.object({ code: z.string(), message: z.string() });
export type Warning = z.infer<typeof Warning>;

export const LessonCreated = z.object({
  id: z.uuid(),
  homework: z.array(z.uuid()),
  /** What the teacher should know (an assessment on a day that already has two). */
  warnings: z.array(Warning),
});

export const UpdateLessonBody = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  content: RichText.optional(),
  links: z.array(Link).max(10).optional(),
  publishAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** The attachments, all of them: those left out are detached, the new ones checked (the teacher reads each). */
  attachments: AttachmentInputs.optional(),
});
export type UpdateLessonBody = z.infer<typeof UpdateLessonBody>;

export const CreateHomeworkBody = z.strictObject({
  courseId: z.uuid(),
  /** The lesson date it is set in. */
  date: IsoDate,
  ...HomeworkFields,
});
export type CreateHomeworkBody = z.infer<typeof CreateHomeworkBody>;

export const UpdateHomeworkBody = z.strictObject({
  dueDate: IsoDate.optional(),
  description: RichText.min(1).optional(),
  kind: HomeworkKind.optional(),
  estimatedMinutes: z.number().int().min(0).max(600).nullable().optional(),
  publishAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** The attachments, all of them: those left out are detached, the new ones checked (the teacher reads each). */
  attachments: AttachmentInputs.optional(),
});
export type UpdateHomeworkBody = z.infer<typeof UpdateHomeworkBody>;

export const HomeworkCreated = z.object({ id: z.uuid(), warnings: z.array(Warning) });

/** A lesson's or homework's document, by reference: its readers (the lesson's audience) download it at `url`. */
export const LogbookAttachment = AttachedDocument;
export type LogbookAttachment = z.infer<typeof LogbookAttachment>;

/** One homework, as a student (or their guardian) reads it. */
export const HomeworkItem = z.object({
  id: z.uuid(),
  dueDate: IsoDate,
  assignedOn: IsoDate,
  subject: SubjectRef,
  description: z.string(),
  kind: HomeworkKind,
  estimatedMinutes: z.number().int().nullable(),
  /** The student's private tick (null for a reader who is neither the student nor their guardian). */
  done: z.boolean().nullable(),
  teacher: PersonRef.nullable(),
  class: NamedRef.optional(),
  group: NamedRef.optional(),
  courseId: z.uuid().nullable(),
  lessonId: z.uuid().nullable(),
  attachments: z.array(LogbookAttachment),
  /** Not yet shown to the students (publish later): only its authors see it. */
  publishAt: z.string().nullable(),
});
export type HomeworkItem = z.infer<typeof HomeworkItem>;

export const HomeworkQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate,
  to: IsoDate,
  student: z.uuid().optional(),
});
export const HomeworkList = z.object({ items: z.array(HomeworkItem) });
export type HomeworkList = z.infer<typeof HomeworkList>;

export const DoneBody = z.strictObject({ done: z.boolean() });

export const Amendment = z.object({
  at: z.string(),
  author: PersonRef.nullable(),
  before: z.object({ title: z.string(), content: z.string() }),
});

export const Visa = z.object({
  id: z.uuid(),
  /** Null once the signer's account is gone (the visa stays). */
  signer: PersonRef.nullable(),
  role: z.enum(['principal', 'inspector']),
  teacher: PersonRef.nullable(),
  class: NamedRef.nullable(),
  through: IsoDate,
  comment: z.string().nullable(),
  signedAt: z.string(),
  lessons: z.number().int(),
});
export type Visa = z.infer<typeof Visa>;

export const Lesson = z.object({
  id: z.uuid(),
  courseId: z.uuid().nullable(),
  date: IsoDate,
  subject: SubjectRef,
  class: NamedRef.optional(),
  group: NamedRef.optional(),
  author: PersonRef.nullable(),
  title: z.string(),
  /** Sanitised HTML. */
  content: z.string(),
  links: z.array(z.object({ url: z.string(), label: z.string().optional() })),
  attachments: z.array(LogbookAttachment),
  publishAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The visa that signed it: the teacher's later edits are kept as amendments. */
  visa: z.object({ id: z.uuid(), signer: PersonRef.nullable(), signedAt: z.string() }).nullable(),
  amendments: z.array(Amendment),
  homework: z.array(HomeworkItem),
  can: z.object({ edit: z.boolean(), delete: z.boolean() }),
});
export type Lesson = z.infer<typeof Lesson>;

/** One line of a logbook: a course occurrence (when the timetable has it) with its lesson and homework set. */
export const Entry = z.object({
  courseId: z.uuid().nullable(),
  date: IsoDate,
  start: z.string().nullable(),
  end: z.string().nullable(),
  subject: SubjectRef,
  class: NamedRef.optional(),
  group: NamedRef.optional(),
  teachers: z.array(PersonRef),
  room: z.string().optional(),
  cancelled: z.boolean(),
  lesson: z
    .object({
      id: z.uuid(),
      title: z.string(),
      content: z.string(),
      links: z.array(z.object({ url: z.string(), label: z.string().optional() })),
      attachments: z.array(LogbookAttachment),
      author: PersonRef.nullable(),
      publishAt: z.string().nullable(),
      signed: z.boolean(),
      amended: z.boolean(),
    })
    .nullable(),
  homework: z.array(HomeworkItem),
  can: z.object({ write: z.boolean() }),
});
export type Entry = z.infer<typeof Entry>;

export const EntriesQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate,
  to: IsoDate,
  class: z.uuid().optional(),
  group: z.uuid().optional(),
  teacher: z.uuid().optional(),
  student: z.uuid().optional(),
  subject: z.string().max(12).optional(),
});
export type EntriesQuery = z.infer<typeof EntriesQuery>;

export const EntriesResponse = z.object({
  of: z.object({
    kind: z.enum(['me', 'class', 'group', 'teacher', 'student']),
    id: z.string().nullable(),
    name: z.string(),
  }),
  items: z.array(Entry),
  visas: z.array(Visa),
  /** Read-only: the school year is archived. */
  archived: z.boolean(),
});
export type EntriesResponse = z.infer<typeof EntriesResponse>;

export const WorkloadQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate,
  to: IsoDate,
  class: z.uuid().optional(),
  group: z.uuid().optional(),
});
export const WorkloadDay = z.object({
  date: IsoDate,
  homework: z.number().int(),
  assessments: z.number().int(),
  minutes: z.number().int(),
  items: z.array(z.object({ id: z.uuid(), subject: SubjectRef, kind: HomeworkKind, group: z.string().nullable() })),
});
export const Workload = z.object({
  of: NamedRef,
  days: z.array(WorkloadDay),
  weeks: z.array(
    z.object({ monday: IsoDate, homework: z.number().int(), assessments: z.number().int(), minutes: z.number().int() }),
  ),
});
export type Workload = z.infer<typeof Workload>;

export const ProgressionStep = z.object({ title: z.string().trim().min(1).max(200), content: RichText.default('') });
export const Progression = z.object({
  id: z.uuid(),
  title: z.string(),
  subject: SubjectRef.nullable(),
  steps: z.array(z.object({ position: z.number().int(), title: z.string(), content: z.string() })),
  createdAt: z.string(),
});
export type Progression = z.infer<typeof Progression>;
export const ProgressionList = z.object({
  items: z.array(Progression.omit({ steps: true }).extend({ steps: z.number().int() })),
});
export const CreateProgressionBody = z.union([
  z.strictObject({
    establishment: z.uuid(),
    title: z.string().trim().min(1).max(200),
    subjectCode: z.string().max(12).optional(),
    steps: z.array(ProgressionStep).min(1).max(200),
  }),
  z.strictObject({
    establishment: z.uuid(),
    title: z.string().trim().min(1).max(200),
    /** Keep the lessons of one of the teacher's courses over a period as a sequence. */
    fromCourse: z.strictObject({ courseId: z.uuid(), from: IsoDate, to: IsoDate }),
  }),
]);
export const ApplyProgressionBody = z.strictObject({
  courseId: z.uuid(),
  /** The first occurrence to fill; each step fills the next free one. */
  from: IsoDate,
  /** Publish each prepared lesson at its occurrence's start (else at once). */
  publishAtStart: z.boolean().default(true),
});
export const ProgressionApplied = z.object({ lessons: z.array(z.object({ id: z.uuid(), date: IsoDate })) });

export const VisasQuery = z.strictObject({
  establishment: z.uuid(),
  teacher: z.uuid().optional(),
  class: z.uuid().optional(),
});
export const VisaList = z.object({ items: z.array(Visa) });
export const SignBody = z.strictObject({
  establishment: z.uuid(),
  teacherId: z.uuid().optional(),
  classId: z.uuid().optional(),
  /** Signs the lessons up to this date. */
  through: IsoDate,
  comment: z.string().trim().max(2000).optional(),
});
export const InspectionSignBody = z.strictObject({
  teacherId: z.uuid(),
  through: IsoDate,
  comment: z.string().trim().max(2000).optional(),
});
export const Signed = z.object({ id: z.uuid(), lessons: z.number().int() });

export const Inspector = z.object({
  id: z.uuid(),
  inspector: PersonRef,
  teachers: z.array(PersonRef),
  until: IsoDate.nullable(),
  grantedAt: z.string(),
  grantedBy: PersonRef.nullable(),
});
export const InspectorList = z.object({ items: z.array(Inspector) });
export const NameInspectorBody = z.strictObject({
  establishment: z.uuid(),
  /** The inspector's ENT login. */
  login: z.string().trim().min(1).max(100),
  teacherIds: z.array(z.uuid()).min(1).max(50),
  until: IsoDate.optional(),
});
export const Inspection = z.object({
  id: z.uuid(),
  establishment: NamedRef,
  teachers: z.array(PersonRef),
  until: IsoDate.nullable(),
});
export const InspectionList = z.object({ items: z.array(Inspection) });
export const InspectionEntriesQuery = z.strictObject({ teacher: z.uuid(), from: IsoDate, to: IsoDate });

export const PrintQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate,
  to: IsoDate,
  class: z.uuid().optional(),
  group: z.uuid().optional(),
  teacher: z.uuid().optional(),
  subject: z.string().max(12).optional(),
});

export const ArchiveList = z.object({
  years: z.array(
    z.object({
      id: z.uuid(),
      label: z.string(),
      from: IsoDate,
      to: IsoDate,
      classes: z.array(NamedRef),
      groups: z.array(NamedRef),
    }),
  ),
});

export const FillRateQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate,
  to: IsoDate,
  by: z.enum(['teacher', 'subject', 'class']),
});
export const FillRate = z.object({
  courses: z.number().int(),
  written: z.number().int(),
  rate: z.number(),
  rows: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      courses: z.number().int(),
      written: z.number().int(),
      rate: z.number(),
    }),
  ),
  homework: z.number().int(),
});
export type FillRate = z.infer<typeof FillRate>;

/** The home page's widget, by what the reader is. */
export const LogbookHome = z.object({
  /** A student's homework for the next school day. */
  student: z.object({ date: IsoDate, homework: z.array(HomeworkItem) }).optional(),
  /** A guardian's, per child. */
  children: z
    .array(z.object({ id: z.uuid(), displayName: z.string(), date: IsoDate, homework: z.array(HomeworkItem) }))
    .optional(),
  /** A teacher's courses of the day (or the next day with courses), and the lessons still to fill. */
  teacher: z
    .object({
      date: IsoDate,
      courses: z.array(
        z.object({
          courseId: z.uuid(),
          date: IsoDate,
          start: z.string(),
          end: z.string(),
          subject: SubjectRef,
          class: NamedRef.optional(),
          group: NamedRef.optional(),
          cancelled: z.boolean(),
          lessonId: z.uuid().nullable(),
        }),
      ),
      /** Past occurrences of the last two weeks without a lesson. */
      toFill: z.number().int(),
    })
    .optional(),
});
export type LogbookHome = z.infer<typeof LogbookHome>;

const id = z.strictObject({ id: Uuid });

export const logbookApi = defineApi({
  module: 'logbook',
  permissions: ['logbook.read', 'logbook.write', 'logbook.sign'],
  errors: [
    'LESSON_EXISTS',
    'LESSON_DATE',
    'LESSON_SIGNED',
    'CONTENT_UNSAFE',
    'HOMEWORK_DUE_BEFORE_LESSON',
    'HOMEWORK_TARGET',
    'LOGBOOK_ARCHIVED',
    'HOMEWORK_NOT_YOURS',
    'PERIOD_TOO_LONG',
    'INSPECTOR_UNKNOWN',
    'VISA_TARGET',
    'STUDENT_REQUIRED',
    'ATTACHMENT_NOT_ALLOWED',
  ],
  endpoints: {
    'POST /api/logbook/lessons': {
      summary: 'Write the lesson of a course occurrence (and the homework set in it); the teacher’s own courses only',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      body: CreateLessonBody,
      status: 201,
      response: LessonCreated,
      errors: [
        'LESSON_EXISTS',
        'LESSON_DATE',
        'CONTENT_UNSAFE',
        'HOMEWORK_DUE_BEFORE_LESSON',
        'HOMEWORK_TARGET',
        'LOGBOOK_ARCHIVED',
        'ATTACHMENT_NOT_ALLOWED',
      ],
    },
    'GET /api/logbook/lessons/:id': {
      summary: 'A lesson with its homework, visa and amendments',
      access: { permission: 'logbook.read' },
      establishment: 'object',
      params: id,
      response: Lesson,
      errors: [],
    },
    'PATCH /api/logbook/lessons/:id': {
      summary: 'Change a lesson (after a visa, the previous text is kept as an amendment)',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      body: UpdateLessonBody,
      response: Lesson,
      errors: ['CONTENT_UNSAFE', 'LOGBOOK_ARCHIVED', 'ATTACHMENT_NOT_ALLOWED'],
    },
    'DELETE /api/logbook/lessons/:id': {
      summary: 'Delete a lesson not signed yet (its homework goes with it)',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      status: 204,
      errors: ['LESSON_SIGNED', 'LOGBOOK_ARCHIVED'],
    },
    'POST /api/logbook/homework': {
      summary: 'Set homework in a course occurrence, for the whole class or a group',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      body: CreateHomeworkBody,
      status: 201,
      response: HomeworkCreated,
      errors: [
        'LESSON_DATE',
        'CONTENT_UNSAFE',
        'HOMEWORK_DUE_BEFORE_LESSON',
        'HOMEWORK_TARGET',
        'LOGBOOK_ARCHIVED',
        'ATTACHMENT_NOT_ALLOWED',
      ],
    },
    'PATCH /api/logbook/homework/:id': {
      summary: 'Change homework',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      body: UpdateHomeworkBody,
      response: HomeworkItem,
      errors: ['CONTENT_UNSAFE', 'HOMEWORK_DUE_BEFORE_LESSON', 'LOGBOOK_ARCHIVED', 'ATTACHMENT_NOT_ALLOWED'],
    },
    'DELETE /api/logbook/homework/:id': {
      summary: 'Remove homework',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      status: 204,
      errors: ['LOGBOOK_ARCHIVED'],
    },
    'GET /api/logbook/homework': {
      summary: "Homework due in a period: the student's own, or a guardian's child's; a teacher's: what they set",
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: HomeworkQuery,
      response: HomeworkList,
      errors: ['STUDENT_REQUIRED', 'PERIOD_TOO_LONG'],
    },
    'PUT /api/logbook/homework/:id/done': {
      summary: 'The student’s private « fait » tick',
      access: { permission: 'logbook.read' },
      establishment: 'object',
      params: id,
      body: DoneBody,
      response: DoneBody,
      errors: ['HOMEWORK_NOT_YOURS'],
    },
    'GET /api/logbook/entries': {
      summary: "A logbook over a period: the caller's, a class's, a group's, a teacher's or a student's (by subject)",
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: EntriesQuery,
      response: EntriesResponse,
      errors: ['STUDENT_REQUIRED', 'PERIOD_TOO_LONG'],
    },
    'GET /api/logbook/workload': {
      summary: 'Homework and assessments due per day and week, for a class or a group',
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: WorkloadQuery,
      response: Workload,
      errors: ['HOMEWORK_TARGET', 'PERIOD_TOO_LONG'],
    },
    'GET /api/logbook/progressions': {
      summary: "The teacher's progressions (sequences of lessons)",
      access: { permission: 'logbook.write' },
      establishment: { query: 'establishment' },
      query: z.strictObject({ establishment: z.uuid() }),
      response: ProgressionList,
      errors: [],
    },
    'POST /api/logbook/progressions': {
      summary: 'Keep a sequence of lessons: written step by step, or taken from one of the teacher’s courses',
      access: { permission: 'logbook.write' },
      establishment: { body: 'establishment' },
      body: CreateProgressionBody,
      status: 201,
      response: Progression,
      errors: ['CONTENT_UNSAFE'],
    },
    'GET /api/logbook/progressions/:id': {
      summary: 'A progression and its steps',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      response: Progression,
      errors: [],
    },
    'DELETE /api/logbook/progressions/:id': {
      summary: 'Delete a progression',
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      status: 204,
      errors: [],
    },
    'POST /api/logbook/progressions/:id/apply': {
      summary:
        "Apply a progression to one of the teacher's courses: each step prepares the lesson of the next free occurrence",
      access: { permission: 'logbook.write' },
      establishment: 'object',
      params: id,
      body: ApplyProgressionBody,
      status: 201,
      response: ProgressionApplied,
      errors: ['LOGBOOK_ARCHIVED'],
    },
    'GET /api/logbook/visas': {
      summary: 'The visas of an establishment (of a teacher or a class)',
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: VisasQuery,
      response: VisaList,
      errors: [],
    },
    'POST /api/logbook/visas': {
      summary: "Sign a teacher's or a class's logbook up to a date (dated, with an optional comment)",
      access: { permission: 'logbook.sign' },
      establishment: { body: 'establishment' },
      body: SignBody,
      status: 201,
      response: Signed,
      errors: ['VISA_TARGET'],
    },
    'GET /api/logbook/inspectors': {
      summary: 'The inspectors the direction named, and for which teachers',
      access: { permission: 'logbook.sign' },
      establishment: { query: 'establishment' },
      query: z.strictObject({ establishment: z.uuid() }),
      response: InspectorList,
      errors: [],
    },
    'POST /api/logbook/inspectors': {
      summary: "Name an inspector (an ENT account) for named teachers: they may read and sign those teachers' logbooks",
      access: { permission: 'logbook.sign' },
      establishment: { body: 'establishment' },
      body: NameInspectorBody,
      status: 201,
      response: Inspector,
      errors: ['INSPECTOR_UNKNOWN', 'VISA_TARGET'],
    },
    'DELETE /api/logbook/inspectors/:id': {
      summary: "End an inspector's access",
      access: { permission: 'logbook.sign' },
      establishment: 'object',
      params: id,
      status: 204,
      errors: [],
    },
    'GET /api/logbook/inspections': {
      summary: 'What the caller is named inspector for',
      access: { auth: 'session' },
      establishment: 'none',
      response: InspectionList,
      errors: [],
    },
    'GET /api/logbook/inspections/:id/entries': {
      summary: "An inspected teacher's logbook over a period",
      access: { auth: 'session' },
      establishment: 'none',
      params: id,
      query: InspectionEntriesQuery,
      response: EntriesResponse,
      errors: ['PERIOD_TOO_LONG'],
    },
    'POST /api/logbook/inspections/:id/visas': {
      summary: "Sign an inspected teacher's logbook up to a date",
      access: { auth: 'session' },
      establishment: 'none',
      params: id,
      body: InspectionSignBody,
      status: 201,
      response: Signed,
      errors: ['VISA_TARGET'],
    },
    'GET /api/logbook/print': {
      summary:
        "A period of a class's (group's, teacher's) logbook as a PDF, by subject — for the archive or at any time",
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: PrintQuery,
      binary: 'application/pdf',
      errors: ['HOMEWORK_TARGET', 'PERIOD_TOO_LONG'],
    },
    'GET /api/logbook/archive': {
      summary: 'The archived school years and their classes (read-only logbooks)',
      access: { permission: 'logbook.read' },
      establishment: { query: 'establishment' },
      query: z.strictObject({ establishment: z.uuid() }),
      response: ArchiveList,
      errors: [],
    },
    'GET /api/logbook/fill-rate': {
      summary: "The share of a period's courses with a lesson written, per teacher, subject or class",
      access: { permission: 'logbook.sign' },
      establishment: { query: 'establishment' },
      query: FillRateQuery,
      response: FillRate,
      errors: ['PERIOD_TOO_LONG'],
    },
  },
});
