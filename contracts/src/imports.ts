import { z } from 'zod';

/**
 * Directory imports (AAF XML and CSV). The shapes of `POST /api/imports`, `GET /api/imports/:id` and the
 * report are a contract that outside checks rely on: keep them stable.
 */

/** `interrupted`: the process running the job died; the report says which establishments were written. */
export const ImportStatus = z.enum(['queued', 'running', 'done', 'failed', 'interrupted']);
export type ImportStatus = z.infer<typeof ImportStatus>;

export const ImportKind = z.enum(['aaf', 'csv']);
export type ImportKind = z.infer<typeof ImportKind>;

export const ImportCount = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  detached: z.number().int(),
});
export type ImportCount = z.infer<typeof ImportCount>;

export const IMPORT_COUNTED = [
  'establishments',
  'students',
  'guardians',
  'staff',
  'classes',
  'groups',
  'subjects',
] as const;
export type ImportCounted = (typeof IMPORT_COUNTED)[number];

export const ImportCounts = z.object({
  establishments: ImportCount,
  students: ImportCount,
  guardians: ImportCount,
  staff: ImportCount,
  classes: ImportCount,
  groups: ImportCount,
  subjects: ImportCount,
});
export type ImportCounts = z.infer<typeof ImportCounts>;

/**
 * One finding of the import: a stable code, a message (English, for the CLI and logs), the file and the request
 * (AAF) or line (CSV). `params` holds the values the message is made of, flat, so that a client can word the
 * detail in its own language by `code` (and `params.variant` when a code has several messages); a client without
 * a wording for the code shows `message`.
 */
export const ImportAnomaly = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string(),
  record: z.number().int().nullable(),
  key: z.string().optional(),
  line: z.number().int().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type ImportAnomaly = z.infer<typeof ImportAnomaly>;

/** How a row was recognised as a person already in the directory. */
export const ImportMatchBy = z.enum(['key', 'ine', 'nameBirth', 'nameGuardian', 'nameContact', 'email', 'choice']);
export type ImportMatchBy = z.infer<typeof ImportMatchBy>;

/** A person of the directory a row may be (an ambiguous row lists them for the administrator to choose). */
export const ImportCandidate = z.object({
  id: z.uuid(),
  name: z.string(),
  birthDate: z.string().nullable(),
  /** Classes (students) or profiles (others) in the establishment, to tell candidates apart. */
  classes: z.array(z.string()),
});
export type ImportCandidate = z.infer<typeof ImportCandidate>;

/**
 * What became of one person of a CSV import: `created`, `updated`, `unchanged`, `ambiguous` (a likely match
 * that waits for the administrator's choice: nothing done), `skipped` (by that choice) or `refused` (an
 * anomaly says why). `key` names the row in `resolutions`.
 */
export const ImportRow = z.object({
  key: z.string(),
  file: z.string(),
  line: z.number().int().nullable(),
  kind: z.enum(['student', 'guardian', 'staff']),
  name: z.string(),
  outcome: z.enum(['created', 'updated', 'unchanged', 'ambiguous', 'skipped', 'refused']),
  match: z.object({ by: ImportMatchBy, userId: z.uuid() }).optional(),
  candidates: z.array(ImportCandidate).optional(),
});
export type ImportRow = z.infer<typeof ImportRow>;

export const ImportReport = z.object({
  counts: ImportCounts,
  anomalies: z.array(ImportAnomaly),
  /** CSV imports: each person's outcome (at most 10,000, ambiguous and refused ones first). */
  rows: z.array(ImportRow).optional(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const ImportFile = z.object({
  name: z.string(),
  size: z.number().int(),
  kind: ImportKind,
});

export const ImportJob = z.object({
  id: z.uuid(),
  status: ImportStatus,
  progress: z.number().min(0).max(1),
  /** `queued`, `parsing`, `resolving`, `writing <UAI>`, `report`, then `done` or `failed`. */
  phase: z.string(),
  /** Null until the job has finished. */
  report: ImportReport.nullable(),
  kind: ImportKind,
  dryRun: z.boolean(),
  establishmentId: z.uuid().nullable(),
  files: z.array(ImportFile),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

export const ImportCreated = z.object({ id: z.uuid() });

export const ImportParams = z.strictObject({ id: z.uuid() });

export const ImportListQuery = z.strictObject({
  establishment: z.uuid().optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ImportListQuery = z.infer<typeof ImportListQuery>;

export const ImportSummary = ImportJob.omit({ report: true }).extend({
  counts: ImportCounts.nullable(),
  anomalies: z.number().int().nullable(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const ImportList = z.object({
  items: z.array(ImportSummary),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const CsvFileProfile = z.enum(['student', 'guardian', 'teacher', 'mixed']);
export type CsvFileProfile = z.infer<typeof CsvFileProfile>;

/**
 * The mapping step, per CSV file name: the profile of its rows and, per header as written in the file, the
 * field it holds (`null` or `ignored` to leave the column out). Headers not listed keep the detected field.
 */
export const CsvMapping = z.record(
  z.string().max(255),
  z.strictObject({
    profile: CsvFileProfile.optional(),
    columns: z.record(z.string().max(200), z.string().max(40).nullable()).optional(),
  }),
);
export type CsvMapping = z.infer<typeof CsvMapping>;

/** The non-file fields of the multipart `POST /api/imports`. */
export const ImportFormFields = z.strictObject({
  dryRun: z.enum(['true', 'false']).optional(),
  /** CSV: the establishment the rows belong to (default: the one the caller administers). */
  establishment: z.uuid().optional(),
  /** CSV: JSON of `CsvMapping`. */
  mapping: z.string().max(100_000).optional(),
  /** CSV: JSON of `ImportResolutions`, the administrator's choices for ambiguous rows. */
  resolutions: z.string().max(500_000).optional(),
});

/** Per row key (`ImportRow.key`): the existing person it is (an id among its candidates), `new` or `skip`. */
export const ImportResolutions = z.record(
  z.string().max(500),
  z.union([z.literal('new'), z.literal('skip'), z.uuid()]),
);
export type ImportResolutions = z.infer<typeof ImportResolutions>;

export const CsvPreviewColumn = z.object({
  header: z.string(),
  field: z.string().nullable(),
  /** A few non-empty values of the column, to help the mapping. */
  samples: z.array(z.string()),
});

export const CsvPreviewFile = z.object({
  file: z.string(),
  encoding: z.string(),
  separator: z.string(),
  profile: CsvFileProfile.nullable(),
  rows: z.number().int(),
  columns: z.array(CsvPreviewColumn),
  unknownColumns: z.array(z.string()),
  anomalies: z.array(ImportAnomaly),
});

export const CsvPreview = z.object({
  files: z.array(CsvPreviewFile),
  /** Every field a column can be mapped to. */
  fields: z.array(z.string()),
});
export type CsvPreview = z.infer<typeof CsvPreview>;
