import { type Kysely, sql } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * The courses of an establishment — with their teachers' names, their class, group and subject labels, their week
 * pattern and their changes — are read by every week, logbook, roll-call and home page, and change when the
 * direction edits the timetable: they are cached in memory per establishment (`timetable.service.ts`,
 * `coursesOf`), and these triggers announce their changes on `preau_cache` as `ttc:<establishment id>`.
 * A subject relabelled announces `ttc:*` (subjects are shared); a teacher renamed announces each of their
 * establishments (a row trigger, so that the login's `last_login_at` update calls nothing).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'timetable_course',
    'timetable_course_teacher',
    'timetable_occurrence_change',
    'timetable_week_pattern',
    'class',
    'teaching_group',
  ]) {
    await createCacheTriggers(db, table, 'ttc', [['ttc', 'establishment_id']], {
      // A new class or group has no course yet.
      skipInsert: table === 'class' || table === 'teaching_group',
    });
  }
  await createCacheTriggers(db, 'subject', 'ttc', [['ttc', 'NULL']], { skipInsert: true });
  await sql`
    CREATE FUNCTION preau_cache_ttc_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'ttc:' || m.establishment_id) FROM membership m WHERE m.user_id = NEW.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER app_user_ttc_cache AFTER UPDATE ON app_user FOR EACH ROW
      WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
      EXECUTE FUNCTION preau_cache_ttc_teacher();
  `.execute(db);
}
