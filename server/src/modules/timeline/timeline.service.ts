import type { NotificationPreferences, OutboxPage, TimelinePage } from '@preau/contracts';
import { requirePlatformAdmin, requireUser } from '../../platform/access/access.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { DEFAULT_QUIET } from './timeline.delivery.ts';
import { mails, notifications, preferences } from './timeline.repository.ts';
import type { Delivery } from './timeline.tables.ts';

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
  /**
   * What the e-mail of those who chose "e-mail at once" says, when it should say less than the ENT shows
   * (a message's subject stays in the ENT); default: `text`.
   */
  mailText?: { fr: string; en?: string };
}

/**
 * The one way a module posts to people's timelines, inside the caller's transaction: the notification and its
 * recipients commit with the change they announce. One row, and one insert for all the recipients.
 */
export async function notify(db: Db, notice: Notice): Promise<{ id: string; recipients: number } | null> {
  return (await notifyAll(db, [notice]))[0] ?? null;
}

/**
 * Several notices at once (a roll call's absences, one per child): the same as `notify` for each, in a fixed
 * number of statements — the notifications, their recipients, their mails. `null` for a notice left with no one
 * to tell (the actor is never told of their own action).
 */
export async function notifyAll(db: Db, notices: Notice[]): Promise<({ id: string; recipients: number } | null)[]> {
  const kinds = moduleRegistry().notificationKinds;
  const kept = notices.map((notice) => {
    const kind = kinds.get(notice.kind);
    if (!kind) {
      throw new Error(`Unknown notification kind ${notice.kind}: declare it in its module's notifications`);
    }
    const recipients = [...new Set(notice.recipients)].filter((id) => id !== notice.actorId);
    return recipients.length ? { notice, recipients, defaultDelivery: kind.defaultDelivery } : null;
  });
  const sent = kept.filter((k) => k !== null);
  const inserted = await notifications.insertMany(
    db,
    sent.map(({ notice, recipients }) => ({
      establishmentId: notice.establishmentId,
      kind: notice.kind,
      actorId: notice.actorId ?? null,
      text: notice.text,
      link: notice.link ?? null,
      source: notice.source ?? null,
      recipients,
    })),
  );
  // Those who chose "e-mail at once" (or whom the kind's default says so) get a mail: one more insert.
  await mails.fanOut(
    db,
    sent.map(({ notice, recipients, defaultDelivery }) => {
      const mailText = (notice.mailText ?? notice.text).fr;
      return {
        establishmentId: notice.establishmentId,
        recipients,
        kind: notice.kind,
        defaultDelivery,
        subject: `Préau : ${mailText.length > 120 ? `${mailText.slice(0, 119)}…` : mailText}`,
        body: [
          'Bonjour,',
          '',
          mailText,
          '',
          'Vous recevez ce courriel selon vos préférences de notification, modifiables dans Préau.',
        ].join('\n'),
        link: notice.link ?? null,
        source: notice.source ?? null,
      };
    }),
  );
  let next = 0;
  return kept.map((k) => (k ? inserted[next++]! : null));
}

/** Mark read what the person was told about a source (they opened the message itself). */
export async function markSourceRead(db: Db, userId: string, source: { type: string; id: string }): Promise<void> {
  await notifications.markSourceRead(db, userId, source);
}

/** Withdraw what was posted about a source (every recipient's entry goes). */
export async function withdraw(db: Db, source: { type: string; id: string }): Promise<void> {
  await notifications.withdraw(db, source);
}

/**
 * A person's first page of notifications and their unread count, per establishment asked: `tl:<user>` drops them
 * (migration 0215) when one reaches them, is read or goes.
 */
const FIRST_PAGE = defineCache<Awaited<ReturnType<typeof notifications.feedPage>>>({
  name: 'timeline-first-page',
  topic: 'tl',
  max: 50_000,
  ttlMs: 120_000,
});

export async function feed(
  ctx: RequestContext,
  q: { establishment?: string; before?: string; limit: number },
): Promise<TimelinePage> {
  requireUser(ctx);
  const user = ctx.user;
  const load = () =>
    notifications.feedPage(ctx.db, user.id, { establishmentId: q.establishment, before: q.before, limit: q.limit + 1 });
  // The first page (the home page's widget, the feed as it opens) from memory; later pages from the database.
  const { rows, unread } = q.before
    ? await load()
    : await cached(ctx.db, FIRST_PAGE, `${user.id}|${q.establishment ?? ''}|${q.limit}`, load, [user.id]);
  const page = rows.slice(0, q.limit);
  // Names from memory (people's entries): a renamed author shows renamed.
  const names = await relations.displayNames(ctx.db, [
    ...new Set(page.flatMap((r) => (r.actor_id ? [r.actor_id] : []))),
  ]);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      establishmentId: r.establishment_id,
      text: (ctx.lang === 'en' ? r.text.en : undefined) ?? r.text.fr,
      link: r.link,
      actor: r.actor_id && names.has(r.actor_id) ? { id: r.actor_id, displayName: names.get(r.actor_id)! } : null,
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

/** The kinds a person may receive (their profiles, anywhere), with their choice or the default. */
export async function getPreferences(ctx: RequestContext): Promise<NotificationPreferences> {
  requireUser(ctx);
  const user = ctx.user;
  const profiles = new Set<string>(user.memberships.flatMap((m) => m.profiles));
  const [chosen, setting, email] = await Promise.all([
    preferences.ofUser(ctx.db, user.id),
    preferences.setting(ctx.db, user.id),
    preferences.userEmail(ctx.db, user.id),
  ]);
  const choice = new Map(chosen.map((c) => [c.kind, c.delivery]));
  const kinds = [...moduleRegistry().notificationKinds.values()].filter(
    (k) => user.platformAdmin || k.profiles.some((p) => profiles.has(p)),
  );
  return {
    kinds: kinds.map((k) => ({
      kind: k.kind,
      label: k.label[ctx.lang],
      delivery: choice.get(k.kind) ?? k.defaultDelivery,
      defaultDelivery: k.defaultDelivery,
    })),
    quietHours: setting ? { start: setting.quiet_start, end: setting.quiet_end } : { ...DEFAULT_QUIET },
    email: email || null,
  };
}

export async function updatePreferences(
  ctx: RequestContext,
  body: { deliveries?: Record<string, Delivery>; quietHours?: { start: number; end: number } },
): Promise<NotificationPreferences> {
  requireUser(ctx);
  const user = ctx.user;
  const entries = Object.entries(body.deliveries ?? {});
  const unknown = entries.filter(([kind]) => !moduleRegistry().notificationKinds.has(kind)).map(([k]) => k);
  if (unknown.length > 0) {
    throw new AppError(400, 'UNKNOWN_NOTIFICATION_KIND', {
      errors: unknown.map((k) => ({ path: `body.deliveries.${k}`, message: 'unknown kind' })),
    });
  }
  await ctx.db.transaction().execute(async (trx) => {
    await preferences.upsertDeliveries(
      trx,
      user.id,
      entries.map(([kind, delivery]) => ({ kind, delivery })),
    );
    if (body.quietHours) await preferences.upsertQuietHours(trx, user.id, body.quietHours.start, body.quietHours.end);
  });
  recordUsage(ctx, null, 'timeline', 'preferences.update');
  return getPreferences(ctx);
}

/** The outbox, newest first (platform administrators: it holds everyone's mails). */
export async function outbox(ctx: RequestContext, q: { before?: string; limit: number }): Promise<OutboxPage> {
  requirePlatformAdmin(ctx);
  const rows = await mails.page(ctx.db, { before: q.before, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    transport: ctx.config.smtpUrl ? 'smtp' : 'none',
    items: page.map((m) => ({
      id: m.id,
      to: m.to_address,
      kind: m.kind,
      subject: m.subject,
      body: m.body,
      link: m.link,
      status: m.status,
      attempts: m.attempts,
      lastError: m.last_error,
      notBefore: iso(m.not_before)!,
      createdAt: iso(m.created_at)!,
      sentAt: iso(m.sent_at),
    })),
    ...(rows.length > q.limit ? { next: page.at(-1)!.id } : {}),
  };
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

/** The person's notifications, choices and mails, for the export of their data. */
export async function timelineOf(db: Db, userId: string) {
  const [rows, prefs, sent] = await Promise.all([
    notifications.ofPerson(db, userId),
    preferences.exportOf(db, userId),
    mails.ofUser(db, userId),
  ]);
  return {
    preferences: {
      deliveries: Object.fromEntries(prefs.deliveries.map((d) => [d.kind, d.delivery])),
      quietHours: prefs.setting
        ? { start: prefs.setting.quiet_start, end: prefs.setting.quiet_end }
        : { ...DEFAULT_QUIET },
    },
    mails: sent.map((m) => ({
      kind: m.kind,
      subject: m.subject,
      status: m.status,
      at: new Date(m.created_at).toISOString(),
      sentAt: m.sent_at ? new Date(m.sent_at).toISOString() : null,
    })),
    notifications: rows.map((r) => ({
      kind: r.kind,
      text: r.text.fr,
      link: r.link,
      at: new Date(r.created_at).toISOString(),
      readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    })),
  };
}
