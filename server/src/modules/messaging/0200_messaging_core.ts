import { type Kysely, sql } from 'kysely';

/**
 * Messaging: one `message` row per message (drafts too), one `message_recipient` row per recipient (a whole
 * establishment is one insert), per-person folders; the establishment's communication rules (overrides of the
 * defaults per profile pair, adjustments per class or group), its sending settings (caps, the suspension switch)
 * and the alerts of unusual mass sending. French full-text search on a stored tsvector with a GIN index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE message_folder (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX message_folder_name ON message_folder (user_id, establishment_id, lower(name));

    CREATE TABLE message (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      thread_id uuid NOT NULL,
      parent_id uuid REFERENCES message(id) ON DELETE SET NULL,
      forward_of uuid REFERENCES message(id) ON DELETE SET NULL,
      sender_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      subject text NOT NULL,
      body_html text NOT NULL,
      body_text text NOT NULL,
      status text NOT NULL CHECK (status IN ('draft', 'sent', 'recalled', 'purged')),
      no_reply boolean NOT NULL DEFAULT false,
      -- what the sender chose, as chosen: persons and lists ([{id, label}]), shown as "À : parents de 2NDE1"
      to_spec jsonb NOT NULL DEFAULT '[]',
      -- a draft's attachments (document ids), attached when it is sent
      draft_attachments uuid[] NOT NULL DEFAULT '{}',
      recipient_count integer NOT NULL DEFAULT 0,
      profile_counts jsonb NOT NULL DEFAULT '{}',
      has_attachments boolean NOT NULL DEFAULT false,
      -- the sender's copy
      sender_folder text NOT NULL DEFAULT 'sent',
      sender_deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      recalled_at timestamptz,
      purged_at timestamptz,
      purged_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('french', subject), 'A') || setweight(to_tsvector('french', body_text), 'B')
      ) STORED
    );
    CREATE INDEX message_search ON message USING gin (search);
    CREATE INDEX message_thread ON message (thread_id, sent_at);
    -- sent, drafts and the hourly caps read the sender's messages by time
    CREATE INDEX message_sender ON message (sender_id, establishment_id, status, created_at DESC);
    CREATE INDEX message_sent_by ON message (sender_id, sent_at DESC) WHERE status IN ('sent', 'recalled');

    CREATE TABLE message_recipient (
      message_id uuid NOT NULL REFERENCES message(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL,
      -- 'inbox', 'trash', or the id of one of the person's folders
      folder text NOT NULL DEFAULT 'inbox',
      -- the time of the message, copied for the mailbox's keyset index
      sent_at timestamptz NOT NULL,
      read_at timestamptz,
      deleted_at timestamptz,
      PRIMARY KEY (user_id, message_id)
    );
    -- a mailbox page: the person's folder in one establishment, newest first
    CREATE INDEX message_recipient_box ON message_recipient (user_id, establishment_id, folder, sent_at DESC, message_id DESC)
      WHERE deleted_at IS NULL;
    CREATE INDEX message_recipient_unread ON message_recipient (user_id, establishment_id)
      WHERE read_at IS NULL AND deleted_at IS NULL AND folder <> 'trash';
    CREATE INDEX message_recipient_message ON message_recipient (message_id);

    CREATE TABLE messaging_rule (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      from_profile text NOT NULL,
      to_category text NOT NULL,
      level text NOT NULL CHECK (level IN ('none', 'related', 'all')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      PRIMARY KEY (establishment_id, from_profile, to_category)
    );

    CREATE TABLE messaging_structure_rule (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      structure_type text NOT NULL CHECK (structure_type IN ('class', 'group')),
      structure_id uuid NOT NULL,
      from_profile text NOT NULL CHECK (from_profile IN ('student', 'guardian')),
      to_category text NOT NULL CHECK (to_category IN ('student', 'guardian', 'teacher')),
      allowed boolean NOT NULL,
      PRIMARY KEY (establishment_id, structure_id, from_profile, to_category)
    );

    CREATE TABLE messaging_setting (
      establishment_id uuid PRIMARY KEY REFERENCES establishment(id) ON DELETE CASCADE,
      suspended_profiles text[] NOT NULL DEFAULT '{}',
      caps jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );

    CREATE TABLE messaging_alert (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      sender_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      profile text NOT NULL,
      reason text NOT NULL,
      messages integer NOT NULL,
      recipients integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX messaging_alert_recent ON messaging_alert (establishment_id, created_at DESC);
    CREATE INDEX messaging_alert_sender ON messaging_alert (sender_id, created_at DESC);
  `.execute(db);
}
