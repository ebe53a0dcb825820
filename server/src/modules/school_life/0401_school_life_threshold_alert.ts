import { type Kysely, sql } from 'kysely';

/**
 * The absenteeism alerts already sent: one row per student and month once the vie scolaire and the direction were
 * told the student reached the threshold (so that the nightly job tells them once).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE school_life_threshold_alert (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
      half_days integer NOT NULL,
      alerted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (establishment_id, month, student_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE school_life_threshold_alert`.execute(db);
}
