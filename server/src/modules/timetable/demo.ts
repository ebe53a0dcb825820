/**
 * The timetable of the demo académie: every class of the lycée and the collège gets a full week from its
 * teaching assignments (plan.ts), weeks A and B alternate, the groups meet on their reserved slots; in 2NDE1 the
 * current week has a cancelled course and the next one a moved course, so eleve.demo and parent.demo see them.
 */
import { trustedDb } from '../../platform/access/authorize.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { addDays, mondayOf, parisDate } from './calendar.ts';
import { demoData } from './demo.repository.ts';
import { PLAN_SLOTS, planTimetable } from './plan.ts';
import { timetable } from './timetable.repository.ts';
import { alternatingWeeks, occurrencesFor, zoneOf } from './timetable.service.ts';

export async function seedTimetableDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'the demo seed');
  const busy = new Set<string>();
  for (const est of world.establishments) {
    const year = await timetable.yearById(db, est.schoolYearId);
    if (!year) continue;
    const { type } = await demoData.establishment(db, est.id);
    const [classes, groups, assignments, { zone }] = await Promise.all([
      demoData.classes(db, est.schoolYearId),
      demoData.groups(db, est.schoolYearId),
      demoData.assignments(db, est.schoolYearId),
      zoneOf(db, est.id),
    ]);
    const planned = planTimetable({
      classes,
      groups,
      assignments,
      college: type === 'COLLEGE',
      random: world.random,
      busy,
    });
    const weeks = alternatingWeeks(year.starts_on, year.ends_on, zone);
    await db.transaction().execute(async (t) => {
      const trx = trustedDb(t, 'the demo seed');
      await timetable.setZone(trx, est.id, zone, null);
      await timetable.replaceSlots(trx, est.id, PLAN_SLOTS);
      const patterns = await timetable.upsertPatterns(trx, est.id, est.schoolYearId, [
        { code: 'A', label: 'Semaine A', weeks: weeks.A },
        { code: 'B', label: 'Semaine B', weeks: weeks.B },
      ]);
      const rows = planned.map((p) => ({
        id: crypto.randomUUID(),
        establishment_id: est.id,
        school_year_id: est.schoolYearId,
        class_id: p.classId,
        group_id: p.groupId,
        subject_code: p.subject,
        weekday: p.weekday,
        starts_at: PLAN_SLOTS[p.slot]!.start,
        ends_at: PLAN_SLOTS[p.slot]!.end,
        room: p.room,
        week_pattern_id: p.pattern ? (patterns.get(p.pattern) ?? null) : null,
        valid_from: year.starts_on,
        valid_to: year.ends_on,
      }));
      await demoData.insertCourses(
        trx,
        rows,
        rows.map((r, i) => ({ course_id: r.id, teacher_id: planned[i]!.teacherId, establishment_id: est.id })),
      );
    });
  }

  // 2NDE1 at the lycée: a course cancelled this school week, another moved the next.
  const lycee = world.establishments.find((e) => e.uai.startsWith('0931234'));
  const eleve = world.accounts['eleve.demo'];
  const direction = world.accounts['direction.demo'] ?? null;
  if (!lycee || !eleve) return;
  const today = parisDate();
  const monday = mondayOf(today);
  const next = await occurrencesFor(db, {
    establishmentId: lycee.id,
    from: today,
    to: addDays(monday, 20),
    studentIds: [eleve],
  });
  const cancelled = next.find((o) => o.classId && o.subject.code === '030201');
  const moved = next.find((o) => o.classId && o.subject.code === '040300' && cancelled && o.date > cancelled.date);
  // Moved to a free slot of the same day.
  const sameDay = next.filter((o) => moved && o.date === moved.date).map((o) => o.startsAt);
  const to = PLAN_SLOTS.find((s) => !sameDay.includes(s.start)) ?? PLAN_SLOTS[7]!;
  await demoData.insertChanges(db, [
    ...(cancelled
      ? [
          {
            establishment_id: lycee.id,
            course_id: cancelled.courseId,
            on_date: cancelled.date,
            cancelled: true,
            new_date: null,
            new_starts_at: null,
            new_ends_at: null,
            new_room: null,
            reason: 'Professeur absent',
            created_by: direction,
          },
        ]
      : []),
    ...(moved
      ? [
          {
            establishment_id: lycee.id,
            course_id: moved.courseId,
            on_date: moved.date,
            cancelled: false,
            new_date: moved.date,
            new_starts_at: to.start,
            new_ends_at: to.end,
            new_room: 'CDI',
            reason: 'Sortie au musée le matin',
            created_by: direction,
          },
        ]
      : []),
  ]);
}
