import { type Kysely, sql } from 'kysely';

/**
 * The platform core: académies, establishments, the directory model, accounts and sessions,
 * charters, services opening, permissions overrides, audit and usage events.
 * Every table owned by an establishment carries `establishment_id` (Citus distribution key later).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db);

  await sql`
    CREATE TABLE academy (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE establishment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      academy_id uuid NOT NULL REFERENCES academy(id),
      uai text NOT NULL UNIQUE CHECK (uai ~ '^[0-9]{7}[A-Z]$'),
      type text NOT NULL,
      name text NOT NULL,
      city text,
      slug text NOT NULL UNIQUE,
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      external_id text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE school_year (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      label text NOT NULL CHECK (label ~ '^[0-9]{4}-[0-9]{4}$'),
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      status text NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'archived', 'next')),
      archived_at timestamptz,
      UNIQUE (establishment_id, label)
    );
    CREATE UNIQUE INDEX school_year_one_current ON school_year (establishment_id) WHERE status = 'current';

    CREATE TABLE subject (
      code text PRIMARY KEY CHECK (code ~ '^[0-9A-Z]{6}$'),
      label text NOT NULL
    );

    CREATE TABLE mef (
      code text PRIMARY KEY CHECK (length(code) = 11),
      label text NOT NULL,
      level text
    );

    CREATE TABLE class (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      code text NOT NULL,
      label text NOT NULL,
      mef_code text REFERENCES mef(code),
      UNIQUE (establishment_id, school_year_id, code)
    );

    CREATE TABLE teaching_group (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      code text NOT NULL,
      label text NOT NULL,
      kind text NOT NULL DEFAULT 'teaching' CHECK (kind IN ('teaching', 'manual')),
      UNIQUE (establishment_id, school_year_id, code)
    );

    CREATE TABLE app_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      login text NOT NULL,
      first_name text NOT NULL,
      last_name text NOT NULL,
      display_name text NOT NULL,
      birth_date date,
      email text,
      status text NOT NULL DEFAULT 'pending_activation'
        CHECK (status IN ('pending_activation', 'active', 'blocked', 'detached')),
      is_platform_admin boolean NOT NULL DEFAULT false,
      external_id text,
      password_hash text,
      password_changed_at timestamptz,
      activation_code_hash text,
      activation_expires_at timestamptz,
      last_login_at timestamptz,
      detached_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX app_user_login_ci ON app_user (lower(login));
    CREATE UNIQUE INDEX app_user_external_id ON app_user (external_id) WHERE external_id IS NOT NULL;
    CREATE INDEX app_user_names ON app_user (lower(last_name), lower(first_name));

    CREATE TABLE membership (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      profile text NOT NULL CHECK (profile IN ('student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin')),
      functions text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, establishment_id, profile)
    );
    CREATE INDEX membership_establishment_profile ON membership (establishment_id, profile);

    CREATE TABLE enrolment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      CHECK ((class_id IS NULL) <> (group_id IS NULL))
    );
    CREATE UNIQUE INDEX enrolment_class_unique ON enrolment (student_id, class_id) WHERE class_id IS NOT NULL;
    CREATE UNIQUE INDEX enrolment_group_unique ON enrolment (student_id, group_id) WHERE group_id IS NOT NULL;
    CREATE INDEX enrolment_class ON enrolment (establishment_id, class_id);
    CREATE INDEX enrolment_group ON enrolment (establishment_id, group_id);

    CREATE TABLE guardianship (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      guardian_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      level text NOT NULL CHECK (level IN ('legal', 'in_charge')),
      relation text,
      receives_mail boolean NOT NULL DEFAULT true,
      sees_grades boolean NOT NULL DEFAULT true,
      UNIQUE (establishment_id, guardian_id, student_id)
    );
    CREATE INDEX guardianship_student ON guardianship (student_id);
    CREATE INDEX guardianship_guardian ON guardianship (guardian_id);

    CREATE TABLE teaching_assignment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      teacher_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      subject_code text NOT NULL REFERENCES subject(code),
      CHECK ((class_id IS NULL) <> (group_id IS NULL))
    );
    CREATE UNIQUE INDEX teaching_assignment_unique
      ON teaching_assignment (teacher_id, COALESCE(class_id, group_id), subject_code);
    CREATE INDEX teaching_assignment_teacher ON teaching_assignment (establishment_id, teacher_id);

    CREATE TABLE head_teacher (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      teacher_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      class_id uuid NOT NULL REFERENCES class(id) ON DELETE CASCADE,
      UNIQUE (teacher_id, class_id)
    );

    CREATE TABLE session (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash bytea NOT NULL UNIQUE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      remember_me boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      idle_expires_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      address text,
      user_agent text
    );
    CREATE INDEX session_by_user ON session (user_id);
    CREATE INDEX session_expires ON session (expires_at);

    CREATE TABLE login_throttle (
      key text PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      window_started_at timestamptz NOT NULL DEFAULT now(),
      blocked_until timestamptz
    );

    CREATE TABLE charter (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      version integer NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      published_at timestamptz NOT NULL DEFAULT now(),
      published_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );
    CREATE UNIQUE INDEX charter_version ON charter (COALESCE(establishment_id, '00000000-0000-0000-0000-000000000000'::uuid), version);

    CREATE TABLE charter_acceptance (
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      charter_id uuid NOT NULL REFERENCES charter(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      accepted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, charter_id, establishment_id)
    );
    CREATE INDEX charter_acceptance_charter ON charter_acceptance (charter_id);

    CREATE TABLE establishment_service (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service_key text NOT NULL,
      status text NOT NULL CHECK (status IN ('mandatory', 'recommended', 'closed')),
      profiles text[] NOT NULL,
      opens_on date,
      generalizes_on date,
      usage_rules jsonb NOT NULL DEFAULT '{}'::jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      PRIMARY KEY (establishment_id, service_key)
    );

    CREATE TABLE permission_override (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      profile text NOT NULL,
      permission text NOT NULL,
      granted boolean NOT NULL,
      PRIMARY KEY (establishment_id, profile, permission)
    );

    CREATE TABLE audit_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      establishment_id uuid,
      action text NOT NULL,
      target_type text,
      target_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      address text
    );
    CREATE INDEX audit_event_establishment_at ON audit_event (establishment_id, at DESC);
    CREATE INDEX audit_event_target ON audit_event (target_type, target_id);

    CREATE TABLE usage_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      user_id uuid,
      establishment_id uuid,
      profile text,
      service text NOT NULL,
      action text NOT NULL
    );
    CREATE INDEX usage_event_at ON usage_event (at);

    CREATE TABLE usage_daily (
      day date NOT NULL,
      establishment_id uuid NOT NULL,
      profile text NOT NULL,
      service text NOT NULL,
      action text NOT NULL,
      events integer NOT NULL,
      users integer NOT NULL,
      PRIMARY KEY (day, establishment_id, profile, service, action)
    );
  `.execute(db);
}
