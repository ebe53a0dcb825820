import type { Db } from '../../platform/db/schema.ts';
import type { MailTransport } from '../../platform/mail.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { announce, digests, mails, type NewMail, preferences } from './timeline.repository.ts';
import type { Delivery } from './timeline.tables.ts';

/**
 * Outgoing mail: every mail goes through the outbox (`mail_outbox`), written in the transaction of what it
 * announces, then sent by `deliverMail` — at once when an instance hears of it (LISTEN/NOTIFY), or at the next
 * minute's run. Without an SMTP server the mails are kept for the local outbox page. Quiet hours are checked when a
 * mail is about to leave: one due in the person's quiet hours waits for their end.
 */

export const DEFAULT_QUIET = { start: 20, end: 7 } as const;
const PARIS = 'Europe/Paris';
const MAX_ATTEMPTS = 5;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function parts(d: Date) {
  const p = Object.fromEntries(parisParts.formatToParts(d).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** The instant of a Paris wall-clock time (daylight saving included). */
export function parisInstant(year: number, month: number, day: number, hour: number): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  const offsetAt = (t: number) => {
    const p = parts(new Date(t));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

/** Is this instant inside the quiet hours [start, end) in Paris? Equal hours: never. */
export function inQuietHours(now: Date, q: { start: number; end: number }): boolean {
  if (q.start === q.end) return false;
  const h = parts(now).hour;
  return q.start < q.end ? h >= q.start && h < q.end : h >= q.start || h < q.end;
}

/** The end of the quiet hours that `now` falls in: the next `end:00` in Paris. */
export function quietHoursEnd(now: Date, q: { start: number; end: number }): Date {
  const p = parts(now);
  let at = parisInstant(p.year, p.month, p.day, q.end);
  if (at <= now) {
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1, 12));
    const n = parts(next);
    at = parisInstant(n.year, n.month, n.day, q.end);
  }
  return at;
}

export interface DeliveryDeps {
  db: Db;
  transport: MailTransport | null;
  /** `https://ent.example.fr`: links in mails are made absolute with it. */
  origin: string;
  log?: { warn: (o: object, m: string) => void };
}

/** The text a mail carries: its body, then the link made absolute. */
function mailText(m: { body: string; link: string | null }, origin: string): string {
  return m.link ? `${m.body}\n\n${origin}${m.link}` : m.body;
}

/**
 * Sends the mails that are due (at most `limit`): each waits out its recipient's quiet hours, goes to the SMTP
 * server or is kept when there is none; a failure is retried later (2, 4, 8… minutes), five times at most.
 */
export async function deliverMail(
  deps: DeliveryDeps,
  opts: { now?: Date; limit?: number } = {},
): Promise<{ sent: number; kept: number; deferred: number; failed: number }> {
  const now = opts.now ?? new Date();
  const claimed = await mails.claimDue(deps.db, now, opts.limit ?? 200);
  const out = { sent: 0, kept: 0, deferred: 0, failed: 0 };
  if (claimed.length === 0) return out;
  const userIds = [...new Set(claimed.filter((m) => m.quiet && m.user_id).map((m) => m.user_id!))];
  const settings = new Map(
    (await preferences.settingsOf(deps.db, userIds)).map((s) => [
      s.user_id,
      { start: s.quiet_start, end: s.quiet_end },
    ]),
  );
  const deferred = new Map<number, string[]>();
  for (const m of claimed) {
    if (m.quiet && m.user_id) {
      const q = settings.get(m.user_id) ?? DEFAULT_QUIET;
      if (inQuietHours(now, q)) {
        const until = quietHoursEnd(now, q).getTime();
        deferred.set(until, [...(deferred.get(until) ?? []), m.id]);
        out.deferred++;
        continue;
      }
    }
    if (!deps.transport) {
      await mails.done(deps.db, m.id, 'kept', false);
      out.kept++;
      continue;
    }
    try {
      await deps.transport.send({ to: m.to_address, subject: m.subject, text: mailText(m, deps.origin) });
      await mails.done(deps.db, m.id, 'sent', m.secret);
      out.sent++;
    } catch (e) {
      const attempts = m.attempts + 1;
      const retryAt = attempts >= MAX_ATTEMPTS ? null : new Date(now.getTime() + 2 ** attempts * 60_000);
      await mails.failed(deps.db, m.id, e instanceof Error ? e.message : String(e), retryAt);
      deps.log?.warn({ err: e, mail: m.id }, 'mail not sent');
      out.failed++;
    }
  }
  for (const [until, ids] of deferred) await mails.defer(deps.db, ids, new Date(until));
  return out;
}

/** A mail to one person (account recovery…), written in the caller's transaction and sent as soon as possible. */
export async function sendMail(db: Db, mail: NewMail): Promise<void> {
  await mails.insert(db, mail);
  await announce(db, 'mail');
}

/**
 * The daily digest: one mail per person listing their unread notifications of the kinds they chose as a digest,
 * since the previous digest (at most a week). Everything is read in one query and written in one insert.
 */
export async function runDigest(db: Db, now = new Date()): Promise<{ mails: number; notifications: number }> {
  const kinds = [...moduleRegistry().notificationKinds.values()].map((k) => ({
    kind: k.kind,
    defaultDelivery: k.defaultDelivery as Delivery,
  }));
  const rows = await digests.due(db, now, kinds);
  const byUser = new Map<string, typeof rows>();
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  const outgoing: NewMail[] = [...byUser.entries()].map(([userId, items]) => ({
    establishmentId: null,
    userId,
    to: items[0]!.email,
    kind: 'timeline.digest',
    subject: items.length === 1 ? 'Préau : 1 nouvelle notification' : `Préau : ${items.length} nouvelles notifications`,
    body: [
      'Bonjour,',
      '',
      items.length === 1
        ? 'Voici la notification reçue depuis le dernier résumé :'
        : `Voici les ${items.length} notifications reçues depuis le dernier résumé :`,
      '',
      ...items.map((i) => `- ${i.text.fr}`),
      '',
      'Vous recevez ce résumé quotidien selon vos préférences de notification, modifiables dans Préau.',
    ].join('\n'),
    link: '/timeline',
    quiet: true,
  }));
  await db.transaction().execute(async (trx) => {
    await digests.insertMany(trx, outgoing);
    await digests.markCovered(trx, [...byUser.keys()], now);
  });
  return { mails: outgoing.length, notifications: rows.length };
}

/** Mails are kept three months (the processing register says so). */
export async function purgeOldMails(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setMonth(cutoff.getMonth() - 3);
  return mails.purgeBefore(db, cutoff);
}
