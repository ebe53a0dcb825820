import { type Kysely, sql } from 'kysely';

/**
 * Directory administration between imports:
 * - phone numbers on accounts (guardians' contact check; the importer fills them from the AAF feed),
 * - merges of duplicate persons, kept with the journal of every moved row so a merge can be undone.
 * `IF NOT EXISTS` on the phone columns: the import's migration may add the same ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE app_user
      ADD COLUMN IF NOT EXISTS phone_mobile text,
      ADD COLUMN IF NOT EXISTS phone_home text,
      ADD COLUMN IF NOT EXISTS phone_work text,
      ADD COLUMN IF NOT EXISTS merged_into uuid REFERENCES app_user(id) ON DELETE SET NULL;

    -- a person's enrolments (merges, login sheets, duplicates): the unique indexes are partial, per class or group
    CREATE INDEX IF NOT EXISTS enrolment_student ON enrolment (student_id);

    CREATE TABLE user_merge (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      kept_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      merged_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      reasons text[] NOT NULL DEFAULT '{}',
      journal jsonb NOT NULL,
      merged_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      merged_at timestamptz NOT NULL DEFAULT now(),
      undo_until timestamptz NOT NULL,
      undone_at timestamptz,
      undone_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      CHECK (kept_id <> merged_id)
    );
    CREATE INDEX user_merge_establishment ON user_merge (establishment_id, merged_at DESC);
    -- an account is merged away at most once at a time
    CREATE UNIQUE INDEX user_merge_live ON user_merge (merged_id) WHERE undone_at IS NULL;
  `.execute(db);
}
