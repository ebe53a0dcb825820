import { type Kysely, sql } from 'kysely';

/**
 * The plan's late steps joined the checklist's facts kept per establishment (rollout.facts.ts): a step created,
 * changed or deleted announces `rollout:<establishment id>` like the tables of migration 0502.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [event, referencing] of [
    ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
    ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
    ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
  ] as const) {
    await sql`
      CREATE TRIGGER ${sql.id(`rollout_step_cache_rollout_${event.toLowerCase()}`)} AFTER ${sql.raw(event)}
        ON rollout_step ${referencing} FOR EACH STATEMENT
        EXECUTE FUNCTION preau_cache_statement('rollout', 'establishment_id')`.execute(db);
  }
  await sql`
    CREATE TRIGGER rollout_step_cache_rollout_truncate AFTER TRUNCATE ON rollout_step
      FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate('rollout', '')`.execute(db);
}
