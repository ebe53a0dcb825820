import type { Kysely } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * The dashboard's last reads kept in memory (rollout.facts.ts):
 *
 * - the time of each establishment's roll-up (`rollout_rollup.as_of`, read by every cockpit page to stay within the
 *   hour), topic `rollup`: a roll-up ("Actualiser", a page finding it more than an hour old, the académie's hourly
 *   job) announces `rollup:<establishment id>` for each establishment it marked, and only the cached time listens
 *   (the figures kept under topic `rollout` do not depend on it);
 * - the labels of the pioneers' disciplines, kept with the staff (topic `rollout`): a discipline renamed or removed
 *   announces `rollout:*` (imports only). A new discipline needs nothing: a teaching assignment must reference it,
 *   and assignments announce their establishment (migration 0502).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'rollout_rollup', 'cache_rollup', [['rollup', 'establishment_id']]);
  await createCacheTriggers(db, 'subject', 'cache_rollout', [['rollout', 'NULL']], { skipInsert: true });
}
