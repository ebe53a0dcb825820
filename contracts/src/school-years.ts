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
  /**
   * From when the rollover runs without an override: the year's end (`ROLLOVER_OPENS_ON`, 1 July by default,
   * of the year the school year ends). Before it, an explicit override with the year's label typed.
   */
  window: z.object({ opensOn: z.string(), open: z.boolean() }),
});
export type RolloverPreview = z.infer<typeof RolloverPreview>;

export const RolloverBody = z.strictObject({
  /** The label the caller saw in the preview: refuses to run if the current year changed meanwhile. */
  from: SchoolYearLabel,
  /** Before the window opens: the current year's label, typed by the person (else 409 ROLLOVER_TOO_EARLY). */
  earlyConfirmation: z.string().trim().max(20).optional(),
});

/** How long a rollover can be undone (while the new year is still empty). */
export const ROLLOVER_UNDO_DAYS = 30;

export const RolloverResult = RolloverPreview.extend({
  rollover: z.object({ id: z.uuid(), undoUntil: z.string() }),
});
export type RolloverResult = z.infer<typeof RolloverResult>;

export const RolloverItem = z.object({
  id: z.uuid(),
  from: z.string(),
  to: z.string(),
  /** Run before the year's end, by explicit override. */
  early: z.boolean(),
  rolledAt: z.string(),
  rolledBy: z.uuid().nullable(),
  undoUntil: z.string(),
  undoneAt: z.string().nullable(),
  can: z.object({ undo: z.boolean() }),
});
export type RolloverItem = z.infer<typeof RolloverItem>;
export const RolloverList = z.object({ items: z.array(RolloverItem) });
export const RolloverParams = z.strictObject({ id: z.uuid(), rolloverId: z.uuid() });
