import { sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import type { MessageStatus } from './messaging.tables.ts';

/** All SQL of messaging (what decides who may write to whom is in messaging.access.ts). */

type DB = AuthorizedDb;

export interface NewMessage {
  establishmentId: string;
  threadId: string | null;
  parentId: string | null;
  forwardOf: string | null;
  senderId: string;
  subject: string;
  bodyHtml: string;
  bodyText: string;
  status: MessageStatus;
  noReply: boolean;
  toSpec: { id: string; label: string }[];
  draftAttachments: string[];
  recipientCount: number;
  profileCounts: Record<string, number>;
  hasAttachments: boolean;
}

export interface MessageRow {
  id: string;
  establishment_id: string;
  thread_id: string;
  parent_id: string | null;
  forward_of: string | null;
  sender_id: string | null;
  sender_name: string | null;
  subject: string;
  body_html: string;
  body_text: string;
  status: MessageStatus;
  no_reply: boolean;
  to_spec: { id: string; label: string }[];
  draft_attachments: string[];
  recipient_count: number;
  has_attachments: boolean;
  sender_folder: string;
  sender_deleted_at: Date | null;
  sent_at: Date | null;
  updated_at: Date;
  recalled_at: Date | null;
}

const messageColumns = sql`m.id, m.establishment_id, m.thread_id, m.parent_id, m.forward_of, m.sender_id,
  u.display_name AS sender_name, m.subject, m.body_html, m.body_text, m.status, m.no_reply, m.to_spec,
  m.draft_attachments, m.recipient_count, m.has_attachments, m.sender_folder, m.sender_deleted_at, m.sent_at,
  m.updated_at, m.recalled_at`;

export const messages = {
  insert: async (db: DB, m: NewMessage) => {
    const res = await sql<{ id: string; sent_at: Date | null }>`
      INSERT INTO message (establishment_id, thread_id, parent_id, forward_of, sender_id, subject, body_html, body_text,
        status, no_reply, to_spec, draft_attachments, recipient_count, profile_counts, has_attachments, sent_at)
      SELECT ${m.establishmentId}, COALESCE(${m.threadId}::uuid, x.id), ${m.parentId}, ${m.forwardOf}, ${m.senderId},
        ${m.subject}, ${m.bodyHtml}, ${m.bodyText}, ${m.status}, ${m.noReply}, ${JSON.stringify(m.toSpec)}::jsonb,
        ${m.draftAttachments}::uuid[], ${m.recipientCount}, ${JSON.stringify(m.profileCounts)}::jsonb,
        ${m.hasAttachments}, ${m.status === 'draft' ? null : sql`now()`}
      FROM (SELECT gen_random_uuid() AS id) x
      RETURNING id, sent_at`.execute(db);
    const row = res.rows[0]!;
    // A new thread is named after its first message: thread_id = id.
    if (!m.threadId) await db.updateTable('message').set({ thread_id: row.id }).where('id', '=', row.id).execute();
    return row;
  },

  updateDraft: (db: DB, id: string, senderId: string, d: Omit<NewMessage, 'status' | 'senderId' | 'establishmentId'>) =>
    db
      .updateTable('message')
      .set({
        subject: d.subject,
        body_html: d.bodyHtml,
        body_text: d.bodyText,
        no_reply: d.noReply,
        to_spec: JSON.stringify(d.toSpec),
        draft_attachments: d.draftAttachments,
        parent_id: d.parentId,
        forward_of: d.forwardOf,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('sender_id', '=', senderId)
      .where('status', '=', 'draft')
      .returning(['id', 'updated_at'])
      .executeTakeFirst(),

  deleteDraft: (db: DB, id: string, senderId: string) =>
    db
      .deleteFrom('message')
      .where('id', '=', id)
      .where('sender_id', '=', senderId)
      .where('status', '=', 'draft')
      .executeTakeFirst(),

  byId: async (db: DB, id: string) => {
    const res = await sql<MessageRow>`
      SELECT ${messageColumns} FROM message m LEFT JOIN app_user u ON u.id = m.sender_id WHERE m.id = ${id}`.execute(
      db,
    );
    return res.rows[0];
  },

  /** The caller's recipient row of a message, if any (not deleted). */
  copyOf: (db: DB, id: string, userId: string) =>
    db
      .selectFrom('message_recipient')
      .select(['folder', 'read_at'])
      .where('message_id', '=', id)
      .where('user_id', '=', userId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),

  /** The messages of a thread the person sees (sent, or received and not deleted), oldest first. */
  thread: async (db: DB, threadId: string, userId: string) => {
    const res = await sql<{
      id: string;
      subject: string;
      sender_id: string | null;
      sender_name: string | null;
      sent_at: Date | null;
      body_text: string;
    }>`
      SELECT m.id, m.subject, m.sender_id, u.display_name AS sender_name, m.sent_at, m.body_text
      FROM message m LEFT JOIN app_user u ON u.id = m.sender_id
      WHERE m.thread_id = ${threadId} AND m.status = 'sent'
        AND ((m.sender_id = ${userId} AND m.sender_deleted_at IS NULL)
          OR EXISTS (SELECT 1 FROM message_recipient r WHERE r.message_id = m.id AND r.user_id = ${userId} AND r.deleted_at IS NULL))
      ORDER BY m.sent_at, m.id
      LIMIT 200`.execute(db);
    return res.rows;
  },

  markRead: (db: DB, id: string, userId: string, read: boolean) =>
    db
      .updateTable('message_recipient')
      .set({ read_at: read ? sql<Date>`COALESCE(read_at, now())` : null })
      .where('message_id', '=', id)
      .where('user_id', '=', userId)
      .execute(),

  moveCopy: (db: DB, id: string, userId: string, folder: string) =>
    db
      .updateTable('message_recipient')
      .set({ folder })
      .where('message_id', '=', id)
      .where('user_id', '=', userId)
      .where('deleted_at', 'is', null)
      .execute(),

  moveSent: (db: DB, id: string, senderId: string, folder: string) =>
    db
      .updateTable('message')
      .set({ sender_folder: folder })
      .where('id', '=', id)
      .where('sender_id', '=', senderId)
      .execute(),

  deleteCopy: (db: DB, id: string, userId: string) =>
    db
      .updateTable('message_recipient')
      .set({ deleted_at: new Date() })
      .where('message_id', '=', id)
      .where('user_id', '=', userId)
      .where('folder', '=', 'trash')
      .executeTakeFirst(),

  deleteSent: (db: DB, id: string, senderId: string) =>
    db
      .updateTable('message')
      .set({ sender_deleted_at: new Date() })
      .where('id', '=', id)
      .where('sender_id', '=', senderId)
      .where('sender_folder', '=', 'trash')
      .executeTakeFirst(),

  readCount: async (db: DB, ids: string[]) => {
    if (ids.length === 0) return new Map<string, number>();
    const rows = await db
      .selectFrom('message_recipient')
      .select(['message_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('message_id', 'in', ids)
      .where('read_at', 'is not', null)
      .groupBy('message_id')
      .execute();
    return new Map(rows.map((r) => [r.message_id, Number(r.n)]));
  },

  /** Recall: the copies not read yet go; returns how many went and how many had been read. */
  recall: async (db: DB, id: string) => {
    const gone = await db
      .deleteFrom('message_recipient')
      .where('message_id', '=', id)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    const left = await db
      .selectFrom('message_recipient')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message_id', '=', id)
      .executeTakeFirstOrThrow();
    const recalled = Number(gone.numDeletedRows);
    const alreadyRead = Number(left.n);
    await db
      .updateTable('message')
      .set({ recalled_at: new Date(), ...(alreadyRead === 0 ? { status: 'recalled' as const } : {}) })
      .where('id', '=', id)
      .execute();
    // The readers' inboxes show it recalled: touching their copies announces their mailboxes (migration 0201).
    if (alreadyRead > 0) {
      await db.updateTable('message_recipient').set({ folder: sql`folder` }).where('message_id', '=', id).execute();
    }
    return { recalled, alreadyRead };
  },

  purge: async (db: DB, id: string, by: string) => {
    const gone = await db.deleteFrom('message_recipient').where('message_id', '=', id).executeTakeFirst();
    await db
      .updateTable('message')
      .set({
        status: 'purged',
        purged_at: new Date(),
        purged_by: by,
        subject: '[Message retiré par la direction]',
        body_html: '',
        body_text: '',
        draft_attachments: [],
      })
      .where('id', '=', id)
      .execute();
    return Number(gone.numDeletedRows);
  },

  /** The sender's sending in this establishment over the last hour (the caps and the mass-sending alert). */
  lastHourOf: async (db: DB, senderId: string, establishmentId: string) => {
    const res = await sql<{ messages: number; recipients: number; oldest: Date | null }>`
      SELECT count(*)::int AS messages, COALESCE(sum(recipient_count), 0)::int AS recipients, min(sent_at) AS oldest
      FROM message
      WHERE sender_id = ${senderId} AND establishment_id = ${establishmentId}
        AND status IN ('sent', 'recalled', 'purged') AND sent_at > now() - interval '1 hour'`.execute(db);
    return res.rows[0]!;
  },

  /** Two sends of one person never pass the caps side by side. */
  lockSender: async (db: DB, senderId: string) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`messaging.send:${senderId}`}, 0))`.execute(db);
  },

  /** A sender's recent messages (moderation). */
  bySender: async (db: DB, establishmentId: string, senderId: string) =>
    sql<{
      id: string;
      subject: string;
      sender_id: string | null;
      sender_name: string | null;
      recipient_count: number;
      sent_at: Date | null;
      status: MessageStatus;
    }>`
      SELECT m.id, m.subject, m.sender_id, u.display_name AS sender_name, m.recipient_count, m.sent_at, m.status
      FROM message m LEFT JOIN app_user u ON u.id = m.sender_id
      WHERE m.establishment_id = ${establishmentId} AND m.sender_id = ${senderId} AND m.status <> 'draft'
      ORDER BY m.sent_at DESC NULLS LAST LIMIT 50`.execute(db),

  /** Messages of the establishment to many people, newest first (moderation without a sender). */
  broadcasts: async (db: DB, establishmentId: string) =>
    sql<{
      id: string;
      subject: string;
      sender_id: string | null;
      sender_name: string | null;
      recipient_count: number;
      sent_at: Date | null;
      status: MessageStatus;
    }>`
      SELECT m.id, m.subject, m.sender_id, u.display_name AS sender_name, m.recipient_count, m.sent_at, m.status
      FROM message m LEFT JOIN app_user u ON u.id = m.sender_id
      WHERE m.establishment_id = ${establishmentId} AND m.status <> 'draft' AND m.recipient_count >= 10
        AND m.sent_at > now() - interval '7 days'
      ORDER BY m.sent_at DESC LIMIT 50`.execute(db),
};

/** One insert for every recipient of a message (`unnest`): a whole establishment is one statement. */
export async function fanOut(db: DB, messageId: string, establishmentId: string, sentAt: Date, userIds: string[]) {
  const res = await sql`
    INSERT INTO message_recipient (message_id, user_id, establishment_id, sent_at)
    SELECT ${messageId}::uuid, u, ${establishmentId}::uuid, ${sentAt}::timestamptz
    FROM unnest(${userIds}::uuid[]) AS u
    ON CONFLICT DO NOTHING`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

export interface BoxRow {
  id: string;
  thread_id: string;
  subject: string;
  sender_id: string | null;
  sender_name: string | null;
  to_spec: { id: string; label: string }[];
  recipient_count: number;
  body_text: string;
  sent_at: Date | null;
  sort_at: Date;
  read_at: Date | null;
  has_attachments: boolean;
  no_reply: boolean;
  status: MessageStatus;
  recalled_at: Date | null;
  mine: boolean;
}

/**
 * A page of a mailbox, newest first, by keyset on (time, id). Received copies: the recipient rows of the folder
 * (index `message_recipient_box`); sent and drafts: the sender's messages; the trash and the person's folders
 * hold both. `q`: French full-text search (GIN index on `message.search`).
 */
export async function mailboxPage(
  db: DB,
  o: {
    userId: string;
    establishmentId: string;
    folder: string;
    q?: string;
    before?: { at: Date; id: string };
    limit: number;
  },
) {
  const search = o.q ? sql`AND m.search @@ websearch_to_tsquery('french', ${o.q})` : sql``;
  const received = sql`
    SELECT m.id, m.thread_id, m.subject, m.sender_id, m.to_spec, m.recipient_count, m.body_text, m.sent_at,
           r.sent_at AS sort_at, r.read_at, m.has_attachments, m.no_reply, m.status, m.recalled_at, false AS mine
    FROM message_recipient r JOIN message m ON m.id = r.message_id
    WHERE r.user_id = ${o.userId} AND r.establishment_id = ${o.establishmentId} AND r.folder = ${o.folder}
      AND r.deleted_at IS NULL ${search}`;
  const sentStatus = o.folder === 'drafts' ? sql`m.status = 'draft'` : sql`m.status <> 'draft'`;
  const senderFolder =
    o.folder === 'drafts' ? sql`true` : sql`m.sender_folder = ${o.folder === 'sent' ? 'sent' : o.folder}`;
  const sent = sql`
    SELECT m.id, m.thread_id, m.subject, m.sender_id, m.to_spec, m.recipient_count, m.body_text, m.sent_at,
           COALESCE(m.sent_at, m.updated_at) AS sort_at, now() AS read_at, m.has_attachments, m.no_reply, m.status,
           m.recalled_at, true AS mine
    FROM message m
    WHERE m.sender_id = ${o.userId} AND m.establishment_id = ${o.establishmentId} AND ${sentStatus}
      AND ${senderFolder} AND m.sender_deleted_at IS NULL ${search}`;
  const parts =
    o.folder === 'inbox' ? [received] : o.folder === 'sent' || o.folder === 'drafts' ? [sent] : [received, sent];
  const keyset = o.before ? sql`WHERE (x.sort_at, x.id) < (${o.before.at}::timestamptz, ${o.before.id}::uuid)` : sql``;
  // The page and the inbox's unread count in one statement: the home page's widget is one round trip.
  const res = await sql<BoxRow & { unread: number }>`
    SELECT p.*, c.unread FROM (
      SELECT count(*)::int AS unread FROM message_recipient
      WHERE user_id = ${o.userId} AND establishment_id = ${o.establishmentId}
        AND read_at IS NULL AND deleted_at IS NULL AND folder <> 'trash'
    ) c LEFT JOIN LATERAL (
      SELECT x.*, u.display_name AS sender_name FROM (${sql.join(parts, sql` UNION ALL `)}) x
      LEFT JOIN app_user u ON u.id = x.sender_id
      ${keyset}
      ORDER BY x.sort_at DESC, x.id DESC
      LIMIT ${o.limit}
    ) p ON true`.execute(db);
  return {
    unread: res.rows[0]?.unread ?? 0,
    rows: res.rows.filter((r) => r.id !== null) as BoxRow[],
  };
}

/** Where a row of the mailbox sits in its order (for `before`). */
export async function keysetOf(db: DB, userId: string, messageId: string) {
  const res = await sql<{ at: Date }>`
    SELECT COALESCE(
      (SELECT sent_at FROM message_recipient WHERE user_id = ${userId} AND message_id = ${messageId}),
      (SELECT COALESCE(sent_at, updated_at) FROM message WHERE id = ${messageId} AND sender_id = ${userId})
    ) AS at`.execute(db);
  const at = res.rows[0]?.at;
  return at ? { at, id: messageId } : undefined;
}

export async function unreadIn(db: DB, userId: string, establishmentId: string) {
  const res = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM message_recipient
    WHERE user_id = ${userId} AND establishment_id = ${establishmentId}
      AND read_at IS NULL AND deleted_at IS NULL AND folder <> 'trash'`.execute(db);
  return res.rows[0]?.n ?? 0;
}

export const folders = {
  list: async (db: DB, userId: string, establishmentId: string) => {
    const res = await sql<{ id: string; name: string; count: number; unread: number }>`
      SELECT f.id, f.name,
        (SELECT count(*) FROM message_recipient r WHERE r.user_id = f.user_id AND r.folder = f.id::text AND r.deleted_at IS NULL)::int
          + (SELECT count(*) FROM message m WHERE m.sender_id = f.user_id AND m.sender_folder = f.id::text AND m.sender_deleted_at IS NULL)::int AS count,
        (SELECT count(*) FROM message_recipient r WHERE r.user_id = f.user_id AND r.folder = f.id::text AND r.deleted_at IS NULL AND r.read_at IS NULL)::int AS unread
      FROM message_folder f WHERE f.user_id = ${userId} AND f.establishment_id = ${establishmentId}
      ORDER BY lower(f.name)`.execute(db);
    return res.rows;
  },
  counts: async (db: DB, userId: string, establishmentId: string) => {
    const res = await sql<{ drafts: number; trash: number }>`
      SELECT
        (SELECT count(*) FROM message WHERE sender_id = ${userId} AND establishment_id = ${establishmentId} AND status = 'draft')::int AS drafts,
        ((SELECT count(*) FROM message_recipient WHERE user_id = ${userId} AND establishment_id = ${establishmentId} AND folder = 'trash' AND deleted_at IS NULL)
         + (SELECT count(*) FROM message WHERE sender_id = ${userId} AND establishment_id = ${establishmentId} AND sender_folder = 'trash' AND sender_deleted_at IS NULL))::int AS trash`.execute(
      db,
    );
    return res.rows[0]!;
  },
  byId: (db: DB, id: string) =>
    db
      .selectFrom('message_folder')
      .select(['id', 'establishment_id', 'user_id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst(),
  insert: (db: DB, establishmentId: string, userId: string, name: string) =>
    db
      .insertInto('message_folder')
      .values({ establishment_id: establishmentId, user_id: userId, name })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow(),
  rename: (db: DB, id: string, name: string) =>
    db
      .updateTable('message_folder')
      .set({ name })
      .where('id', '=', id)
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow(),
  delete: async (db: DB, id: string, userId: string) => {
    await db
      .updateTable('message_recipient')
      .set({ folder: 'inbox' })
      .where('user_id', '=', userId)
      .where('folder', '=', id)
      .execute();
    await db
      .updateTable('message')
      .set({ sender_folder: 'sent' })
      .where('sender_id', '=', userId)
      .where('sender_folder', '=', id)
      .execute();
    await db.deleteFrom('message_folder').where('id', '=', id).execute();
  },
};

export const rules = {
  levels: (db: DB, establishmentId: string) =>
    db
      .selectFrom('messaging_rule')
      .select(['from_profile', 'to_category', 'level'])
      .where('establishment_id', '=', establishmentId)
      .execute(),
  structures: (db: DB, establishmentId: string) =>
    db
      .selectFrom('messaging_structure_rule')
      .select(['structure_type', 'structure_id', 'from_profile', 'to_category', 'allowed'])
      .where('establishment_id', '=', establishmentId)
      .execute(),
  replaceLevels: async (
    db: DB,
    establishmentId: string,
    by: string,
    rows: { from: string; to: string; level: 'none' | 'related' | 'all' }[],
  ) => {
    await db.deleteFrom('messaging_rule').where('establishment_id', '=', establishmentId).execute();
    if (rows.length === 0) return;
    await db
      .insertInto('messaging_rule')
      .values(
        rows.map((r) => ({
          establishment_id: establishmentId,
          from_profile: r.from,
          to_category: r.to,
          level: r.level,
          updated_by: by,
        })),
      )
      .execute();
  },
  replaceStructures: async (
    db: DB,
    establishmentId: string,
    rows: {
      type: 'class' | 'group';
      id: string;
      from: 'student' | 'guardian';
      to: 'student' | 'guardian' | 'teacher';
      allowed: boolean;
    }[],
  ) => {
    await db.deleteFrom('messaging_structure_rule').where('establishment_id', '=', establishmentId).execute();
    if (rows.length === 0) return;
    await db
      .insertInto('messaging_structure_rule')
      .values(
        rows.map((r) => ({
          establishment_id: establishmentId,
          structure_type: r.type,
          structure_id: r.id,
          from_profile: r.from,
          to_category: r.to,
          allowed: r.allowed,
        })),
      )
      .execute();
  },
};

export const settings = {
  of: (db: DB, establishmentId: string) =>
    db
      .selectFrom('messaging_setting')
      .select(['suspended_profiles', 'caps'])
      .where('establishment_id', '=', establishmentId)
      .executeTakeFirst(),
  upsert: (
    db: DB,
    establishmentId: string,
    by: string,
    s: { suspendedProfiles: string[]; caps: Record<string, unknown> },
  ) =>
    db
      .insertInto('messaging_setting')
      .values({
        establishment_id: establishmentId,
        suspended_profiles: s.suspendedProfiles,
        caps: JSON.stringify(s.caps),
        updated_by: by,
      })
      .onConflict((oc) =>
        oc.column('establishment_id').doUpdateSet({
          suspended_profiles: s.suspendedProfiles,
          caps: JSON.stringify(s.caps),
          updated_by: by,
          updated_at: new Date(),
        }),
      )
      .execute(),
};

export const alerts = {
  recentFor: (db: DB, senderId: string, establishmentId: string) =>
    db
      .selectFrom('messaging_alert')
      .select('id')
      .where('sender_id', '=', senderId)
      .where('establishment_id', '=', establishmentId)
      .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirst(),
  insert: (
    db: DB,
    a: {
      establishmentId: string;
      senderId: string;
      profile: string;
      reason: string;
      messages: number;
      recipients: number;
    },
  ) =>
    db
      .insertInto('messaging_alert')
      .values({
        establishment_id: a.establishmentId,
        sender_id: a.senderId,
        profile: a.profile,
        reason: a.reason,
        messages: a.messages,
        recipients: a.recipients,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  recent: async (db: DB, establishmentId: string) =>
    sql<{
      id: string;
      sender_id: string;
      sender_name: string;
      profile: string;
      reason: string;
      messages: number;
      recipients: number;
      created_at: Date;
    }>`
      SELECT a.id, a.sender_id, u.display_name AS sender_name, a.profile, a.reason, a.messages, a.recipients, a.created_at
      FROM messaging_alert a JOIN app_user u ON u.id = a.sender_id
      WHERE a.establishment_id = ${establishmentId} AND a.created_at > now() - interval '30 days'
      ORDER BY a.created_at DESC LIMIT 50`.execute(db),
};

/** The establishment's people of a profile (the direction, to alert). */
export async function membersWithProfile(db: DB, establishmentId: string, profile: string) {
  const rows = await db
    .selectFrom('membership')
    .select('user_id')
    .distinct()
    .where('establishment_id', '=', establishmentId)
    .where('profile', '=', profile)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Classes and groups of the current year (address book lists, rules page), the sender's own marked elsewhere. */
export async function structures(db: DB, establishmentId: string) {
  const res = await sql<{ id: string; type: 'class' | 'group'; code: string; label: string }>`
    SELECT c.id, 'class' AS type, c.code, c.label FROM class c
    JOIN school_year y ON y.id = c.school_year_id AND y.status = 'current' WHERE c.establishment_id = ${establishmentId}
    UNION ALL
    SELECT g.id, 'group', g.code, g.label FROM teaching_group g
    JOIN school_year y ON y.id = g.school_year_id AND y.status = 'current' WHERE g.establishment_id = ${establishmentId}
    ORDER BY 2, 3`.execute(db);
  return res.rows;
}

/** Member counts of class and group lists, by structure: students, guardians, teachers. */
export async function structureCounts(db: DB, establishmentId: string, structureIds: string[]) {
  if (structureIds.length === 0) return new Map<string, { students: number; guardians: number; teachers: number }>();
  const res = await sql<{ id: string; students: number; guardians: number; teachers: number }>`
    WITH s(id) AS (SELECT unnest(${structureIds}::uuid[]))
    SELECT s.id,
      (SELECT count(DISTINCT e.student_id) FROM enrolment e JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
        WHERE e.establishment_id = ${establishmentId} AND (e.class_id = s.id OR e.group_id = s.id))::int AS students,
      (SELECT count(DISTINCT g.guardian_id) FROM enrolment e JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
        JOIN guardianship g ON g.student_id = e.student_id AND g.establishment_id = e.establishment_id
        WHERE e.establishment_id = ${establishmentId} AND (e.class_id = s.id OR e.group_id = s.id))::int AS guardians,
      (SELECT count(DISTINCT t) FROM (
        SELECT ta.teacher_id AS t FROM teaching_assignment ta JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
          WHERE ta.establishment_id = ${establishmentId} AND (ta.class_id = s.id OR ta.group_id = s.id)
        UNION SELECT h.teacher_id FROM head_teacher h JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
          WHERE h.establishment_id = ${establishmentId} AND h.class_id = s.id) x)::int AS teachers
    FROM s`.execute(db);
  return new Map(res.rows.map((r) => [r.id, { students: r.students, guardians: r.guardians, teachers: r.teachers }]));
}

/** Member counts of the establishment-wide lists. */
export async function categoryCounts(db: DB, establishmentId: string) {
  const res = await sql<{
    student: number;
    guardian: number;
    teacher: number;
    school_life: number;
    staff: number;
    direction: number;
    personnel: number;
  }>`
    SELECT
      count(DISTINCT m.user_id) FILTER (WHERE m.profile = 'student')::int AS student,
      count(DISTINCT m.user_id) FILTER (WHERE m.profile = 'guardian')::int AS guardian,
      count(DISTINCT m.user_id) FILTER (WHERE m.profile = 'teacher')::int AS teacher,
      count(DISTINCT m.user_id) FILTER (WHERE m.profile = 'staff' AND 'EDU' = ANY(m.functions))::int AS school_life,
      count(DISTINCT m.user_id) FILTER (WHERE (m.profile = 'staff' AND NOT ('EDU' = ANY(m.functions))) OR m.profile = 'local_admin')::int AS staff,
      count(DISTINCT m.user_id) FILTER (WHERE m.profile = 'principal')::int AS direction,
      count(DISTINCT m.user_id) FILTER (WHERE m.profile IN ('teacher', 'staff', 'principal', 'local_admin'))::int AS personnel
    FROM membership m JOIN app_user u ON u.id = m.user_id
    WHERE m.establishment_id = ${establishmentId} AND u.status <> 'detached'
      AND NOT EXISTS (SELECT 1 FROM membership_suspension s WHERE s.user_id = m.user_id AND s.establishment_id = m.establishment_id)`.execute(
    db,
  );
  return res.rows[0]!;
}

/**
 * What each person is here, for the address book: classes of students, children of guardians (with their
 * class), head-teacher classes and subjects of teachers (the sender's classes first). One query.
 */
export async function positions(db: DB, establishmentId: string, people: string[]) {
  if (people.length === 0) return [];
  const res = await sql<{
    user_id: string;
    kind: 'class' | 'child' | 'head' | 'subject';
    label: string;
    structure_id: string | null;
  }>`
    SELECT e.student_id AS user_id, 'class' AS kind, c.code AS label, c.id AS structure_id
    FROM enrolment e JOIN class c ON c.id = e.class_id JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
    WHERE e.establishment_id = ${establishmentId} AND e.student_id = ANY(${people}::uuid[])
    UNION ALL
    SELECT g.guardian_id, 'child', s.first_name || COALESCE(' (' || c.code || ')', ''), c.id
    FROM guardianship g JOIN app_user s ON s.id = g.student_id
    LEFT JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id AND e.class_id IS NOT NULL
      AND e.school_year_id IN (SELECT id FROM school_year WHERE establishment_id = ${establishmentId} AND status = 'current')
    LEFT JOIN class c ON c.id = e.class_id
    WHERE g.establishment_id = ${establishmentId} AND g.guardian_id = ANY(${people}::uuid[])
    UNION ALL
    SELECT h.teacher_id, 'head', c.code, c.id
    FROM head_teacher h JOIN class c ON c.id = h.class_id JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
    WHERE h.establishment_id = ${establishmentId} AND h.teacher_id = ANY(${people}::uuid[])
    UNION ALL
    SELECT DISTINCT ta.teacher_id, 'subject', COALESCE(sub.label, ta.subject_code), COALESCE(ta.class_id, ta.group_id)
    FROM teaching_assignment ta JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
    LEFT JOIN subject sub ON sub.code = ta.subject_code
    WHERE ta.establishment_id = ${establishmentId} AND ta.teacher_id = ANY(${people}::uuid[])`.execute(db);
  return res.rows;
}

/** Labels of persons (drafts, reply-all): display names of members here. */
export async function namesOf(db: DB, establishmentId: string, people: string[]) {
  if (people.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('app_user as u')
    .innerJoin('membership as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.display_name'])
    .distinct()
    .where('m.establishment_id', '=', establishmentId)
    .where('u.id', 'in', people)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** The person's messages, for the export of their data (sent and received, newest first). */
export async function messagesOfPerson(db: AuthorizedDb, userId: string) {
  const res = await sql<{
    id: string;
    role: string;
    subject: string;
    body_text: string;
    sender: string | null;
    sent_at: Date | null;
    read_at: Date | null;
    folder: string;
  }>`
    SELECT m.id, 'sent' AS role, m.subject, m.body_text, u.display_name AS sender, m.sent_at, NULL::timestamptz AS read_at, m.sender_folder AS folder
    FROM message m LEFT JOIN app_user u ON u.id = m.sender_id
    WHERE m.sender_id = ${userId} AND m.sender_deleted_at IS NULL
    UNION ALL
    SELECT m.id, 'received', m.subject, m.body_text, u.display_name, m.sent_at, r.read_at, r.folder
    FROM message_recipient r JOIN message m ON m.id = r.message_id LEFT JOIN app_user u ON u.id = m.sender_id
    WHERE r.user_id = ${userId} AND r.deleted_at IS NULL
    ORDER BY sent_at DESC NULLS FIRST LIMIT 5000`.execute(db);
  return res.rows;
}

/** Trash emptied after 30 days, messages kept two years: the retention the register states. The ids deleted. */
export async function purgeExpired(db: AuthorizedDb) {
  await sql`DELETE FROM message_recipient WHERE deleted_at IS NOT NULL AND deleted_at < now() - interval '30 days'`.execute(
    db,
  );
  const res = await sql<{ id: string }>`
    DELETE FROM message WHERE COALESCE(sent_at, updated_at) < now() - interval '2 years' RETURNING id`.execute(db);
  return res.rows.map((r) => r.id);
}

/** Indicators of the rollout cockpit, from the module's own rows and the usage events (Paris days, inclusive). */
export const indicators = {
  sentBy: async (db: DB, establishmentId: string, period: { from: string; to: string }, profile: string) => {
    const res = await sql<{ n: number }>`
      SELECT COALESCE(sum(events), 0)::int AS n FROM usage_daily
      WHERE establishment_id = ${establishmentId} AND service = 'messaging' AND action = 'message.send'
        AND profile = ${profile} AND day BETWEEN ${period.from}::date AND ${period.to}::date`.execute(db);
    return res.rows[0]?.n ?? 0;
  },
  messagesSent: async (db: DB, establishmentId: string, period: { from: string; to: string }) => {
    const res = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM message
      WHERE establishment_id = ${establishmentId} AND status IN ('sent', 'recalled')
        AND sent_at >= (${period.from}::date::timestamp AT TIME ZONE 'Europe/Paris')
        AND sent_at < ((${period.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`.execute(db);
    return res.rows[0]?.n ?? 0;
  },
  /** Guardians who read at least one message in the period, of the establishment's guardians. */
  guardiansReading: async (db: DB, establishmentId: string, period: { from: string; to: string }) => {
    const res = await sql<{ readers: number; guardians: number }>`
      SELECT
        (SELECT count(DISTINCT m.user_id) FROM membership m
          WHERE m.establishment_id = ${establishmentId} AND m.profile = 'guardian'
            AND EXISTS (SELECT 1 FROM message_recipient r
              WHERE r.user_id = m.user_id AND r.establishment_id = m.establishment_id AND r.read_at IS NOT NULL
                AND r.read_at >= (${period.from}::date::timestamp AT TIME ZONE 'Europe/Paris')
                AND r.read_at < ((${period.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')))::int AS readers,
        (SELECT count(DISTINCT user_id) FROM membership WHERE establishment_id = ${establishmentId} AND profile = 'guardian')::int AS guardians`.execute(
      db,
    );
    return res.rows[0]!;
  },
};

/** The demo's conversations happened days ago: their times are moved back. */
export async function backdate(db: DB, messageId: string, at: Date) {
  await db
    .updateTable('message')
    .set({ sent_at: at, created_at: at, updated_at: at })
    .where('id', '=', messageId)
    .execute();
  await db.updateTable('message_recipient').set({ sent_at: at }).where('message_id', '=', messageId).execute();
}

/** Where a demo persona belongs: their establishment and first class (by enrolment), or nothing. */
export async function demoPlaceOf(db: DB, studentId: string) {
  return db
    .selectFrom('enrolment as e')
    .innerJoin('class as c', 'c.id', 'e.class_id')
    .select(['e.establishment_id', 'c.id as class_id', 'c.code'])
    .where('e.student_id', '=', studentId)
    .executeTakeFirst();
}
