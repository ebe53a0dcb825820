import { type Kysely, sql } from 'kysely';

/**
 * Indexes for the cockpit's pages:
 * - when the data-quality page was last looked at is the latest usage event `directory`/`data_quality.view` of
 *   the establishment: through (establishment_id, at) that walked every event of the establishment (180,000 in a
 *   lycée after two months: 130 ms, twice per page); this partial index holds only those views;
 * - the acceptances of the charter in force in one establishment: the platform's default charter is shared by
 *   every establishment, so its `charter_id` index returned the whole académie's acceptances;
 * - the dashboard's pioneers (the most active teachers over the period) read one profile's days of use: through
 *   the primary key (establishment, service, day, user) that was every member's days of the period (40 ms in a
 *   lycée after two months, 90 % of the dashboard's database time); by profile, only the teachers' rows, from the
 *   index alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX usage_event_quality_view ON usage_event (establishment_id, at)
      WHERE service = 'directory' AND action = 'data_quality.view';
    CREATE INDEX charter_acceptance_establishment ON charter_acceptance (establishment_id, charter_id)
      INCLUDE (user_id, accepted_at);
    CREATE INDEX rollout_user_day_profile ON rollout_user_day (establishment_id, profile, day)
      INCLUDE (user_id, service, events);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX usage_event_quality_view; DROP INDEX charter_acceptance_establishment; DROP INDEX rollout_user_day_profile`.execute(
    db,
  );
}
