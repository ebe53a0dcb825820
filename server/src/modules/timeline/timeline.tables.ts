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
