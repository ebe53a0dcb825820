/**
 * school_life: the roll call of a whole lycée in its busiest hour (`POST /api/school-life/roll-calls`: every
 * course of the hour, each teacher marking two absent and one late — new records tell the guardians, timeline
 * and e-mail outbox in the same transaction; the rotation then corrects them, as teachers do), and a parent's
 * absences page (`GET /api/school-life/absences?student=`), against the real Préau server on the generated
 * académie with its year of timetable. Ratios divide by the PK select of the same database measured right after.
 */
import { sql } from 'kysely';
import { addDays, occurrencesFor, parisDate, weekdayOf } from '../../../server/src/modules/timetable/index.ts';
import { relations } from '../../../server/src/platform/access/relations.repository.ts';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { resetStatements, sampleWaits, topStatements } from '../lib/database.ts';
import type { Entry } from '../lib/results.ts';
import { benchTimetables } from '../lib/services-data.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, type LoadRequest, meteredLoad, startPreau } from './context.ts';
import { pointSelectBaseline, writeBaseline } from './daily.ts';

export async function schoolLifeScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  await benchTimetables(ctx, db);
  const config = loadConfig({});
  // Every establishment's busiest hour on the next school day (a teacher may call today or later): the académie's
  // roll calls of that hour, one per course — distinct rows, as in real life (the bench's rotation then corrects them).
  const schools = await sql<{ establishment_id: string }>`
    SELECT establishment_id FROM timetable_course GROUP BY establishment_id ORDER BY count(*) DESC`.execute(db);
  const establishmentId = schools.rows[0]!.establishment_id;
  let day = parisDate();
  const hour: Awaited<ReturnType<typeof occurrencesFor>> = [];
  for (let i = 0; i < 60 && hour.length === 0; i++, day = addDays(day, 1)) {
    if (weekdayOf(day) > 5) continue;
    for (const { establishment_id } of schools.rows) {
      const occ = (
        await occurrencesFor(db, { establishmentId: establishment_id, from: day, to: day, all: true })
      ).filter((o) => !o.cancelled);
      const byStart = new Map<string, typeof occ>();
      for (const o of occ) byStart.set(o.startsAt, [...(byStart.get(o.startsAt) ?? []), o]);
      hour.push(...([...byStart.values()].sort((a, b) => b.length - a.length)[0] ?? []));
    }
    if (hour.length) break;
  }
  if (hour.length === 0) throw new Error('no school day with courses in the next weeks');
  const [byClass, byGroup] = await Promise.all([
    relations.studentsOfClasses(
      db,
      hour.map((o) => o.classId).filter((x): x is string => !!x),
    ),
    relations.studentsOfGroups(
      db,
      hour.map((o) => o.groupId).filter((x): x is string => !!x),
    ),
  ]);
  // Every course's first roll call, then every course's correction: a teacher corrects minutes later, never at the
  // same instant (two calls of one course in flight together would only measure their row lock on each other).
  const rounds: [LoadRequest[], LoadRequest[]] = [[], []];
  for (const o of hour) {
    const teacher = o.teachers[0];
    const students = [...((o.classId ? byClass.get(o.classId) : o.groupId ? byGroup.get(o.groupId) : undefined) ?? [])];
    if (!teacher || students.length < 4) continue;
    const s = await createSession(db, config, {
      userId: teacher.id,
      rememberMe: false,
      address: '127.0.0.1',
      userAgent: 'preau-bench',
    });
    // Each course twice in the rotation: the first call records, the next ones correct (another student late).
    for (const k of [0, 1] as const) {
      rounds[k].push({
        method: 'POST',
        path: '/api/school-life/roll-calls',
        headers: {
          cookie: `${cookieName(config)}=${s.token}`,
          'x-csrf-token': s.csrfToken,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          courseId: o.courseId,
          date: day,
          absent: [students[0], students[1]],
          late: [{ studentId: students[2 + k], minutes: 5 + 5 * k }],
        }),
      });
    }
  }
  const rollCalls = [...rounds[0], ...rounds[1]];
  const guardians = await sql<{ guardian_id: string; student_id: string }>`
    SELECT DISTINCT ON (g.guardian_id) g.guardian_id, g.student_id FROM guardianship g
    JOIN membership m ON m.user_id = g.guardian_id AND m.establishment_id = ${establishmentId} AND m.profile = 'guardian'
    WHERE g.establishment_id = ${establishmentId} ORDER BY g.guardian_id LIMIT 400`.execute(db);
  const parentPages: LoadRequest[] = await Promise.all(
    guardians.rows.map(async (g) => {
      const s = await createSession(db, config, {
        userId: g.guardian_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench',
      });
      return {
        path: `/api/school-life/absences?establishment=${establishmentId}&student=${g.student_id}`,
        headers: { cookie: `${cookieName(config)}=${s.token}` },
      };
    }),
  );
  const server = await startPreau(ctx, dbUrl, 'school_life');
  let calls: Awaited<ReturnType<typeof meteredLoad>>;
  let pages: Awaited<ReturnType<typeof meteredLoad>>;
  let statements: Awaited<ReturnType<typeof topStatements>> | null = null;
  let waits: Record<string, number> = {};
  try {
    const probe = await fetch(`${server.url}${rollCalls[0]!.path}`, {
      method: 'POST',
      headers: rollCalls[0]!.headers,
      body: rollCalls[0]!.body,
    });
    if (probe.status !== 201) throw new Error(`roll call answered ${probe.status}: ${await probe.text()}`);
    if (ctx.options.pgStatements) await resetStatements(db);
    const sampler = sampleWaits(db);
    calls = await meteredLoad(ctx, server.pid, server.url, rollCalls);
    waits = await sampler.stop();
    if (ctx.options.pgStatements) {
      statements = await topStatements(db);
      for (const st of statements) ctx.say(`    ${st.share}% ${st.calls} × ${st.meanMs} ms  ${st.query}`);
    }
    pages = await meteredLoad(ctx, server.pid, server.url, parentPages);
  } finally {
    await server.stop();
  }
  ctx.say(
    `  roll calls (${hour.length} courses at ${hour[0]!.startsAt}): ${Math.round(calls.requestsPerSecond)} req/s, p99 ${calls.latency.p99} ms`,
  );
  ctx.say(
    `  what the roll calls' backends waited on (samples every 100 ms): ${Object.entries(waits)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  ctx.say(`  parent's absences: ${Math.round(pages.requestsPerSecond)} req/s, p99 ${pages.latency.p99} ms`);
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((x) => x.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  ctx.say(`  PK select: ${Math.round(pk.rps)} req/s`);
  const write = await writeBaseline(
    ctx,
    dbUrl,
    rollCalls.map((r) => r.body!),
  );
  ctx.say(`  one-row write: ${Math.round(write.rps)} req/s, p99 ${write.p99Ms} ms`);
  const fig = (r: typeof calls) => ({
    rps: Math.round(r.requestsPerSecond),
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    cpuMsPerRequest: r.cpuMs,
  });
  return {
    figures: {
      rollCall: { ...fig(calls), courses: hour.length, establishments: schools.rows.length, day },
      rollCallWaits: waits,
      ...(statements ? { rollCallTopStatements: statements } : {}),
      guardianAbsences: fig(pages),
      baselinePointSelectRps: Math.round(pk.rps),
      baselineWrite: {
        rps: Math.round(write.rps),
        p99Ms: write.p99Ms,
        cpuMsPerRequest: write.cpuMs,
        errors: write.errors,
      },
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      // The pages read (the daily entry's list of pages against the PK select).
      vsBaselinePointSelect: { guardianAbsences: round(pages.requestsPerSecond / pk.rps, 3) },
      cpuVsBaselinePointSelect: { guardianAbsences: round(cpuTotal(pages.cpuMs) / cpuTotal(pk.cpuMs), 1) },
      // The roll call is a write (one commit of about twenty statements): against the least a write costs here
      // (one row, one commit), and, for comparison only, against the PK select, a read's yardstick.
      vsBaselineWrite: { rollCall: round(calls.requestsPerSecond / write.rps, 3) },
      cpuVsBaselineWrite: { rollCall: round(cpuTotal(calls.cpuMs) / cpuTotal(write.cpuMs), 1) },
      writesVsBaselinePointSelect: { rollCall: round(calls.requestsPerSecond / pk.rps, 3) },
    },
    notes: [
      `the roll calls of the ${hour.length} courses of each school's busiest hour on ${day} (${schools.rows.length} establishments), each sent twice: every course's roll call, then every course's correction, in rotation; ${parentPages.length} guardians' absences pages of the largest school`,
      'goal for the reads: ≥ 0.4× the PK select and p99 < 50 ms (DESIGN.md, item 8); the roll call, a write, is also divided by a one-row commit of the same bodies (`vsBaselineWrite`)',
    ],
  };
}
