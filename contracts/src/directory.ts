import { z } from 'zod';
import { EstablishmentProfile, IsoDate, UserStatus } from './common.ts';

/**
 * Directory administration between imports: data quality, duplicates and merges, login sheets,
 * manual corrections of people, guardian links and teaching assignments.
 */

// ---------------------------------------------------------------------------------------------------------
// Data quality

/**
 * What is wrong in the data (signal): each check lists the people or classes to correct. The rollout's
 * progress — accounts not activated yet, the normal state of a new school — is not an anomaly: it is reported
 * apart (`DataQualityReport.progress`), and the rollout cockpit will show it with the other indicators.
 */
export const DATA_QUALITY_CODES = [
  'CLASS_WITHOUT_HEAD_TEACHER',
  'CLASS_WITHOUT_TEACHER',
  'STUDENT_WITHOUT_CLASS',
  'STUDENT_WITHOUT_LEGAL_GUARDIAN',
  'GUARDIAN_WITHOUT_CONTACT',
  'TEACHER_WITHOUT_ASSIGNMENT',
] as const;
export const DataQualityCode = z.enum(DATA_QUALITY_CODES);
export type DataQualityCode = z.infer<typeof DataQualityCode>;

/** Where a problem gets fixed: the web screen and the API call that fix it (`:userId` left to choose). */
export const DataQualityFix = z.object({
  action: z.enum(['ASSIGN_HEAD_TEACHER', 'ADD_TEACHING_ASSIGNMENT', 'SET_CLASS', 'ADD_GUARDIAN', 'ADD_CONTACT']),
  path: z.string(),
  api: z.string(),
});
export type DataQualityFix = z.infer<typeof DataQualityFix>;

/** One person (or, for the class checks, one class) concerned by a check. */
export const DataQualityItem = z.object({
  kind: z.enum(['person', 'class']),
  id: z.uuid(),
  displayName: z.string(),
  login: z.string().nullable(),
  /** The profile the check is about (for a class: null). */
  profile: EstablishmentProfile.nullable(),
  /** The class code: a student's class, a guardian's children's classes, the class itself. */
  class: z.string().nullable(),
  fix: DataQualityFix,
});
export type DataQualityItem = z.infer<typeof DataQualityItem>;

export const DataQualityCheck = z.object({
  code: DataQualityCode,
  severity: z.enum(['error', 'warning']),
  /** How many people (or classes) are concerned; `people` holds at most `DATA_QUALITY_LIST_LIMIT`. */
  count: z.number().int(),
  people: z.array(DataQualityItem),
  truncated: z.boolean(),
});
export type DataQualityCheck = z.infer<typeof DataQualityCheck>;

export const DATA_QUALITY_LIST_LIMIT = 200;

/** A person whose account awaits activation, and whether the caller may reprint their login sheet here. */
export const PendingPerson = z.object({
  id: z.uuid(),
  displayName: z.string(),
  login: z.string(),
  profile: EstablishmentProfile,
  class: z.string().nullable(),
  can: z.object({ printSheet: z.boolean() }),
});
export type PendingPerson = z.infer<typeof PendingPerson>;

/** The rollout's progress on accounts: activated out of all, per profile and per class. */
export const ActivationProgress = z.object({
  activated: z.number().int(),
  total: z.number().int(),
  /** Per profile: accounts activated out of all the profile's accounts. */
  byProfile: z.array(z.object({ profile: EstablishmentProfile, activated: z.number().int(), total: z.number().int() })),
  /** Students and guardians per class (guardians by their children's class). */
  byClass: z.array(
    z.object({
      classId: z.uuid(),
      class: z.string(),
      profile: z.enum(['student', 'guardian']),
      activated: z.number().int(),
      total: z.number().int(),
    }),
  ),
  /** Accounts still awaiting activation (at most `DATA_QUALITY_LIST_LIMIT`), to reprint their sheets. */
  pending: z.array(PendingPerson),
  pendingCount: z.number().int(),
  truncated: z.boolean(),
});
export type ActivationProgress = z.infer<typeof ActivationProgress>;

export const DataQualityReport = z.object({
  schoolYear: z.string().nullable(),
  checkedAt: z.string(),
  /** The anomalies of all checks together. */
  anomalies: z.number().int(),
  checks: z.array(DataQualityCheck),
  /** The rollout's progress, not anomalies. */
  progress: z.object({ activation: ActivationProgress }),
});
export type DataQualityReport = z.infer<typeof DataQualityReport>;

// ---------------------------------------------------------------------------------------------------------
// Duplicates and merges

function MergePersonRef() {
  return z.object({ id: z.uuid(), login: z.string(), displayName: z.string() });
}

export const DUPLICATE_REASONS = [
  'SAME_NAME_AND_BIRTH_DATE',
  'SAME_NAME_AND_CHILDREN',
  'SAME_EMAIL',
  'SAME_PHONE',
  'SAME_NAME',
] as const;
export const DuplicateReason = z.enum(DUPLICATE_REASONS);
/** How much each reason says "same person"; a pair's score combines its reasons: 1 − Π(1 − weight). */
export const DUPLICATE_REASON_WEIGHTS = {
  SAME_NAME_AND_BIRTH_DATE: 0.95,
  SAME_NAME_AND_CHILDREN: 0.9,
  SAME_EMAIL: 0.8,
  SAME_PHONE: 0.7,
  SAME_NAME: 0.5,
} as const satisfies Record<(typeof DUPLICATE_REASONS)[number], number>;
export type DuplicateReason = z.infer<typeof DuplicateReason>;

export const DuplicatePerson = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  birthDate: z.string().nullable(),
  email: z.string().nullable(),
  status: UserStatus,
  profiles: z.array(EstablishmentProfile),
  classes: z.array(z.string()),
  /** Comes from the académie's feed (has an external join key). */
  fromFeed: z.boolean(),
  /** Also a member of another establishment (merging it is the platform administrator's call). */
  otherEstablishments: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type DuplicatePerson = z.infer<typeof DuplicatePerson>;

export const DuplicatePair = z.object({
  /** 0..1: how likely the two accounts are one person. */
  score: z.number(),
  reasons: z.array(DuplicateReason),
  people: z.tuple([DuplicatePerson, DuplicatePerson]),
  /** The account to keep: the activated one, else the one from the feed, else the older one. */
  suggestedKeepId: z.uuid(),
  /** Pairs are always of one kind: two students, or two adults. */
  kind: z.enum(['student', 'adult']),
  can: z.object({
    /** Merge them (not when one of them also belongs to another establishment, unless platform admin). */
    merge: z.boolean(),
    /** Dismiss the pair as "not the same person". */
    dismiss: z.boolean(),
  }),
});
export type DuplicatePair = z.infer<typeof DuplicatePair>;

/** Dismiss a pair as "not the same person", for good in the establishment (either order). */
export const DismissPairBody = z.strictObject({ aId: z.uuid(), bId: z.uuid() });
export type DismissPairBody = z.infer<typeof DismissPairBody>;

export const DuplicateDismissal = z.object({
  id: z.uuid(),
  people: z.tuple([MergePersonRef(), MergePersonRef()]),
  dismissedAt: z.string(),
  dismissedBy: z.uuid().nullable(),
  undoneAt: z.string().nullable(),
  can: z.object({ undo: z.boolean() }),
});
export type DuplicateDismissal = z.infer<typeof DuplicateDismissal>;
export const DismissalList = z.object({ items: z.array(DuplicateDismissal) });
export const DismissalParams = z.strictObject({ id: z.uuid(), dismissalId: z.uuid() });

export const DuplicateList = z.object({
  pairs: z.array(DuplicatePair),
  total: z.number().int(),
  truncated: z.boolean(),
});
export type DuplicateList = z.infer<typeof DuplicateList>;

export const MergeBody = z.strictObject({ keepId: z.uuid(), mergeId: z.uuid() });
export type MergeBody = z.infer<typeof MergeBody>;

/** Rows moved from the merged account to the kept one, per table; `dropped` were already on the kept one. */
export const MergeCounts = z.record(z.string(), z.number().int());

export const MergeResult = z.object({
  id: z.uuid(),
  keptId: z.uuid(),
  mergedId: z.uuid(),
  moved: MergeCounts,
  dropped: MergeCounts,
  sessionsEnded: z.number().int(),
  mergedAt: z.string(),
  undoUntil: z.string(),
});
export type MergeResult = z.infer<typeof MergeResult>;

export const MergeParams = z.strictObject({ id: z.uuid(), mergeId: z.uuid() });

export const DUPLICATES_LIMIT = 500;
export const MERGE_UNDO_DAYS = 30;

const MergePerson = MergePersonRef();

export const MergeItem = z.object({
  id: z.uuid(),
  kept: MergePerson,
  merged: MergePerson,
  reasons: z.array(z.string()),
  moved: MergeCounts,
  mergedAt: z.string(),
  mergedBy: z.uuid().nullable(),
  undoUntil: z.string(),
  undoneAt: z.string().nullable(),
  can: z.object({ undo: z.boolean() }),
});
export type MergeItem = z.infer<typeof MergeItem>;
export const MergeList = z.object({ items: z.array(MergeItem) });

export const UndoMergeResult = z.object({
  id: z.uuid(),
  undoneAt: z.string(),
  /** Rows given back to the merged account (moved back or re-created), per table. */
  restored: MergeCounts,
  /** Moved rows that no longer exist (deleted since the merge, by an import for instance). */
  missing: MergeCounts,
});

// ---------------------------------------------------------------------------------------------------------
// Login sheets

export const LOGIN_SHEET_LIMIT = 1000;

const boolFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

const SheetProfile = z.enum(['student', 'guardian', 'teacher', 'staff']);
/** A class code of the current school year; guardians are those of the class's students. */
const SheetClass = z.string().trim().min(1).max(40);

/** Who would get a sheet (query of the preview, a GET that changes nothing). */
export const LoginSheetsPreviewQuery = z.strictObject({
  profile: SheetProfile,
  class: SheetClass.optional(),
  /** Only accounts awaiting activation (skip the "already activated" sheets). */
  onlyPending: boolFlag.default(false),
});
export type LoginSheetsPreviewQuery = z.infer<typeof LoginSheetsPreviewQuery>;

/** What printing that selection would do: the confirmation says how many printed sheets stop working. */
export const LoginSheetsPreview = z.object({
  /** Sheets in the document. */
  sheets: z.number().int(),
  /** Accounts awaiting activation that get a new code now. */
  newCodes: z.number().int(),
  /** Of those, the accounts whose current code still works: the sheets printed before stop working. */
  replacedCodes: z.number().int(),
  /** Accounts awaiting activation that also belong to another establishment: no code from this school. */
  codesFromPlatform: z.number().int(),
  /** At most this many sheets per document. */
  max: z.number().int(),
});
export type LoginSheetsPreview = z.infer<typeof LoginSheetsPreview>;

/**
 * Print a batch of login sheets (POST: it hands out new codes). When some current codes would be replaced,
 * `confirmReplace` must say how many (the preview's `replacedCodes`), else 409 CONFIRMATION_REQUIRED.
 */
export const PrintLoginSheetsBody = z.strictObject({
  profile: SheetProfile,
  class: SheetClass.optional(),
  layout: z.enum(['full', 'half']).default('full'),
  onlyPending: z.boolean().default(false),
  confirmReplace: z.number().int().min(0).max(100_000).optional(),
});
export type PrintLoginSheetsBody = z.infer<typeof PrintLoginSheetsBody>;

/** Reprint one person's sheet; `confirmReplace: 1` when their current code would stop working. */
export const PrintPersonSheetBody = z.strictObject({
  layout: z.enum(['full', 'half']).default('full'),
  confirmReplace: z.number().int().min(0).max(1).optional(),
});
export type PrintPersonSheetBody = z.infer<typeof PrintPersonSheetBody>;

// ---------------------------------------------------------------------------------------------------------
// People: manual corrections between imports

const Name = z.string().trim().min(1).max(100);
const Email = z.email().max(254);
const Phone = z
  .string()
  .trim()
  .max(30)
  .regex(/^\+?[0-9 .()-]{6,30}$/, 'téléphone : chiffres, espaces, points ou tirets');
const Functions = z.array(z.string().trim().min(1).max(60)).max(20);

const PersonIdentity = {
  firstName: Name,
  lastName: Name,
  email: Email.optional(),
  phoneMobile: Phone.optional(),
  phoneHome: Phone.optional(),
  phoneWork: Phone.optional(),
};

export const CreatePersonBody = z.discriminatedUnion('profile', [
  z.strictObject({
    profile: z.literal('student'),
    ...PersonIdentity,
    birthDate: IsoDate,
    classId: z.uuid().optional(),
  }),
  z.strictObject({ profile: z.literal('guardian'), ...PersonIdentity, birthDate: IsoDate.optional() }),
  z.strictObject({ profile: z.literal('teacher'), ...PersonIdentity, birthDate: IsoDate.optional() }),
  z.strictObject({
    profile: z.enum(['staff', 'principal', 'local_admin']),
    ...PersonIdentity,
    birthDate: IsoDate.optional(),
    functions: Functions.optional(),
  }),
]);
export type CreatePersonBody = z.infer<typeof CreatePersonBody>;

export const UpdatePersonBody = z
  .strictObject({
    firstName: Name.optional(),
    lastName: Name.optional(),
    birthDate: IsoDate.nullable().optional(),
    email: Email.nullable().optional(),
    phoneMobile: Phone.nullable().optional(),
    phoneHome: Phone.nullable().optional(),
    phoneWork: Phone.nullable().optional(),
    /** A student's class in the current school year; null takes the student out of any class. */
    classId: z.uuid().nullable().optional(),
    /** Functions of the person's staff membership (CPE, DOC…). */
    functions: Functions.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdatePersonBody = z.infer<typeof UpdatePersonBody>;

export const Person = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: z.string().nullable(),
  email: z.string().nullable(),
  phoneMobile: z.string().nullable(),
  phoneHome: z.string().nullable(),
  phoneWork: z.string().nullable(),
  status: UserStatus,
  profiles: z.array(EstablishmentProfile),
  functions: z.array(z.string()),
  class: z.object({ id: z.uuid(), code: z.string(), label: z.string() }).nullable(),
  fromFeed: z.boolean(),
  /** Also a member of another establishment: names, birth date, e-mail and phones are not this school's to change. */
  accountShared: z.boolean(),
});
export type Person = z.infer<typeof Person>;

/** The new person and their one-time activation code (shown once, never stored in clear). */
export const CreatePersonResult = z.object({
  person: Person,
  activationCode: z.object({ code: z.string(), expiresAt: z.string() }),
});

export const GuardianLevel = z.enum(['legal', 'in_charge']);

export const AddGuardianBody = z.strictObject({
  guardianId: z.uuid(),
  level: GuardianLevel,
  relation: z.string().trim().max(40).optional(),
});
export type AddGuardianBody = z.infer<typeof AddGuardianBody>;

export const GuardianLinks = z.object({
  guardians: z.array(
    z.object({
      id: z.uuid(),
      displayName: z.string(),
      level: GuardianLevel,
      relation: z.string().nullable(),
    }),
  ),
});

export const GuardianParams = z.strictObject({ id: z.uuid(), userId: z.uuid(), guardianId: z.uuid() });

export const AddAssignmentBody = z.union([
  z.strictObject({
    classId: z.uuid(),
    subjectCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[0-9A-Z]{6}$/),
  }),
  z.strictObject({
    groupId: z.uuid(),
    subjectCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[0-9A-Z]{6}$/),
  }),
]);
export type AddAssignmentBody = z.infer<typeof AddAssignmentBody>;

export const Assignment = z.object({
  id: z.uuid(),
  class: z.object({ id: z.uuid(), code: z.string(), label: z.string() }).nullable(),
  group: z.object({ id: z.uuid(), code: z.string(), label: z.string() }).nullable(),
  subject: z.object({ code: z.string(), label: z.string() }),
});
export type Assignment = z.infer<typeof Assignment>;

export const AssignmentParams = z.strictObject({ id: z.uuid(), userId: z.uuid(), assignmentId: z.uuid() });

export const HeadTeacherBody = z.strictObject({ classId: z.uuid() });
export const HeadTeacherParams = z.strictObject({ id: z.uuid(), userId: z.uuid(), classId: z.uuid() });
export const HeadTeacherClass = z.object({ class: z.object({ id: z.uuid(), code: z.string(), label: z.string() }) });

// Lookups

export const ClassSummary = z.object({
  id: z.uuid(),
  code: z.string(),
  label: z.string(),
  mefCode: z.string().nullable(),
  students: z.number().int(),
  headTeachers: z.array(z.object({ id: z.uuid(), displayName: z.string() })),
});
export const ClassList = z.object({ schoolYear: z.string().nullable(), items: z.array(ClassSummary) });

export const GroupSummary = z.object({
  id: z.uuid(),
  code: z.string(),
  label: z.string(),
  kind: z.enum(['teaching', 'manual']),
  students: z.number().int(),
});
export const GroupList = z.object({ schoolYear: z.string().nullable(), items: z.array(GroupSummary) });

export const SubjectList = z.object({ items: z.array(z.object({ code: z.string(), label: z.string() })) });
