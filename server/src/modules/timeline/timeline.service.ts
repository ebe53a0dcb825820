import type { TimelinePage } from '@preau/contracts';
import { requireUser } from '../../platform/access/access.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { notifications } from './timeline.repository.ts';

export interface Notice {
  /** Where it happened; `null` for something about the account itself. */
  establishmentId: string | null;
  /** A kind the posting module declares in its `notifications` (`messaging.message.new`). */
  kind: string;
  recipients: Iterable<string>;
  /** Short text, French first; English when the poster has it. */
  text: { fr: string; en?: string };
  /** A path of the web app where the reader sees the thing. */
  link?: string | null;
  /** The person who caused it (never notified of their own action). */
  actorId?: string | null;
  /** What it is about, so the poster can withdraw it later (a purged message). */
  source?: { type: string; id: string };
}

/**
 * The one way a module posts to people's timelines, inside the caller's transaction: the notification and its
 * recipients commit with the change they announce. One row, and one insert for all the recipients.
 */
export async function notify(db: Db, notice: Notice): Promise<{ id: string; recipients: number } | null> {
  if (!moduleRegistry().notificationKinds.has(notice.kind)) {
    throw new Error(`Unknown notification kind ${notice.kind}: declare it in its module's notifications`);
  }
  const recipients = [...new Set(notice.recipients)].filter((id) => id !== notice.actorId);
  if (recipients.length === 0) return null;
  return notifications.insert(db, {
    establishmentId: notice.establishmentId,
    kind: notice.kind,
    actorId: notice.actorId ?? null,
    text: notice.text,
    link: notice.link ?? null,
    source: notice.source ?? null,
    recipients,
  });
}

/** Withdraw what was posted about a source (every recipient's entry goes). */
export async function withdraw(db: Db, source: { type: string; id: string }): Promise<void> {
  await notifications.withdraw(db, source);
}

export async function feed(
  ctx: RequestContext,
  q: { establishment?: string; before?: string; limit: number },
): Promise<TimelinePage> {
  requireUser(ctx);
  const user = ctx.user;
  const [rows, unread] = await Promise.all([
    notifications.feed(ctx.db, user.id, { establishmentId: q.establishment, before: q.before, limit: q.limit + 1 }),
    notifications.unread(ctx.db, user.id, q.establishment),
  ]);
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      establishmentId: r.establishment_id,
      text: (ctx.lang === 'en' ? r.text.en : undefined) ?? r.text.fr,
      link: r.link,
      actor: r.actor_id && r.actor_name ? { id: r.actor_id, displayName: r.actor_name } : null,
      createdAt: new Date(r.created_at).toISOString(),
      read: r.read_at !== null,
    })),
    unread,
    ...(rows.length > q.limit ? { next: page.at(-1)!.id } : {}),
  };
}

export async function unreadCount(ctx: RequestContext) {
  requireUser(ctx);
  return { unread: await notifications.unread(ctx.db, ctx.user.id) };
}

export async function markRead(ctx: RequestContext, body: { ids: string[] } | { all: true; establishment?: string }) {
  requireUser(ctx);
  const user = ctx.user;
  // Only the caller's own rows are touched: someone else's notification id changes nothing (and reveals nothing).
  if ('ids' in body) await notifications.markRead(ctx.db, user.id, body.ids);
  else await notifications.markAllRead(ctx.db, user.id, body.establishment);
  return { unread: await notifications.unread(ctx.db, user.id) };
}

/** Notifications are kept 13 months (the processing register says so). */
export async function purgeOldNotifications(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setMonth(cutoff.getMonth() - 13);
  return notifications.purgeBefore(db, cutoff);
}

/** The home page's widget: the five latest notifications of the establishment and the unread count. */
export async function timelineHome({ ctx, establishmentId }: HomeWidgetContext): Promise<TimelinePage> {
  return feed(ctx, { establishment: establishmentId, limit: 5 });
}

/** The person's notifications, for the export of their data. */
export async function timelineOf(db: Db, userId: string) {
  const rows = await notifications.ofPerson(db, userId);
  return {
    notifications: rows.map((r) => ({
      kind: r.kind,
      text: r.text.fr,
      link: r.link,
      at: new Date(r.created_at).toISOString(),
      readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    })),
  };
}
