/**
 * logbook: the logbook's busiest pages at steady load, against the real Préau server on the generated académie
 * with a year of timetable and logbook: a class's logbook week as its teachers open it
 * (`GET /api/logbook/entries?class=`), and a student's homework week (`GET /api/logbook/homework`). Each is divided
 * by the PK select of the same database, measured right after.
 */
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import type { Entry } from '../lib/results.ts';
import { benchLogbooks, benchTimetables } from '../lib/services-data.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';
import { pointSelectBaseline } from './daily.ts';
import { BENCH_WEEKS } from './timetable.ts';

const sunday = (monday: string) => {
  const d = new Date(`${monday}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 6);
  return d.toISOString().slice(0, 10);
};

export async function logbookScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const timetables = await benchTimetables(ctx, db);
  const logbooks = await benchLogbooks(ctx, db);
  const config = loadConfig({});
  const session = async (userId: string) => {
    const s = await createSession(db, config, {
      userId,
      rememberMe: false,
      address: '127.0.0.1',
      userAgent: 'preau-bench',
    });
    return `${cookieName(config)}=${s.token}`;
  };
  // Teachers with a class they teach (their class's logbook), students with a class (their homework week).
  const teachers = await sql<{ teacher_id: string; class_id: string; establishment_id: string }>`
    SELECT DISTINCT ON (t.teacher_id) t.teacher_id, c.class_id, c.establishment_id
    FROM timetable_course_teacher t JOIN timetable_course c ON c.id = t.course_id
    WHERE c.class_id IS NOT NULL ORDER BY t.teacher_id, c.class_id LIMIT 300`.execute(db);
  const students = await sql<{ user_id: string; establishment_id: string }>`
    SELECT m.user_id, m.establishment_id FROM membership m JOIN enrolment e ON e.student_id = m.user_id
    WHERE m.profile = 'student' AND e.class_id IS NOT NULL ORDER BY m.user_id LIMIT 400`.execute(db);
  const classPage = await Promise.all(
    teachers.rows.map(async (r, i) => {
      const monday = BENCH_WEEKS[i % BENCH_WEEKS.length]!;
      return {
        path: `/api/logbook/entries?establishment=${r.establishment_id}&class=${r.class_id}&from=${monday}&to=${sunday(monday)}`,
        headers: { cookie: await session(r.teacher_id) },
      };
    }),
  );
  const homeworkWeek = await Promise.all(
    students.rows.map(async (r, i) => {
      const monday = BENCH_WEEKS[i % BENCH_WEEKS.length]!;
      return {
        path: `/api/logbook/homework?establishment=${r.establishment_id}&from=${monday}&to=${sunday(monday)}`,
        headers: { cookie: await session(r.user_id) },
      };
    }),
  );
  const pages = { classLogbookWeek: classPage, studentHomeworkWeek: homeworkWeek };
  const results: Record<
    string,
    {
      rps: number;
      p50Ms: number;
      p90Ms: number;
      p99Ms: number;
      errors: number;
      cpuMsPerRequest: unknown;
      cpu: number;
      bytes: number;
    }
  > = {};
  const server = await startPreau(ctx, dbUrl, 'logbook');
  try {
    for (const [name, requests] of Object.entries(pages)) {
      const probe = await fetch(`${server.url}${requests[0]!.path}`, { headers: requests[0]!.headers });
      if (probe.status !== 200)
        throw new Error(`${name}: ${requests[0]!.path} answered ${probe.status}: ${await probe.text()}`);
      const bytes = (await probe.arrayBuffer()).byteLength;
      const r = await meteredLoad(ctx, server.pid, server.url, requests);
      results[name] = {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p90Ms: r.latency.p90,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMsPerRequest: r.cpuMs,
        cpu: cpuTotal(r.cpuMs),
        bytes,
      };
      ctx.say(`  ${name}: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms, ${bytes} bytes`);
    }
  } finally {
    await server.stop();
  }
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((x) => x.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  ctx.say(`  PK select: ${Math.round(pk.rps)} req/s`);
  // The same select with its answer padded to the class week's size: what sending that many bytes costs here.
  const sized = await pointSelectBaseline(ctx, dbUrl, ids, results.classLogbookWeek!.bytes);
  ctx.say(`  PK select padded to ${results.classLogbookWeek!.bytes} bytes: ${Math.round(sized.rps)} req/s`);
  return {
    figures: {
      ...Object.fromEntries(Object.entries(results).map(([k, { cpu: _cpu, ...v }]) => [k, v])),
      courses: timetables.courses,
      lessons: logbooks.lessons,
      homework: logbooks.homework,
      ticks: logbooks.ticks,
      baselinePointSelectRps: Math.round(pk.rps),
      baselinePaddedToClassWeek: {
        bytes: results.classLogbookWeek!.bytes,
        rps: Math.round(sized.rps),
        cpuMsPerRequest: sized.cpuMs,
      },
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      vsBaselinePointSelect: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v.rps / pk.rps, 3)])),
      // The class week against a PK select whose answer has the class week's size (not the goal's yardstick).
      classWeekVsSameSizeAnswer: round(results.classLogbookWeek!.rps / sized.rps, 3),
      cpuVsBaselinePointSelect: Object.fromEntries(
        Object.entries(results).map(([k, v]) => [k, round(v.cpu / cpuTotal(pk.cpuMs), 1)]),
      ),
    },
    notes: [
      `a class's logbook week as ${classPage.length} of its teachers open it, and ${homeworkWeek.length} students' homework weeks, rotating over ${BENCH_WEEKS.length} school weeks`,
      `a year of data: ${logbooks.lessons} lessons, ${logbooks.homework} homework, ${logbooks.ticks} « fait » ticks on ${timetables.courses} courses`,
      'goal: ≥ 0.4× the PK select and p99 < 50 ms (DESIGN.md, item 8)',
    ],
  };
}
