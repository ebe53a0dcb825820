import type { Kysely } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * The first page of a person's timeline (the home page's widget: five notifications and the unread count) is kept
 * in memory per person (`timeline.service.ts`), and these triggers announce `tl:<user id>` when a notification
 * reaches them, is read, or goes (withdrawn, purged: the cascade deletes their rows). A notification sent to more
 * than 500 people at once announces `tl:*` (migration 0040's function).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'notification_recipient', 'tl', [['tl', 'user_id']]);
}
