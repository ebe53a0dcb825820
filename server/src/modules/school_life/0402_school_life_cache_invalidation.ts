import { type Kysely, sql } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * A student's absences page is kept in memory per student (school_life.service.ts, `ABSENCES`; the establishment's
 * reasons, `REASONS`): these triggers announce what changes it on `preau_cache`, topic `sl` (platform/cache.ts), one
 * key per distinct value per statement:
 *
 * | table                       | key                                        | drops                                  |
 * |-----------------------------|--------------------------------------------|----------------------------------------|
 * | `school_life_absence`       | the student                                | the student's page                     |
 * | `school_life_justification` | its absence's student                      | the student's page                     |
 * | `school_life_reason`        | the establishment                          | its reasons                            |
 * | `enrolment`                 | the student (another class: its code)      | the student's page                     |
 * | `class` (changed, deleted)  | the class (its code)                       | the pages of the class's students      |
 * | `subject` (changed)         | everything (`sl:*`, a label renamed)       | every page                             |
 *
 * The roll call is the busiest write of the morning and PostgreSQL serialises the commits of transactions that
 * notify: it announces only the students whose absence rows it inserts, changes or deletes (none when everyone is
 * there). Names (the student's, the guardian's of a justification) are not in the cached page: they come from the
 * cached names (`relations.displayNames`, topic `u`) on each request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'school_life_absence', 'school_life_cache', [['sl', 'student_id']]);
  // A justification whose absence is being deleted (cascade): the absence's own trigger announces the student.
  await createCacheTriggers(db, 'school_life_justification', 'school_life_cache', [
    ['sl', 'coalesce((SELECT a.student_id FROM school_life_absence a WHERE a.id = absence_id), absence_id)'],
  ]);
  await createCacheTriggers(db, 'school_life_reason', 'school_life_cache', [['sl', 'establishment_id']]);
  await createCacheTriggers(db, 'enrolment', 'school_life_cache', [['sl', 'student_id']]);
  await createCacheTriggers(db, 'class', 'school_life_cache', [['sl', 'id']], { skipInsert: true });
  await createCacheTriggers(db, 'subject', 'school_life_cache', [['sl', 'NULL']], { skipInsert: true });
}

const TABLES = [
  'school_life_absence',
  'school_life_justification',
  'school_life_reason',
  'enrolment',
  'class',
  'subject',
];

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES)
    for (const event of ['insert', 'update', 'delete', 'truncate'])
      await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_school_life_cache_${event}`)} ON ${sql.table(table)}`.execute(
        db,
      );
}
