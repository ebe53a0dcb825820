/**
 * grades: a parent's grades page (`GET /api/grades` as a guardian: the child's grades of the year with each
 * assessment's class average, the subject averages with the class's, minimum and maximum), the grades module's
 * busiest page, at steady load against the real Préau server on the generated académie with a trimester of
 * grades (every teaching assignment: six assessments, a grade per student). Guardians rotate; the ratio divides
 * by the PK select of the same database measured right after.
 */
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import type { Entry } from '../lib/results.ts';
import { benchGrades } from '../lib/services-data.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';
import { pointSelectBaseline } from './daily.ts';

export async function gradesScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const written = await benchGrades(ctx, db);
  const config = loadConfig({});
  // One child each (a guardian of several children names one: the same page).
  const guardians = await sql<{ guardian_id: string; student_id: string; establishment_id: string }>`
    SELECT DISTINCT ON (g.guardian_id) g.guardian_id, g.student_id, g.establishment_id
    FROM guardianship g JOIN enrolment e ON e.student_id = g.student_id AND e.class_id IS NOT NULL
    WHERE g.sees_grades
    ORDER BY g.guardian_id LIMIT 400`.execute(db);
  const cookies = await Promise.all(
    guardians.rows.map(async (r) => {
      const s = await createSession(db, config, {
        userId: r.guardian_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench',
      });
      return { ...r, cookie: `${cookieName(config)}=${s.token}` };
    }),
  );
  const requests = cookies.map((c) => ({
    path: `/api/grades?establishment=${c.establishment_id}&student=${c.student_id}`,
    headers: { cookie: c.cookie },
  }));
  const server = await startPreau(ctx, dbUrl, 'grades');
  let r: Awaited<ReturnType<typeof meteredLoad>>;
  let items = 0;
  try {
    const probe = await fetch(`${server.url}${requests[0]!.path}`, { headers: requests[0]!.headers });
    if (probe.status !== 200) throw new Error(`grades answered ${probe.status}: ${await probe.text()}`);
    items = ((await probe.json()) as { items: unknown[] }).items.length;
    r = await meteredLoad(ctx, server.pid, server.url, requests);
  } finally {
    await server.stop();
  }
  ctx.say(`  parent's grades page: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`);
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((x) => x.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  ctx.say(`  PK select: ${Math.round(pk.rps)} req/s`);
  return {
    figures: {
      parentGrades: {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p90Ms: r.latency.p90,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMsPerRequest: r.cpuMs,
        gradesPerPage: items,
      },
      assessments: written.assessments,
      grades: written.grades,
      baselinePointSelectRps: Math.round(pk.rps),
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      vsBaselinePointSelect: { parentGrades: round(r.requestsPerSecond / pk.rps, 3) },
      cpuVsBaselinePointSelect: { parentGrades: round(cpuTotal(r.cpuMs) / cpuTotal(pk.cpuMs), 1) },
    },
    notes: [
      `the grades page of ${cookies.length} guardians (module grades); ${written.grades} grades in ${written.assessments} assessments`,
      'goal: ≥ 0.4× the PK select and p99 < 50 ms (DESIGN.md, item 8)',
    ],
  };
}
