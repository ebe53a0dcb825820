import ical, { ICalEventStatus } from 'ical-generator';
import type { FeedEvents } from './timetable.service.ts';

/**
 * A subscription's calendar (RFC 5545). Each occurrence is one event with a stable UID (course and date), so a
 * calendar application updates it in place when the direction moves or cancels it; a cancelled course stays,
 * with the status CANCELLED and « Cours annulé » in its title.
 */
export function icsOf(feed: FeedEvents, host: string): string {
  const cal = ical({ name: feed.name, prodId: { company: 'Préau', product: 'emploi-du-temps', language: 'FR' } });
  cal.ttl(60 * 60);
  for (const o of feed.events) {
    const what = o.groupCode ?? o.classCode ?? '';
    const title = `${o.cancelled ? 'Cours annulé — ' : ''}${o.who ? `${o.who} : ` : ''}${o.subject.label}${what ? ` (${what})` : ''}`;
    const lines = [
      o.teachers.map((t) => t.displayName).join(', '),
      o.movedFrom ? `Cours déplacé (prévu le ${o.movedFrom.date} à ${o.movedFrom.startsAt})` : null,
      o.reason,
    ].filter(Boolean);
    cal.createEvent({
      id: `${o.courseId}-${o.movedFrom?.date ?? o.date}${o.who ? `-${o.who}` : ''}@${host}`,
      start: new Date(o.start),
      end: new Date(o.end),
      summary: title,
      location: o.room ?? undefined,
      description: lines.join('\n') || undefined,
      status: o.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
