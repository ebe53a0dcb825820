import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { notifyAfterCommit } from '../../platform/db/after-commit.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { Delivery, MailStatus } from './timeline.tables.ts';

export interface NewNotification {
  establishmentId: string | null;
  kind: string;
  actorId: string | null;
  text: { fr: string; en?: string };
  link: string | null;
  source: { type: string; id: string } | null;
  recipients: string[];
}

/** All SQL of the timeline. */
/** The feed's page query, newest first, after the keyset of `before` (its own row's time and id). */
function feedQuery(db: Db, userId: string, opts: { establishmentId?: string; before?: string; limit: number }) {
  let q = db
    .selectFrom('notification_recipient as r')
    .innerJoin('notification as n', 'n.id', 'r.notification_id')
    .leftJoin('app_user as a', 'a.id', 'n.actor_id')
    .select([
      'n.id',
      'n.kind',
      'n.establishment_id',
      'n.text',
      'n.link',
      'n.actor_id',
      'a.display_name as actor_name',
      'r.created_at',
      'r.read_at',
    ])
    .where('r.user_id', '=', userId);
  if (opts.establishmentId) q = q.where('r.establishment_id', '=', opts.establishmentId);
  if (opts.before) {
    const before = opts.before;
    q = q.where(({ eb, selectFrom, refTuple }) =>
      eb(
        refTuple('r.created_at', 'r.notification_id'),
        '<',
        selectFrom('notification_recipient as b')
          .select(['b.created_at', 'b.notification_id'])
          .where('b.user_id', '=', userId)
          .where('b.notification_id', '=', before)
          .$asTuple('created_at', 'notification_id'),
      ),
    );
  }
  return q.orderBy('r.created_at', 'desc').orderBy('r.notification_id', 'desc').limit(opts.limit);
}

type FeedRow = Awaited<ReturnType<ReturnType<typeof feedQuery>['execute']>>[number];

export const notifications = {
  /**
   * Notifications and all their recipients in two inserts (`unnest`), whatever their number: a whole school, or a
   * roll call's absences, is two statements. The ids are made here, so each recipient row names its notification
   * without relying on the order `RETURNING` gives. Recipients take the transaction's time, as the row's default.
   */
  async insertMany(db: Db, list: NewNotification[]): Promise<{ id: string; recipients: number }[]> {
    if (list.length === 0) return [];
    const ids = list.map(() => randomUUID());
    await sql`
      INSERT INTO notification (id, establishment_id, kind, actor_id, text, link, source_type, source_id)
      SELECT * FROM unnest(${ids}::uuid[], ${list.map((n) => n.establishmentId)}::uuid[],
        ${list.map((n) => n.kind)}::text[], ${list.map((n) => n.actorId)}::uuid[],
        ${list.map((n) => JSON.stringify(n.text))}::jsonb[], ${list.map((n) => n.link)}::text[],
        ${list.map((n) => n.source?.type ?? null)}::text[], ${list.map((n) => n.source?.id ?? null)}::uuid[])`.execute(
      db,
    );
    const of: string[] = [];
    const users: string[] = [];
    const places: (string | null)[] = [];
    list.forEach((n, i) => {
      for (const u of n.recipients) {
        of.push(ids[i]!);
        users.push(u);
        places.push(n.establishmentId);
      }
    });
    const res = await sql<{ notification_id: string; n: number }>`
      WITH ins AS (
        INSERT INTO notification_recipient (notification_id, user_id, establishment_id, created_at)
        SELECT r.n, r.u, r.e, now() FROM unnest(${of}::uuid[], ${users}::uuid[], ${places}::uuid[]) AS r(n, u, e)
        ON CONFLICT DO NOTHING RETURNING notification_id)
      SELECT notification_id, count(*)::int AS n FROM ins GROUP BY notification_id`.execute(db);
    const counts = new Map(res.rows.map((r) => [r.notification_id, r.n]));
    // Every instance's live counter hears them once the transaction commits (LISTEN/NOTIFY).
    for (const id of ids) await announce(db, `n:${id}`);
    return ids.map((id) => ({ id, recipients: counts.get(id) ?? 0 }));
  },

  withdraw: async (db: Db, source: { type: string; id: string }) => {
    await db
      .deleteFrom('mail_outbox')
      .where('source_type', '=', source.type)
      .where('source_id', '=', source.id)
      .where('status', 'in', ['pending', 'sending'])
      .execute();
    const res = await db
      .deleteFrom('notification')
      .where('source_type', '=', source.type)
      .where('source_id', '=', source.id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) > 0) await announce(db, '*');
  },

  /** Mark read the caller's notifications about a source (the message they just opened). */
  markSourceRead: async (db: Db, userId: string, source: { type: string; id: string }) => {
    const res = await sql`
      UPDATE notification_recipient r SET read_at = now()
      FROM notification n
      WHERE n.id = r.notification_id AND r.user_id = ${userId} AND r.read_at IS NULL
        AND n.source_type = ${source.type} AND n.source_id = ${source.id}`.execute(db);
    if (Number(res.numAffectedRows ?? 0) > 0) await announce(db, `u:${userId}`);
  },

  /**
   * One page of the feed, newest first, after the keyset of `before` (its own row's time and id), and the
   * unread count, in one statement (the home page's timeline widget is one round trip).
   */
  feedPage: async (db: Db, userId: string, opts: { establishmentId?: string; before?: string; limit: number }) => {
    const unread = db
      .selectFrom('notification_recipient')
      .select((eb) => eb.fn.countAll<string>().as('unread'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .$if(!!opts.establishmentId, (q) => q.where('establishment_id', '=', opts.establishmentId!));
    const rows = await db
      .selectFrom(unread.as('u'))
      .leftJoinLateral(feedQuery(db, userId, opts).as('f'), (join) => join.onTrue())
      .selectAll('f')
      .select('u.unread')
      .execute();
    return {
      unread: Number(rows[0]?.unread ?? 0),
      rows: rows.filter((r): r is typeof r & { id: string } => r.id !== null) as FeedRow[],
    };
  },

  unread: async (db: Db, userId: string, establishmentId?: string) => {
    let q = db
      .selectFrom('notification_recipient')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (establishmentId) q = q.where('establishment_id', '=', establishmentId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },

  markRead: async (db: Db, userId: string, ids: string[]) => {
    const res = await db
      .updateTable('notification_recipient')
      .set({ read_at: new Date() })
      .where('user_id', '=', userId)
      .where('notification_id', 'in', ids)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await announce(db, `u:${userId}`);
  },

  markAllRead: async (db: Db, userId: string, establishmentId?: string) => {
    let q = db
      .updateTable('notification_recipient')
      .set({ read_at: new Date() })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (establishmentId) q = q.where('establishment_id', '=', establishmentId);
    const res = await q.executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await announce(db, `u:${userId}`);
  },

  /** Unread notifications by kind, for many people at once (the live counters of one instance). */
  unreadByKind: async (db: Db, userIds: string[]) => {
    if (userIds.length === 0) return [];
    const res = await sql<{ user_id: string; kind: string; n: number }>`
      SELECT r.user_id, n.kind, count(*)::int AS n
      FROM notification_recipient r JOIN notification n ON n.id = r.notification_id
      WHERE r.user_id = ANY(${userIds}::uuid[]) AND r.read_at IS NULL
      GROUP BY r.user_id, n.kind`.execute(db);
    return res.rows;
  },

  /** Of these people, those who received one of these notifications. */
  recipientsAmong: async (db: Db, notificationIds: string[], userIds: string[]) => {
    if (notificationIds.length === 0 || userIds.length === 0) return new Set<string>();
    const res = await sql<{ user_id: string }>`
      SELECT DISTINCT user_id FROM notification_recipient
      WHERE notification_id = ANY(${notificationIds}::uuid[]) AND user_id = ANY(${userIds}::uuid[])`.execute(db);
    return new Set(res.rows.map((r) => r.user_id));
  },

  /** Notifications older than the cutoff, with their recipients (cascade). */
  // (mails are purged with their own retention, see mails.purgeBefore)
  purgeBefore: async (db: Db, cutoff: Date) =>
    Number((await db.deleteFrom('notification').where('created_at', '<', cutoff).executeTakeFirst()).numDeletedRows),

  /** The person's notifications, for the export of their data. */
  ofPerson: (db: Db, userId: string) =>
    db
      .selectFrom('notification_recipient as r')
      .innerJoin('notification as n', 'n.id', 'r.notification_id')
      .select(['n.kind', 'n.text', 'n.link', 'r.created_at', 'r.read_at'])
      .where('r.user_id', '=', userId)
      .orderBy('r.created_at', 'desc')
      .limit(10_000)
      .execute(),
};

/** The channel of the timeline's live events between instances (payloads: `n:<notification>`, `u:<user>`, `*`, `mail`). */
export const LIVE_CHANNEL = 'preau_timeline';

/**
 * Announce a change to every instance; delivered when (and only if) the transaction commits. In a transaction of
 * `transactionWithHooks` (every use case's `auth.transaction`), the announcements are sent right after the commit,
 * with the transaction's cache announcements in one statement, so that the write does not hold PostgreSQL's NOTIFY
 * lock through its WAL flush (platform/db/after-commit.ts); elsewhere inside the transaction, as before.
 */
export async function announce(db: Db, payload: string): Promise<void> {
  if (notifyAfterCommit(db, LIVE_CHANNEL, payload)) return;
  await sendLive(db, [payload]);
}

async function sendLive(db: Db, payloads: string[]): Promise<void> {
  await sql`SELECT pg_notify(${LIVE_CHANNEL}, p) FROM unnest(${payloads}::text[]) AS p`.execute(db);
}

/**
 * A dedicated connection listening on the live channel (LISTEN needs a session of its own: not through a pool,
 * nor PgBouncer in transaction mode). Reconnects with a growing delay; `onReset` runs after each (re)connection,
 * since anything announced while it was down was missed.
 */
export function listenLive(
  url: string,
  handlers: { payload: (p: string) => void; reset: () => void; lost?: (e: unknown) => void },
): { ready: Promise<void>; stop: () => Promise<void> } {
  let client: pg.Client | null = null;
  let stopped = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | null = null;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, application_name: 'preau-live', keepAlive: true });
    let failed = false;
    const lost = (e?: unknown) => {
      if (failed) return;
      failed = true;
      if (client === c) client = null;
      c.end().catch(() => {});
      if (stopped) return;
      handlers.lost?.(e);
      timer = setTimeout(() => void connect(), retryMs);
      timer.unref();
      retryMs = Math.min(retryMs * 2, 10_000);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === LIVE_CHANNEL) handlers.payload(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (e) {
      lost(e);
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    retryMs = 250;
    handlers.reset();
    resolveReady();
  };
  void connect();
  return {
    ready,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      resolveReady();
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

export interface NewMail {
  establishmentId: string | null;
  userId: string | null;
  to: string;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  quiet: boolean;
  secret?: boolean;
  source?: { type: string; id: string } | null;
}

export interface MailRow {
  id: string;
  user_id: string | null;
  to_address: string;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  quiet: boolean;
  secret: boolean;
  attempts: number;
}

/** Choices per kind and quiet hours: all SQL of the preferences. */
export const preferences = {
  ofUser: (db: Db, userId: string) =>
    db.selectFrom('notification_preference').select(['kind', 'delivery']).where('user_id', '=', userId).execute(),

  setting: (db: Db, userId: string) =>
    db
      .selectFrom('notification_setting')
      .select(['quiet_start', 'quiet_end', 'digest_until'])
      .where('user_id', '=', userId)
      .executeTakeFirst(),

  settingsOf: async (db: Db, userIds: string[]) => {
    if (userIds.length === 0) return [];
    return db
      .selectFrom('notification_setting')
      .select(['user_id', 'quiet_start', 'quiet_end'])
      .where('user_id', 'in', userIds)
      .execute();
  },

  upsertDeliveries: async (db: Db, userId: string, deliveries: { kind: string; delivery: Delivery }[]) => {
    if (deliveries.length === 0) return;
    await db
      .insertInto('notification_preference')
      .values(deliveries.map((d) => ({ user_id: userId, kind: d.kind, delivery: d.delivery })))
      .onConflict((oc) =>
        oc.columns(['user_id', 'kind']).doUpdateSet((eb) => ({ delivery: eb.ref('excluded.delivery') })),
      )
      .execute();
  },

  upsertQuietHours: (db: Db, userId: string, start: number, end: number) =>
    db
      .insertInto('notification_setting')
      .values({ user_id: userId, quiet_start: start, quiet_end: end })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ quiet_start: start, quiet_end: end }))
      .execute(),

  userEmail: async (db: Db, userId: string) =>
    (await db.selectFrom('app_user').select('email').where('id', '=', userId).executeTakeFirst())?.email ?? null,

  /** The person's choices and settings, for the export of their data. */
  exportOf: async (db: Db, userId: string) => ({
    deliveries: await preferences.ofUser(db, userId),
    setting: await preferences.setting(db, userId),
  }),
};

/** The outbox: every mail goes through it. */
export const mails = {
  insert: (db: Db, m: NewMail) =>
    db
      .insertInto('mail_outbox')
      .values({
        establishment_id: m.establishmentId,
        user_id: m.userId,
        to_address: m.to,
        kind: m.kind,
        subject: m.subject,
        body: m.body,
        link: m.link,
        quiet: m.quiet,
        secret: m.secret ?? false,
        source_type: m.source?.type ?? null,
        source_id: m.source?.id ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  /**
   * The mails of notifications, in one insert: each recipient with an e-mail address whose choice for the kind (or
   * the kind's default) is "e-mail at once".
   */
  fanOut: async (
    db: Db,
    list: {
      establishmentId: string | null;
      recipients: string[];
      kind: string;
      defaultDelivery: Delivery;
      subject: string;
      body: string;
      link: string | null;
      source: { type: string; id: string } | null;
    }[],
  ) => {
    const which: number[] = [];
    const users: string[] = [];
    list.forEach((n, i) => {
      for (const u of n.recipients) {
        which.push(i + 1);
        users.push(u);
      }
    });
    if (users.length === 0) return 0;
    const res = await sql`
      INSERT INTO mail_outbox (establishment_id, user_id, to_address, kind, subject, body, link, source_type, source_id)
      SELECT m.establishment_id, u.id, u.email, m.kind, m.subject, m.body, m.link, m.source_type, m.source_id
      FROM unnest(${which}::int[], ${users}::uuid[]) AS r(i, id)
      JOIN unnest(${list.map((n) => n.establishmentId)}::uuid[], ${list.map((n) => n.kind)}::text[],
        ${list.map((n) => n.defaultDelivery)}::text[], ${list.map((n) => n.subject)}::text[],
        ${list.map((n) => n.body)}::text[], ${list.map((n) => n.link)}::text[],
        ${list.map((n) => n.source?.type ?? null)}::text[], ${list.map((n) => n.source?.id ?? null)}::uuid[])
        WITH ORDINALITY AS m(establishment_id, kind, default_delivery, subject, body, link, source_type, source_id, i)
        ON m.i = r.i
      JOIN app_user u ON u.id = r.id
      LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = m.kind
      WHERE u.email IS NOT NULL AND u.email <> '' AND u.status = 'active'
        AND COALESCE(p.delivery, m.default_delivery) = 'email'`.execute(db);
    const count = Number(res.numAffectedRows ?? 0);
    if (count > 0) await announce(db, 'mail');
    return count;
  },

  /** Claim due mails for sending (several instances never take the same one). */
  claimDue: async (db: Db, now: Date, limit: number) => {
    const res = await sql<MailRow>`
      UPDATE mail_outbox SET status = 'sending', locked_until = now() + interval '5 minutes'
      WHERE id IN (
        SELECT id FROM mail_outbox
        WHERE (status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND locked_until < now())
        ORDER BY not_before LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, user_id, to_address, kind, subject, body, link, quiet, secret, attempts`.execute(db);
    return res.rows;
  },

  defer: (db: Db, ids: string[], until: Date) =>
    ids.length === 0
      ? Promise.resolve()
      : db
          .updateTable('mail_outbox')
          .set({ status: 'pending', not_before: until, locked_until: null })
          .where('id', 'in', ids)
          .execute(),

  done: (db: Db, id: string, status: Extract<MailStatus, 'sent' | 'kept'>, blank: boolean) =>
    db
      .updateTable('mail_outbox')
      .set({
        status,
        sent_at: status === 'sent' ? new Date() : null,
        locked_until: null,
        ...(blank ? { body: '[lien retiré après envoi]', link: null } : {}),
      })
      .where('id', '=', id)
      .execute(),

  failed: (db: Db, id: string, error: string, retryAt: Date | null) =>
    db
      .updateTable('mail_outbox')
      .set((eb) => ({
        status: retryAt ? 'pending' : 'failed',
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        not_before: retryAt ?? new Date(),
        locked_until: null,
      }))
      .where('id', '=', id)
      .execute(),

  page: (db: Db, opts: { before?: string; limit: number }) => {
    let q = db.selectFrom('mail_outbox as m').selectAll('m');
    if (opts.before) {
      const before = opts.before;
      q = q.where(({ eb, selectFrom, refTuple }) =>
        eb(
          refTuple('m.created_at', 'm.id'),
          '<',
          selectFrom('mail_outbox as b')
            .select(['b.created_at', 'b.id'])
            .where('b.id', '=', before)
            .$asTuple('created_at', 'id'),
        ),
      );
    }
    return q.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(opts.limit).execute();
  },

  ofUser: (db: Db, userId: string) =>
    db
      .selectFrom('mail_outbox')
      .select(['kind', 'subject', 'status', 'created_at', 'sent_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute(),

  purgeBefore: async (db: Db, cutoff: Date) =>
    Number(
      (
        await db
          .deleteFrom('mail_outbox')
          .where('created_at', '<', cutoff)
          .where('status', 'in', ['sent', 'kept', 'failed'])
          .executeTakeFirst()
      ).numDeletedRows,
    ),
};

/** The daily digest's reading: for each person, their unread notifications of kinds they chose as a digest. */
export const digests = {
  due: async (db: Db, now: Date, kinds: { kind: string; defaultDelivery: Delivery }[]) => {
    if (kinds.length === 0) return [];
    const res = await sql<{
      user_id: string;
      email: string;
      kind: string;
      text: { fr: string; en?: string };
      link: string | null;
      created_at: Date;
    }>`
      WITH k(kind, def) AS (SELECT * FROM unnest(${kinds.map((k) => k.kind)}::text[], ${kinds.map((k) => k.defaultDelivery)}::text[]))
      SELECT r.user_id, u.email, n.kind, n.text, n.link, r.created_at
      FROM notification n
      JOIN k ON k.kind = n.kind
      JOIN notification_recipient r ON r.notification_id = n.id
      JOIN app_user u ON u.id = r.user_id
      LEFT JOIN notification_preference p ON p.user_id = r.user_id AND p.kind = n.kind
      LEFT JOIN notification_setting s ON s.user_id = r.user_id
      WHERE n.created_at > ${now}::timestamptz - interval '7 days' AND n.created_at <= ${now}
        AND r.created_at > GREATEST(COALESCE(s.digest_until, ${now}::timestamptz - interval '1 day'),
                                    ${now}::timestamptz - interval '7 days')
        AND r.read_at IS NULL
        AND COALESCE(p.delivery, k.def) = 'digest'
        AND u.email IS NOT NULL AND u.email <> '' AND u.status = 'active'
      ORDER BY r.user_id, r.created_at`.execute(db);
    return res.rows;
  },

  markCovered: async (db: Db, userIds: string[], until: Date) => {
    if (userIds.length === 0) return;
    await sql`
      INSERT INTO notification_setting (user_id, digest_until)
      SELECT u, ${until}::timestamptz FROM unnest(${userIds}::uuid[]) AS u
      ON CONFLICT (user_id) DO UPDATE SET digest_until = EXCLUDED.digest_until`.execute(db);
  },

  insertMany: async (db: Db, rows: NewMail[]) => {
    if (rows.length === 0) return;
    await db
      .insertInto('mail_outbox')
      .values(
        rows.map((m) => ({
          establishment_id: m.establishmentId,
          user_id: m.userId,
          to_address: m.to,
          kind: m.kind,
          subject: m.subject,
          body: m.body,
          link: m.link,
          quiet: m.quiet,
        })),
      )
      .execute();
    await announce(db, 'mail');
  },
};
