import { type Kysely, sql } from 'kysely';

/**
 * The logbook: one lesson per course occurrence (course × date), the homework set in it (for the course's class
 * or group, or a group of the class), the students' private « fait » ticks, the visas of the direction and of
 * named inspectors, the amendments made after a visa, the teachers' progressions. Class, group, subject and
 * author are copied onto lessons and homework: a page of a class's logbook or a student's homework week reads
 * one index, and a lesson outlives its course (a re-imported timetable may end it: `course_id` is then null).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE logbook_visa (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      signer_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      role text NOT NULL CHECK (role IN ('principal', 'inspector')),
      teacher_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      class_id uuid REFERENCES class(id) ON DELETE SET NULL,
      through date NOT NULL,
      comment text,
      lessons integer NOT NULL DEFAULT 0,
      signed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX logbook_visa_establishment ON logbook_visa (establishment_id, signed_at DESC);

    CREATE TABLE logbook_lesson (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      course_id uuid REFERENCES timetable_course(id) ON DELETE SET NULL,
      date date NOT NULL,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      subject_code text NOT NULL REFERENCES subject(code),
      author_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      title text NOT NULL,
      content text NOT NULL DEFAULT '',
      links jsonb NOT NULL DEFAULT '[]',
      publish_at timestamptz,
      visa_id uuid REFERENCES logbook_visa(id) ON DELETE SET NULL,
      amended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, date)
    );
    CREATE INDEX logbook_lesson_class ON logbook_lesson (class_id, date) WHERE class_id IS NOT NULL;
    CREATE INDEX logbook_lesson_group ON logbook_lesson (group_id, date) WHERE group_id IS NOT NULL;
    CREATE INDEX logbook_lesson_author ON logbook_lesson (author_id, date);
    CREATE INDEX logbook_lesson_establishment ON logbook_lesson (establishment_id, date);

    CREATE TABLE logbook_homework (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      lesson_id uuid REFERENCES logbook_lesson(id) ON DELETE CASCADE,
      course_id uuid REFERENCES timetable_course(id) ON DELETE SET NULL,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      subject_code text NOT NULL REFERENCES subject(code),
      author_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      assigned_on date NOT NULL,
      due_date date NOT NULL,
      description text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('exercise', 'lesson', 'assessment', 'project')),
      estimated_minutes integer CHECK (estimated_minutes BETWEEN 0 AND 600),
      publish_at timestamptz,
      notified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (due_date >= assigned_on),
      CHECK ((class_id IS NULL) <> (group_id IS NULL))
    );
    CREATE INDEX logbook_homework_class ON logbook_homework (class_id, due_date) WHERE class_id IS NOT NULL;
    CREATE INDEX logbook_homework_group ON logbook_homework (group_id, due_date) WHERE group_id IS NOT NULL;
    CREATE INDEX logbook_homework_lesson ON logbook_homework (lesson_id);
    CREATE INDEX logbook_homework_author ON logbook_homework (author_id, assigned_on);
    CREATE INDEX logbook_homework_unannounced ON logbook_homework (publish_at) WHERE notified_at IS NULL;

    CREATE TABLE logbook_homework_done (
      homework_id uuid NOT NULL REFERENCES logbook_homework(id) ON DELETE CASCADE,
      student_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      done_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (student_id, homework_id)
    );

    CREATE TABLE logbook_amendment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      lesson_id uuid NOT NULL REFERENCES logbook_lesson(id) ON DELETE CASCADE,
      author_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      at timestamptz NOT NULL DEFAULT now(),
      before jsonb NOT NULL,
      after jsonb NOT NULL
    );
    CREATE INDEX logbook_amendment_lesson ON logbook_amendment (lesson_id, at);

    CREATE TABLE logbook_inspector (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      inspector_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      teacher_ids uuid[] NOT NULL,
      until date,
      granted_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      granted_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
    CREATE INDEX logbook_inspector_inspector ON logbook_inspector (inspector_id) WHERE revoked_at IS NULL;

    CREATE TABLE logbook_progression (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      author_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      title text NOT NULL,
      subject_code text REFERENCES subject(code),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX logbook_progression_author ON logbook_progression (author_id);

    CREATE TABLE logbook_progression_step (
      progression_id uuid NOT NULL REFERENCES logbook_progression(id) ON DELETE CASCADE,
      position integer NOT NULL,
      title text NOT NULL,
      content text NOT NULL DEFAULT '',
      PRIMARY KEY (progression_id, position)
    );
  `.execute(db);
}
