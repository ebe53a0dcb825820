import { type Kysely, sql } from 'kysely';

/**
 * How notifications reach people outside the ENT: each person's choice per kind (in the ENT only, e-mail at once,
 * daily digest), their quiet hours (no e-mail between them, 20 h – 7 h by default), and the outbox every mail goes
 * through (sent by SMTP when `SMTP_URL` is set, else kept for the local outbox page).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notification_preference (
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      kind text NOT NULL,
      delivery text NOT NULL CHECK (delivery IN ('app', 'email', 'digest')),
      PRIMARY KEY (user_id, kind)
    );

    CREATE TABLE notification_setting (
      user_id uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
      quiet_start smallint NOT NULL DEFAULT 20 CHECK (quiet_start BETWEEN 0 AND 23),
      quiet_end smallint NOT NULL DEFAULT 7 CHECK (quiet_end BETWEEN 0 AND 23),
      -- the daily digest covered notifications up to this instant
      digest_until timestamptz
    );

    CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
      to_address text NOT NULL,
      kind text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      -- a path of the web app, made absolute with the public origin when the mail is sent
      link text,
      -- false: sent whatever the hour (a recovery link the person just asked for)
      quiet boolean NOT NULL DEFAULT true,
      -- its body is blanked once sent (a recovery link must not stay readable in the database)
      secret boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'kept', 'failed')),
      attempts smallint NOT NULL DEFAULT 0,
      last_error text,
      not_before timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      source_type text,
      source_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX mail_outbox_due ON mail_outbox (not_before) WHERE status IN ('pending', 'sending');
    CREATE INDEX mail_outbox_recent ON mail_outbox (created_at DESC, id DESC);
    CREATE INDEX mail_outbox_source ON mail_outbox (source_type, source_id) WHERE source_id IS NOT NULL;
    CREATE INDEX mail_outbox_user ON mail_outbox (user_id, created_at DESC);

    -- the digest reads a day of notifications by time
    CREATE INDEX notification_created ON notification (created_at);
  `.execute(db);
}
