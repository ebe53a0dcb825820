import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;

export type Mark = 'absent' | 'late' | 'left_early' | 'exempt';
export type AbsenceStateCol = 'to_justify' | 'justified' | 'not_justified';

export interface SchoolLifeReasonTable {
  establishment_id: string;
  code: string;
  label: string;
  legitimate: boolean;
  position: number;
}

export interface SchoolLifeRollCallTable {
  id: Generated<string>;
  establishment_id: string;
  course_id: string;
  on_date: DateCol;
  class_id: string | null;
  group_id: string | null;
  taken_by: string | null;
  taken_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchoolLifeMarkTable {
  roll_call_id: string;
  student_id: string;
  establishment_id: string;
  mark: Mark;
  minutes: number | null;
}

export interface SchoolLifeAbsenceTable {
  id: Generated<string>;
  establishment_id: string;
  student_id: string;
  kind: 'absence' | 'lateness';
  left_early: Generated<boolean>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  on_date: DateCol;
  minutes: number | null;
  state: Generated<AbsenceStateCol>;
  reason_code: string | null;
  comment: string | null;
  source: 'roll_call' | 'staff';
  roll_call_id: string | null;
  course_id: string | null;
  subject_code: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchoolLifeJustificationTable {
  id: Generated<string>;
  establishment_id: string;
  absence_id: string;
  guardian_id: string | null;
  reason_code: string | null;
  reason_text: string;
  comment: string | null;
  status: Generated<'pending' | 'accepted' | 'refused'>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: string | null;
  created_at: Timestamp;
}

export interface SchoolLifeIncidentTable {
  id: Generated<string>;
  establishment_id: string;
  student_id: string;
  kind: 'incident' | 'retenue' | 'exclusion_cours' | 'sanction';
  on_date: DateCol;
  reason: string;
  detail: string | null;
  given_by: string | null;
  created_at: Timestamp;
}

export interface SchoolLifeThresholdAlertTable {
  establishment_id: string;
  student_id: string;
  month: string;
  half_days: number;
  alerted_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    school_life_reason: SchoolLifeReasonTable;
    school_life_roll_call: SchoolLifeRollCallTable;
    school_life_mark: SchoolLifeMarkTable;
    school_life_absence: SchoolLifeAbsenceTable;
    school_life_justification: SchoolLifeJustificationTable;
    school_life_incident: SchoolLifeIncidentTable;
    school_life_threshold_alert: SchoolLifeThresholdAlertTable;
  }
}
