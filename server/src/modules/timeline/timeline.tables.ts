import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface NotificationTable {
  id: Generated<string>;
  establishment_id: string | null;
  kind: string;
  actor_id: string | null;
  text: ColumnType<{ fr: string; en?: string }, string, string>;
  link: string | null;
  source_type: string | null;
  source_id: string | null;
  created_at: Timestamp;
}

export interface NotificationRecipientTable {
  notification_id: string;
  user_id: string;
  establishment_id: string | null;
  created_at: Date | string;
  read_at: Date | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    notification: NotificationTable;
    notification_recipient: NotificationRecipientTable;
  }
}

export type Delivery = 'app' | 'email' | 'digest';

export interface NotificationPreferenceTable {
  user_id: string;
  kind: string;
  delivery: Delivery;
}

export interface NotificationSettingTable {
  user_id: string;
  quiet_start: ColumnType<number, number | undefined, number>;
  quiet_end: ColumnType<number, number | undefined, number>;
  digest_until: Date | null;
}

export type MailStatus = 'pending' | 'sending' | 'sent' | 'kept' | 'failed';

export interface MailOutboxTable {
  id: Generated<string>;
  establishment_id: string | null;
  user_id: string | null;
  to_address: string;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  quiet: ColumnType<boolean, boolean | undefined, boolean>;
  secret: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  not_before: Timestamp;
  locked_until: Date | null;
  source_type: string | null;
  source_id: string | null;
  created_at: Timestamp;
  sent_at: Date | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    notification_preference: NotificationPreferenceTable;
    notification_setting: NotificationSettingTable;
    mail_outbox: MailOutboxTable;
  }
}
