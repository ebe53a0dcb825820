import { type Kysely, sql } from 'kysely';

/**
 * Account recovery by e-mail: one row per link sent, the token stored as its SHA-256 only (a leaked table opens
 * nothing), short-lived and single-use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE password_reset (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      address text
    );
    CREATE INDEX password_reset_user ON password_reset (user_id, created_at DESC);
  `.execute(db);
}
