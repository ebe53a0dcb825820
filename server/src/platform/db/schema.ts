import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely's view of the database. Kept by hand next to the migrations (src/migrations). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface AcademyTable {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: Timestamp;
}

export interface EstablishmentTable {
  id: Generated<string>;
  academy_id: string;
  uai: string;
  type: string;
  name: string;
  city: string | null;
  slug: string;
  settings: Json<Record<string, unknown>>;
  external_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchoolYearTable {
  id: Generated<string>;
  establishment_id: string;
  label: string;
  starts_on: DateCol;
  ends_on: DateCol;
  status: 'current' | 'archived' | 'next';
  archived_at: Date | null;
}

export interface SubjectTable {
  code: string;
  label: string;
}

export interface MefTable {
  code: string;
  label: string;
  level: string | null;
}

export interface ClassTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  code: string;
  label: string;
  mef_code: string | null;
}

export interface TeachingGroupTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  code: string;
  label: string;
  kind: Generated<'teaching' | 'manual'>;
}

export type UserStatusValue = 'pending_activation' | 'active' | 'blocked' | 'detached';

export interface AppUserTable {
  id: Generated<string>;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  birth_date: DateCol | null;
  email: string | null;
  status: Generated<UserStatusValue>;
  is_platform_admin: Generated<boolean>;
  external_id: string | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  activation_code_hash: string | null;
  activation_expires_at: Date | null;
  last_login_at: Date | null;
  detached_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MembershipTable {
  id: Generated<string>;
  establishment_id: string;
  user_id: string;
  profile: string;
  functions: Generated<string[]>;
  /** The label of the functions there (staff), as the feed gives it: "CONSEILLER PRINCIPAL D'EDUCATION". */
  position: Generated<string | null>;
  created_at: Timestamp;
}

export interface EnrolmentTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  student_id: string;
  class_id: string | null;
  group_id: string | null;
}

export interface GuardianshipTable {
  id: Generated<string>;
  establishment_id: string;
  guardian_id: string;
  student_id: string;
  level: 'legal' | 'in_charge';
  relation: string | null;
  receives_mail: Generated<boolean>;
  sees_grades: Generated<boolean>;
}

export interface TeachingAssignmentTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  teacher_id: string;
  class_id: string | null;
  group_id: string | null;
  subject_code: string;
}

export interface HeadTeacherTable {
  id: Generated<string>;
  establishment_id: string;
  school_year_id: string;
  teacher_id: string;
  class_id: string;
}

export interface SessionTable {
  id: Generated<string>;
  token_hash: Buffer;
  user_id: string;
  csrf_token: string;
  remember_me: Generated<boolean>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  idle_expires_at: Date;
  expires_at: Date;
  address: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  window_started_at: Timestamp;
  blocked_until: Date | null;
}

export interface CharterTable {
  id: Generated<string>;
  establishment_id: string | null;
  version: number;
  title: string;
  body: string;
  published_at: Timestamp;
  published_by: string | null;
}

export interface CharterAcceptanceTable {
  user_id: string;
  charter_id: string;
  establishment_id: string;
  accepted_at: Timestamp;
}

export interface EstablishmentServiceTable {
  establishment_id: string;
  service_key: string;
  status: 'mandatory' | 'recommended' | 'closed';
  profiles: string[];
  opens_on: DateCol | null;
  generalizes_on: DateCol | null;
  usage_rules: Json<Record<string, string>>;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface PermissionOverrideTable {
  establishment_id: string;
  profile: string;
  permission: string;
  granted: boolean;
}

export interface AuditEventTable {
  id: Generated<string>;
  at: Timestamp;
  actor_id: string | null;
  establishment_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Json<Record<string, unknown>>;
  address: string | null;
}

export interface UsageEventTable {
  id: Generated<string>;
  at: Timestamp;
  user_id: string | null;
  establishment_id: string | null;
  profile: string | null;
  service: string;
  action: string;
}

export interface UsageDailyTable {
  day: DateCol;
  establishment_id: string;
  profile: string;
  service: string;
  action: string;
  events: number;
  users: number;
}

export interface Database {
  academy: AcademyTable;
  establishment: EstablishmentTable;
  school_year: SchoolYearTable;
  subject: SubjectTable;
  mef: MefTable;
  class: ClassTable;
  teaching_group: TeachingGroupTable;
  app_user: AppUserTable;
  membership: MembershipTable;
  enrolment: EnrolmentTable;
  guardianship: GuardianshipTable;
  teaching_assignment: TeachingAssignmentTable;
  head_teacher: HeadTeacherTable;
  session: SessionTable;
  login_throttle: LoginThrottleTable;
  charter: CharterTable;
  charter_acceptance: CharterAcceptanceTable;
  establishment_service: EstablishmentServiceTable;
  permission_override: PermissionOverrideTable;
  audit_event: AuditEventTable;
  usage_event: UsageEventTable;
  usage_daily: UsageDailyTable;
}

/** A connection or a transaction: repositories accept either. */
export type Db = Kysely<Database> | Transaction<Database>;
export type AppUserRow = Selectable<AppUserTable>;
export type NewAppUser = Insertable<AppUserTable>;

// ---- 0003_directory_merges: phone numbers, merges of duplicate persons ----

type NullableText = ColumnType<string | null, string | null | undefined, string | null>;

/** Declaration merging: the columns 0003 adds to app_user. */
export interface AppUserTable {
  phone_mobile: NullableText;
  phone_home: NullableText;
  phone_work: NullableText;
  /** Set on an account merged into another (status `detached`); cleared by an undo. */
  merged_into: NullableText;
}

export interface UserMergeTable {
  id: Generated<string>;
  establishment_id: string;
  kept_id: string;
  merged_id: string;
  reasons: Generated<string[]>;
  journal: Json<Record<string, unknown>>;
  merged_by: string | null;
  merged_at: Timestamp;
  undo_until: Date;
  undone_at: Date | null;
  undone_by: string | null;
}

export interface Database {
  user_merge: UserMergeTable;
}

// ---- 0002_directory_imports: import jobs, uploaded files, attributes from the directory feeds ----

export interface PostalAddress {
  lines: string[];
  postalCode: string | null;
  city: string | null;
  country: string | null;
}

/** Declaration merging: the columns 0002 adds to app_user (the phones are declared with 0003's). */
export interface AppUserTable {
  title: NullableText;
  ine: NullableText;
  address: ColumnType<PostalAddress | null, string | null | undefined, string | null>;
  consents: ColumnType<Record<string, string>, string | undefined, string>;
}

export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';

export interface ImportJobTable {
  id: Generated<string>;
  establishment_id: string | null;
  requested_by: string | null;
  kind: 'aaf' | 'csv';
  dry_run: Generated<boolean>;
  status: Generated<ImportJobStatus>;
  progress: Generated<number>;
  phase: Generated<string>;
  report: Json<Record<string, unknown>> | null;
  files: ColumnType<unknown[], string | undefined, string>;
  options: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
  runner: string | null;
  heartbeat_at: Date | null;
  written: ColumnType<unknown[], string | undefined, string>;
}

export interface ImportFileChunkTable {
  job_id: string;
  file_no: number;
  seq: number;
  data: Buffer;
}

export interface Database {
  import_job: ImportJobTable;
  import_file_chunk: ImportFileChunkTable;
}

// ---- 0020_directory_membership_suspension: blocking suspends a membership, not the account ----

export interface MembershipSuspensionTable {
  establishment_id: string;
  user_id: string;
  suspended_at: Timestamp;
  suspended_by: string | null;
}

export interface Database {
  membership_suspension: MembershipSuspensionTable;
}

// ---- 0021_directory_duplicate_dismissal: pairs dismissed as "not the same person" ----

export interface DuplicateDismissalTable {
  id: Generated<string>;
  establishment_id: string;
  a_id: string;
  b_id: string;
  dismissed_by: string | null;
  dismissed_at: Timestamp;
  undone_at: Date | null;
  undone_by: string | null;
}

export interface Database {
  duplicate_dismissal: DuplicateDismissalTable;
}

// ---- 0022_directory_school_year_rollover: the rollovers' journal, for their undo ----

export interface SchoolYearRolloverTable {
  id: Generated<string>;
  establishment_id: string;
  from_year_id: string;
  to_year_id: string | null;
  to_label: string;
  to_created: boolean;
  to_status_before: string | null;
  early: Generated<boolean>;
  rolled_by: string | null;
  rolled_at: Timestamp;
  undo_until: Date;
  undone_at: Date | null;
  undone_by: string | null;
}

export interface Database {
  school_year_rollover: SchoolYearRolloverTable;
}
