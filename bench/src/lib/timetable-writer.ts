/**
 * A year of timetable for the generated académie: each establishment's week planned from its teaching
 * assignments by the server's own planner (server/src/modules/timetable/plan.ts), weeks A and B alternating,
 * written set-based. Courses run the whole school year.
 */
import { type Kysely, sql } from 'kysely';
import { PLAN_SLOTS, planTimetable } from '../../../server/src/modules/timetable/plan.ts';
import { alternatingWeeks } from '../../../server/src/modules/timetable/timetable.service.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import { rng } from './random.ts';

export interface TimetableWritten {
  courses: number;
  seconds: number;
}

export async function writeTimetables(db: Kysely<Database>, seed: number): Promise<TimetableWritten> {
  const started = performance.now();
  const random = rng(seed);
  const establishments = await db
    .selectFrom('establishment as e')
    .innerJoin('school_year as y', (j) => j.onRef('y.establishment_id', '=', 'e.id').on('y.status', '=', 'current'))
    .select(['e.id', 'e.type', 'y.id as year', 'y.starts_on', 'y.ends_on'])
    .orderBy('e.uai')
    .execute();
  let courses = 0;
  for (const e of establishments) {
    const [classes, groups, assignments] = await Promise.all([
      db.selectFrom('class').select(['id', 'code']).where('school_year_id', '=', e.year).orderBy('code').execute(),
      db
        .selectFrom('teaching_group')
        .select(['id', 'code'])
        .where('school_year_id', '=', e.year)
        .orderBy('code')
        .execute(),
      db
        .selectFrom('teaching_assignment')
        .select(['teacher_id', 'class_id', 'group_id', 'subject_code'])
        .where('school_year_id', '=', e.year)
        .orderBy('subject_code')
        .orderBy('teacher_id')
        .execute(),
    ]);
    const college = e.type === 'COLLEGE';
    const planned = planTimetable({ classes, groups, assignments, college, random });
    const weeks = alternatingWeeks(e.starts_on, e.ends_on, 'C');
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('timetable_setting')
        .values({ establishment_id: e.id, zone: 'C' })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const patterns = await trx
        .insertInto('timetable_week_pattern')
        .values(
          (['A', 'B'] as const).map((code) => ({
            establishment_id: e.id,
            school_year_id: e.year,
            code,
            label: `Semaine ${code}`,
            weeks: weeks[code],
          })),
        )
        .returning(['id', 'code'])
        .execute();
      const patternId = new Map(patterns.map((p) => [p.code, p.id]));
      const rows = planned.map((p) => ({
        id: crypto.randomUUID(),
        establishment_id: e.id,
        school_year_id: e.year,
        class_id: p.classId,
        group_id: p.groupId,
        subject_code: p.subject,
        weekday: p.weekday,
        starts_at: PLAN_SLOTS[p.slot]!.start,
        ends_at: PLAN_SLOTS[p.slot]!.end,
        room: p.room,
        week_pattern_id: p.pattern ? (patternId.get(p.pattern) ?? null) : null,
        valid_from: e.starts_on,
        valid_to: e.ends_on,
      }));
      for (let i = 0; i < rows.length; i += 2000)
        await trx
          .insertInto('timetable_course')
          .values(rows.slice(i, i + 2000))
          .execute();
      const teachers = rows.map((r, i) => ({
        course_id: r.id,
        teacher_id: planned[i]!.teacherId,
        establishment_id: e.id,
      }));
      for (let i = 0; i < teachers.length; i += 4000)
        await trx
          .insertInto('timetable_course_teacher')
          .values(teachers.slice(i, i + 4000))
          .execute();
      courses += rows.length;
    });
  }
  await sql`ANALYZE timetable_course, timetable_course_teacher, timetable_week_pattern`.execute(db);
  return { courses, seconds: (performance.now() - started) / 1000 };
}
