import { type Kysely, sql } from 'kysely';

/**
 * School life: per establishment its reasons for absences (the default list until it sets its own); the roll call
 * of each course occurrence (one per course and date, corrected in place) and its marks; absence and lateness
 * records (from a roll call, or the school life's own entries: a whole day, a period) with their state; the
 * guardians' justifications and the CPE's decisions; incidents and punishments. Sensitive data (RGPD art. 9 is
 * not involved, but CNIL treats school-life data as sensitive): every change is audited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE school_life_reason (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      code text NOT NULL,
      label text NOT NULL,
      legitimate boolean NOT NULL,
      position smallint NOT NULL,
      PRIMARY KEY (establishment_id, code)
    );

    CREATE TABLE school_life_roll_call (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES timetable_course(id) ON DELETE CASCADE,
      on_date date NOT NULL,
      class_id uuid REFERENCES class(id) ON DELETE SET NULL,
      group_id uuid REFERENCES teaching_group(id) ON DELETE SET NULL,
      taken_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      taken_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, on_date)
    );
    CREATE INDEX school_life_roll_call_day ON school_life_roll_call (establishment_id, on_date);

    CREATE TABLE school_life_mark (
      roll_call_id uuid NOT NULL REFERENCES school_life_roll_call(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      mark text NOT NULL CHECK (mark IN ('absent', 'late', 'left_early', 'exempt')),
      minutes smallint,
      PRIMARY KEY (roll_call_id, student_id)
    );
    CREATE INDEX school_life_mark_student ON school_life_mark (student_id);

    CREATE TABLE school_life_absence (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('absence', 'lateness')),
      left_early boolean NOT NULL DEFAULT false,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
      -- the Paris date of the start, for the day's board and the month's threshold
      on_date date NOT NULL,
      minutes smallint,
      state text NOT NULL DEFAULT 'to_justify' CHECK (state IN ('to_justify', 'justified', 'not_justified')),
      reason_code text,
      comment text,
      source text NOT NULL CHECK (source IN ('roll_call', 'staff')),
      roll_call_id uuid REFERENCES school_life_roll_call(id) ON DELETE CASCADE,
      course_id uuid REFERENCES timetable_course(id) ON DELETE SET NULL,
      subject_code text,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (roll_call_id, student_id)
    );
    CREATE INDEX school_life_absence_student ON school_life_absence (establishment_id, student_id, starts_at DESC);
    CREATE INDEX school_life_absence_day ON school_life_absence (establishment_id, on_date);

    CREATE TABLE school_life_justification (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      absence_id uuid NOT NULL REFERENCES school_life_absence(id) ON DELETE CASCADE,
      guardian_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      reason_code text,
      reason_text text NOT NULL,
      comment text,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
      decided_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      decided_at timestamptz,
      decision_comment text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX school_life_justification_absence ON school_life_justification (absence_id, created_at DESC);
    CREATE UNIQUE INDEX school_life_justification_pending ON school_life_justification (absence_id)
      WHERE status = 'pending';
    CREATE INDEX school_life_justification_guardian ON school_life_justification (guardian_id);

    CREATE TABLE school_life_incident (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('incident', 'retenue', 'exclusion_cours', 'sanction')),
      on_date date NOT NULL,
      reason text NOT NULL,
      detail text,
      given_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX school_life_incident_student ON school_life_incident (establishment_id, student_id, on_date DESC);
    CREATE INDEX school_life_incident_giver ON school_life_incident (given_by);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE school_life_incident, school_life_justification, school_life_absence, school_life_mark,
      school_life_roll_call, school_life_reason;
  `.execute(db);
}
