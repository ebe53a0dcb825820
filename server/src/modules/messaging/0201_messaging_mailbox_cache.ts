import type { Kysely } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * The first page of each person's inbox is kept in memory (`messaging.service.ts`, `MAILBOX`), per person and
 * establishment. A mailbox changes when a message reaches its owner, when they read, move or delete one, and when a
 * message they hold is recalled or purged: every one of these writes `message_recipient`, whose triggers announce
 * `mb:<recipient's user id>` on `preau_cache` (platform/cache.ts).
 *
 * A statement of more than 500 rows — a message to a whole establishment (one insert for every recipient), its recall
 * or purge — announces `mb:e<establishment id>` instead: every mailbox of that establishment is dropped, and only
 * those (a key per recipient would hold the commit's NOTIFY lock through thousands of notifications, and above 500
 * keys the trigger function falls back to `mb:*`, every mailbox of every establishment).
 */
const perRecipient = (rows: 'new_rows' | 'old_rows') =>
  `CASE WHEN (SELECT count(*) FROM ${rows}) > 500 THEN 'e' || establishment_id ELSE user_id::text END`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'message_recipient', 'mailbox', [['mb', perRecipient('new_rows')]], {
    events: ['INSERT', 'UPDATE', 'TRUNCATE'],
  });
  await createCacheTriggers(db, 'message_recipient', 'mailbox_gone', [['mb', perRecipient('old_rows')]], {
    events: ['DELETE'],
  });
}
