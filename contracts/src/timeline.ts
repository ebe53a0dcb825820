import { z } from 'zod';
import { defineApi } from './api.ts';

/** One entry of a person's timeline: what happened, where to see it. */
export const TimelineItem = z.object({
  id: z.uuid(),
  kind: z.string(),
  establishmentId: z.uuid().nullable(),
  /** Short text in the reader's language (French when the poster gave no English). */
  text: z.string(),
  /** A path of the web app (`/messaging/…`), never an outside address. */
  link: z.string().nullable(),
  actor: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

export const TimelineQuery = z.strictObject({
  establishment: z.uuid().optional(),
  /** Entries strictly older than this entry (keyset pagination). */
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const TimelinePage = z.object({
  items: z.array(TimelineItem),
  unread: z.number().int(),
  /** Pass as `before` for the next page; absent on the last page. */
  next: z.uuid().optional(),
});
export type TimelinePage = z.infer<typeof TimelinePage>;

export const MarkReadBody = z.union([
  z.strictObject({ ids: z.array(z.uuid()).min(1).max(200) }),
  z.strictObject({ all: z.literal(true), establishment: z.uuid().optional() }),
]);

export const UnreadCount = z.object({ unread: z.number().int() });

export const timelineApi = defineApi({
  module: 'timeline',
  permissions: [],
  errors: [],
  endpoints: {
    'GET /api/timeline': {
      summary: "The caller's notifications, newest first (all establishments, or one)",
      access: { auth: 'session' },
      query: TimelineQuery,
      response: TimelinePage,
      errors: [],
    },
    'GET /api/timeline/unread': {
      summary: "How many of the caller's notifications are unread",
      access: { auth: 'session' },
      response: UnreadCount,
      errors: [],
    },
    'POST /api/timeline/read': {
      summary: 'Mark notifications read: some of them, or all (of one establishment)',
      access: { auth: 'session' },
      body: MarkReadBody,
      response: UnreadCount,
      errors: [],
    },
  },
});
