import { sql } from 'kysely';
import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import './rollout.tables.ts';

/** The Paris midnight that starts a calendar day, as SQL (`date::timestamp AT TIME ZONE` = local → instant). */
const parisStart = (day: string) => sql`(${day}::date::timestamp AT TIME ZONE 'Europe/Paris')`;
const parisEnd = (day: string) => sql`((${day}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`;
const onlyIn = (establishmentId: string | null) =>
  establishmentId ? sql`AND establishment_id = ${establishmentId}` : sql``;

export interface ActivityRow {
  service: string;
  profile: string;
  day: string;
  events: number;
  day_users: number;
  week_users: number;
  month_users: number;
}

/**
 * The activity roll-up: usage events → who used which service on which day (`rollout_user_day`) → per day the
 * distinct users of the day, of the last 7 days and of the last 30 days, per service ('*': any) and profile
 * ('*': all) (`rollout_activity`). Rebuilding a day is idempotent; one establishment or all of them.
 */
export const activity = {
  /**
   * Serialise roll-ups until the transaction ends: the whole académie's takes the 'all' lock alone; one
   * establishment's shares it and takes its own (two establishments roll up side by side).
   */
  lock: async (db: Db, establishmentId: string | null) => {
    if (!establishmentId) {
      await sql`SELECT pg_advisory_xact_lock(hashtext('rollout.rollup:all'))`.execute(db);
      return;
    }
    await sql`SELECT pg_advisory_xact_lock_shared(hashtext('rollout.rollup:all'))`.execute(db);
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`rollout.rollup:${establishmentId}`}))`.execute(db);
  },

  async rebuildDay(db: Db, day: string, establishmentId: string | null): Promise<void> {
    await sql`DELETE FROM rollout_user_day WHERE day = ${day}::date ${onlyIn(establishmentId)}`.execute(db);
    await sql`
      INSERT INTO rollout_user_day (establishment_id, service, day, user_id, profile, events)
      SELECT establishment_id, service, ${day}::date, user_id,
             (array_agg(COALESCE(profile, 'unknown') ORDER BY array_position(
               ARRAY['principal','local_admin','staff','teacher','guardian','student','platform_admin'], profile)))[1],
             count(*)
      FROM usage_event
      WHERE at >= ${parisStart(day)} AND at < ${parisEnd(day)}
        AND establishment_id IS NOT NULL AND user_id IS NOT NULL ${onlyIn(establishmentId)}
      GROUP BY establishment_id, service, user_id`.execute(db);
    await sql`DELETE FROM rollout_activity WHERE day = ${day}::date ${onlyIn(establishmentId)}`.execute(db);
    await sql`
      INSERT INTO rollout_activity (establishment_id, service, profile, day, events, day_users, week_users, month_users)
      SELECT establishment_id, COALESCE(service, '*'), COALESCE(profile, '*'), ${day}::date,
             COALESCE(sum(events) FILTER (WHERE day = ${day}::date), 0),
             count(DISTINCT user_id) FILTER (WHERE day = ${day}::date),
             count(DISTINCT user_id) FILTER (WHERE day > ${day}::date - 7),
             count(DISTINCT user_id)
      FROM rollout_user_day
      WHERE day > ${day}::date - 30 AND day <= ${day}::date ${onlyIn(establishmentId)}
      GROUP BY GROUPING SETS ((establishment_id, service, profile), (establishment_id, service),
                              (establishment_id, profile), (establishment_id))`.execute(db);
  },

  /** The roll-up is as of now: for one establishment, or for every establishment. */
  async markDone(db: Db, establishmentId: string | null, asOf: Date): Promise<void> {
    if (establishmentId) {
      await db
        .insertInto('rollout_rollup')
        .values({ establishment_id: establishmentId, as_of: asOf })
        .onConflict((oc) => oc.column('establishment_id').doUpdateSet({ as_of: asOf }))
        .execute();
      return;
    }
    await sql`
      INSERT INTO rollout_rollup (establishment_id, as_of) SELECT id, ${asOf}::timestamptz FROM establishment
      ON CONFLICT (establishment_id) DO UPDATE SET as_of = excluded.as_of`.execute(db);
  },

  asOf: async (db: Db, establishmentId: string): Promise<Date | null> =>
    (
      await db
        .selectFrom('rollout_rollup')
        .select('as_of')
        .where('establishment_id', '=', establishmentId)
        .executeTakeFirst()
    )?.as_of ?? null,

  /** The oldest roll-up time of all establishments (where a catch-up starts), null before the first. */
  oldestAsOf: async (db: Db): Promise<Date | null> => {
    const row = await db
      .selectFrom('rollout_rollup')
      .select((eb) => eb.fn.min('as_of').as('at'))
      .executeTakeFirst();
    return (row?.at as Date | null | undefined) ?? null;
  },

  /** The earliest start of a current school year (the first catch-up goes back there). */
  earliestYearStart: async (db: Db): Promise<string | null> => {
    const row = await db
      .selectFrom('school_year')
      .select((eb) => eb.fn.min('starts_on').as('day'))
      .where('status', '=', 'current')
      .executeTakeFirst();
    return (row?.day as string | null | undefined) ?? null;
  },

  /** Every service × profile row of one day. */
  day: (db: Db, establishmentId: string, day: string): Promise<ActivityRow[]> =>
    db
      .selectFrom('rollout_activity')
      .select(['service', 'profile', 'day', 'events', 'day_users', 'week_users', 'month_users'])
      .where('establishment_id', '=', establishmentId)
      .where('day', '=', day)
      .execute(),

  /** One profile's (or '*') rows over a period, every service. */
  series: (db: Db, establishmentId: string, profile: string, from: string, to: string): Promise<ActivityRow[]> =>
    db
      .selectFrom('rollout_activity')
      .select(['service', 'profile', 'day', 'events', 'day_users', 'week_users', 'month_users'])
      .where('establishment_id', '=', establishmentId)
      .where('profile', '=', profile)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .execute(),

  /** Distinct users of a service and profile over the 30 days ending on `day` (0 when nobody). */
  monthUsers: async (db: Db, establishmentId: string, service: string, profile: string, day: string) =>
    (
      await db
        .selectFrom('rollout_activity')
        .select('month_users')
        .where('establishment_id', '=', establishmentId)
        .where('service', '=', service)
        .where('profile', '=', profile)
        .where('day', '=', day)
        .executeTakeFirst()
    )?.month_users ?? 0,

  /** Per establishment, the distinct users of any service over the 30 days ending on `day` (académie view). */
  monthUsersAny: (db: Db, establishmentIds: string[], day: string) =>
    establishmentIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('rollout_activity')
          .select(['establishment_id', 'month_users'])
          .where('establishment_id', 'in', establishmentIds)
          .where('service', '=', '*')
          .where('profile', '=', '*')
          .where('day', '=', day)
          .execute(),

  /** The most active people of a profile over a period, in the services (the portal's views left out). */
  mostActive: async (db: Db, establishmentId: string, profile: string, from: string, to: string, limit: number) => {
    const { rows } = await sql<{ user_id: string; active_days: number; events: number }>`
      SELECT user_id, count(DISTINCT day)::int AS active_days, sum(events)::int AS events
      FROM rollout_user_day
      WHERE establishment_id = ${establishmentId} AND profile = ${profile}
        AND day >= ${from}::date AND day <= ${to}::date AND service NOT IN ('portal', 'rollout')
      GROUP BY user_id
      ORDER BY events DESC, active_days DESC, user_id
      LIMIT ${limit}`.execute(db);
    return rows;
  },

  /** Roll-up rows older than the usage events' retention go with them (the per-day totals stay). */
  purgeUserDaysBefore: async (db: Db, day: string) =>
    Number((await db.deleteFrom('rollout_user_day').where('day', '<', day).executeTakeFirst()).numDeletedRows),

  /** A person's days of use, for the export of their data. */
  userDaysOf: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_user_day')
      .select(['service', 'day', 'events'])
      .where('user_id', '=', userId)
      .orderBy('day', 'desc')
      .limit(5000)
      .execute(),
};
