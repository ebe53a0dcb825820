import { type Kysely, sql } from 'kysely';

/**
 * The class's figures of a student's grades page, kept up to date when grades are written instead of aggregated
 * from every grade of the class on each page (issue 16, docs/PERFORMANCE.md "Grades: a parent's page"):
 *
 * - per assessment, on its row: how many values, their mean, minimum and maximum (codes left out);
 * - per class or group (`target_id`), subject and range of dates (each period of the year and the whole year), the
 *   class's average, minimum and maximum of the students' subject averages over the assessments of that range —
 *   twice: over every assessment (`published` false: what the teachers and the direction see) and over the
 *   assessments whose students and guardians were told (`published` true: what families see once the
 *   publication delay has passed). `assessments` counts the assessments a row covers: the page uses a row only
 *   when it covers exactly the assessments it shows (else it aggregates that subject as before).
 *
 * Written by `grades.refreshAssessmentStats` / `grades.refreshClassStats` in the transaction of every change.
 * The backfill below is a frozen copy of that SQL, with the periods of `periodsOf` (grades.compute.ts) as of this
 * migration; a row whose range no page asks for is never read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE grades_assessment
      ADD COLUMN value_count integer NOT NULL DEFAULT 0,
      ADD COLUMN value_mean numeric,
      ADD COLUMN value_min numeric(7,2),
      ADD COLUMN value_max numeric(7,2);

    CREATE TABLE grades_class_stat (
      school_year_id uuid NOT NULL REFERENCES school_year(id) ON DELETE CASCADE,
      -- the class or the group of the assessments
      target_id uuid NOT NULL,
      subject_code text NOT NULL,
      range_from date NOT NULL,
      range_to date NOT NULL,
      published boolean NOT NULL,
      assessments integer NOT NULL,
      average float8,
      min float8,
      max float8,
      PRIMARY KEY (target_id, subject_code, school_year_id, range_from, range_to, published)
    );
    CREATE INDEX grades_class_stat_year ON grades_class_stat (school_year_id);

    UPDATE grades_assessment a
    SET value_count = s.n, value_mean = s.mean, value_min = s.min, value_max = s.max
    FROM (
      SELECT assessment_id, count(*) AS n, avg(value) AS mean, min(value) AS min, max(value) AS max
      FROM grades_grade WHERE value IS NOT NULL GROUP BY assessment_id
    ) s
    WHERE a.id = s.assessment_id;

    WITH y AS (
      SELECT y.id, y.starts_on, y.ends_on, extract(year FROM y.starts_on)::int AS yr,
        coalesce(st.period_kind, 'trimester') AS kind, coalesce(st.not_handed_in_zero, false) AS nz
      FROM school_year y LEFT JOIN grades_setting st ON st.establishment_id = y.establishment_id
      WHERE EXISTS (SELECT 1 FROM grades_assessment a WHERE a.school_year_id = y.id)
    ), r AS (
      SELECT y.id AS school_year_id, y.nz, x.range_from, x.range_to
      FROM y CROSS JOIN LATERAL (
        VALUES (y.starts_on, y.ends_on),
          (y.starts_on, CASE WHEN y.kind = 'semester' THEN make_date(y.yr + 1, 1, 31) ELSE make_date(y.yr, 11, 30) END),
          (CASE WHEN y.kind = 'semester' THEN make_date(y.yr + 1, 2, 1) ELSE make_date(y.yr, 12, 1) END,
           CASE WHEN y.kind = 'semester' THEN y.ends_on ELSE make_date(y.yr + 1, 3, 1) - 1 END),
          (CASE WHEN y.kind = 'semester' THEN NULL ELSE make_date(y.yr + 1, 3, 1) END,
           CASE WHEN y.kind = 'semester' THEN NULL ELSE y.ends_on END)
      ) AS x(range_from, range_to)
      WHERE x.range_from IS NOT NULL
    ), v AS (
      SELECT a.id, a.school_year_id, coalesce(a.class_id, a.group_id) AS target_id, a.subject_code,
        a.coefficient::float8 AS coef, a.scale::float8 AS scale, r.nz, r.range_from, r.range_to, p.published
      FROM grades_assessment a
      JOIN r ON r.school_year_id = a.school_year_id AND a.on_date BETWEEN r.range_from AND r.range_to
      CROSS JOIN (VALUES (false), (true)) AS p(published)
      WHERE NOT p.published OR a.notified_at IS NOT NULL
    ), per AS (
      SELECT v.school_year_id, v.target_id, v.subject_code, v.range_from, v.range_to, v.published, g.student_id,
        sum(v.coef * coalesce(g.value::float8 / v.scale * 20, 0))
          FILTER (WHERE v.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND v.nz))) AS points,
        sum(v.coef)
          FILTER (WHERE v.coef > 0 AND (g.value IS NOT NULL OR (g.code = 'not_handed_in' AND v.nz))) AS weight
      FROM v JOIN grades_grade g ON g.assessment_id = v.id
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), s AS (
      SELECT school_year_id, target_id, subject_code, range_from, range_to, published,
        avg(points / nullif(weight, 0)) AS average, min(points / nullif(weight, 0)) AS min,
        max(points / nullif(weight, 0)) AS max
      FROM per GROUP BY 1, 2, 3, 4, 5, 6
    ), c AS (
      SELECT school_year_id, target_id, subject_code, range_from, range_to, published, count(*) AS n
      FROM v GROUP BY 1, 2, 3, 4, 5, 6
    )
    INSERT INTO grades_class_stat
      (school_year_id, target_id, subject_code, range_from, range_to, published, assessments, average, min, max)
    SELECT c.school_year_id, c.target_id, c.subject_code, c.range_from, c.range_to, c.published, c.n,
      s.average, s.min, s.max
    FROM c LEFT JOIN s USING (school_year_id, target_id, subject_code, range_from, range_to, published);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE grades_class_stat;
    ALTER TABLE grades_assessment DROP COLUMN value_count, DROP COLUMN value_mean, DROP COLUMN value_min,
      DROP COLUMN value_max;
  `.execute(db);
}
