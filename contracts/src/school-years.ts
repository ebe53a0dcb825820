import { z } from 'zod';

export const SchoolYearLabel = z.string().regex(/^[0-9]{4}-[0-9]{4}$/, 'AAAA-AAAA');

export const SchoolYear = z.object({
  id: z.uuid(),
  label: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  status: z.enum(['current', 'archived', 'next']),
  archivedAt: z.string().nullable(),
  /** Archived years are kept read-only until this date (legal retention), then purged. */
  retainedUntil: z.string().nullable(),
});
export type SchoolYear = z.infer<typeof SchoolYear>;

export const SchoolYearList = z.object({ items: z.array(SchoolYear) });

export const RolloverPreview = z.object({
  from: SchoolYear,
  to: z.object({ label: z.string(), startsOn: z.string(), endsOn: z.string() }),
  archived: z.object({
    classes: z.number().int(),
    groups: z.number().int(),
    enrolments: z.number().int(),
    teachingAssignments: z.number().int(),
    headTeachers: z.number().int(),
  }),
  accountsKept: z.number().int(),
  byProfile: z.array(z.object({ profile: z.string(), count: z.number().int() })),
});
export type RolloverPreview = z.infer<typeof RolloverPreview>;

export const RolloverBody = z.strictObject({
  /** The label the caller saw in the preview: refuses to run if the current year changed meanwhile. */
  from: SchoolYearLabel,
});
