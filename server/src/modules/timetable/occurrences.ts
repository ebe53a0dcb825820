/**
 * Course occurrences: a course is a weekly slot (weekday, times) valid over a date range and, for alternating
 * weeks, on the Mondays of its week pattern. Its occurrences over a period are the matching days that are not
 * holidays, with the direction's changes applied: a cancelled occurrence stays, marked `cancelled`; a moved one
 * leaves its date and appears at the new one (which may be in another week). Pure functions, no database.
 */
import { addDays, mondayOf, weekdayOf } from './calendar.ts';

export interface CourseSchedule {
  id: string;
  weekday: number;
  startsAt: string;
  endsAt: string;
  validFrom: string;
  validTo: string;
  /** The Mondays of the weeks the course runs; `null` for every week. */
  weeks: ReadonlySet<string> | null;
  room: string | null;
}

export interface OccurrenceChange {
  courseId: string;
  /** The date the occurrence had in the timetable. */
  onDate: string;
  cancelled: boolean;
  newDate: string | null;
  newStartsAt: string | null;
  newEndsAt: string | null;
  newRoom: string | null;
  reason: string | null;
}

export interface Occurrence {
  courseId: string;
  date: string;
  startsAt: string;
  endsAt: string;
  room: string | null;
  cancelled: boolean;
  /** Where it was in the timetable, when the direction moved it. */
  movedFrom: { date: string; startsAt: string; endsAt: string } | null;
  reason: string | null;
}

/** Does the course run on that date (before changes, holidays aside)? */
export function runsOn(course: CourseSchedule, date: string): boolean {
  return (
    weekdayOf(date) === course.weekday &&
    date >= course.validFrom &&
    date <= course.validTo &&
    (course.weeks === null || course.weeks.has(mondayOf(date)))
  );
}

/**
 * The occurrences of the courses over [from, to] (both inclusive), in time order. `changes` may hold changes of
 * any date: those moving an occurrence into the period are applied too.
 */
export function expandOccurrences(
  courses: readonly CourseSchedule[],
  changes: readonly OccurrenceChange[],
  from: string,
  to: string,
  closed: (date: string) => boolean,
): Occurrence[] {
  const byKey = new Map(changes.map((c) => [`${c.courseId}|${c.onDate}`, c]));
  const byId = new Map(courses.map((c) => [c.id, c]));
  const out: Occurrence[] = [];
  const fromWeekday = weekdayOf(from);
  for (const course of courses) {
    // The first date of the course's weekday in the period, then every 7 days.
    let d = addDays(from, (course.weekday - fromWeekday + 7) % 7);
    for (; d <= to; d = addDays(d, 7)) {
      if (!runsOn(course, d) || closed(d)) continue;
      const change = byKey.get(`${course.id}|${d}`);
      if (change?.newDate) continue; // moved away: shown at its new date
      out.push({
        courseId: course.id,
        date: d,
        startsAt: course.startsAt,
        endsAt: course.endsAt,
        room: course.room,
        cancelled: change?.cancelled ?? false,
        movedFrom: null,
        reason: change?.reason ?? null,
      });
    }
  }
  for (const change of changes) {
    if (!change.newDate || change.newDate < from || change.newDate > to) continue;
    const course = byId.get(change.courseId);
    if (!course) continue;
    out.push({
      courseId: course.id,
      date: change.newDate,
      startsAt: change.newStartsAt ?? course.startsAt,
      endsAt: change.newEndsAt ?? course.endsAt,
      room: change.newRoom ?? course.room,
      cancelled: change.cancelled,
      movedFrom: { date: change.onDate, startsAt: course.startsAt, endsAt: course.endsAt },
      reason: change.reason,
    });
  }
  return out.sort((a, b) =>
    a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : 0,
  );
}
