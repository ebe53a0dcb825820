/**
 * daily: the pages of an ordinary school day at steady load, against the real Préau server, with autocannon
 * in a second process. Sessions are inserted directly with the server's createSession (no argon2): the home
 * page (portal) and /api/me rotate over 400 users, the user list over every principal of the académie.
 * Each page's req/s is divided by the same-run baseline PK select.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { resetStatements, topStatements } from '../lib/database.ts';
import { CHILDREN, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type CpuPerRequest, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';

/** The primary-key select of the same database, right after a page was measured (the ratio's denominator). */
/** The PK select's rate; with `padTo`, its answer padded to that many bytes (a page's size, for comparison). */
export async function pointSelectBaseline(ctx: Ctx, dbUrl: string, ids: string[], padTo = 0) {
  const server = spawnNode(join(CHILDREN, 'baseline-server.ts'), padTo ? [dbUrl, String(padTo)] : [dbUrl]);
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

/**
 * What a write costs at the least on this machine: Fastify + one row inserted per request, one commit each, the
 * same JSON bodies as the write measured. A write cannot reach the PK select's rate (each commit waits for its
 * WAL flush), so a write page is judged against this.
 */
export async function writeBaseline(ctx: Ctx, dbUrl: string, bodies: string[]) {
  const server = spawnNode(join(CHILDREN, 'baseline-server.ts'), [dbUrl]);
  try {
    const port = (await waitForOutput(server, /LISTENING (\d+)/, 30_000))[1];
    const w = await meteredLoad(
      ctx,
      server.child.pid!,
      `http://127.0.0.1:${port}`,
      bodies.map((body) => ({
        method: 'POST' as const,
        path: '/write',
        headers: { 'content-type': 'application/json' },
        body,
      })),
    );
    return { rps: w.requestsPerSecond, p99Ms: w.latency.p99, cpuMs: w.cpuMs, errors: w.errors + w.non2xx + w.timeouts };
  } finally {
    await stop(server);
  }
}

export async function daily(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const config = loadConfig({});
  const cookie = cookieName(config);
  const session = async (userId: string) => {
    const s = await createSession(db, config, {
      userId,
      rememberMe: false,
      address: '127.0.0.1',
      userAgent: 'preau-bench-daily',
    });
    return `${cookie}=${s.token}`;
  };

  const readers = await sql<{ user_id: string; establishment_id: string }>`
    SELECT DISTINCT ON (m.user_id) m.user_id, m.establishment_id
    FROM membership m WHERE m.profile IN ('student', 'guardian', 'teacher')
    ORDER BY m.user_id, m.establishment_id`.execute(db);
  const sample = readers.rows
    .sort((a, b) => (a.user_id < b.user_id ? -1 : 1))
    .filter((_, i) => i % 37 === 0)
    .slice(0, 400);
  const principals = await db
    .selectFrom('membership')
    .select(['user_id', 'establishment_id'])
    .where('profile', '=', 'principal')
    .orderBy('establishment_id')
    .execute();
  const readerCookies = await Promise.all(sample.map(async (r) => ({ ...r, cookie: await session(r.user_id) })));
  const principalCookies = await Promise.all(principals.map(async (r) => ({ ...r, cookie: await session(r.user_id) })));

  const pages: Record<string, { path: string; headers: Record<string, string> }[]> = {
    portal: readerCookies.map((r) => ({
      path: `/api/portal?establishment=${r.establishment_id}`,
      headers: { cookie: r.cookie },
    })),
    // The web app's first screen since the frame's home request: the portal and every widget (the timeline so far).
    home: readerCookies.map((r) => ({
      path: `/api/home?establishment=${r.establishment_id}`,
      headers: { cookie: r.cookie },
    })),
    me: readerCookies.map((r) => ({ path: '/api/me', headers: { cookie: r.cookie } })),
    userList: principalCookies.map((r) => ({
      path: `/api/establishments/${r.establishment_id}/users`,
      headers: { cookie: r.cookie },
    })),
  };

  const results: Record<
    string,
    {
      rps: number;
      p50Ms: number;
      p90Ms: number;
      p99Ms: number;
      errors: number;
      cpuMsPerRequest: CpuPerRequest;
      cpuBoundRps: number;
    }
  > = {};
  if (ctx.options.pgStatements) await resetStatements(db);
  const server = await startPreau(ctx, dbUrl, 'daily');
  let profile: string | null = null;
  try {
    for (const [name, requests] of Object.entries(pages)) {
      const first = requests[0]!;
      const probe = await fetch(`${server.url}${first.path}`, { headers: first.headers });
      if (probe.status !== 200)
        throw new Error(`${name}: ${first.path} answered ${probe.status}: ${await probe.text()}`);
      const r = await meteredLoad(ctx, server.pid, server.url, requests);
      results[name] = {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p90Ms: r.latency.p90,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMsPerRequest: r.cpuMs,
        cpuBoundRps: Math.round((cpus().length * 1000) / cpuTotal(r.cpuMs)),
      };
      ctx.say(`  ${name}: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`);
    }
  } finally {
    profile = await server.stop();
  }

  const notes = [
    `portal and /api/me rotate over ${readerCookies.length} students, guardians and teachers; the user list (page 1, 50 per page) over ${principalCookies.length} principals`,
    'the PK select these pages are divided by is measured right after them, on the same database (the baseline scenario ran minutes earlier on a shared machine)',
    "each service's page (`<scenario>.<page>` in the ratios) is measured by its own scenario, on the académie with that service's data and against the PK select measured right after it; `figures.servicePages` says when",
  ];
  const statements = ctx.options.pgStatements ? await topStatements(db) : null;
  if (statements) for (const st of statements) ctx.say(`  ${st.share}% ${st.calls} × ${st.meanMs} ms  ${st.query}`);
  ctx.say('  measuring the PK select baseline right after…');
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((r) => r.id);
  const pk = await pointSelectBaseline(ctx, dbUrl, ids);
  const pointSelectRps = pk.rps;
  ctx.say(`  PK select: ${Math.round(pointSelectRps)} req/s`);
  notes.push(
    'cpuMsPerRequest: CPU milliseconds per request of the server process and of PostgreSQL; cpuVsBaselinePointSelect divides their sum by the PK select’s (the inverse of a throughput ratio, steadier on a shared machine)',
  );
  if (profile) notes.push(`CPU profile of the server: ${profile}`);
  if (Object.keys(ctx.options.serverEnv).length)
    notes.push(
      `server environment: ${Object.entries(ctx.options.serverEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  const base = pointSelectRps;
  return {
    figures: {
      pages: results,
      baselinePointSelectRps: Math.round(base),
      baselinePointSelectCpuMsPerRequest: pk.cpuMs,
      baselineScenarioPointSelectRps: ctx.shared.baseline ? Math.round(ctx.shared.baseline.pointSelectRps) : null,
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
      ...(statements ? { topStatements: statements } : {}),
    },
    ratios: {
      vsBaselinePointSelect: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v.rps / base, 3)])),
      cpuVsBaselinePointSelect: Object.fromEntries(
        Object.entries(results).map(([k, v]) => [k, round(cpuTotal(v.cpuMsPerRequest) / cpuTotal(pk.cpuMs), 1)]),
      ),
    },
    notes,
  };
}
