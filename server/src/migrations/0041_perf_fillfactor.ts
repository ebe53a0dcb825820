import { type Kysely, sql } from 'kysely';

/**
 * Room on each page for the rows' next versions, so that the hot updates stay HOT (heap-only: no index entry
 * written, and the old version pruned on the page instead of by a vacuum through every index):
 * `app_user.last_login_at` on every login, and the session's `last_seen_at` touch. Both columns are in no index.
 * New pages only: an existing table gets the room as its pages are rewritten (VACUUM FULL, or pg_repack online).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE app_user SET (fillfactor = 90);
    ALTER TABLE session SET (fillfactor = 85);
  `.execute(db);
}
