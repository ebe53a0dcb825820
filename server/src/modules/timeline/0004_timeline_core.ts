import { type Kysely, sql } from 'kysely';

/**
 * The timeline: one row per notification, one row per recipient (fan-out in one set-based insert). The source
 * (`source_type`, `source_id`) lets a module withdraw what it posted (a purged message, a cancelled course).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notification (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      kind text NOT NULL,
      actor_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      text jsonb NOT NULL,
      link text,
      source_type text,
      source_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notification_source ON notification (source_type, source_id) WHERE source_id IS NOT NULL;

    CREATE TABLE notification_recipient (
      notification_id uuid NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid,
      created_at timestamptz NOT NULL,
      read_at timestamptz,
      PRIMARY KEY (user_id, notification_id)
    );
    -- the feed, newest first, by keyset (created_at, notification_id)
    CREATE INDEX notification_recipient_feed ON notification_recipient (user_id, created_at DESC, notification_id DESC);
    CREATE INDEX notification_recipient_unread ON notification_recipient (user_id) WHERE read_at IS NULL;
    CREATE INDEX notification_recipient_notification ON notification_recipient (notification_id);
  `.execute(db);
}
