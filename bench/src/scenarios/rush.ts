/**
 * rush: the 8 a.m. rush. N distinct users (15,000 by default) log in and load their home page against the
 * real Préau server (server/src/main.ts in its own process), driven from a second process with `concurrency`
 * users in flight. The target: 15,000 users in 5 minutes (50 logins/s), scaled to N.
 */
import { cpus } from 'node:os';
import { sql } from 'kysely';
import { resetStatements, topStatements } from '../lib/database.ts';
import { BENCH_PASSWORD } from '../lib/db-writer.ts';
import { cpuMeter, memorySampler, runChild } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import { lastCpuMsPerHash, threadpoolRate } from './argon2.ts';
import { academyDatabase, type Ctx, startPreau } from './context.ts';

/** 15,000 users in the first five minutes of the school day. */
export const TARGET_LOGINS_PER_SECOND = 50;

interface Step {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
interface RushReport {
  seconds: number;
  attempted: number;
  completed: number;
  logins: number;
  successfulLogins: number;
  stoppedByDeadline: boolean;
  login: Step;
  me: Step;
  homeRequest: Step;
  home: Step;
  errors: Record<string, number>;
  errorSamples: Record<string, string>;
  busy: number;
  loginsPer10s: number[];
}

export async function rush(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const users = ctx.options.users;
  const logins = (
    await db
      .selectFrom('app_user')
      .select('login')
      .where('status', '=', 'active')
      .orderBy(sql`md5(login)`)
      .limit(users)
      .execute()
  ).map((r) => r.login);
  if (logins.length < users) throw new Error(`only ${logins.length} accounts in the académie for ${users} users`);
  const profiles = await sql<{ profile: string; n: number }>`
    SELECT m.profile, count(DISTINCT m.user_id)::int AS n FROM membership m JOIN app_user u ON u.id = m.user_id
    WHERE u.login = ANY(${logins}) GROUP BY m.profile ORDER BY n DESC`.execute(db);

  // The ceiling is measured right before the rush (the argon2 scenario ran minutes ago on a shared machine).
  ctx.say('  measuring the argon2 ceiling right before the rush…');
  const ceiling = await threadpoolRate(4);
  const argon2CpuMsPerHash = lastCpuMsPerHash;

  if (ctx.options.pgStatements) await resetStatements(db);
  const server = await startPreau(ctx, dbUrl, 'rush');
  const memory = memorySampler(server.pid, { everyMs: 250 });
  const meter = cpuMeter(server.pid, ctx.cluster.postmasterPid());
  let cpuMs: { server: number | null; postgres: number | null } = { server: null, postgres: null };
  let postgresRoles: Record<string, number> | null = null;
  let serverThreads: Record<string, number> = {};
  let report: RushReport;
  let mem: { peakMb: number; lastMb: number };
  let profile: string | null;
  try {
    const target = users / TARGET_LOGINS_PER_SECOND;
    ctx.say(
      `  ${users} users, ${ctx.options.concurrency} in flight; argon2 floor ${Math.round(users / ceiling)} s, target ${Math.round(target)} s…`,
    );
    report = await runChild<RushReport>(
      'rush-driver.ts',
      {
        baseUrl: server.url,
        logins,
        password: BENCH_PASSWORD,
        concurrency: ctx.options.concurrency,
        maxSeconds: ctx.options.maxRushSeconds,
      },
      (ctx.options.maxRushSeconds + 120) * 1000,
    );
    cpuMs = meter.per(report.completed || 1);
    postgresRoles = meter.postgresRolesPer(report.completed || 1);
    serverThreads = meter.serverThreadsPer(report.completed || 1);
  } finally {
    mem = memory.stop();
    profile = await server.stop();
  }
  const statements = ctx.options.pgStatements ? await topStatements(db) : null;
  if (statements) for (const st of statements) ctx.say(`  ${st.share}% ${st.calls} × ${st.meanMs} ms  ${st.query}`);
  const errors = Object.values(report.errors).reduce((a, b) => a + b, 0);
  const loginsPerSecond = report.successfulLogins / report.seconds;
  const target = users / TARGET_LOGINS_PER_SECOND;
  ctx.say(
    `  ${report.completed}/${users} users in ${report.seconds.toFixed(1)} s: ${loginsPerSecond.toFixed(1)} logins/s, home p99 ${Math.round(report.home.p99)} ms, ${errors} errors`,
  );
  const notes = [
    `${ctx.options.concurrency} users in flight over keep-alive connections from one client process; the server is server/src/main.ts (PREAU_JOBS=0, LOG_LEVEL=warn, UV_THREADPOOL_SIZE ${ctx.options.serverThreadpool ?? 'default (4)'}, ARGON2_CONCURRENCY ${ctx.options.argon2Concurrency ?? 'default (cores − 1)'})`,
    'busyRetries: logins answered 503 SERVER_BUSY (the login queue past its budget) and tried again after Retry-After, as the web app would; an error only when a login never got in after 5 tries',
    'home = GET /api/home?establishment=<first> (the portal and every widget), as the web app loads it after a login whose answer carries what GET /api/me says (meP99Ms is null then)',
  ];
  notes.push(
    'cpuMsPerUser: CPU milliseconds per user (login + home page) of the server process (argon2 threads included) and of PostgreSQL; argon2ShareOfUserCpu = argon2 CPU per hash / that total; cpuBoundUsersPerSecond = cores × 1000 / that total: the rate this machine would reach with nothing else running (the load generator’s own CPU aside)',
  );
  if (profile) notes.push(`CPU profile of the server: ${profile}`);
  if (Object.keys(ctx.options.serverEnv).length)
    notes.push(
      `server environment: ${Object.entries(ctx.options.serverEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (errors > 0)
    notes.push(`errors: ${JSON.stringify(report.errors)}; first of each: ${JSON.stringify(report.errorSamples)}`);
  return {
    figures: {
      users,
      profiles: Object.fromEntries(profiles.rows.map((r) => [r.profile, r.n])),
      concurrency: ctx.options.concurrency,
      serverThreadpool: ctx.options.serverThreadpool ?? 4,
      serverArgon2Concurrency: ctx.options.argon2Concurrency ?? Math.max(1, cpus().length - 1),
      seconds: round(report.seconds),
      completed: report.completed,
      stoppedByDeadline: report.stoppedByDeadline,
      targetWindowSeconds: round(target),
      withinTarget: report.completed === users && report.seconds <= target,
      argon2FloorSeconds: round(users / ceiling),
      loginsPerSecond: round(loginsPerSecond),
      loginP50Ms: round(report.login.p50),
      loginP95Ms: round(report.login.p95),
      loginP99Ms: round(report.login.p99),
      homeP50Ms: round(report.home.p50),
      homeP95Ms: round(report.home.p95),
      homeP99Ms: round(report.home.p99),
      meP99Ms: report.me.p99 > 0 ? round(report.me.p99) : null,
      homeRequestP99Ms: round(report.homeRequest.p99),
      errors,
      busyRetries: report.busy,
      serverPeakRssMb: mem.peakMb,
      serverEndRssMb: mem.lastMb,
      cpuMsPerUser: cpuMs,
      postgresCpuMsPerUserByRole: postgresRoles,
      serverCpuMsPerUserByThread: serverThreads,
      cpuBoundUsersPerSecond:
        cpuMs.server === null ? null : round((cpus().length * 1000) / (cpuMs.server + (cpuMs.postgres ?? 0))),
      argon2CpuMsPerHash: round(argon2CpuMsPerHash, 2),
      argon2CeilingPerSecond: round(ceiling),
      argon2ScenarioPerSecond: ctx.shared.argon2 ? round(ctx.shared.argon2.threadpool) : null,
      loginsPer10s: report.loginsPer10s,
      ...(statements ? { topStatements: statements } : {}),
    },
    ratios: {
      loginsVsArgon2Ceiling: round(loginsPerSecond / ceiling, 3),
      loginsVsTarget: round(loginsPerSecond / TARGET_LOGINS_PER_SECOND, 2),
      argon2ShareOfUserCpu:
        cpuMs.server === null ? null : round(argon2CpuMsPerHash / (cpuMs.server + (cpuMs.postgres ?? 0)), 2),
    },
    notes,
  };
}
