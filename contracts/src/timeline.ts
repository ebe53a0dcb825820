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

export const Delivery = z.enum(['app', 'email', 'digest']);
export type Delivery = z.infer<typeof Delivery>;

/** An hour of the day (Paris time), for quiet hours. */
const Hour = z.number().int().min(0).max(23);

/** How the caller is told of each kind of notification, and when no e-mail may reach them. */
export const NotificationPreferences = z.object({
  kinds: z.array(
    z.object({
      kind: z.string(),
      label: z.string(),
      delivery: Delivery,
      /** What applies while the person has not chosen. */
      defaultDelivery: Delivery,
    }),
  ),
  /** No e-mail between `start` and `end` (Paris time; equal hours: no quiet hours). */
  quietHours: z.object({ start: Hour, end: Hour }),
  /** Where e-mails go; `null`: none known, so everything stays in the ENT. */
  email: z.string().nullable(),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const UpdateNotificationPreferences = z.strictObject({
  deliveries: z.record(z.string().max(100), Delivery).optional(),
  quietHours: z.strictObject({ start: Hour, end: Hour }).optional(),
});

export const StreamQuery = z.strictObject({
  /** Seconds the server keeps the stream open before ending it (the browser reconnects); 0: one event. */
  max: z.coerce.number().int().min(0).max(3600).default(1800),
});

/** The live counter's event (`event: unread`): unread notifications in all, and by kind. */
export const UnreadEvent = z.object({ unread: z.number().int(), kinds: z.record(z.string(), z.number().int()) });
export type UnreadEvent = z.infer<typeof UnreadEvent>;

export const MailStatus = z.enum(['pending', 'sending', 'sent', 'kept', 'failed']);

export const OutboxQuery = z.strictObject({
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The mails Préau sent or keeps (the local outbox page of platform administrators). */
export const OutboxPage = z.object({
  /** `smtp`: mails go to SMTP_URL; `none`: they are kept here. */
  transport: z.enum(['smtp', 'none']),
  items: z.array(
    z.object({
      id: z.uuid(),
      to: z.string(),
      kind: z.string(),
      subject: z.string(),
      body: z.string(),
      link: z.string().nullable(),
      status: MailStatus,
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      notBefore: z.string(),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
    }),
  ),
  next: z.uuid().optional(),
});
export type OutboxPage = z.infer<typeof OutboxPage>;

export const timelineApi = defineApi({
  module: 'timeline',
  permissions: [],
  errors: ['UNKNOWN_NOTIFICATION_KIND'],
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
    'GET /api/timeline/stream': {
      summary: 'The live unread counter: server-sent events (`event: unread`) as notifications arrive or are read',
      access: { auth: 'session' },
      query: StreamQuery,
      binary: 'text/event-stream',
      errors: [],
    },
    'GET /api/timeline/preferences': {
      summary: "The caller's delivery choice per kind of notification, quiet hours and e-mail address",
      access: { auth: 'session' },
      response: NotificationPreferences,
      errors: [],
    },
    'PUT /api/timeline/preferences': {
      summary: 'Change delivery choices (in the ENT only, e-mail at once, daily digest) and quiet hours',
      access: { auth: 'session' },
      body: UpdateNotificationPreferences,
      response: NotificationPreferences,
      errors: ['UNKNOWN_NOTIFICATION_KIND'],
    },
    'GET /api/timeline/outbox': {
      summary: 'Mails sent or kept (platform administrators): the local outbox when no SMTP server is set',
      access: { auth: 'session' },
      query: OutboxQuery,
      response: OutboxPage,
      errors: [],
    },
  },
});
