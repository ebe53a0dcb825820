import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface TimetableSettingTable {
  establishment_id: string;
  zone: 'A' | 'B' | 'C';
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface TimetableSlotTable {
  id: Generated<string>;
  establishment_id: string;
  code: string;
  starts_at: string;
  ends_at: string;
}

export interface TimetableWeekPatternTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  code: string;
  label: string;
  weeks: ColumnType<string[], string[], string[]>;
}

export interface TimetableCourseTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
  weekday: number;
  starts_at: string;
  ends_at: string;
  room: string | null;
  week_pattern_id: string | null;
  valid_from: DateCol;
  valid_to: DateCol;
  source: Generated<'manual' | 'import'>;
  external_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TimetableCourseTeacherTable {
  course_id: string;
  teacher_id: string;
  establishment_id: string;
}

export interface TimetableOccurrenceChangeTable {
  id: Generated<string>;
  establishment_id: string;
  course_id: string;
  on_date: DateCol;
  cancelled: Generated<boolean>;
  new_date: DateCol | null;
  new_starts_at: string | null;
  new_ends_at: string | null;
  new_room: string | null;
  reason: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TimetableFeedTokenTable {
  id: Generated<string>;
  user_id: string;
  establishment_id: string;
  token_hash: Buffer;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface TimetableTeacherLinkTable {
  establishment_id: string;
  sts_id: string;
  user_id: string;
}

export interface TimetableImportTable {
  id: Generated<string>;
  establishment_id: string;
  requested_by: string | null;
  kind: 'sts' | 'csv';
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  progress: Generated<number>;
  phase: Generated<string>;
  files: Json<{ no: number; name: string; size: number }[]>;
  report: Json<unknown> | null;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface TimetableImportFileTable {
  import_id: string;
  no: number;
  name: string;
  data: Buffer;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    timetable_setting: TimetableSettingTable;
    timetable_slot: TimetableSlotTable;
    timetable_week_pattern: TimetableWeekPatternTable;
    timetable_course: TimetableCourseTable;
    timetable_course_teacher: TimetableCourseTeacherTable;
    timetable_occurrence_change: TimetableOccurrenceChangeTable;
    timetable_feed_token: TimetableFeedTokenTable;
    timetable_teacher_link: TimetableTeacherLinkTable;
    timetable_import: TimetableImportTable;
    timetable_import_file: TimetableImportFileTable;
  }
}
