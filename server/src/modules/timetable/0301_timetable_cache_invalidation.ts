import { type Kysely, sql } from 'kysely';

/**
 * The timetable's calendar of an establishment — its holiday zone (chosen, else its académie's), its time slots and
 * its current school year's week patterns — is read by every week and logbook page and changes a few times a year:
 * it is cached in memory per establishment (`timetable.service.ts`, `calendarOf`), and these triggers announce its
 * changes on `preau_cache` as `tt:<establishment id>` (platform/cache.ts, migration 0040): the zone, the slots and
 * the week patterns; a school year added, changed or removed; an establishment moved to another académie; an
 * académie renamed or given another code (`tt:*`; an académie is not deleted while it has establishments).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const tables: [table: string, args: string[]][] = [
    ['timetable_setting', ['tt', 'establishment_id']],
    ['timetable_slot', ['tt', 'establishment_id']],
    ['timetable_week_pattern', ['tt', 'establishment_id']],
    ['school_year', ['tt', 'establishment_id']],
  ];
  for (const [table, args] of tables) {
    const list = sql.join(args.map((a) => sql.lit(a)));
    for (const [event, referencing] of [
      ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
      ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
      ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
    ] as const) {
      await sql`
        CREATE TRIGGER ${sql.id(`${table}_timetable_cache_${event.toLowerCase()}`)} AFTER ${sql.raw(event)}
          ON ${sql.table(table)} ${referencing} FOR EACH STATEMENT
          EXECUTE FUNCTION preau_cache_statement(${list})`.execute(db);
    }
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_timetable_cache_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate(${list})`.execute(db);
  }
  // The zone of an establishment that chose none is its académie's: only these columns matter.
  await sql`
    CREATE FUNCTION preau_cache_timetable_establishment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'tt:' || NEW.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER establishment_timetable_cache AFTER UPDATE ON establishment FOR EACH ROW
      WHEN (OLD.academy_id IS DISTINCT FROM NEW.academy_id)
      EXECUTE FUNCTION preau_cache_timetable_establishment();

    CREATE FUNCTION preau_cache_timetable_academy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'tt:*');
      RETURN NULL;
    END $$;
    CREATE TRIGGER academy_timetable_cache AFTER UPDATE ON academy FOR EACH ROW
      WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.name IS DISTINCT FROM NEW.name)
      EXECUTE FUNCTION preau_cache_timetable_academy();
  `.execute(db);
}
