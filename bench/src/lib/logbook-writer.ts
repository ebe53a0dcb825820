/**
 * A year of logbook for the generated académie, on its timetable: a lesson for most course occurrences of the
 * school year (about 85 %), homework in about a third of them (due at the course's next occurrence, one in eight
 * an assessment), and the students' « fait » ticks on a fifth of their homework. Written set-based, chunked.
 */
import { type Kysely, sql } from 'kysely';
import { occurrencesFor } from '../../../server/src/modules/timetable/index.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import { rng } from './random.ts';

export interface LogbookWritten {
  lessons: number;
  homework: number;
  ticks: number;
  seconds: number;
}

const KINDS = ['exercise', 'exercise', 'lesson', 'exercise', 'lesson', 'project', 'exercise', 'assessment'] as const;

export async function writeLogbooks(db: Kysely<Database>, seed: number): Promise<LogbookWritten> {
  const started = performance.now();
  const random = rng(seed + 7);
  const establishments = await db
    .selectFrom('establishment as e')
    .innerJoin('school_year as y', (j) => j.onRef('y.establishment_id', '=', 'e.id').on('y.status', '=', 'current'))
    .select(['e.id', 'y.id as year', 'y.starts_on', 'y.ends_on'])
    .orderBy('e.uai')
    .execute();
  let lessons = 0;
  let homework = 0;
  for (const e of establishments) {
    const occurrences = (
      await occurrencesFor(db, { establishmentId: e.id, from: e.starts_on, to: e.ends_on, all: true })
    ).filter((o) => !o.cancelled);
    const byCourse = new Map<string, typeof occurrences>();
    for (const o of occurrences) byCourse.set(o.courseId, [...(byCourse.get(o.courseId) ?? []), o]);
    const lessonRows: Record<string, unknown>[] = [];
    const homeworkRows: Record<string, unknown>[] = [];
    for (const list of byCourse.values())
      list.forEach((o, i) => {
        if (random() > 0.85) return;
        const id = crypto.randomUUID();
        lessonRows.push({
          id,
          establishment_id: e.id,
          school_year_id: e.year,
          course_id: o.courseId,
          date: o.date,
          class_id: o.classId,
          group_id: o.groupId,
          subject_code: o.subject.code,
          author_id: o.teachers[0]?.id ?? null,
          title: `Séance ${i + 1} — ${o.subject.label}`,
          content:
            '<p>Notions du jour, exemples au tableau.</p><ul><li>Exercices d’application</li><li>Correction</li></ul>',
          links: '[]',
        });
        const next = list[i + 1];
        if (next && random() < 0.35)
          homeworkRows.push({
            id: crypto.randomUUID(),
            establishment_id: e.id,
            school_year_id: e.year,
            lesson_id: id,
            course_id: o.courseId,
            class_id: o.classId,
            group_id: o.groupId,
            subject_code: o.subject.code,
            author_id: o.teachers[0]?.id ?? null,
            assigned_on: o.date,
            due_date: next.date,
            description: '<p>Exercices 3 à 7 page 52 ; relire le cours.</p>',
            kind: KINDS[Math.floor(random() * KINDS.length)]!,
            estimated_minutes: 20 + Math.floor(random() * 4) * 10,
            notified_at: new Date(),
          });
      });
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < lessonRows.length; i += 2000)
        await trx
          .insertInto('logbook_lesson')
          .values(lessonRows.slice(i, i + 2000) as never)
          .execute();
      for (let i = 0; i < homeworkRows.length; i += 2000)
        await trx
          .insertInto('logbook_homework')
          .values(homeworkRows.slice(i, i + 2000) as never)
          .execute();
    });
    lessons += lessonRows.length;
    homework += homeworkRows.length;
  }
  // A fifth of each class's homework ticked by each of its students (deterministic, by hash).
  const ticks = await sql`
    INSERT INTO logbook_homework_done (homework_id, student_id, establishment_id, done_at)
    SELECT h.id, en.student_id, h.establishment_id, now()
    FROM logbook_homework h
    JOIN enrolment en ON en.class_id = h.class_id
    WHERE abs(hashtext(h.id::text || en.student_id::text)) % 5 = 0`.execute(db);
  await sql`ANALYZE logbook_lesson, logbook_homework, logbook_homework_done`.execute(db);
  return {
    lessons,
    homework,
    ticks: Number(ticks.numAffectedRows ?? 0),
    seconds: (performance.now() - started) / 1000,
  };
}
