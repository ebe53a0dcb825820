import { type Kysely, sql } from 'kysely';

/**
 * The rollout cockpit: the plan (steps, objectives), taking stock (tools, risks, axes), the steering group, the
 * needs backlog, the people (self-assessment, resource persons and slots, training), the anonymous pulse, the
 * information to families, the académie's help contact, and the roll-up of usage into active users per service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Axes of the establishment's project (establishment_id set) or of the académie's (academy_id only).
    CREATE TABLE rollout_axis (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      academy_id uuid NOT NULL REFERENCES academy(id) ON DELETE CASCADE,
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      label text NOT NULL,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_axis_establishment ON rollout_axis (establishment_id);
    CREATE INDEX rollout_axis_academy ON rollout_axis (academy_id) WHERE establishment_id IS NULL;

    CREATE TABLE rollout_step (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service_key text NOT NULL,
      title text NOT NULL,
      owner_id uuid NOT NULL REFERENCES app_user(id),
      due_date date NOT NULL,
      state text NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'in_progress', 'done', 'cancelled')),
      done_at timestamptz,
      reminded_on date,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_step_establishment ON rollout_step (establishment_id, service_key, due_date);
    CREATE INDEX rollout_step_due ON rollout_step (due_date) WHERE state IN ('todo', 'in_progress');

    CREATE TABLE rollout_objective (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service_key text NOT NULL,
      indicator text NOT NULL,
      target double precision NOT NULL CHECK (target >= 0),
      due_date date NOT NULL,
      establishment_axis_id uuid REFERENCES rollout_axis(id) ON DELETE SET NULL,
      academy_axis_id uuid REFERENCES rollout_axis(id) ON DELETE SET NULL,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_objective_establishment ON rollout_objective (establishment_id, service_key);

    -- Tools already in use before the ENT, and the decision: integrate (link, SSO connector) or move.
    CREATE TABLE rollout_tool (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      name text NOT NULL,
      category text NOT NULL,
      service_key text,
      users int CHECK (users >= 0),
      frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'rare')),
      teaching_value text NOT NULL CHECK (teaching_value IN ('low', 'medium', 'high')),
      decision text NOT NULL DEFAULT 'undecided' CHECK (decision IN ('undecided', 'integrate', 'move')),
      decision_date date,
      notes text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_tool_establishment ON rollout_tool (establishment_id);

    CREATE TABLE rollout_risk (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      title text NOT NULL,
      likelihood smallint NOT NULL CHECK (likelihood BETWEEN 1 AND 4),
      impact smallint NOT NULL CHECK (impact BETWEEN 1 AND 4),
      owner_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      mitigation text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      reviewed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_risk_establishment ON rollout_risk (establishment_id);

    -- The steering group: one pilot, members, and the TICE cell (one representative per discipline).
    CREATE TABLE rollout_steering_member (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('pilot', 'member', 'tice')),
      subject_code text,
      CHECK ((role = 'tice') = (subject_code IS NOT NULL))
    );
    CREATE UNIQUE INDEX rollout_steering_one_pilot ON rollout_steering_member (establishment_id) WHERE role = 'pilot';
    CREATE UNIQUE INDEX rollout_steering_one_per_subject ON rollout_steering_member (establishment_id, subject_code)
      WHERE role = 'tice';
    CREATE UNIQUE INDEX rollout_steering_member_once ON rollout_steering_member (establishment_id, user_id)
      WHERE role = 'member';
    CREATE INDEX rollout_steering_user ON rollout_steering_member (user_id, establishment_id);

    CREATE TABLE rollout_need (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      author_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      subject_code text,
      service_key text,
      title text NOT NULL,
      body text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'declined')),
      answer text,
      answered_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      answered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_need_establishment ON rollout_need (establishment_id, created_at DESC);

    -- Self-assessment: private to the person; the direction only ever reads aggregates.
    CREATE TABLE rollout_skill (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      domain text NOT NULL,
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
      assessed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (establishment_id, user_id, domain)
    );

    CREATE TABLE rollout_resource_person (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      service_key text,
      subject_code text,
      note text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (service_key IS NOT NULL OR subject_code IS NOT NULL)
    );
    CREATE UNIQUE INDEX rollout_resource_person_scope ON rollout_resource_person
      (establishment_id, user_id, COALESCE(service_key, ''), COALESCE(subject_code, ''));

    CREATE TABLE rollout_slot (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      resource_person_id uuid NOT NULL REFERENCES rollout_resource_person(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      mode text NOT NULL CHECK (mode IN ('onsite', 'remote')),
      room text,
      booked_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      booked_at timestamptz,
      topic text,
      reminded boolean NOT NULL DEFAULT false,
      CHECK (ends_at > starts_at),
      CHECK ((mode = 'onsite') = (room IS NOT NULL))
    );
    CREATE INDEX rollout_slot_person ON rollout_slot (resource_person_id, starts_at);
    CREATE INDEX rollout_slot_establishment ON rollout_slot (establishment_id, starts_at);
    CREATE INDEX rollout_slot_booker ON rollout_slot (booked_by) WHERE booked_by IS NOT NULL;

    CREATE TABLE rollout_training (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      title text NOT NULL,
      audience text NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      place text NOT NULL,
      capacity int NOT NULL CHECK (capacity > 0),
      step_id uuid REFERENCES rollout_step(id) ON DELETE RESTRICT,
      reminded boolean NOT NULL DEFAULT false,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at)
    );
    CREATE INDEX rollout_training_establishment ON rollout_training (establishment_id, starts_at);

    CREATE TABLE rollout_registration (
      training_id uuid NOT NULL REFERENCES rollout_training(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      registered_at timestamptz NOT NULL DEFAULT now(),
      present boolean,
      PRIMARY KEY (training_id, user_id)
    );
    CREATE INDEX rollout_registration_user ON rollout_registration (user_id);

    -- The pulse: answers carry no person and no time (only the month); who answered is kept apart, without
    -- the answer, so that nobody answers twice in a month and nobody can tell who said what.
    CREATE TABLE rollout_pulse_answer (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service_key text NOT NULL,
      period text NOT NULL,
      score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
      comment text
    );
    CREATE INDEX rollout_pulse_answer_establishment ON rollout_pulse_answer (establishment_id, period);
    CREATE TABLE rollout_pulse_marker (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      service_key text NOT NULL,
      period text NOT NULL,
      PRIMARY KEY (establishment_id, user_id, service_key, period)
    );

    -- Information sent to families (the checklist's "families told").
    CREATE TABLE rollout_announcement (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      text text NOT NULL,
      recipients int NOT NULL,
      sent_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      sent_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rollout_announcement_establishment ON rollout_announcement (establishment_id, sent_at DESC);

    CREATE TABLE rollout_academy_contact (
      academy_id uuid PRIMARY KEY REFERENCES academy(id) ON DELETE CASCADE,
      name text NOT NULL,
      email text,
      phone text,
      url text,
      hours text,
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- The activity roll-up. First, who used which service on which day (rebuilt from usage_event, kept as long
    -- as the events: 13 months); then per day the distinct users of that day, of the last 7 and of the last
    -- 30 days, per profile and for all profiles ('*'): no person in it.
    CREATE TABLE rollout_user_day (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service text NOT NULL,
      day date NOT NULL,
      user_id uuid NOT NULL,
      profile text NOT NULL,
      events int NOT NULL,
      PRIMARY KEY (establishment_id, service, day, user_id)
    );
    CREATE INDEX rollout_user_day_day ON rollout_user_day (day);
    CREATE INDEX rollout_user_day_user ON rollout_user_day (establishment_id, user_id, day);

    CREATE TABLE rollout_activity (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      service text NOT NULL,
      profile text NOT NULL,
      day date NOT NULL,
      events int NOT NULL,
      day_users int NOT NULL,
      week_users int NOT NULL,
      month_users int NOT NULL,
      PRIMARY KEY (establishment_id, service, profile, day)
    );
    CREATE INDEX rollout_activity_day ON rollout_activity (day);

    CREATE TABLE rollout_rollup (
      establishment_id uuid PRIMARY KEY REFERENCES establishment(id) ON DELETE CASCADE,
      as_of timestamptz NOT NULL
    );

    -- Reading usage events by establishment and time (the roll-up of one establishment on demand), and each
    -- account's activation (activation over time): two indexes on the platform's table, for the cockpit.
    CREATE INDEX IF NOT EXISTS usage_event_establishment_at ON usage_event (establishment_id, at)
      WHERE establishment_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS usage_event_activation ON usage_event (user_id, at)
      WHERE service = 'portal' AND action = 'activate';
  `.execute(db);
}
