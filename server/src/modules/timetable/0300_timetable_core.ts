import { type Kysely, sql } from 'kysely';

/**
 * The timetable: per establishment its zone (holidays) and time slots; per school year its week patterns
 * (A/B…) and courses — a class or a group × a subject × teachers × a weekday and times × a room, on a date range
 * and a week pattern — with the direction's changes of single occurrences (cancelled, moved). Imports of the
 * STS-Web exchange files run as jobs (`timetable_import`, files kept until the job has run). A person's ICS
 * subscription is a revocable token (only its SHA-256 is kept).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE timetable_setting (
      establishment_id uuid PRIMARY KEY REFERENCES establishment(id) ON DELETE CASCADE,
      zone text NOT NULL CHECK (zone IN ('A', 'B', 'C')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );

    CREATE TABLE timetable_slot (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      code text NOT NULL,
      starts_at time NOT NULL,
      ends_at time NOT NULL CHECK (ends_at > starts_at),
      UNIQUE (establishment_id, code)
    );

    CREATE TABLE timetable_week_pattern (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      code text NOT NULL,
      label text NOT NULL,
      -- the Mondays of the weeks it applies to
      weeks date[] NOT NULL,
      UNIQUE (school_year_id, code)
    );

    CREATE TABLE timetable_course (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      subject_code text NOT NULL REFERENCES subject(code),
      weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 6),
      starts_at time NOT NULL,
      ends_at time NOT NULL CHECK (ends_at > starts_at),
      room text,
      week_pattern_id uuid REFERENCES timetable_week_pattern(id) ON DELETE RESTRICT,
      valid_from date NOT NULL,
      valid_to date NOT NULL CHECK (valid_to >= valid_from),
      source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'import')),
      -- what an import matched the course by (re-importing updates instead of duplicating)
      external_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((class_id IS NULL) <> (group_id IS NULL))
    );
    CREATE INDEX timetable_course_class ON timetable_course (class_id) WHERE class_id IS NOT NULL;
    CREATE INDEX timetable_course_group ON timetable_course (group_id) WHERE group_id IS NOT NULL;
    CREATE INDEX timetable_course_year ON timetable_course (school_year_id);
    CREATE INDEX timetable_course_room ON timetable_course (establishment_id, room) WHERE room IS NOT NULL;
    CREATE UNIQUE INDEX timetable_course_external ON timetable_course (school_year_id, external_key)
      WHERE external_key IS NOT NULL;

    CREATE TABLE timetable_course_teacher (
      course_id uuid NOT NULL REFERENCES timetable_course(id) ON DELETE CASCADE,
      teacher_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      PRIMARY KEY (course_id, teacher_id)
    );
    CREATE INDEX timetable_course_teacher_teacher ON timetable_course_teacher (teacher_id);

    CREATE TABLE timetable_occurrence_change (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES timetable_course(id) ON DELETE CASCADE,
      on_date date NOT NULL,
      cancelled boolean NOT NULL DEFAULT false,
      new_date date,
      new_starts_at time,
      new_ends_at time,
      new_room text,
      reason text,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, on_date),
      CHECK (new_ends_at IS NULL OR new_starts_at IS NULL OR new_ends_at > new_starts_at)
    );
    CREATE INDEX timetable_occurrence_change_moved ON timetable_occurrence_change (course_id, new_date)
      WHERE new_date IS NOT NULL;

    CREATE TABLE timetable_feed_token (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE UNIQUE INDEX timetable_feed_token_live ON timetable_feed_token (user_id, establishment_id)
      WHERE revoked_at IS NULL;

    CREATE TABLE timetable_teacher_link (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      sts_id text NOT NULL,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      PRIMARY KEY (establishment_id, sts_id)
    );

    CREATE TABLE timetable_import (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      requested_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      kind text NOT NULL CHECK (kind IN ('sts', 'csv')),
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      progress real NOT NULL DEFAULT 0,
      phase text NOT NULL DEFAULT 'queued',
      files jsonb NOT NULL DEFAULT '[]',
      report jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX timetable_import_establishment ON timetable_import (establishment_id, created_at DESC);

    CREATE TABLE timetable_import_file (
      import_id uuid NOT NULL REFERENCES timetable_import(id) ON DELETE CASCADE,
      no integer NOT NULL,
      name text NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (import_id, no)
    );
  `.execute(db);
}
