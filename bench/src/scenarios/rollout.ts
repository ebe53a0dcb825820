/**
 * rollout: the rollout cockpit (module `rollout`) on the generated académie. Usage events are generated
 * set-based over the last school weeks (a share of each establishment's members active each school day, in a
 * few services), rolled up by the server's own roll-up (timed: the first catch-up of a whole académie), then
 * the principals' dashboard pages are loaded at steady load and divided by the same-run PK select baseline.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { rollUp } from '../../../server/src/modules/rollout/indicators.service.ts';
import { trustedDb } from '../../../server/src/platform/access/authorize.ts';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { resetStatements, type StatementStat, topStatements } from '../lib/database.ts';
import { CHILDREN, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';

/** School days of usage generated before today, and the share of members active on one of them. */
const DAYS = 42;
const ACTIVE_SHARE = 0.3;

async function pointSelectBaseline(ctx: Ctx, dbUrl: string, ids: string[]) {
  const server = spawnNode(join(CHILDREN, 'baseline-server.ts'), [dbUrl]);
  try {
    const port = (await waitForOutput(server, /LISTENING (\d+)/, 30_000))[1];
    const pk = await meteredLoad(
      ctx,
      server.child.pid!,
      `http://127.0.0.1:${port}`,
      ids.map((id) => ({ path: `/pk/${id}` })),
    );
    return { rps: pk.requestsPerSecond, cpuMs: pk.cpuMs };
  } finally {
    await stop(server);
  }
}

export async function rollout(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);

  // Usage over the last weeks: each school day (Monday to Friday), about 30 % of the members use one to three
  // services (one to four events each), and view the portal — the shape of the demo's, at académie scale.
  ctx.say(`  generating ${DAYS} school days of usage events…`);
  let t = performance.now();
  const inserted = await sql<{ n: number }>`
    WITH days AS (
      SELECT d::date AS day FROM generate_series(current_date - ${Math.ceil(DAYS * 1.4) + 1}::int, current_date - 1, interval '1 day') d
      WHERE extract(isodow FROM d) < 6
    ),
    active AS (
      SELECT m.user_id, m.establishment_id, m.profile, days.day
      FROM membership m CROSS JOIN days
      WHERE random() < ${ACTIVE_SHARE}
    ),
    ins AS (
      INSERT INTO usage_event (at, user_id, establishment_id, profile, service, action)
      SELECT (a.day::timestamp + interval '7 hours' + random() * interval '12 hours') AT TIME ZONE 'Europe/Paris',
             a.user_id, a.establishment_id, a.profile, s.service, 'use'
      FROM active a
      CROSS JOIN LATERAL (
        -- Correlated with the person-day (a.day), so that it is drawn again for each: uncorrelated, PostgreSQL
        -- may run it once and give every person-day the same single event.
        SELECT (ARRAY['logbook','messaging','school_life','documents','portal'])[1 + floor(random() * 5)::int] AS service
        FROM generate_series(1, 1 + floor(random() * 4)::int + 0 * extract(day FROM a.day)::int)
      ) s
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM ins`.execute(db);
  const events = inserted.rows[0]?.n ?? 0;
  const generateSeconds = round((performance.now() - t) / 1000, 1);
  ctx.say(`  ${events.toLocaleString('en-US')} events in ${generateSeconds} s; rolling the académie up…`);

  // The first roll-up of a whole académie: every day since the start of the school year (the hourly job's
  // catch-up), then the hourly one (today only).
  await db.deleteFrom('rollout_rollup').execute();
  t = performance.now();
  await rollUp(trustedDb(db, 'the bench rolls the académie up'), null);
  const catchUpSeconds = round((performance.now() - t) / 1000, 1);
  t = performance.now();
  await rollUp(trustedDb(db, 'the bench rolls the académie up'), null);
  const hourlySeconds = round((performance.now() - t) / 1000, 2);
  // A school morning's database: the usage of the past weeks was written long ago, vacuumed and analysed (as
  // academyDatabase does for the directory). Without it, the pages are planned on the statistics of empty
  // roll-up tables and autovacuum visits 1.4 M fresh events during the measurement.
  await sql`VACUUM (ANALYZE) usage_event, rollout_user_day, rollout_activity, rollout_rollup`.execute(db);
  const userDays = Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM rollout_user_day`.execute(db)).rows[0]?.n ?? 0,
  );
  ctx.say(
    `  catch-up ${catchUpSeconds} s (${userDays.toLocaleString('en-US')} person-days), hourly ${hourlySeconds} s`,
  );

  const config = loadConfig({});
  const cookie = cookieName(config);
  const principals = await db
    .selectFrom('membership')
    .select(['user_id', 'establishment_id'])
    .where('profile', '=', 'principal')
    .orderBy('establishment_id')
    .execute();
  const sessions = await Promise.all(
    principals.map(async (p) => {
      const s = await createSession(db, config, {
        userId: p.user_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench-rollout',
      });
      return { ...p, cookie: `${cookie}=${s.token}` };
    }),
  );
  const pages: Record<string, { path: string; headers: Record<string, string> }[]> = {
    indicators: sessions.map((s) => ({
      path: `/api/rollout/indicators?establishment=${s.establishment_id}`,
      headers: { cookie: s.cookie },
    })),
    overview: sessions.map((s) => ({
      path: `/api/rollout/overview?establishment=${s.establishment_id}`,
      headers: { cookie: s.cookie },
    })),
    dashboard: sessions.map((s) => ({
      path: `/api/rollout/dashboard?establishment=${s.establishment_id}`,
      headers: { cookie: s.cookie },
    })),
  };

  const results: Record<
    string,
    {
      rps: number;
      p50Ms: number;
      p99Ms: number;
      errors: number;
      cpuMsPerRequest: unknown;
      cpuBoundRps: number;
      /** The size of one answer (the first principal's): what each request writes. */
      bytes: number;
    }
  > = {};
  const statements: Record<string, StatementStat[]> = {};
  const server = await startPreau(ctx, dbUrl, 'rollout');
  try {
    for (const [name, requests] of Object.entries(pages)) {
      const first = requests[0]!;
      if (ctx.options.pgStatements) await resetStatements(db);
      const probe = await fetch(`${server.url}${first.path}`, { headers: first.headers });
      const probeBody = await probe.text();
      if (probe.status !== 200) throw new Error(`${name}: ${first.path} answered ${probe.status}: ${probeBody}`);
      const r = await meteredLoad(ctx, server.pid, server.url, requests);
      results[name] = {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMsPerRequest: r.cpuMs,
        cpuBoundRps: Math.round((cpus().length * 1000) / cpuTotal(r.cpuMs)),
        bytes: Buffer.byteLength(probeBody),
      };
      ctx.say(
        `  ${name}: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms, ${Buffer.byteLength(probeBody)} bytes an answer`,
      );
      if (ctx.options.pgStatements) {
        statements[name] = await topStatements(db);
        for (const st of statements[name]) ctx.say(`    ${st.share}% ${st.calls} × ${st.meanMs} ms  ${st.query}`);
      }
    }
  } finally {
    await server.stop();
  }

  ctx.say('  measuring the PK select baseline right after…');
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((r) => r.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  ctx.say(`  PK select: ${Math.round(pk.rps)} req/s`);
  return {
    figures: {
      establishments: principals.length,
      events,
      generateSeconds,
      userDays,
      catchUpSeconds,
      hourlySeconds,
      pages: results,
      baselinePointSelectRps: Math.round(pk.rps),
      baselinePointSelectCpuMsPerRequest: pk.cpuMs,
      ...(ctx.options.pgStatements ? { topStatements: statements } : {}),
    },
    ratios: {
      vsBaselinePointSelect: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v.rps / pk.rps, 3)])),
    },
    notes: [
      `usage generated over ${DAYS} school days (${ACTIVE_SHARE * 100} % of members active a day, 1–4 events); the catch-up rolls up every day since the school year's start, the hourly run today only`,
      'indicators (the contract: activation and charter now, active users per service), overview (the checklist: directory facts, quality counts, per class) and dashboard (the school year so far, per day) rotate over every principal of the académie; the roll-up is fresh (no request rolls up)',
    ],
  };
}
