import { z } from 'zod';
import { defineApi } from './api.ts';
import { IsoDate, Uuid } from './common.ts';
import { EstablishmentQuery } from './timetable.ts';

/**
 * Grades (notes et évaluations): assessments of a class or a group in a subject, each student's grade (a value on
 * the assessment's scale, or a code), optional competencies on four levels, averages per subject and period, the
 * publication delay (students and guardians see an assessment only once it is past), the teacher's grade book and
 * the report per period (bulletin, PDF). `POST /api/grades/assessments` and `GET /api/grades` are a contract outside
 * checks rely on: keep their shapes stable (fields may be added, never renamed).
 */

/** Codes instead of a value: absent, exempt (dispensé), not handed in (non rendu). */
export const GradeCode = z.enum(['absent', 'exempt', 'not_handed_in']);
export type GradeCode = z.infer<typeof GradeCode>;

/** The four levels of the collège's socle: 1 insufficient, 2 fragile, 3 satisfying, 4 very good. */
export const CompetencyLevel = z.number().int().min(1).max(4);

/** A grade value: at most two decimals (14.25), never negative. Above the scale is refused by the server. */
export const GradeValue = z
  .number()
  .min(0)
  .max(1000)
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'au plus deux décimales');

export const GradeInput = z.strictObject({
  studentId: Uuid,
  value: GradeValue.optional(),
  code: GradeCode.optional(),
  /** One level per competency of the assessment, in its order (null: not assessed). */
  competencies: z.array(CompetencyLevel.nullable()).max(12).optional(),
});
export type GradeInput = z.infer<typeof GradeInput>;

export const AssessmentFields = {
  subjectId: z.string().min(1).max(12),
  title: z.string().trim().min(1).max(120),
  date: IsoDate,
  coefficient: z.number().min(0).max(100),
  /** The scale the grades are out of: 20, 10, 100… */
  scale: z.number().min(1).max(1000),
  /** Competencies assessed (labels), for the collège: each graded on four levels. */
  competencies: z.array(z.string().trim().min(1).max(120)).max(12).optional(),
  grades: z.array(GradeInput).max(200),
};

export const CreateAssessmentBody = z.strictObject({
  establishmentId: Uuid,
  classId: Uuid.optional(),
  groupId: Uuid.optional(),
  ...AssessmentFields,
});
export type CreateAssessmentBody = z.infer<typeof CreateAssessmentBody>;

export const UpdateAssessmentBody = z.strictObject({
  title: AssessmentFields.title.optional(),
  date: IsoDate.optional(),
  coefficient: AssessmentFields.coefficient.optional(),
  scale: AssessmentFields.scale.optional(),
  competencies: AssessmentFields.competencies,
  /** The grades to set (others are kept); a student's grade is removed with neither value nor code nor level. */
  grades: AssessmentFields.grades.optional(),
});
export type UpdateAssessmentBody = z.infer<typeof UpdateAssessmentBody>;

/** The period an average covers: `T1`…`T3` (trimesters) or `S1`, `S2` (semesters), as the establishment sets. */
export const PeriodKey = z.enum(['T1', 'T2', 'T3', 'S1', 'S2']);
export type PeriodKey = z.infer<typeof PeriodKey>;

export const Period = z.object({ key: PeriodKey, label: z.string(), from: IsoDate, to: IsoDate });
export type Period = z.infer<typeof Period>;

export const GradesQuery = z.strictObject({
  establishment: Uuid,
  /** A guardian's child, a teacher's student, any student for the staff; a student's own by default. */
  student: Uuid.optional(),
  /** Only this period (default: the whole school year). */
  period: PeriodKey.optional(),
});
export type GradesQuery = z.infer<typeof GradesQuery>;

/** One grade of the student, as a student or a guardian sees it (only assessments past their delay). */
export const GradeItem = z.object({
  assessmentId: Uuid,
  title: z.string(),
  /** The subject's name (`Mathématiques`). */
  subject: z.string(),
  subjectCode: z.string(),
  date: IsoDate,
  value: z.number().optional(),
  code: GradeCode.optional(),
  scale: z.number(),
  coefficient: z.number(),
  /** Mean of the values of the assessment (on its scale), null when nobody has a value. */
  classAverage: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  competencies: z.array(z.object({ label: z.string(), level: CompetencyLevel.nullable() })).optional(),
  period: PeriodKey,
  /** When students and guardians see it (the staff see it at once). */
  visibleAt: z.string(),
  visible: z.boolean(),
});
export type GradeItem = z.infer<typeof GradeItem>;

/** A subject average out of 20 (codes left out; coefficients applied), with the class's over the same assessments. */
export const SubjectAverage = z.object({
  subject: z.string(),
  subjectCode: z.string(),
  average: z.number().nullable(),
  classAverage: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
});
export type SubjectAverage = z.infer<typeof SubjectAverage>;

export const GradesResponse = z.object({
  student: z.object({ id: Uuid, displayName: z.string() }),
  period: Period.nullable(),
  items: z.array(GradeItem),
  averages: z.array(SubjectAverage),
  /** The mean of the subject averages, out of 20. */
  overall: z.number().nullable(),
  /** Reports (bulletins) the caller may download for this student. */
  reports: z.array(z.object({ period: PeriodKey, label: z.string(), publishedAt: z.string() })),
});
export type GradesResponse = z.infer<typeof GradesResponse>;

/** What the caller may open: their children, the classes and groups they teach (with subjects), the periods. */
export const GradesOptions = z.object({
  periods: z.array(Period),
  currentPeriod: PeriodKey.nullable(),
  children: z.array(z.object({ id: Uuid, displayName: z.string() })),
  teaching: z.array(
    z.object({
      kind: z.enum(['class', 'group']),
      id: Uuid,
      name: z.string(),
      subjects: z.array(z.object({ code: z.string(), name: z.string() })),
    }),
  ),
  /** Classes whose report the caller writes in (head teacher) or runs (direction). */
  reportClasses: z.array(z.object({ id: Uuid, name: z.string() })),
  settings: z.object({ periodKind: z.enum(['trimester', 'semester']), publicationDelayHours: z.number() }),
  can: z.object({ enter: z.boolean(), manage: z.boolean(), seeStudents: z.boolean() }),
});
export type GradesOptions = z.infer<typeof GradesOptions>;

export const GradesSettings = z.object({
  periodKind: z.enum(['trimester', 'semester']),
  /** Hours between entry and what students and guardians see (0: at once). */
  publicationDelayHours: z.number().int().min(0).max(720),
  /** Whether a « non rendu » counts as zero in averages (else it is left out, as absent and exempt). */
  notHandedInCountsZero: z.boolean(),
  periods: z.array(Period),
});
export type GradesSettings = z.infer<typeof GradesSettings>;

export const GradesSettingsBody = z.strictObject({
  establishment: Uuid,
  periodKind: z.enum(['trimester', 'semester']).optional(),
  publicationDelayHours: z.number().int().min(0).max(720).optional(),
  notHandedInCountsZero: z.boolean().optional(),
});
export type GradesSettingsBody = z.infer<typeof GradesSettingsBody>;

/** An assessment with every student of its class or group (those without a grade too), for its teacher. */
export const AssessmentView = z.object({
  id: Uuid,
  establishmentId: Uuid,
  classId: Uuid.nullable(),
  groupId: Uuid.nullable(),
  target: z.string(),
  subject: z.object({ code: z.string(), name: z.string() }),
  teacher: z.object({ id: Uuid, displayName: z.string() }),
  title: z.string(),
  date: IsoDate,
  coefficient: z.number(),
  scale: z.number(),
  competencies: z.array(z.string()),
  period: PeriodKey,
  visibleAt: z.string(),
  visible: z.boolean(),
  classAverage: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  students: z.array(
    z.object({
      id: Uuid,
      displayName: z.string(),
      value: z.number().optional(),
      code: GradeCode.optional(),
      competencies: z.array(CompetencyLevel.nullable()).optional(),
    }),
  ),
  can: z.object({ edit: z.boolean() }),
});
export type AssessmentView = z.infer<typeof AssessmentView>;

export const BookQuery = z.strictObject({
  establishment: Uuid,
  class: Uuid.optional(),
  group: Uuid.optional(),
  /** One subject (the direction's view of any); a teacher's book holds their own subjects. */
  subject: z.string().min(1).max(12).optional(),
  period: PeriodKey.optional(),
});
export type BookQuery = z.infer<typeof BookQuery>;

/** A teacher's grade book of a class or group: students × their assessments, averages per student. */
export const GradeBook = z.object({
  target: z.object({ kind: z.enum(['class', 'group']), id: Uuid, name: z.string() }),
  period: Period.nullable(),
  assessments: z.array(
    z.object({
      id: Uuid,
      title: z.string(),
      subjectCode: z.string(),
      subject: z.string(),
      date: IsoDate,
      coefficient: z.number(),
      scale: z.number(),
      classAverage: z.number().nullable(),
      visible: z.boolean(),
      visibleAt: z.string(),
    }),
  ),
  students: z.array(
    z.object({
      id: Uuid,
      displayName: z.string(),
      /** By assessment id: the value, or the code. */
      grades: z.record(z.string(), z.union([z.number(), GradeCode])),
      average: z.number().nullable(),
    }),
  ),
  classAverage: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
});
export type GradeBook = z.infer<typeof GradeBook>;

export const ReportQuery = z.strictObject({ establishment: Uuid, class: Uuid, period: PeriodKey });
export type ReportQuery = z.infer<typeof ReportQuery>;

/** A class's report for a period: each student's averages and comments, what the caller may write. */
export const ClassReport = z.object({
  class: z.object({ id: Uuid, name: z.string() }),
  period: Period,
  publishedAt: z.string().nullable(),
  subjects: z.array(z.object({ code: z.string(), name: z.string() })),
  students: z.array(
    z.object({
      id: Uuid,
      displayName: z.string(),
      overall: z.number().nullable(),
      averages: z.array(SubjectAverage),
      comments: z.object({
        subjects: z.record(z.string(), z.string()),
        headTeacher: z.string().nullable(),
        direction: z.string().nullable(),
      }),
    }),
  ),
  can: z.object({
    /** Subject codes the caller comments on (a teacher's own subjects). */
    commentSubjects: z.array(z.string()),
    headTeacher: z.boolean(),
    direction: z.boolean(),
    publish: z.boolean(),
  }),
});
export type ClassReport = z.infer<typeof ClassReport>;

export const CommentBody = z.strictObject({
  establishment: Uuid,
  period: PeriodKey,
  studentId: Uuid,
  kind: z.enum(['subject', 'head_teacher', 'direction']),
  /** With `kind: 'subject'`. */
  subjectCode: z.string().min(1).max(12).optional(),
  text: z.string().trim().max(1000),
});
export type CommentBody = z.infer<typeof CommentBody>;

export const PublishReportBody = z.strictObject({ establishment: Uuid, classId: Uuid, period: PeriodKey });
export type PublishReportBody = z.infer<typeof PublishReportBody>;

export const StudentReportParams = z.strictObject({ student: Uuid, period: PeriodKey });
export const ClassReportParams = z.strictObject({ class: Uuid, period: PeriodKey });

export const gradesApi = defineApi({
  module: 'grades',
  permissions: ['grades.read', 'grades.write', 'grades.report', 'grades.manage'],
  errors: [
    'STUDENT_REQUIRED',
    'GRADE_ABOVE_SCALE',
    'GRADE_VALUE_AND_CODE',
    'GRADE_EMPTY',
    'GRADE_DUPLICATE_STUDENT',
    'GRADE_STUDENT_NOT_IN_CLASS',
    'GRADE_TARGET',
    'GRADE_DATE',
    'GRADE_COMPETENCIES',
    'GRADE_SUBJECT_NOT_TAUGHT',
    'REPORT_NOT_PUBLISHED',
    'REPORT_SUBJECT_REQUIRED',
  ],
  endpoints: {
    'GET /api/grades': {
      summary: "A student's grades and averages (students and guardians: only assessments past their delay)",
      access: { permission: 'grades.read' },
      establishment: { query: 'establishment' },
      query: GradesQuery,
      response: GradesResponse,
      errors: ['STUDENT_REQUIRED'],
    },
    'GET /api/grades/options': {
      summary: 'What the caller may open: children, classes and groups taught, periods, settings',
      access: { permission: 'grades.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: GradesOptions,
      errors: [],
    },
    'GET /api/grades/settings': {
      summary: "The establishment's periods, publication delay and averaging rule",
      access: { permission: 'grades.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: GradesSettings,
      errors: [],
    },
    'PUT /api/grades/settings': {
      summary: 'Set the periods (trimesters or semesters), the publication delay and the averaging rule',
      access: { permission: 'grades.manage' },
      establishment: { body: 'establishment' },
      body: GradesSettingsBody,
      response: GradesSettings,
      errors: [],
    },
    'POST /api/grades/assessments': {
      summary: 'Create an assessment of a class or group with its grades',
      access: { permission: 'grades.write' },
      establishment: { body: 'establishmentId' },
      body: CreateAssessmentBody,
      status: 201,
      response: z.object({ id: Uuid }),
      errors: [
        'GRADE_ABOVE_SCALE',
        'GRADE_VALUE_AND_CODE',
        'GRADE_EMPTY',
        'GRADE_DUPLICATE_STUDENT',
        'GRADE_STUDENT_NOT_IN_CLASS',
        'GRADE_TARGET',
        'GRADE_DATE',
        'GRADE_COMPETENCIES',
        'GRADE_SUBJECT_NOT_TAUGHT',
      ],
    },
    'GET /api/grades/assessments/:id': {
      summary: 'An assessment with every student of its class or group',
      access: { permission: 'grades.read' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      response: AssessmentView,
      errors: [],
    },
    'PATCH /api/grades/assessments/:id': {
      summary: 'Change an assessment or some of its grades',
      access: { permission: 'grades.write' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      body: UpdateAssessmentBody,
      response: AssessmentView,
      errors: [
        'GRADE_ABOVE_SCALE',
        'GRADE_VALUE_AND_CODE',
        'GRADE_DUPLICATE_STUDENT',
        'GRADE_STUDENT_NOT_IN_CLASS',
        'GRADE_DATE',
        'GRADE_COMPETENCIES',
      ],
    },
    'POST /api/grades/assessments/:id/publish': {
      summary: 'Show the grades to students and guardians now (copies handed back before the delay ends)',
      access: { permission: 'grades.write' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      response: AssessmentView,
      errors: [],
    },
    'DELETE /api/grades/assessments/:id': {
      summary: 'Remove an assessment and its grades',
      access: { permission: 'grades.write' },
      establishment: 'object',
      params: z.strictObject({ id: Uuid }),
      status: 204,
      errors: [],
    },
    'GET /api/grades/book': {
      summary: "A grade book: a class's or group's students × assessments, with averages",
      access: { permission: 'grades.write' },
      establishment: { query: 'establishment' },
      query: BookQuery,
      response: GradeBook,
      errors: ['GRADE_TARGET'],
    },
    'GET /api/grades/reports': {
      summary: "A class's report for a period: averages and comments of each student",
      access: { permission: 'grades.report' },
      establishment: { query: 'establishment' },
      query: ReportQuery,
      response: ClassReport,
      errors: [],
    },
    'PUT /api/grades/reports/comments': {
      summary: "Write a comment on a student's report: a subject's (its teacher), the head teacher's, the direction's",
      access: { permission: 'grades.report' },
      establishment: { body: 'establishment' },
      body: CommentBody,
      status: 204,
      errors: ['REPORT_SUBJECT_REQUIRED'],
    },
    'POST /api/grades/reports/publish': {
      summary: "Publish a class's reports for a period: students and guardians are told and may download them",
      access: { permission: 'grades.manage' },
      establishment: { body: 'establishment' },
      body: PublishReportBody,
      response: z.object({ publishedAt: z.string(), students: z.number().int() }),
      errors: [],
    },
    'GET /api/grades/reports/students/:student/:period': {
      summary: "A student's report (PDF); students and guardians once it is published",
      access: { permission: 'grades.read' },
      establishment: { query: 'establishment' },
      params: StudentReportParams,
      query: EstablishmentQuery,
      binary: 'application/pdf',
      errors: ['REPORT_NOT_PUBLISHED'],
    },
    'GET /api/grades/reports/classes/:class/:period': {
      summary: 'Every report of a class for a period, one PDF (the direction, the head teacher)',
      access: { permission: 'grades.report' },
      establishment: { query: 'establishment' },
      params: ClassReportParams,
      query: EstablishmentQuery,
      binary: 'application/pdf',
      errors: [],
    },
  },
});

/** The home page's grades widget: the latest grades visible to a student or a guardian (`null` for others). */
export const GradesHome = z.object({
  latest: z.array(
    z.object({
      assessmentId: Uuid,
      /** The child's name, for a guardian of several. */
      student: z.string().nullable(),
      subject: z.string(),
      title: z.string(),
      date: IsoDate,
      value: z.number().optional(),
      code: GradeCode.optional(),
      scale: z.number(),
    }),
  ),
});
export type GradesHome = z.infer<typeof GradesHome>;
