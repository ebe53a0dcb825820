import { type Kysely, sql } from 'kysely';

/**
 * Grades: per establishment its settings (trimesters or semesters, the publication delay, whether « non rendu »
 * counts as zero); assessments of a class or a group in a subject, by a teacher, with their coefficient, scale,
 * optional competencies and the instant students and guardians see them (`visible_at`, set at entry from the
 * delay; `notified_at` once they were told); one grade per student (a value, a code, or competency levels);
 * the report's comments per period and student, and the publication of a class's reports.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE grades_setting (
      establishment_id uuid PRIMARY KEY REFERENCES establishment(id) ON DELETE CASCADE,
      period_kind text NOT NULL DEFAULT 'trimester' CHECK (period_kind IN ('trimester', 'semester')),
      publication_delay_hours integer NOT NULL DEFAULT 48 CHECK (publication_delay_hours BETWEEN 0 AND 720),
      not_handed_in_zero boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );

    CREATE TABLE grades_assessment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      subject_code text NOT NULL REFERENCES subject(code),
      teacher_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      title text NOT NULL,
      on_date date NOT NULL,
      coefficient numeric(6,2) NOT NULL CHECK (coefficient >= 0),
      scale numeric(7,2) NOT NULL CHECK (scale > 0),
      competencies text[] NOT NULL DEFAULT '{}',
      visible_at timestamptz NOT NULL,
      notified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((class_id IS NULL) <> (group_id IS NULL))
    );
    CREATE INDEX grades_assessment_class ON grades_assessment (class_id, on_date) WHERE class_id IS NOT NULL;
    CREATE INDEX grades_assessment_group ON grades_assessment (group_id, on_date) WHERE group_id IS NOT NULL;
    CREATE INDEX grades_assessment_teacher ON grades_assessment (teacher_id, created_at);
    CREATE INDEX grades_assessment_due ON grades_assessment (visible_at) WHERE notified_at IS NULL;
    CREATE INDEX grades_assessment_establishment ON grades_assessment (establishment_id, created_at);

    CREATE TABLE grades_grade (
      assessment_id uuid NOT NULL REFERENCES grades_assessment(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      value numeric(7,2) CHECK (value >= 0),
      code text CHECK (code IN ('absent', 'exempt', 'not_handed_in')),
      levels smallint[],
      entered_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (assessment_id, student_id),
      CHECK (value IS NULL OR code IS NULL),
      CHECK (value IS NOT NULL OR code IS NOT NULL OR levels IS NOT NULL)
    );
    CREATE INDEX grades_grade_student ON grades_grade (student_id, assessment_id);

    CREATE TABLE grades_comment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      period text NOT NULL CHECK (period IN ('T1', 'T2', 'T3', 'S1', 'S2')),
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('subject', 'head_teacher', 'direction')),
      -- '' for the head teacher's and the direction's
      subject_code text NOT NULL DEFAULT '',
      author_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      text text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (school_year_id, period, student_id, kind, subject_code)
    );
    CREATE INDEX grades_comment_author ON grades_comment (author_id);

    CREATE TABLE grades_report (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      class_id uuid NOT NULL REFERENCES class(id) ON DELETE CASCADE,
      period text NOT NULL CHECK (period IN ('T1', 'T2', 'T3', 'S1', 'S2')),
      published_at timestamptz NOT NULL DEFAULT now(),
      published_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      PRIMARY KEY (school_year_id, class_id, period)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE grades_report, grades_comment, grades_grade, grades_assessment, grades_setting`.execute(db);
}
