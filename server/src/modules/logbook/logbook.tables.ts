import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface LogbookVisaTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  signer_id: string | null;
  role: 'principal' | 'inspector';
  teacher_id: string | null;
  class_id: string | null;
  through: DateCol;
  comment: string | null;
  lessons: Generated<number>;
  signed_at: Timestamp;
}

export interface LogbookLessonTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  course_id: string | null;
  date: DateCol;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
  author_id: string | null;
  title: string;
  content: Generated<string>;
  links: Json<{ url: string; label?: string }[]>;
  publish_at: Date | null;
  visa_id: string | null;
  amended_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LogbookHomeworkTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  lesson_id: string | null;
  course_id: string | null;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
  author_id: string | null;
  assigned_on: DateCol;
  due_date: DateCol;
  description: string;
  kind: 'exercise' | 'lesson' | 'assessment' | 'project';
  estimated_minutes: number | null;
  publish_at: Date | null;
  notified_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LogbookHomeworkDoneTable {
  homework_id: string;
  student_id: string;
  establishment_id: string;
  done_at: Timestamp;
}

export interface LogbookAmendmentTable {
  id: Generated<string>;
  establishment_id: string;
  lesson_id: string;
  author_id: string | null;
  at: Timestamp;
  before: Json<{ title: string; content: string }>;
  after: Json<{ title: string; content: string }>;
}

export interface LogbookInspectorTable {
  id: Generated<string>;
  establishment_id: string;
  inspector_id: string;
  teacher_ids: ColumnType<string[], string[], string[]>;
  until: DateCol | null;
  granted_by: string | null;
  granted_at: Timestamp;
  revoked_at: Date | null;
}

export interface LogbookProgressionTable {
  id: Generated<string>;
  establishment_id: string;
  author_id: string;
  title: string;
  subject_code: string | null;
  created_at: Timestamp;
}

export interface LogbookProgressionStepTable {
  progression_id: string;
  position: number;
  title: string;
  content: Generated<string>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    logbook_visa: LogbookVisaTable;
    logbook_lesson: LogbookLessonTable;
    logbook_homework: LogbookHomeworkTable;
    logbook_homework_done: LogbookHomeworkDoneTable;
    logbook_amendment: LogbookAmendmentTable;
    logbook_inspector: LogbookInspectorTable;
    logbook_progression: LogbookProgressionTable;
    logbook_progression_step: LogbookProgressionStepTable;
  }
}
