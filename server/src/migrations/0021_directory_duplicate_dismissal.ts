import { type Kysely, sql } from 'kysely';

/**
 * "Pas la même personne": a pair of the duplicate finder dismissed for good in an establishment (issue 9). The
 * pair is stored ordered (`a_id < b_id`), with who dismissed it and when; undoing the dismissal keeps the row
 * (`undone_at`, `undone_by`) so the history stays, and at most one live dismissal exists per pair.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE duplicate_dismissal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      a_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      b_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      dismissed_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      dismissed_at timestamptz NOT NULL DEFAULT now(),
      undone_at timestamptz,
      undone_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      CHECK (a_id < b_id)
    );
    CREATE UNIQUE INDEX duplicate_dismissal_live ON duplicate_dismissal (establishment_id, a_id, b_id)
      WHERE undone_at IS NULL;
    CREATE INDEX duplicate_dismissal_establishment ON duplicate_dismissal (establishment_id, dismissed_at DESC);
  `.execute(db);
}
