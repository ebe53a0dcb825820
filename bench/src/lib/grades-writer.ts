/**
 * A trimester of grades for the generated académie, written set-based (two INSERT … SELECT per establishment):
 * for every teaching assignment, an assessment about every ten school days from September to the end of
 * November (coefficients 1 to 3, all out of 20), and a grade for each student of the class or group (a few
 * absences), all past their publication delay; then, in the same transaction, the class's figures the grades page
 * reads (per assessment and per class or group × subject × period), recomputed by the server's own `rebuildStats`.
 */
import { type Kysely, sql } from 'kysely';
import { rebuildStats } from '../../../server/src/modules/grades/grades.service.ts';
import { trustedDb } from '../../../server/src/platform/access/authorize.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';

export interface GradesWritten {
  assessments: number;
  grades: number;
  seconds: number;
}

/** Assessments per teaching assignment in the trimester. */
const PER_ASSIGNMENT = 6;

export async function writeGrades(db: Kysely<Database>, seed: number): Promise<GradesWritten> {
  const started = performance.now();
  const establishments = await db
    .selectFrom('establishment as e')
    .innerJoin('school_year as y', (j) => j.onRef('y.establishment_id', '=', 'e.id').on('y.status', '=', 'current'))
    .select(['e.id', 'y.id as year'])
    .orderBy('e.uai')
    .execute();
  let assessments = 0;
  let grades = 0;
  for (const e of establishments) {
    await db.transaction().execute(async (trx) => {
      const a = await sql`
        INSERT INTO grades_assessment (establishment_id, school_year_id, class_id, group_id, subject_code, teacher_id,
          title, on_date, coefficient, scale, visible_at, notified_at, created_at)
        SELECT ta.establishment_id, ta.school_year_id, ta.class_id, ta.group_id, ta.subject_code, ta.teacher_id,
          'Contrôle n° ' || n, DATE '2026-09-14' + (n * 12), 1 + ((n + ${seed}) % 3), 20,
          TIMESTAMPTZ '2026-09-16 12:00+02' + make_interval(days => n * 12),
          TIMESTAMPTZ '2026-09-16 12:00+02' + make_interval(days => n * 12),
          TIMESTAMPTZ '2026-09-14 18:00+02' + make_interval(days => n * 12)
        FROM teaching_assignment ta, generate_series(0, ${PER_ASSIGNMENT - 1}) AS n
        WHERE ta.school_year_id = ${e.year}`.execute(trx);
      assessments += Number(a.numAffectedRows ?? 0);
      const g = await sql`
        INSERT INTO grades_grade (assessment_id, student_id, establishment_id, value, code, entered_at)
        SELECT a.id, en.student_id, a.establishment_id,
          CASE WHEN h % 25 = 0 THEN NULL ELSE round(((h % 41) / 2.0)::numeric, 1) END,
          CASE WHEN h % 25 = 0 THEN 'absent' END,
          a.created_at
        FROM grades_assessment a
        JOIN enrolment en ON en.school_year_id = a.school_year_id
          AND (en.class_id = a.class_id OR en.group_id = a.group_id)
        CROSS JOIN LATERAL (SELECT abs(hashtext(a.id::text || en.student_id::text || ${String(seed)})) AS h) x
        WHERE a.school_year_id = ${e.year}`.execute(trx);
      grades += Number(g.numAffectedRows ?? 0);
      await rebuildStats(trustedDb(trx, 'the bench writes grades set-based'), e.id);
    });
  }
  // As autovacuum would have done by then: statistics, and the visibility map for index-only scans.
  await sql`VACUUM ANALYZE grades_assessment, grades_grade, grades_class_stat`.execute(db);
  return { assessments, grades, seconds: (performance.now() - started) / 1000 };
}
