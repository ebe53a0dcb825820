import { type Kysely, sql } from 'kysely';

/**
 * The rollout cockpit's messaging indicators read an establishment's messages and readings over a period
 * (`messaging.repository.ts` `indicators`): without an index by establishment and time, each was a scan of the
 * establishment's recipients — 651 ms for « responsables lecteurs » on a bench académie of 1.1 M recipient rows, at
 * every first read after a roll-up. Partial indexes: only read copies (a guardian's readings, probed per guardian of the
 establishment), only sent messages (by establishment and time).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX message_recipient_read ON message_recipient (user_id, establishment_id, read_at) WHERE read_at IS NOT NULL;
    CREATE INDEX message_establishment_sent ON message (establishment_id, sent_at) WHERE status IN ('sent', 'recalled');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX message_recipient_read; DROP INDEX message_establishment_sent`.execute(db);
}
