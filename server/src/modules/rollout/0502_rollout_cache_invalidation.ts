import { type Kysely, sql } from 'kysely';

/**
 * The cockpit's per-establishment caches (rollout.facts.ts: the roster's figures, the classes, the checklist's
 * facts, the staff) are invalidated at the source, like the platform's (migration 0040): triggers send
 * `pg_notify('preau_cache', 'rollout:<establishment id>')` — `rollout:*` for a change that may touch any
 * establishment — on every change they depend on, whoever writes.
 *
 * | change                                                                      | key                         |
 * |-----------------------------------------------------------------------------|-----------------------------|
 * | memberships, enrolments, guardianships, teaching assignments, head teachers, classes, school years, charter acceptances, information to families | the row's establishment |
 * | an account activated or detached, renamed, its contacts or birth date changed (quality checks) | each establishment of the person |
 * | a usage event `portal`/`activate` (activation time) written or purged        | each establishment of the person (purge: `*`) |
 * | a usage event `directory`/`data_quality.view` written or purged              | its establishment (purge: `*`) |
 * | an audit event `directory.login_sheets.print` written or purged              | its establishment           |
 * | an import job done or failed (it may have written to several establishments) | `*`                         |
 * | an establishment changed                                                    | its id                      |
 * | an académie renamed, an académie's help contact                             | `*`                         |
 *
 * The charter in force and the services' settings are cached by their own modules (topics `charter`, `svc`): the
 * cockpit reads them through those caches, and reloads its figures when the charter in force is another one.
 * Bulk tables use the statement-level function of migration 0040 (one call per statement, `*` past 500 keys);
 * the busy tables (`usage_event`, `audit_event`, `app_user`) row triggers with a WHEN clause, so that the
 * other rows call nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- An account's activation, status, name, contacts or birth date: the figures, quality counts and staff lists
    -- of its schools.
    CREATE FUNCTION preau_cache_rollout_person() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      person uuid;
    BEGIN
      IF TG_TABLE_NAME = 'app_user' THEN
        person := OLD.id;
      ELSE
        person := NEW.user_id;
      END IF;
      PERFORM pg_notify('preau_cache', 'rollout:' || m.establishment_id)
        FROM (SELECT DISTINCT establishment_id FROM membership WHERE user_id = person) m;
      RETURN NULL;
    END $$;

    CREATE FUNCTION preau_cache_rollout_establishment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('preau_cache', 'rollout:' || COALESCE(OLD.establishment_id::text, '*'));
      ELSE
        PERFORM pg_notify('preau_cache', 'rollout:' || COALESCE(NEW.establishment_id::text, '*'));
      END IF;
      RETURN NULL;
    END $$;

    CREATE FUNCTION preau_cache_rollout_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'rollout:*');
      RETURN NULL;
    END $$;

    CREATE TRIGGER app_user_cache_rollout AFTER UPDATE ON app_user FOR EACH ROW
      WHEN ((OLD.password_hash IS NULL, OLD.status, OLD.display_name, OLD.email, OLD.phone_mobile, OLD.phone_home,
             OLD.phone_work, OLD.birth_date)
            IS DISTINCT FROM
            (NEW.password_hash IS NULL, NEW.status, NEW.display_name, NEW.email, NEW.phone_mobile, NEW.phone_home,
             NEW.phone_work, NEW.birth_date))
      EXECUTE FUNCTION preau_cache_rollout_person();

    CREATE TRIGGER usage_event_cache_rollout_activation AFTER INSERT ON usage_event FOR EACH ROW
      WHEN (NEW.service = 'portal' AND NEW.action = 'activate' AND NEW.user_id IS NOT NULL)
      EXECUTE FUNCTION preau_cache_rollout_person();
    CREATE TRIGGER usage_event_cache_rollout_quality AFTER INSERT ON usage_event FOR EACH ROW
      WHEN (NEW.service = 'directory' AND NEW.action = 'data_quality.view')
      EXECUTE FUNCTION preau_cache_rollout_establishment();
    CREATE TRIGGER usage_event_cache_rollout_purge AFTER DELETE ON usage_event FOR EACH ROW
      WHEN ((OLD.service = 'portal' AND OLD.action = 'activate')
            OR (OLD.service = 'directory' AND OLD.action = 'data_quality.view'))
      EXECUTE FUNCTION preau_cache_rollout_all();

    CREATE TRIGGER audit_event_cache_rollout AFTER INSERT ON audit_event FOR EACH ROW
      WHEN (NEW.action = 'directory.login_sheets.print')
      EXECUTE FUNCTION preau_cache_rollout_establishment();
    CREATE TRIGGER audit_event_cache_rollout_purge AFTER DELETE ON audit_event FOR EACH ROW
      WHEN (OLD.action = 'directory.login_sheets.print')
      EXECUTE FUNCTION preau_cache_rollout_establishment();

    CREATE TRIGGER import_job_cache_rollout_insert AFTER INSERT ON import_job FOR EACH ROW
      WHEN (NEW.status IN ('done', 'failed'))
      EXECUTE FUNCTION preau_cache_rollout_all();
    CREATE TRIGGER import_job_cache_rollout_update AFTER UPDATE ON import_job FOR EACH ROW
      WHEN (NEW.status IN ('done', 'failed') OR OLD.status IN ('done', 'failed'))
      EXECUTE FUNCTION preau_cache_rollout_all();
    CREATE TRIGGER import_job_cache_rollout_delete AFTER DELETE ON import_job FOR EACH ROW
      WHEN (OLD.status IN ('done', 'failed'))
      EXECUTE FUNCTION preau_cache_rollout_all();

    CREATE TRIGGER establishment_cache_rollout AFTER UPDATE ON establishment FOR EACH ROW
      EXECUTE FUNCTION preau_cache_rollout_all();
    CREATE TRIGGER academy_cache_rollout AFTER UPDATE ON academy FOR EACH ROW
      EXECUTE FUNCTION preau_cache_rollout_all();
  `.execute(db);

  // Bulk tables: one statement-level trigger per event, over the transition tables (migration 0040's function).
  const bulk: [table: string, key: string][] = [
    ['membership', 'establishment_id'],
    ['enrolment', 'establishment_id'],
    ['guardianship', 'establishment_id'],
    ['teaching_assignment', 'establishment_id'],
    ['head_teacher', 'establishment_id'],
    ['class', 'establishment_id'],
    ['school_year', 'establishment_id'],
    ['charter_acceptance', 'establishment_id'],
    ['rollout_announcement', 'establishment_id'],
    ['rollout_academy_contact', 'NULL'],
  ];
  for (const [table, key] of bulk) {
    for (const [event, referencing] of [
      ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
      ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
      ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
    ] as const) {
      await sql`
        CREATE TRIGGER ${sql.id(`${table}_cache_rollout_${event.toLowerCase()}`)} AFTER ${sql.raw(event)}
          ON ${sql.table(table)} ${referencing} FOR EACH STATEMENT
          EXECUTE FUNCTION preau_cache_statement('rollout', ${sql.lit(key)})`.execute(db);
    }
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_cache_rollout_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate('rollout', '')`.execute(db);
  }
}
