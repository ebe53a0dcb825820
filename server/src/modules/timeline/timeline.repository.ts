import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.ts';
import './timeline.tables.ts';

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
export const notifications = {
  /** One notification row, its recipients in one insert (`unnest`): a whole school is one statement. */
  async insert(db: Db, n: NewNotification): Promise<{ id: string; recipients: number }> {
    const row = await db
      .insertInto('notification')
      .values({
        establishment_id: n.establishmentId,
        kind: n.kind,
        actor_id: n.actorId,
        text: JSON.stringify(n.text),
        link: n.link,
        source_type: n.source?.type ?? null,
        source_id: n.source?.id ?? null,
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    const res = await sql`
      INSERT INTO notification_recipient (notification_id, user_id, establishment_id, created_at)
      SELECT ${row.id}::uuid, u, ${n.establishmentId}::uuid, ${row.created_at}::timestamptz
      FROM unnest(${n.recipients}::uuid[]) AS u
      ON CONFLICT DO NOTHING`.execute(db);
    return { id: row.id, recipients: Number(res.numAffectedRows ?? 0) };
  },

  withdraw: (db: Db, source: { type: string; id: string }) =>
    db
      .deleteFrom('notification')
      .where('source_type', '=', source.type)
      .where('source_id', '=', source.id)
      .executeTakeFirst(),

  /** One page of the feed, newest first, after the keyset of `before` (its own row's time and id). */
  feed: (db: Db, userId: string, opts: { establishmentId?: string; before?: string; limit: number }) => {
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
    return q.orderBy('r.created_at', 'desc').orderBy('r.notification_id', 'desc').limit(opts.limit).execute();
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

  markRead: (db: Db, userId: string, ids: string[]) =>
    db
      .updateTable('notification_recipient')
      .set({ read_at: new Date() })
      .where('user_id', '=', userId)
      .where('notification_id', 'in', ids)
      .where('read_at', 'is', null)
      .execute(),

  markAllRead: (db: Db, userId: string, establishmentId?: string) => {
    let q = db
      .updateTable('notification_recipient')
      .set({ read_at: new Date() })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (establishmentId) q = q.where('establishment_id', '=', establishmentId);
    return q.execute();
  },

  /** Notifications older than the cutoff, with their recipients (cascade). */
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
