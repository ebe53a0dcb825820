import { type Kysely, sql } from 'kysely';

/**
 * Cache invalidation at the source: triggers announce, on channel `preau_cache`, every change that an instance's
 * in-memory caches depend on (platform/cache.ts, platform/notify.ts). Payload `<topic>:<key>`:
 *
 * | topic     | key                  | announced by                                                              |
 * |-----------|----------------------|---------------------------------------------------------------------------|
 * | `s`       | session token hash   | a session deleted (logout, revocation, block, purge), its identity or expiry changed, its idle expiry brought forward (the touch only pushes it back: silent) |
 * | `u`       | user id              | the user's account fields, memberships and suspensions, enrolments, assignments, children, charter acceptances; a class they are in renamed |
 * | `u`       | `*`                  | a school year changed status (rollover: every "current class" moves); an establishment renamed (a user's establishments are in name order) |
 * | `dir`     | establishment id     | the establishment's member list: memberships, suspensions, members' names and status, classes, enrolments, assignments |
 * | `est`     | establishment id     | the establishment row                                                     |
 * | `svc`     | establishment id     | its services' opening settings                                            |
 * | `perm`    | establishment id     | its permission overrides                                                  |
 * | `charter` | establishment id, `*` | its charters (`*`: the platform default charter, which every establishment may inherit) |
 *
 * Bulk tables use statement-level triggers over transition tables: an import writing 10,000 memberships calls one
 * function per statement, and more than 500 distinct keys in one statement become `<topic>:*`. `app_user` and
 * `session` use row triggers with a WHEN clause, so that the login's `last_login_at` update and the session's
 * `last_seen_at` touch call nothing at all. Notifications are sent at commit, deduplicated within a transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Arguments: pairs (topic, SQL expression over the changed rows). NULL keys mean "all" (*).
    CREATE FUNCTION preau_cache_statement() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      i int := 0;
      keys text[];
      source text;
    BEGIN
      WHILE i < TG_NARGS LOOP
        FOREACH source IN ARRAY (CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows']
                                            ELSE ARRAY['old_rows', 'new_rows'] END) LOOP
          EXECUTE format('SELECT array_agg(DISTINCT COALESCE((%s)::text, ''*'')) FROM %I', TG_ARGV[i + 1], source)
            INTO keys;
          IF keys IS NULL THEN
            CONTINUE;
          ELSIF array_length(keys, 1) > 500 OR '*' = ANY (keys) THEN
            PERFORM pg_notify('preau_cache', TG_ARGV[i] || ':*');
          ELSE
            PERFORM pg_notify('preau_cache', TG_ARGV[i] || ':' || k) FROM unnest(keys) k;
          END IF;
        END LOOP;
        i := i + 2;
      END LOOP;
      RETURN NULL;
    END $$;

    CREATE FUNCTION preau_cache_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      i int := 0;
    BEGIN
      WHILE i < TG_NARGS LOOP
        PERFORM pg_notify('preau_cache', TG_ARGV[i] || ':*');
        i := i + 2;
      END LOOP;
      RETURN NULL;
    END $$;

    -- An account's own fields: its cached user entry, the member lists it appears in, its guardians' children lists.
    CREATE FUNCTION preau_cache_app_user() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'u:' || OLD.id);
      PERFORM pg_notify('preau_cache', 'dir:' || m.establishment_id)
        FROM (SELECT DISTINCT establishment_id FROM membership WHERE user_id = OLD.id) m;
      PERFORM pg_notify('preau_cache', 'u:' || g.guardian_id) FROM guardianship g WHERE g.student_id = OLD.id;
      RETURN NULL;
    END $$;

    CREATE FUNCTION preau_cache_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 's:' || encode(OLD.token_hash, 'hex'));
      RETURN NULL;
    END $$;

    -- A class renamed or moved: its members' "my classes" and the member list of its establishment.
    CREATE FUNCTION preau_cache_class() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'dir:' || OLD.establishment_id);
      PERFORM pg_notify('preau_cache', 'u:' || x.id) FROM (
        SELECT student_id AS id FROM enrolment WHERE class_id = OLD.id
        UNION SELECT teacher_id FROM teaching_assignment WHERE class_id = OLD.id) x;
      RETURN NULL;
    END $$;

    CREATE TRIGGER app_user_cache AFTER UPDATE ON app_user FOR EACH ROW
      WHEN ((OLD.login, OLD.first_name, OLD.last_name, OLD.display_name, OLD.email, OLD.status, OLD.is_platform_admin)
            IS DISTINCT FROM
            (NEW.login, NEW.first_name, NEW.last_name, NEW.display_name, NEW.email, NEW.status, NEW.is_platform_admin))
      EXECUTE FUNCTION preau_cache_app_user();
    CREATE TRIGGER app_user_cache_delete AFTER DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION preau_cache_app_user();

    CREATE TRIGGER session_cache_delete AFTER DELETE ON session
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
      EXECUTE FUNCTION preau_cache_statement('s', 'encode(token_hash, ''hex'')');
    CREATE TRIGGER session_cache_update AFTER UPDATE ON session FOR EACH ROW
      WHEN ((OLD.token_hash, OLD.user_id, OLD.csrf_token, OLD.expires_at, OLD.remember_me)
            IS DISTINCT FROM (NEW.token_hash, NEW.user_id, NEW.csrf_token, NEW.expires_at, NEW.remember_me)
            OR NEW.idle_expires_at < OLD.idle_expires_at)
      EXECUTE FUNCTION preau_cache_session();

    -- A user's establishments are listed in name order: a renamed establishment reorders its members' lists.
    CREATE FUNCTION preau_cache_establishment_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('preau_cache', 'u:*');
      RETURN NULL;
    END $$;
    CREATE TRIGGER establishment_cache_name AFTER UPDATE ON establishment FOR EACH ROW
      WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION preau_cache_establishment_name();

    CREATE TRIGGER class_cache AFTER UPDATE ON class FOR EACH ROW
      WHEN ((OLD.code, OLD.label, OLD.school_year_id, OLD.establishment_id)
            IS DISTINCT FROM (NEW.code, NEW.label, NEW.school_year_id, NEW.establishment_id))
      EXECUTE FUNCTION preau_cache_class();
    CREATE TRIGGER class_cache_delete AFTER DELETE ON class FOR EACH ROW EXECUTE FUNCTION preau_cache_class();
  `.execute(db);

  // Bulk tables: one statement-level trigger per event (transition tables allow only one event per trigger).
  const bulk: [table: string, args: string[]][] = [
    ['membership', ['u', 'user_id', 'dir', 'establishment_id']],
    ['membership_suspension', ['u', 'user_id', 'dir', 'establishment_id']],
    ['enrolment', ['u', 'student_id', 'dir', 'establishment_id']],
    ['teaching_assignment', ['u', 'teacher_id', 'dir', 'establishment_id']],
    ['guardianship', ['u', 'guardian_id']],
    ['charter_acceptance', ['u', 'user_id']],
    ['establishment', ['est', 'id']],
    ['establishment_service', ['svc', 'establishment_id']],
    ['permission_override', ['perm', 'establishment_id']],
    ['charter', ['charter', 'establishment_id']],
    ['school_year', ['dir', 'establishment_id', 'u', 'NULL']],
  ];
  for (const [table, args] of bulk) {
    const list = sql.join(args.map((a) => sql.lit(a)));
    for (const [event, referencing] of [
      ['INSERT', sql`REFERENCING NEW TABLE AS new_rows`],
      ['UPDATE', sql`REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows`],
      ['DELETE', sql`REFERENCING OLD TABLE AS old_rows`],
    ] as const) {
      // A new establishment or school year has nothing cached yet.
      if (event === 'INSERT' && (table === 'establishment' || table === 'school_year')) continue;
      await sql`
        CREATE TRIGGER ${sql.id(`${table}_cache_${event.toLowerCase()}`)} AFTER ${sql.raw(event)} ON ${sql.table(table)}
          ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_statement(${list})`.execute(db);
    }
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_cache_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate(${list})`.execute(db);
  }
  for (const table of ['app_user', 'session', 'class']) {
    const args = table === 'app_user' ? ['u', '', 'dir', ''] : table === 'session' ? ['s', ''] : ['dir', '', 'u', ''];
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_cache_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION preau_cache_truncate(${sql.join(args.map((a) => sql.lit(a)))})`.execute(db);
  }
}
