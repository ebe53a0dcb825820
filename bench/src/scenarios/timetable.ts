/**
 * timetable: a student's week (`GET /api/timetable/week`), the timetable's busiest page, at steady load against
 * the real Préau server on the generated académie with a year of timetable (every class and group planned from
 * its teaching assignments, weeks A and B). Students and weeks rotate; the ratio divides by the PK select of
 * the same database measured right after.
 */
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import type { Entry } from '../lib/results.ts';
import { benchTimetables } from '../lib/services-data.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';
import { pointSelectBaseline } from './daily.ts';

/** School weeks of the generated year (none in the holidays of zone C). */
export const BENCH_WEEKS = [
  '2026-09-14',
  '2026-10-05',
  '2026-11-16',
  '2026-12-07',
  '2027-01-18',
  '2027-03-15',
  '2027-05-31',
];

export async function timetableScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const written = await benchTimetables(ctx, db);
  const config = loadConfig({});
  const students = await sql<{ user_id: string; establishment_id: string }>`
    SELECT m.user_id, m.establishment_id FROM membership m
    JOIN enrolment e ON e.student_id = m.user_id
    WHERE m.profile = 'student' AND e.class_id IS NOT NULL
    ORDER BY m.user_id LIMIT 400`.execute(db);
  const cookies = await Promise.all(
    students.rows.map(async (r) => {
      const s = await createSession(db, config, {
        userId: r.user_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench',
      });
      return { ...r, cookie: `${cookieName(config)}=${s.token}` };
    }),
  );
  const requests = cookies.map((c, i) => ({
    path: `/api/timetable/week?establishment=${c.establishment_id}&date=${BENCH_WEEKS[i % BENCH_WEEKS.length]}`,
    headers: { cookie: c.cookie },
  }));
  const server = await startPreau(ctx, dbUrl, 'timetable');
  let r: Awaited<ReturnType<typeof meteredLoad>>;
  let items = 0;
  try {
    const probe = await fetch(`${server.url}${requests[0]!.path}`, { headers: requests[0]!.headers });
    if (probe.status !== 200) throw new Error(`week answered ${probe.status}: ${await probe.text()}`);
    items = ((await probe.json()) as { items: unknown[] }).items.length;
    r = await meteredLoad(ctx, server.pid, server.url, requests);
  } finally {
    await server.stop();
  }
  ctx.say(`  student week: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`);
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((x) => x.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  ctx.say(`  PK select: ${Math.round(pk.rps)} req/s`);
  return {
    figures: {
      studentWeek: {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p90Ms: r.latency.p90,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMsPerRequest: r.cpuMs,
        itemsPerWeek: items,
      },
      courses: written.courses,
      baselinePointSelectRps: Math.round(pk.rps),
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      vsBaselinePointSelect: { studentWeek: round(r.requestsPerSecond / pk.rps, 3) },
      cpuVsBaselinePointSelect: { studentWeek: round(cpuTotal(r.cpuMs) / cpuTotal(pk.cpuMs), 1) },
    },
    notes: [
      `the week of ${cookies.length} students rotating over ${BENCH_WEEKS.length} school weeks; ${written.courses} courses in the académie`,
      'goal: ≥ 0.4× the PK select and p99 < 50 ms (DESIGN.md, item 8)',
    ],
  };
}
