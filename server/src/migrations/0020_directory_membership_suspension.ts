import { type Kysely, sql } from 'kysely';

/**
 * Blocking by an establishment suspends the person's membership there, not their account (issue 8): the other
 * establishments of a teacher or a parent present in two schools are untouched. One row per person and
 * establishment, whatever the profiles held there (an import adding a profile keeps the suspension).
 *
 * Accounts blocked before this migration were blocked by an establishment's administrator (no other route
 * blocked them): they become suspended in each of their establishments and their account returns to the state
 * an unblock gives (active with a password, else awaiting activation) — so nothing changes for them today.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE membership_suspension (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      suspended_at timestamptz NOT NULL DEFAULT now(),
      suspended_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      PRIMARY KEY (establishment_id, user_id)
    );
    CREATE INDEX membership_suspension_user ON membership_suspension (user_id);

    INSERT INTO membership_suspension (establishment_id, user_id, suspended_at)
      SELECT DISTINCT m.establishment_id, m.user_id, u.updated_at
      FROM membership m JOIN app_user u ON u.id = m.user_id
      WHERE u.status = 'blocked' AND NOT u.is_platform_admin;

    UPDATE app_user u
      SET status = CASE WHEN u.password_hash IS NULL THEN 'pending_activation' ELSE 'active' END
      WHERE u.status = 'blocked' AND NOT u.is_platform_admin
        AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id);
  `.execute(db);
}
