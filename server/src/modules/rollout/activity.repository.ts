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

  /**
   * Rebuild the days from `from` to `to` (both included), set-based: the people of each day from its events,
   * then each day's distinct users of the day, of the 7 and of the 30 days ending then.
   */
  async rebuild(db: Db, from: string, to: string, establishmentId: string | null): Promise<void> {
    await sql`DELETE FROM rollout_user_day WHERE day BETWEEN ${from}::date AND ${to}::date ${onlyIn(establishmentId)}`.execute(
      db,
    );
    await sql`
      INSERT INTO rollout_user_day (establishment_id, service, day, user_id, profile, events)
      SELECT establishment_id, service, (at AT TIME ZONE 'Europe/Paris')::date, user_id,
             (array_agg(COALESCE(profile, 'unknown') ORDER BY array_position(
               ARRAY['principal','local_admin','staff','teacher','guardian','student','platform_admin'], profile)))[1],
             count(*)
      FROM usage_event
      WHERE at >= ${parisStart(from)} AND at < ${parisEnd(to)}
        AND establishment_id IS NOT NULL AND user_id IS NOT NULL ${onlyIn(establishmentId)}
      GROUP BY establishment_id, service, (at AT TIME ZONE 'Europe/Paris')::date, user_id`.execute(db);
    await sql`DELETE FROM rollout_activity WHERE day BETWEEN ${from}::date AND ${to}::date ${onlyIn(establishmentId)}`.execute(
      db,
    );
    // Distinct users over the 7 and 30 days ending each day, in one pass over the people's days: each person's
    // active days cover [day, day + window); consecutive covers merge into islands, each island adds 1 from its
    // first day and removes it after its end; a running sum then gives every day's count (no per-day rescans).
    const only = establishmentId ? sql`AND establishment_id = ${establishmentId}` : sql``;
    await sql`
      INSERT INTO rollout_activity (establishment_id, service, profile, day, events, day_users, week_users, month_users)
      WITH src AS (
        SELECT establishment_id AS e, service AS s, profile AS p, user_id AS u, day, events
        FROM rollout_user_day
        WHERE day >= ${from}::date - 29 AND day <= ${to}::date ${only}
      ),
      keyed AS (
        SELECT e, s, p, u, day, events FROM src
        UNION ALL SELECT e, s, '*', u, day, sum(events)::int FROM src GROUP BY e, s, u, day
        UNION ALL SELECT e, '*', '*', u, day, sum(events)::int FROM src GROUP BY e, u, day
      ),
      win AS (SELECT unnest(ARRAY[7, 30]) AS w),
      flagged AS (
        SELECT k.e, k.s, k.p, k.u, k.day, win.w,
               CASE WHEN k.day - lag(k.day) OVER (PARTITION BY win.w, k.e, k.s, k.p, k.u ORDER BY k.day) < win.w
                    THEN 0 ELSE 1 END AS starts
        FROM keyed k CROSS JOIN win
      ),
      islands AS (
        SELECT e, s, p, u, w, day, sum(starts) OVER (PARTITION BY w, e, s, p, u ORDER BY day) AS island FROM flagged
      ),
      bounds AS (
        SELECT e, s, p, w, min(day) AS st, max(day) + w AS en FROM islands GROUP BY e, s, p, u, w, island
      ),
      deltas AS (
        SELECT e, s, p, w, st AS day, count(*)::int AS d FROM bounds GROUP BY e, s, p, w, st
        UNION ALL SELECT e, s, p, w, en, -count(*)::int FROM bounds GROUP BY e, s, p, w, en
      ),
      points AS (
        SELECT k.e, k.s, k.p, g::date AS day
        FROM (SELECT e, s, p, min(day) AS first, max(day) AS last FROM keyed GROUP BY e, s, p) k
        CROSS JOIN LATERAL generate_series(greatest(k.first, ${from}::date), least(k.last + 29, ${to}::date),
                                           interval '1 day') g
      ),
      series AS (
        SELECT e, s, p, w, day, sum(d) AS d, bool_or(point) AS point FROM (
          SELECT e, s, p, w, day, d, false AS point FROM deltas
          UNION ALL SELECT pt.e, pt.s, pt.p, win.w, pt.day, 0, true FROM points pt CROSS JOIN win
        ) x GROUP BY e, s, p, w, day
      ),
      valued AS (
        SELECT e, s, p, w, day, point, sum(d) OVER (PARTITION BY e, s, p, w ORDER BY day) AS users FROM series
      ),
      today AS (SELECT e, s, p, day, sum(events)::int AS events, count(*)::int AS users FROM keyed GROUP BY e, s, p, day)
      SELECT v.e, v.s, v.p, v.day, COALESCE(t.events, 0), COALESCE(t.users, 0),
             max(v.users) FILTER (WHERE v.w = 7), max(v.users) FILTER (WHERE v.w = 30)
      FROM valued v LEFT JOIN today t ON t.e = v.e AND t.s = v.s AND t.p = v.p AND t.day = v.day
      WHERE v.point
      GROUP BY v.e, v.s, v.p, v.day, t.events, t.users`.execute(db);
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
