import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;

export type MessageStatus = 'draft' | 'sent' | 'recalled' | 'purged';

export interface MessageTable {
  id: Generated<string>;
  establishment_id: string;
  thread_id: string;
  parent_id: string | null;
  forward_of: string | null;
  sender_id: string | null;
  subject: string;
  body_html: string;
  body_text: string;
  status: MessageStatus;
  no_reply: ColumnType<boolean, boolean | undefined, boolean>;
  to_spec: Json<{ id: string; label: string }[]>;
  draft_attachments: ColumnType<string[], string[] | undefined, string[]>;
  recipient_count: ColumnType<number, number | undefined, number>;
  profile_counts: Json<Record<string, number>>;
  has_attachments: ColumnType<boolean, boolean | undefined, boolean>;
  sender_folder: ColumnType<string, string | undefined, string>;
  sender_deleted_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  recalled_at: Date | null;
  purged_at: Date | null;
  purged_by: string | null;
  search: ColumnType<string, never, never>;
}

export interface MessageRecipientTable {
  message_id: string;
  user_id: string;
  establishment_id: string;
  folder: ColumnType<string, string | undefined, string>;
  sent_at: Date | string;
  read_at: Date | null;
  deleted_at: Date | null;
}

export interface MessageFolderTable {
  id: Generated<string>;
  establishment_id: string;
  user_id: string;
  name: string;
  created_at: Timestamp;
}

export interface MessagingRuleTable {
  establishment_id: string;
  from_profile: string;
  to_category: string;
  level: 'none' | 'related' | 'all';
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface MessagingStructureRuleTable {
  establishment_id: string;
  structure_type: 'class' | 'group';
  structure_id: string;
  from_profile: 'student' | 'guardian';
  to_category: 'student' | 'guardian' | 'teacher';
  allowed: boolean;
}

export interface MessagingSettingTable {
  establishment_id: string;
  suspended_profiles: ColumnType<string[], string[] | undefined, string[]>;
  caps: Json<Record<string, unknown>>;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface MessagingAlertTable {
  id: Generated<string>;
  establishment_id: string;
  sender_id: string;
  profile: string;
  reason: string;
  messages: number;
  recipients: number;
  created_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    message: MessageTable;
    message_recipient: MessageRecipientTable;
    message_folder: MessageFolderTable;
    messaging_rule: MessagingRuleTable;
    messaging_structure_rule: MessagingStructureRuleTable;
    messaging_setting: MessagingSettingTable;
    messaging_alert: MessagingAlertTable;
  }
}
