import { type Kysely, sql } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * A student's grades page is kept in memory (grades.service.ts, `PAGES`, and the establishment's year and settings,
 * `YEARS`): these triggers announce on `preau_cache` what changes it, topic `gr` (platform/cache.ts), one key per
 * distinct value per statement:
 *
 * | table               | key                                                      | drops                                 |
 * |---------------------|----------------------------------------------------------|---------------------------------------|
 * | `grades_grade`      | the student; the class or group of its assessment        | the student's pages; the audience's   |
 * | `grades_assessment` | its class or group (changed, published, deleted, figures) | the pages of that audience's students |
 * | `grades_class_stat` | its class or group                                       | the pages of that audience's students |
 * | `grades_report`     | its class                                                | the pages of the class's students     |
 * | `enrolment`         | the student (a class changed: other reports)             | the student's pages                   |
 * | `grades_setting`, `school_year` | the establishment                            | its year and every page of it         |
 * | `subject`           | everything (`gr:*`: a label renamed, once a year at most) | every page                           |
 *
 * A new assessment announces nothing (no page shows it before its grades are written). Pages are tagged with the
 * student, the classes and groups of their assessments, the student's classes and the establishment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'grades_grade', 'grades_cache', [
    ['gr', 'student_id'],
    // The grade of a deleted assessment (cascade): the assessment's own trigger announces its class or group.
    [
      'gr',
      'coalesce((SELECT coalesce(a.class_id, a.group_id) FROM grades_assessment a WHERE a.id = assessment_id), student_id)',
    ],
  ]);
  await createCacheTriggers(db, 'grades_assessment', 'grades_cache', [['gr', 'coalesce(class_id, group_id)']], {
    skipInsert: true,
  });
  await createCacheTriggers(db, 'grades_class_stat', 'grades_cache', [['gr', 'target_id']]);
  await createCacheTriggers(db, 'grades_report', 'grades_cache', [['gr', 'class_id']]);
  await createCacheTriggers(db, 'enrolment', 'grades_cache', [['gr', 'student_id']]);
  await createCacheTriggers(db, 'grades_setting', 'grades_cache', [['gr', 'establishment_id']]);
  await createCacheTriggers(db, 'school_year', 'grades_cache', [['gr', 'establishment_id']]);
  await createCacheTriggers(db, 'subject', 'grades_cache', [['gr', 'NULL']], { skipInsert: true });
}

const TABLES = [
  'grades_grade',
  'grades_assessment',
  'grades_class_stat',
  'grades_report',
  'enrolment',
  'grades_setting',
  'school_year',
  'subject',
];

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES)
    for (const event of ['insert', 'update', 'delete', 'truncate'])
      await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_grades_cache_${event}`)} ON ${sql.table(table)}`.execute(db);
}
