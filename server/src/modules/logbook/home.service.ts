/**
 * The home page's logbook widget, by what the reader is: « à faire pour demain » (a student; a guardian, per
 * child) — the homework due on the next school day — and « mes cours du jour » (a teacher) — today's courses, or
 * the next day's that has some, each with its lesson written or not, and how many lessons of the last two weeks
 * are still to fill. Also the job that announces homework published later.
 */
import type { LogbookHome } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { authorize, trustedDb } from '../../platform/access/authorize.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { addDays, closedDays, occurrencesFor, parisDate, weekdayOf, zoneOf } from '../timetable/index.ts';
import { audienceOfStudent, childrenOf } from './logbook.access.ts';
import { pageHomework } from './logbook.cache.ts';
import { logbook } from './logbook.repository.ts';
import { announce, presentHomework, SERVICE } from './logbook.service.ts';

/** The next day with classes after `today` (weekends and the zone's holidays skipped). */
export function nextSchoolDay(today: string, closed: (d: string) => boolean): string {
  let d = addDays(today, 1);
  for (let i = 0; i < 30 && (weekdayOf(d) > 5 || closed(d)); i++) d = addDays(d, 1);
  return d;
}

export async function logbookHome({ ctx, establishmentId, profiles }: HomeWidgetContext): Promise<LogbookHome> {
  const auth = await authorize(ctx, { establishmentId, permission: 'logbook.read', service: SERVICE });
  const today = parisDate();
  const { zone } = await zoneOf(auth.db, establishmentId);
  const next = nextSchoolDay(today, closedDays(zone));
  const now = Date.now();
  const dueFor = async (student: string) => {
    const audience = await audienceOfStudent(auth.db, student);
    // The week's homework of their classes and groups and their « fait » ticks, from memory (logbook.cache.ts).
    const page = await pageHomework(auth.db, { establishmentId, ...audience }, next, next, student);
    const rows = page.homework.filter((h) => !h.publish_at || new Date(h.publish_at).getTime() <= now);
    return rows.map((h) => presentHomework(h, page.done?.has(h.id) === true));
  };
  const out: LogbookHome = {};
  if (profiles.includes('student')) out.student = { date: next, homework: await dueFor(auth.user.id) };
  if (profiles.includes('guardian')) {
    const children = [...(await childrenOf(auth))];
    const names = await logbook.names(auth.db, children);
    out.children = await Promise.all(
      children.map(async (id) => ({ id, displayName: names.get(id) ?? '', date: next, homework: await dueFor(id) })),
    );
    out.children.sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  }
  if (profiles.includes('teacher')) {
    const from = addDays(today, -14);
    const occurrences = await occurrencesFor(auth.db, {
      establishmentId,
      from,
      to: addDays(today, 7),
      teacherIds: [auth.user.id],
    });
    const written = await logbook.written(
      auth.db,
      [...new Set(occurrences.map((o) => o.courseId))],
      from,
      addDays(today, 7),
    );
    const day = occurrences.find((o) => o.date >= today)?.date ?? today;
    out.teacher = {
      date: day,
      courses: occurrences
        .filter((o) => o.date === day)
        .map((o) => ({
          courseId: o.courseId,
          date: o.date,
          start: o.start,
          end: o.end,
          subject: { id: o.subject.code, name: o.subject.label },
          ...(o.classId ? { class: { id: o.classId, name: o.classCode ?? '' } } : {}),
          ...(o.groupId ? { group: { id: o.groupId, name: o.groupCode ?? '' } } : {}),
          cancelled: o.cancelled,
          lessonId: written.get(`${o.courseId}|${o.date}`) ?? null,
        })),
      toFill: occurrences.filter((o) => o.date < today && !o.cancelled && !written.has(`${o.courseId}|${o.date}`))
        .length,
    };
  }
  return out;
}

/** Homework published later: once its time has come, its students and their guardians are told (every minute). */
export async function announceDue(db: Kysely<Database>, now = new Date()): Promise<number> {
  const rows = await logbook.dueToAnnounce(db, now);
  if (rows.length === 0) return 0;
  const tdb = trustedDb(db, 'the publish-later job, announcing what teachers scheduled');
  await tdb.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the publish-later job');
    await announce(
      trx,
      rows.map((r) => ({ id: r.id, row: r })),
    );
    await logbook.markAnnounced(
      trx,
      rows.map((r) => r.id),
    );
  });
  return rows.length;
}
