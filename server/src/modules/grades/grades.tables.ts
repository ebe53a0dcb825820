import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
/** numeric columns come back from pg as strings (exact decimals); the repository turns them into numbers. */
type Numeric = ColumnType<string, number | string, number | string>;

export interface GradesSettingTable {
  establishment_id: string;
  period_kind: Generated<'trimester' | 'semester'>;
  publication_delay_hours: Generated<number>;
  not_handed_in_zero: Generated<boolean>;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface GradesAssessmentTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
  teacher_id: string | null;
  title: string;
  on_date: DateCol;
  coefficient: Numeric;
  scale: Numeric;
  competencies: ColumnType<string[], string[] | undefined, string[]>;
  visible_at: Timestamp;
  notified_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The class's figures of the assessment (values only, codes left out), kept by `refreshAssessmentStats`. */
  value_count: Generated<number>;
  value_mean: ColumnType<string | null, never, string | null>;
  value_min: ColumnType<string | null, never, string | null>;
  value_max: ColumnType<string | null, never, string | null>;
}

export interface GradesGradeTable {
  assessment_id: string;
  student_id: string;
  establishment_id: string;
  value: ColumnType<string | null, number | string | null, number | string | null>;
  code: 'absent' | 'exempt' | 'not_handed_in' | null;
  levels: ColumnType<(number | null)[] | null, (number | null)[] | null, (number | null)[] | null>;
  entered_at: Timestamp;
  updated_at: Timestamp;
}

/** The class's figures per class or group, subject and range of dates, kept by `refreshClassStats` (0452). */
export interface GradesClassStatTable {
  school_year_id: string;
  target_id: string;
  subject_code: string;
  range_from: DateCol;
  range_to: DateCol;
  published: boolean;
  assessments: number;
  average: number | null;
  min: number | null;
  max: number | null;
}

export interface GradesCommentTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  period: string;
  student_id: string;
  kind: 'subject' | 'head_teacher' | 'direction';
  subject_code: ColumnType<string, string | undefined, string>;
  author_id: string | null;
  text: string;
  updated_at: Timestamp;
}

export interface GradesReportTable {
  establishment_id: string;
  school_year_id: string;
  class_id: string;
  period: string;
  published_at: Timestamp;
  published_by: string | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    grades_setting: GradesSettingTable;
    grades_assessment: GradesAssessmentTable;
    grades_grade: GradesGradeTable;
    grades_class_stat: GradesClassStatTable;
    grades_comment: GradesCommentTable;
    grades_report: GradesReportTable;
  }
}
