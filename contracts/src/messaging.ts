import { z } from 'zod';
import { defineApi } from './api.ts';
import { EstablishmentProfile, IdParams } from './common.ts';
import { AttachedDocument, AttachmentInputs } from './documents.ts';

/*
 * Messaging (messagerie): messages between the members of an establishment, within its communication rules.
 * The contract of issue 12 that outside checks rely on: `GET /api/messaging/recipients`, `POST
 * /api/messaging/messages` (403 RECIPIENT_NOT_ALLOWED with `refused`), `GET /api/messaging/inbox`,
 * `GET /api/messaging/messages/:id` (404 unless recipient or sender).
 */

/**
 * Whom a sender of a profile may reach in a category of recipients: nobody, those related to them (through a
 * class or group they share, or their family), or everyone of the category in the establishment.
 */
export const RuleLevel = z.enum(['none', 'related', 'all']);
export type RuleLevel = z.infer<typeof RuleLevel>;

/** The categories of recipients the rules speak of. `school_life`: staff with the education function (CPE, AED). */
export const RECIPIENT_CATEGORIES = ['student', 'guardian', 'teacher', 'school_life', 'staff', 'direction'] as const;
export const RecipientCategory = z.enum(RECIPIENT_CATEGORIES);
export type RecipientCategory = z.infer<typeof RecipientCategory>;

/** A list of recipients: `class.<id>.guardians`, `group.<id>.students`, `all.staff`… */
export const ListId = z
  .string()
  .regex(
    /^(?:(?:class|group)\.[0-9a-f-]{36}\.(?:students|guardians|teachers)|all\.(?:students|guardians|teachers|school_life|staff|direction|personnel))$/,
  );
/** A person (user id) or a list. */
export const RecipientId = z.union([z.uuid(), ListId]);

const EstablishmentQuery = z.strictObject({ establishment: z.uuid() });

export const RecipientsQuery = z.strictObject({
  establishment: z.uuid(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

export const RecipientItem = z.object({
  kind: z.enum(['person', 'list']),
  id: z.string(),
  label: z.string(),
  /** A list's member count. */
  count: z.number().int().optional(),
  /** What the person is here: "Professeure principale de 2NDE1 — Mathématiques", "CPE", "Parent de Léa (2NDE1)". */
  detail: z.string().optional(),
  profiles: z.array(EstablishmentProfile).optional(),
});
export type RecipientItem = z.infer<typeof RecipientItem>;
export const RecipientList = z.object({ items: z.array(RecipientItem) });

const ToList = z.array(RecipientId).min(1).max(200);

export const AudienceQuery = z.strictObject({
  establishment: z.uuid(),
  /** Comma-separated recipient ids (persons and lists). */
  to: z
    .string()
    .max(10_000)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(ToList),
  replyTo: z.uuid().optional(),
});

/** Who would receive a message: counted by profile, before sending. */
export const Audience = z.object({
  total: z.number().int(),
  byProfile: z.record(z.string(), z.number().int()),
  /** Recipients the caller may not write to (sending would be refused). */
  refused: z.array(z.string()),
  /** The caller's cap of recipients per message here (null: none). */
  cap: z.number().int().nullable(),
});
export type Audience = z.infer<typeof Audience>;

/** Rich text: sanitised HTML (paragraphs, emphasis, lists, links). The limit is checked in characters. */
const Body = z.string().max(1_000_000);
export const MAX_BODY_CHARS = 100_000;

export const SendMessageBody = z.strictObject({
  establishmentId: z.uuid(),
  to: ToList,
  subject: z.string().trim().min(1).max(200),
  body: Body,
  /** Documents attached by reference (ids, or `{ documentId, version: 'latest' | 'this' }`); the sender must read each. */
  attachments: AttachmentInputs.optional(),
  /** "Sans réponse possible" (the direction's announcements). */
  noReply: z.boolean().optional(),
  /** The message answered (reply, reply-all): its sender may always be answered unless it was sans réponse. */
  replyTo: z.uuid().optional(),
  /** The message forwarded: its attachments come along. */
  forwardOf: z.uuid().optional(),
  /** A draft this message sends: it leaves the drafts. */
  draftId: z.uuid().optional(),
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;
export const Sent = z.object({ id: z.uuid(), recipientCount: z.number().int() });

export const DraftBody = z.strictObject({
  establishmentId: z.uuid(),
  to: z.array(RecipientId).max(200).default([]),
  subject: z.string().max(200).default(''),
  body: Body.default(''),
  attachments: AttachmentInputs.default([]),
  noReply: z.boolean().default(false),
  replyTo: z.uuid().nullable().optional(),
  forwardOf: z.uuid().nullable().optional(),
});
export const DraftSaved = z.object({ id: z.uuid(), savedAt: z.string() });

export const FOLDERS = ['inbox', 'sent', 'drafts', 'trash'] as const;
export const MailboxQuery = z.strictObject({
  establishment: z.uuid(),
  /** `inbox` (default), `sent`, `drafts`, `trash`, or the id of one of the caller's folders. */
  folder: z.union([z.enum(FOLDERS), z.uuid()]).default('inbox'),
  /** Full-text search in subject and body (French). */
  q: z.string().trim().max(200).optional(),
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

const Person = z.object({ id: z.uuid(), displayName: z.string() });

export const MailboxItem = z.object({
  id: z.uuid(),
  threadId: z.uuid(),
  subject: z.string(),
  from: Person,
  /** Who it went to, in words ("parents de 2NDE1, M. DUPONT"). */
  toLabel: z.string(),
  recipientCount: z.number().int(),
  unread: z.boolean(),
  preview: z.string(),
  sentAt: z.string().nullable(),
  hasAttachments: z.boolean(),
  noReply: z.boolean(),
  /** For the sender: how many recipients have read it. */
  readCount: z.number().int().optional(),
  recalled: z.boolean().optional(),
});
export type MailboxItem = z.infer<typeof MailboxItem>;

export const MailboxPage = z.object({
  items: z.array(MailboxItem),
  /** Unread messages in the inbox (whatever folder is listed). */
  unread: z.number().int(),
  next: z.uuid().optional(),
});
export type MailboxPage = z.infer<typeof MailboxPage>;

/** A message's attachment: a document by reference, downloaded through `url` by the message's sender and recipients. */
export const Attachment = AttachedDocument;

export const MessageView = z.object({
  id: z.uuid(),
  establishmentId: z.uuid(),
  threadId: z.uuid(),
  subject: z.string(),
  /** Sanitised HTML. */
  body: z.string(),
  from: Person,
  to: z.array(z.object({ id: z.string(), label: z.string() })),
  toLabel: z.string(),
  recipientCount: z.number().int(),
  sentAt: z.string().nullable(),
  status: z.enum(['draft', 'sent', 'recalled', 'purged']),
  noReply: z.boolean(),
  attachments: z.array(Attachment),
  /** The caller's copy: where it is, whether it is read. */
  mine: z.object({
    role: z.enum(['sender', 'recipient']),
    folder: z.string(),
    read: z.boolean(),
  }),
  readCount: z.number().int().optional(),
  /** The other messages of the thread the caller may see, oldest first. */
  thread: z.array(
    z.object({ id: z.uuid(), subject: z.string(), from: Person, sentAt: z.string().nullable(), preview: z.string() }),
  ),
  can: z.object({ reply: z.boolean(), replyAll: z.boolean(), forward: z.boolean(), recall: z.boolean() }),
  /** Reply-all: the recipients the caller may write to (the sender first). */
  replyAll: z.array(z.object({ id: z.string(), label: z.string() })),
  /** A draft's saved fields (to edit it). */
  draft: z
    .object({
      to: z.array(z.object({ id: z.string(), label: z.string() })),
      attachments: z.array(z.object({ documentId: z.uuid(), version: z.enum(['latest', 'this']) })),
      replyTo: z.uuid().nullable(),
      forwardOf: z.uuid().nullable(),
    })
    .optional(),
});
export type MessageView = z.infer<typeof MessageView>;

export const UpdateMessageBody = z
  .strictObject({
    read: z.boolean().optional(),
    /** Move the caller's copy: `inbox` (restores from the trash), `trash`, or one of their folders. */
    folder: z.union([z.enum(['inbox', 'trash']), z.uuid()]).optional(),
  })
  .refine((b) => b.read !== undefined || b.folder !== undefined, { message: 'read or folder' });
export const MessageState = z.object({ id: z.uuid(), folder: z.string(), read: z.boolean() });

export const Recalled = z.object({ recalled: z.number().int(), alreadyRead: z.number().int() });

export const Folder = z.object({ id: z.uuid(), name: z.string(), count: z.number().int(), unread: z.number().int() });
export const Folders = z.object({
  folders: z.array(Folder),
  counts: z.object({ inboxUnread: z.number().int(), drafts: z.number().int(), trash: z.number().int() }),
});
export type Folders = z.infer<typeof Folders>;
export const FolderBody = z.strictObject({ establishmentId: z.uuid(), name: z.string().trim().min(1).max(60) });
export const RenameFolderBody = z.strictObject({ name: z.string().trim().min(1).max(60) });

export const LevelRule = z.object({ from: EstablishmentProfile, to: RecipientCategory, level: RuleLevel });
export const StructureRule = z.object({
  structure: z.object({ type: z.enum(['class', 'group']), id: z.uuid() }),
  from: z.enum(['student', 'guardian']),
  to: z.enum(['student', 'guardian', 'teacher']),
  allowed: z.boolean(),
});
export type StructureRule = z.infer<typeof StructureRule>;

export const Rules = z.object({
  /** Every profile pair with its level now, and the default. */
  levels: z.array(LevelRule.extend({ default: RuleLevel })),
  /** Per class or group adjustments. */
  structures: z.array(StructureRule.extend({ label: z.string() })),
  /** The rules in plain words, one sentence per sender profile. */
  summary: z.array(z.object({ profile: EstablishmentProfile, text: z.string() })),
  /** The establishment's classes and groups (for adjustments). */
  classes: z.array(z.object({ id: z.uuid(), type: z.enum(['class', 'group']), label: z.string() })),
});
export type Rules = z.infer<typeof Rules>;
export const UpdateRulesBody = z.strictObject({
  establishmentId: z.uuid(),
  levels: z.array(LevelRule).max(36).optional(),
  structures: z.array(StructureRule).max(2000).optional(),
});

export const ProfileCaps = z.object({
  /** Recipients per message (null: no cap). */
  recipientsPerMessage: z.number().int().min(1).max(100_000).nullable(),
  messagesPerHour: z.number().int().min(1).max(10_000).nullable(),
  /** Recipients in an hour past which the direction is alerted (null: never). */
  alertRecipientsPerHour: z.number().int().min(1).max(100_000).nullable(),
});
export type ProfileCaps = z.infer<typeof ProfileCaps>;

export const MessagingSettings = z.object({
  /** Profiles whose sending is suspended now (the switch). */
  suspendedProfiles: z.array(EstablishmentProfile),
  caps: z.record(EstablishmentProfile, ProfileCaps),
});
export type MessagingSettings = z.infer<typeof MessagingSettings>;
export const UpdateSettingsBody = z.strictObject({
  establishmentId: z.uuid(),
  suspendedProfiles: z.array(EstablishmentProfile).max(6).optional(),
  caps: z.partialRecord(EstablishmentProfile, ProfileCaps).optional(),
});

export const ModerationQuery = z.strictObject({
  establishment: z.uuid(),
  /** A sender whose recent messages are listed. */
  sender: z.uuid().optional(),
});
export const Moderation = z.object({
  alerts: z.array(
    z.object({
      id: z.uuid(),
      sender: Person,
      profile: z.string(),
      reason: z.string(),
      messages: z.number().int(),
      recipients: z.number().int(),
      at: z.string(),
    }),
  ),
  messages: z.array(
    z.object({
      id: z.uuid(),
      subject: z.string(),
      from: Person,
      recipientCount: z.number().int(),
      sentAt: z.string().nullable(),
      status: z.enum(['draft', 'sent', 'recalled', 'purged']),
    }),
  ),
});
export type Moderation = z.infer<typeof Moderation>;
export const PurgeBody = z.strictObject({ reason: z.string().trim().min(3).max(500) });
export const Purged = z.object({ id: z.uuid(), removedFrom: z.number().int() });

export const messagingApi = defineApi({
  module: 'messaging',
  permissions: ['messaging.read', 'messaging.write', 'messaging.no_reply', 'messaging.manage'],
  errors: [
    'RECIPIENT_NOT_ALLOWED',
    'SENDING_SUSPENDED',
    'TOO_MANY_RECIPIENTS',
    'SEND_RATE_LIMITED',
    'UNSAFE_CONTENT',
    'MESSAGE_TOO_LONG',
    'REPLY_NOT_ALLOWED',
    'NOTHING_TO_RECALL',
    'NOT_A_DRAFT',
    'NO_RECIPIENT',
    'ATTACHMENT_NOT_ALLOWED',
  ],
  endpoints: {
    'GET /api/messaging/recipients': {
      summary: 'The address book: the people and lists the caller may write to (search by name)',
      access: { permission: 'messaging.write' },
      establishment: { query: 'establishment' },
      query: RecipientsQuery,
      response: RecipientList,
      errors: ['SENDING_SUSPENDED'],
    },
    'GET /api/messaging/audience': {
      summary: 'Who would receive a message to these recipients: the count by profile, before sending',
      access: { permission: 'messaging.write' },
      establishment: { query: 'establishment' },
      query: AudienceQuery,
      response: Audience,
      errors: [],
    },
    'POST /api/messaging/messages': {
      summary:
        'Send a message (one message row, its recipients in one insert); any recipient outside the rules refuses it all',
      access: { permission: 'messaging.write' },
      establishment: { body: 'establishmentId' },
      body: SendMessageBody,
      status: 201,
      response: Sent,
      errors: [
        'RECIPIENT_NOT_ALLOWED',
        'SENDING_SUSPENDED',
        'TOO_MANY_RECIPIENTS',
        'SEND_RATE_LIMITED',
        'UNSAFE_CONTENT',
        'MESSAGE_TOO_LONG',
        'REPLY_NOT_ALLOWED',
        'NOT_A_DRAFT',
        'NO_RECIPIENT',
        'ATTACHMENT_NOT_ALLOWED',
      ],
    },
    'GET /api/messaging/inbox': {
      summary: "A page of the caller's mailbox: inbox, sent, drafts, trash or a folder; full-text search",
      access: { permission: 'messaging.read' },
      establishment: { query: 'establishment' },
      query: MailboxQuery,
      response: MailboxPage,
      errors: [],
    },
    'GET /api/messaging/messages/:id': {
      summary: 'A message with its body, attachments and thread; 404 unless the caller sent or received it',
      access: { permission: 'messaging.read' },
      establishment: 'object',
      params: IdParams,
      response: MessageView,
      errors: [],
    },
    'PATCH /api/messaging/messages/:id': {
      summary: "The caller's copy: read or unread, moved to a folder, to the trash, or restored",
      access: { permission: 'messaging.read' },
      establishment: 'object',
      params: IdParams,
      body: UpdateMessageBody,
      response: MessageState,
      errors: [],
    },
    'DELETE /api/messaging/messages/:id': {
      summary: "Delete the caller's copy for good (from the trash)",
      access: { permission: 'messaging.read' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: [],
    },
    'POST /api/messaging/messages/:id/recall': {
      summary: 'Recall a sent message from every mailbox where it is still unread',
      access: { permission: 'messaging.write' },
      establishment: 'object',
      params: IdParams,
      response: Recalled,
      errors: ['NOTHING_TO_RECALL'],
    },
    'POST /api/messaging/drafts': {
      summary: 'Save a new draft',
      access: { permission: 'messaging.write' },
      establishment: { body: 'establishmentId' },
      body: DraftBody,
      status: 201,
      response: DraftSaved,
      errors: ['UNSAFE_CONTENT', 'MESSAGE_TOO_LONG', 'ATTACHMENT_NOT_ALLOWED'],
    },
    'PUT /api/messaging/drafts/:id': {
      summary: 'Save a draft again (as one types)',
      access: { permission: 'messaging.write' },
      establishment: 'object',
      params: IdParams,
      body: DraftBody,
      response: DraftSaved,
      errors: ['UNSAFE_CONTENT', 'MESSAGE_TOO_LONG', 'NOT_A_DRAFT', 'ATTACHMENT_NOT_ALLOWED'],
    },
    'DELETE /api/messaging/drafts/:id': {
      summary: 'Discard a draft',
      access: { permission: 'messaging.write' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: ['NOT_A_DRAFT'],
    },
    'GET /api/messaging/folders': {
      summary: "The caller's folders and the counts of the mailbox",
      access: { permission: 'messaging.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: Folders,
      errors: [],
    },
    'POST /api/messaging/folders': {
      summary: 'Create a folder',
      access: { permission: 'messaging.read' },
      establishment: { body: 'establishmentId' },
      body: FolderBody,
      status: 201,
      response: Folder,
      errors: [],
    },
    'PATCH /api/messaging/folders/:id': {
      summary: 'Rename a folder',
      access: { permission: 'messaging.read' },
      establishment: 'object',
      params: IdParams,
      body: RenameFolderBody,
      response: Folder,
      errors: [],
    },
    'DELETE /api/messaging/folders/:id': {
      summary: 'Delete a folder: its messages go back to the inbox',
      access: { permission: 'messaging.read' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: [],
    },
    'GET /api/messaging/rules': {
      summary: 'The communication rules of the establishment: levels per profile pair, class and group adjustments',
      access: { permission: 'messaging.manage' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: Rules,
      errors: [],
    },
    'PUT /api/messaging/rules': {
      summary: 'Change the communication rules (audited with before and after)',
      access: { permission: 'messaging.manage' },
      establishment: { body: 'establishmentId' },
      body: UpdateRulesBody,
      response: Rules,
      errors: [],
    },
    'GET /api/messaging/settings': {
      summary: 'Sending caps per profile and the suspension switch',
      access: { permission: 'messaging.manage' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: MessagingSettings,
      errors: [],
    },
    'PUT /api/messaging/settings': {
      summary: 'Suspend sending for some profiles at once, change the caps (audited)',
      access: { permission: 'messaging.manage' },
      establishment: { body: 'establishmentId' },
      body: UpdateSettingsBody,
      response: MessagingSettings,
      errors: [],
    },
    'GET /api/messaging/moderation': {
      summary: 'Alerts of unusual mass sending, and the recent messages of a sender',
      access: { permission: 'messaging.manage' },
      establishment: { query: 'establishment' },
      query: ModerationQuery,
      response: Moderation,
      errors: [],
    },
    'POST /api/messaging/messages/:id/purge': {
      summary: 'Purge a message from every mailbox (the direction; audited, the reason kept)',
      access: { permission: 'messaging.manage' },
      establishment: 'object',
      params: IdParams,
      body: PurgeBody,
      response: Purged,
      errors: [],
    },
  },
});
