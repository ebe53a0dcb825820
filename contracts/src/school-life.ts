import { z } from 'zod';
import { defineApi } from './api.ts';
import { IsoDate, Uuid } from './common.ts';

/**
 * School life (vie scolaire): the roll call of each course occurrence, absence and lateness records with their
 * reasons and states, the guardians' online justifications and the CPE's decisions, the school-life staff's board
 * of the day, the absenteeism threshold, incidents and punishments. The shapes of `POST /api/school-life/roll-calls`,
 * `GET /api/school-life/absences` and `POST /api/school-life/absences/:id/justification` are a contract outside
 * checks rely on: keep them stable.
 */

const EstablishmentQuery = z.strictObject({ establishment: z.uuid() });
const Minutes = z.number().int().min(1).max(240);
const Text = (max: number) => z.string().trim().min(1).max(max);

/** What the roll call says of one student; absent from the sheet means present. */
export const RollCallMark = z.enum(['absent', 'late', 'left_early', 'exempt']);
export type RollCallMark = z.infer<typeof RollCallMark>;

export const RollCallBody = z.strictObject({
  courseId: Uuid,
  date: IsoDate,
  absent: z.array(Uuid).max(200).default([]),
  late: z
    .array(z.strictObject({ studentId: Uuid, minutes: Minutes }))
    .max(200)
    .default([]),
  /** Left before the end (minutes before the end, when known). */
  leftEarly: z
    .array(z.strictObject({ studentId: Uuid, minutes: Minutes.optional() }))
    .max(200)
    .default([]),
  /** Exempt (dispensé): present in the school, not in the lesson; nothing to justify. */
  exempt: z.array(Uuid).max(200).default([]),
});
export type RollCallBody = z.input<typeof RollCallBody>;

export const RollCallResult = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  date: IsoDate,
  takenAt: z.string(),
  absent: z.number().int(),
  late: z.number().int(),
  leftEarly: z.number().int(),
  exempt: z.number().int(),
});
export type RollCallResult = z.infer<typeof RollCallResult>;

export const SheetQuery = z.strictObject({ course: z.uuid(), date: IsoDate });

/** The class list of one course occurrence, for the roll call. */
export const RollCallSheet = z.object({
  establishmentId: z.uuid(),
  courseId: z.uuid(),
  date: IsoDate,
  start: z.string(),
  end: z.string(),
  subject: z.string(),
  audience: z.string(),
  room: z.string().nullable(),
  takenAt: z.string().nullable(),
  takenBy: z.string().nullable(),
  /** Whether the caller may still record or correct it (a teacher: the same day). */
  canEdit: z.boolean(),
  students: z.array(
    z.object({
      id: z.uuid(),
      firstName: z.string(),
      lastName: z.string(),
      /** A photo, when the establishment has them (none is imported yet). */
      photoUrl: z.string().nullable(),
      mark: RollCallMark.nullable(),
      minutes: z.number().int().nullable(),
      /** Already known absent by the school life for this time (a whole day entered by the CPE). */
      knownAbsence: z.boolean(),
    }),
  ),
});
export type RollCallSheet = z.infer<typeof RollCallSheet>;

export const MyCoursesQuery = z.strictObject({ establishment: z.uuid(), date: IsoDate.optional() });

/** A teacher's courses of the day with the state of their roll call. */
export const MyCourses = z.object({
  date: IsoDate,
  items: z.array(
    z.object({
      courseId: z.uuid(),
      start: z.string(),
      end: z.string(),
      subject: z.string(),
      audience: z.string(),
      room: z.string().nullable(),
      cancelled: z.boolean(),
      takenAt: z.string().nullable(),
      absent: z.number().int(),
    }),
  ),
});
export type MyCourses = z.infer<typeof MyCourses>;

export const AbsenceKind = z.enum(['absence', 'lateness']);
export const AbsenceState = z.enum(['to_justify', 'justified', 'not_justified']);
export type AbsenceState = z.infer<typeof AbsenceState>;
export const JustificationStatus = z.enum(['pending', 'accepted', 'refused']);

export const AbsencesQuery = z.strictObject({
  establishment: z.uuid(),
  student: z.uuid().optional(),
  class: z.uuid().optional(),
  state: AbsenceState.optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  /** Only those with a justification waiting for the CPE's decision. */
  pending: z.enum(['true', 'false']).optional(),
});
export type AbsencesQuery = z.infer<typeof AbsencesQuery>;

export const Absence = z.object({
  id: z.uuid(),
  studentId: z.uuid(),
  studentName: z.string(),
  classCode: z.string().nullable(),
  /** ISO instants with the Paris offset. */
  start: z.string(),
  end: z.string(),
  kind: AbsenceKind,
  /** A departure before the end of a course (kind `absence`). */
  leftEarly: z.boolean(),
  minutes: z.number().int().nullable(),
  state: AbsenceState,
  reason: z.string().optional(),
  comment: z.string().optional(),
  /** `roll_call`: from a teacher's roll call; `staff`: entered by the school life. */
  source: z.enum(['roll_call', 'staff']),
  subject: z.string().nullable(),
  justification: z
    .object({
      id: z.uuid(),
      status: JustificationStatus,
      reason: z.string(),
      comment: z.string().nullable(),
      by: z.string(),
      at: z.string(),
      decisionComment: z.string().nullable(),
      documents: z.array(z.object({ id: z.uuid(), name: z.string(), size: z.number() })),
    })
    .optional(),
  can: z.object({ justify: z.boolean(), decide: z.boolean(), edit: z.boolean() }),
});
export type Absence = z.infer<typeof Absence>;

export const AbsenceList = z.object({ items: z.array(Absence) });
export type AbsenceList = z.infer<typeof AbsenceList>;

/** The school life's own entry: a whole day, a period, or a lateness. */
export const CreateAbsenceBody = z.strictObject({
  establishment: z.uuid(),
  studentId: Uuid,
  kind: AbsenceKind.default('absence'),
  /** ISO instants (with offset), or dates for whole days (`from` to `to` included). */
  start: z.iso.datetime({ offset: true }).optional(),
  end: z.iso.datetime({ offset: true }).optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  minutes: Minutes.optional(),
  /** A reason code of the establishment's list. */
  reason: z.string().trim().min(1).max(40).optional(),
  state: AbsenceState.optional(),
  comment: Text(1000).optional(),
});
export type CreateAbsenceBody = z.input<typeof CreateAbsenceBody>;

export const UpdateAbsenceBody = z.strictObject({
  state: AbsenceState.optional(),
  reason: z.string().trim().min(1).max(40).nullable().optional(),
  comment: Text(1000).nullable().optional(),
});
export type UpdateAbsenceBody = z.infer<typeof UpdateAbsenceBody>;

export const JustificationBody = z.strictObject({
  /** A reason code of the establishment's list, or the reason in the guardian's words. */
  reason: Text(200),
  comment: Text(1000).optional(),
  /** Documents of the guardian's space (a doctor's note), attached by reference. */
  documentIds: z.array(Uuid).max(5).optional(),
});
export type JustificationBody = z.infer<typeof JustificationBody>;

/** `absences`: how many records it covers — the student's other open absences of the same day go with it. */
export const JustificationCreated = z.object({ id: z.uuid(), status: JustificationStatus, absences: z.number().int() });

export const DecisionBody = z.strictObject({
  accept: z.boolean(),
  comment: Text(500).optional(),
});
export type DecisionBody = z.infer<typeof DecisionBody>;

export const Reason = z.object({
  code: z.string(),
  label: z.string(),
  /** Whether the reason is legitimate (it justifies; otherwise the absence stays "not justified"). */
  legitimate: z.boolean(),
});
export type Reason = z.infer<typeof Reason>;
export const ReasonList = z.object({ items: z.array(Reason) });
export const ReasonsBody = z.strictObject({
  establishment: z.uuid(),
  items: z
    .array(
      z.strictObject({
        code: z.string().regex(/^[a-z0-9_]{1,40}$/, 'a-z, 0-9, _'),
        label: Text(80),
        legitimate: z.boolean(),
      }),
    )
    .min(1)
    .max(40),
});
export type ReasonsBody = z.infer<typeof ReasonsBody>;

export const BoardQuery = z.strictObject({ establishment: z.uuid(), date: IsoDate.optional() });

/** The school life's live board of a day. */
export const Board = z.object({
  date: IsoDate,
  courses: z.array(
    z.object({
      courseId: z.uuid(),
      start: z.string(),
      end: z.string(),
      subject: z.string(),
      audience: z.string(),
      teachers: z.array(z.string()),
      room: z.string().nullable(),
      /** `taken`, `missing` (started and no roll call), `upcoming`. */
      status: z.enum(['taken', 'missing', 'upcoming']),
      absent: z.number().int(),
    }),
  ),
  missing: z.number().int(),
  taken: z.number().int(),
  byClass: z.array(
    z.object({
      classId: z.uuid(),
      code: z.string(),
      absent: z.number().int(),
      late: z.number().int(),
      students: z.array(z.object({ id: z.uuid(), name: z.string(), kind: AbsenceKind })),
    }),
  ),
  /** Absent in the morning and present in the afternoon (a roll call marks them present). */
  morningOnly: z.array(z.object({ id: z.uuid(), name: z.string(), classCode: z.string().nullable() })),
});
export type Board = z.infer<typeof Board>;

export const ThresholdQuery = z.strictObject({
  establishment: z.uuid(),
  /** `YYYY-MM`; default: the current month (Paris). */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
    .optional(),
});

/** The students who reach four unjustified half-days in a month, with their history of the school year. */
export const Threshold = z.object({
  month: z.string(),
  threshold: z.number().int(),
  items: z.array(
    z.object({
      studentId: z.uuid(),
      name: z.string(),
      classCode: z.string().nullable(),
      halfDays: z.number().int(),
      history: z.array(z.object({ month: z.string(), halfDays: z.number().int() })),
    }),
  ),
});
export type Threshold = z.infer<typeof Threshold>;

export const IncidentKind = z.enum(['incident', 'retenue', 'exclusion_cours', 'sanction']);
export type IncidentKind = z.infer<typeof IncidentKind>;

export const IncidentsQuery = z.strictObject({ establishment: z.uuid(), student: z.uuid().optional() });
export const CreateIncidentBody = z.strictObject({
  establishment: z.uuid(),
  studentId: Uuid,
  kind: IncidentKind,
  date: IsoDate,
  reason: Text(1000),
  /** A retenue's time, or a sanction's name ("avertissement"). */
  detail: Text(200).optional(),
});
export type CreateIncidentBody = z.infer<typeof CreateIncidentBody>;

export const Incident = z.object({
  id: z.uuid(),
  studentId: z.uuid(),
  studentName: z.string(),
  kind: IncidentKind,
  date: IsoDate,
  reason: z.string(),
  detail: z.string().nullable(),
  givenBy: z.string(),
  createdAt: z.string(),
});
export type Incident = z.infer<typeof Incident>;
export const IncidentList = z.object({ items: z.array(Incident) });

export const StudentsQuery = z.strictObject({
  establishment: z.uuid(),
  q: z.string().trim().min(1).max(60).optional(),
});
export const StudentList = z.object({
  items: z.array(z.object({ id: z.uuid(), name: z.string(), classCode: z.string().nullable() })),
});
export type StudentList = z.infer<typeof StudentList>;

export const schoolLifeApi = defineApi({
  module: 'school_life',
  permissions: [
    'school_life.read',
    'school_life.roll_call',
    'school_life.justify',
    'school_life.manage',
    'school_life.punish',
  ],
  errors: [
    'STUDENT_NOT_IN_COURSE',
    'NOT_AN_OCCURRENCE',
    'ROLL_CALL_CLOSED',
    'ROLL_CALL_TWICE',
    'NOT_A_GUARDIAN',
    'ALREADY_JUSTIFIED',
    'JUSTIFICATION_PENDING',
    'NO_PENDING_JUSTIFICATION',
    'REASON_UNKNOWN',
    'ABSENCE_PERIOD',
    'SANCTION_DIRECTION_ONLY',
    'DOCUMENT_NOT_ATTACHABLE',
  ],
  endpoints: {
    'POST /api/school-life/roll-calls': {
      summary: 'Record (or correct, the same day) the roll call of one course occurrence',
      access: { permission: 'school_life.roll_call' },
      establishment: 'object',
      body: RollCallBody,
      status: 201,
      response: RollCallResult,
      errors: ['STUDENT_NOT_IN_COURSE', 'NOT_AN_OCCURRENCE', 'ROLL_CALL_CLOSED', 'ROLL_CALL_TWICE'],
    },
    'GET /api/school-life/roll-calls/sheet': {
      summary: 'The class list of one course occurrence with its marks',
      access: { permission: 'school_life.roll_call' },
      establishment: 'object',
      query: SheetQuery,
      response: RollCallSheet,
      errors: ['NOT_AN_OCCURRENCE'],
    },
    'GET /api/school-life/my-courses': {
      summary: "The caller's courses of a day, with their roll call state",
      access: { permission: 'school_life.roll_call' },
      establishment: { query: 'establishment' },
      query: MyCoursesQuery,
      response: MyCourses,
      errors: [],
    },
    'GET /api/school-life/absences': {
      summary: 'Absence and lateness records: a guardian their children’s, a student their own, the staff all',
      access: { permission: 'school_life.read' },
      establishment: { query: 'establishment' },
      query: AbsencesQuery,
      response: AbsenceList,
      errors: [],
    },
    'POST /api/school-life/absences': {
      summary: "The school life's own entry: a whole day, a period, a lateness",
      access: { permission: 'school_life.manage' },
      establishment: { body: 'establishment' },
      body: CreateAbsenceBody,
      status: 201,
      response: Absence,
      errors: ['ABSENCE_PERIOD', 'REASON_UNKNOWN'],
    },
    'PATCH /api/school-life/absences/:id': {
      summary: "Set an absence's state, reason or comment (school life)",
      access: { permission: 'school_life.manage' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      body: UpdateAbsenceBody,
      response: Absence,
      errors: ['REASON_UNKNOWN'],
    },
    'POST /api/school-life/absences/:id/justification': {
      summary: 'A guardian justifies an absence or a lateness: reason, comment, documents',
      access: { permission: 'school_life.justify' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      body: JustificationBody,
      status: 201,
      response: JustificationCreated,
      errors: ['NOT_A_GUARDIAN', 'ALREADY_JUSTIFIED', 'JUSTIFICATION_PENDING', 'DOCUMENT_NOT_ATTACHABLE'],
    },
    'POST /api/school-life/absences/:id/decision': {
      summary: "The CPE accepts or refuses the guardian's justification",
      access: { permission: 'school_life.manage' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      body: DecisionBody,
      response: Absence,
      errors: ['NO_PENDING_JUSTIFICATION'],
    },
    'GET /api/school-life/reasons': {
      summary: "The establishment's reasons for absences",
      access: { permission: 'school_life.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: ReasonList,
      errors: [],
    },
    'PUT /api/school-life/reasons': {
      summary: "Set the establishment's reasons",
      access: { permission: 'school_life.manage' },
      establishment: { body: 'establishment' },
      body: ReasonsBody,
      response: ReasonList,
      errors: [],
    },
    'GET /api/school-life/board': {
      summary: "The school life's board of a day: missing roll calls, absences by class, morning-only absences",
      access: { permission: 'school_life.manage' },
      establishment: { query: 'establishment' },
      query: BoardQuery,
      response: Board,
      errors: [],
    },
    'GET /api/school-life/absenteeism': {
      summary: 'Students with four unjustified half-days or more in a month, with their history',
      access: { permission: 'school_life.manage' },
      establishment: { query: 'establishment' },
      query: ThresholdQuery,
      response: Threshold,
      errors: [],
    },
    'GET /api/school-life/incidents': {
      summary: 'Incidents and punishments: the staff all, a teacher those they gave, a guardian their children’s',
      access: { permission: 'school_life.read' },
      establishment: { query: 'establishment' },
      query: IncidentsQuery,
      response: IncidentList,
      errors: [],
    },
    'GET /api/school-life/students': {
      summary: 'Students to choose for an entry or a punishment: the staff any of the establishment, a teacher theirs',
      access: { permission: 'school_life.punish' },
      establishment: { query: 'establishment' },
      query: StudentsQuery,
      response: StudentList,
      errors: [],
    },
    'POST /api/school-life/incidents': {
      summary: 'Record an incident or a punishment (sanctions: the direction only); guardians told',
      access: { permission: 'school_life.punish' },
      establishment: { body: 'establishment' },
      body: CreateIncidentBody,
      status: 201,
      response: Incident,
      errors: ['SANCTION_DIRECTION_ONLY'],
    },
  },
});
