import { type Kysely, sql } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * The logbook's pages keep the lessons and homework of an audience — a class or a group — per week in memory
 * (`logbook.cache.ts`). These triggers announce on `preau_cache` (platform/cache.ts, migration 0040):
 *
 * | topic | key                    | announced by                                                                    |
 * |-------|------------------------|---------------------------------------------------------------------------------|
 * | `lb`  | class or group id      | its lessons and homework written (a homework also announces the audience of the lesson it was set in: a class's lesson may set homework for one of its groups) |
 * | `lb`  | class or group id      | an author renamed: the audiences they wrote for (their name is on every lesson and homework)                   |
 * | `lb`  | `*`                    | a class or group changed or removed (codes, years), a school year changed (its status is on its lessons), a subject renamed |
 * | `lbt` | student id             | the student's « fait » ticks                                                    |
 *
 * One notification per distinct audience per statement: a teacher's write drops that class's or group's weeks, not
 * the establishment's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const audience = 'COALESCE(class_id, group_id)';
  await createCacheTriggers(db, 'logbook_lesson', 'logbook_cache', [['lb', audience]]);
  await createCacheTriggers(db, 'logbook_homework', 'logbook_cache', [
    ['lb', audience],
    // The lesson's audience (deleted with its lesson: the homework's own).
    [
      'lb',
      `COALESCE((SELECT COALESCE(l.class_id, l.group_id) FROM logbook_lesson l WHERE l.id = lesson_id), ${audience})`,
    ],
  ]);
  await createCacheTriggers(db, 'logbook_homework_done', 'logbook_cache', [['lbt', 'student_id']]);
  // What lessons and homework show of other rows, changed a few times a year: everything. A class's or group's
  // code is also on the homework of other audiences' lessons; a new one has nothing cached yet.
  for (const table of ['class', 'teaching_group', 'school_year', 'subject'])
    await createCacheTriggers(db, table, 'logbook_cache', [['lb', 'NULL']], { skipInsert: true });
  // A renamed person: only the audiences they wrote for (index scans on the author indexes; most people wrote none).
  await sql`
    CREATE FUNCTION preau_cache_logbook_author() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'lb:' || a) FROM (
        SELECT COALESCE(class_id, group_id)::text AS a FROM logbook_lesson WHERE author_id = NEW.id
        UNION SELECT COALESCE(class_id, group_id)::text FROM logbook_homework WHERE author_id = NEW.id
        UNION SELECT COALESCE(l.class_id, l.group_id)::text
          FROM logbook_homework h JOIN logbook_lesson l ON l.id = h.lesson_id WHERE h.author_id = NEW.id) x
      WHERE a IS NOT NULL;
      RETURN NULL;
    END $$;
    CREATE TRIGGER app_user_logbook_cache AFTER UPDATE ON app_user FOR EACH ROW
      WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
      EXECUTE FUNCTION preau_cache_logbook_author();
  `.execute(db);
}
