import { type Kysely, sql } from 'kysely';

/**
 * The journal of school-year rollovers (issue 9), so that one can be undone like a merge: which year was
 * archived, which opened (created, or a prepared `next` year promoted — with its status before), who, when,
 * whether it ran before the year's end by explicit override, and until when it can be undone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE school_year_rollover (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      from_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      to_year_id uuid REFERENCES school_year(id) ON DELETE SET NULL,
      to_label text NOT NULL,
      to_created boolean NOT NULL,
      to_status_before text,
      early boolean NOT NULL DEFAULT false,
      rolled_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      rolled_at timestamptz NOT NULL DEFAULT now(),
      undo_until timestamptz NOT NULL,
      undone_at timestamptz,
      undone_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );
    CREATE INDEX school_year_rollover_establishment ON school_year_rollover (establishment_id, rolled_at DESC);
  `.execute(db);
}
