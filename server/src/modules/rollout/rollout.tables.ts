import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;

export interface RolloutAxisTable {
  id: Generated<string>;
  academy_id: string;
  establishment_id: string | null;
  label: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface RolloutStepTable {
  id: Generated<string>;
  establishment_id: string;
  service_key: string;
  title: string;
  owner_id: string;
  due_date: DateCol;
  state: Generated<'todo' | 'in_progress' | 'done' | 'cancelled'>;
  done_at: Date | null;
  reminded_on: DateCol | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RolloutObjectiveTable {
  id: Generated<string>;
  establishment_id: string;
  service_key: string;
  indicator: string;
  target: number;
  due_date: DateCol;
  establishment_axis_id: string | null;
  academy_axis_id: string | null;
  created_by: string | null;
  created_at: Timestamp;
}

export interface RolloutToolTable {
  id: Generated<string>;
  establishment_id: string;
  name: string;
  category: string;
  service_key: string | null;
  users: number | null;
  frequency: 'daily' | 'weekly' | 'monthly' | 'rare';
  teaching_value: 'low' | 'medium' | 'high';
  decision: Generated<'undecided' | 'integrate' | 'move'>;
  decision_date: DateCol | null;
  notes: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RolloutRiskTable {
  id: Generated<string>;
  establishment_id: string;
  title: string;
  likelihood: number;
  impact: number;
  owner_id: string | null;
  mitigation: Generated<string>;
  status: Generated<'open' | 'closed'>;
  reviewed_at: Date | null;
  created_at: Timestamp;
}

export interface RolloutSteeringMemberTable {
  establishment_id: string;
  user_id: string;
  role: 'pilot' | 'member' | 'tice';
  subject_code: string | null;
}

export interface RolloutNeedTable {
  id: Generated<string>;
  establishment_id: string;
  author_id: string | null;
  subject_code: string | null;
  service_key: string | null;
  title: string;
  body: Generated<string>;
  status: Generated<'open' | 'in_progress' | 'done' | 'declined'>;
  answer: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  created_at: Timestamp;
}

export interface RolloutSkillTable {
  establishment_id: string;
  user_id: string;
  domain: string;
  level: number;
  assessed_at: Timestamp;
}

export interface RolloutResourcePersonTable {
  id: Generated<string>;
  establishment_id: string;
  user_id: string;
  service_key: string | null;
  subject_code: string | null;
  note: Generated<string>;
  created_at: Timestamp;
}

export interface RolloutSlotTable {
  id: Generated<string>;
  establishment_id: string;
  resource_person_id: string;
  starts_at: Date | string;
  ends_at: Date | string;
  mode: 'onsite' | 'remote';
  room: string | null;
  booked_by: string | null;
  booked_at: Date | null;
  topic: string | null;
  reminded: Generated<boolean>;
}

export interface RolloutTrainingTable {
  id: Generated<string>;
  establishment_id: string;
  title: string;
  audience: string;
  starts_at: Date | string;
  ends_at: Date | string;
  place: string;
  capacity: number;
  step_id: string | null;
  reminded: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
}

export interface RolloutRegistrationTable {
  training_id: string;
  user_id: string;
  establishment_id: string;
  registered_at: Timestamp;
  present: boolean | null;
}

export interface RolloutPulseAnswerTable {
  id: Generated<string>;
  establishment_id: string;
  service_key: string;
  period: string;
  score: number;
  comment: string | null;
}

export interface RolloutPulseMarkerTable {
  establishment_id: string;
  user_id: string;
  service_key: string;
  period: string;
}

export interface RolloutAnnouncementTable {
  id: Generated<string>;
  establishment_id: string;
  text: string;
  recipients: number;
  sent_by: string | null;
  sent_at: Timestamp;
}

export interface RolloutAcademyContactTable {
  academy_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  url: string | null;
  hours: string | null;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface RolloutUserDayTable {
  establishment_id: string;
  service: string;
  day: DateCol;
  user_id: string;
  profile: string;
  events: number;
}

export interface RolloutActivityTable {
  establishment_id: string;
  service: string;
  profile: string;
  day: DateCol;
  events: number;
  day_users: number;
  week_users: number;
  month_users: number;
}

export interface RolloutRollupTable {
  establishment_id: string;
  as_of: Date;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    rollout_axis: RolloutAxisTable;
    rollout_step: RolloutStepTable;
    rollout_objective: RolloutObjectiveTable;
    rollout_tool: RolloutToolTable;
    rollout_risk: RolloutRiskTable;
    rollout_steering_member: RolloutSteeringMemberTable;
    rollout_need: RolloutNeedTable;
    rollout_skill: RolloutSkillTable;
    rollout_resource_person: RolloutResourcePersonTable;
    rollout_slot: RolloutSlotTable;
    rollout_training: RolloutTrainingTable;
    rollout_registration: RolloutRegistrationTable;
    rollout_pulse_answer: RolloutPulseAnswerTable;
    rollout_pulse_marker: RolloutPulseMarkerTable;
    rollout_announcement: RolloutAnnouncementTable;
    rollout_academy_contact: RolloutAcademyContactTable;
    rollout_user_day: RolloutUserDayTable;
    rollout_activity: RolloutActivityTable;
    rollout_rollup: RolloutRollupTable;
  }
}

export const ROLLOUT_TABLES = [
  'rollout_axis',
  'rollout_step',
  'rollout_objective',
  'rollout_tool',
  'rollout_risk',
  'rollout_steering_member',
  'rollout_need',
  'rollout_skill',
  'rollout_resource_person',
  'rollout_slot',
  'rollout_training',
  'rollout_registration',
  'rollout_pulse_answer',
  'rollout_pulse_marker',
  'rollout_announcement',
  'rollout_academy_contact',
  'rollout_user_day',
  'rollout_activity',
  'rollout_rollup',
] as const;
