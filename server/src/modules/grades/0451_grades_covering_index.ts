import { type Kysely, sql } from 'kysely';

/**
 * A student's grades page aggregates the class's statistics over the grades of the assessments it shows (class
 * average, minimum and maximum per assessment and per subject): an index carrying the grade lets PostgreSQL read
 * them from the index alone, without a heap fetch per grade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX grades_grade_assessment_cover ON grades_grade (assessment_id) INCLUDE (student_id, value, code)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX grades_grade_assessment_cover`.execute(db);
}
