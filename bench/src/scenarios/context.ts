/** What the scenarios of one `npm run bench` share: the PostgreSQL, the generated académie, same-run baselines. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hash } from '@node-rs/argon2';
import { type Kysely, sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { createDatabase } from '../../../server/src/platform/db/database.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import { ARGON2_OPTIONS } from '../../../server/src/platform/passwords.ts';
import { type Academy, academyCounts, generateAcademy } from '../lib/academy.ts';
import { type BenchCluster, migratedDatabase } from '../lib/database.ts';
import { BENCH_PASSWORD, writeAcademy } from '../lib/db-writer.ts';
import { cpuMeter, freePort, REPO, runChild, type Spawned, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import { RESULTS } from '../lib/results.ts';

export interface RunOptions {
  establishments: number;
  users: number;
  seed: number;
  /** Seconds of each measured steady-load run (after the warm-up). */
  duration: number;
  warmup: number;
  /** autocannon connections of steady-load runs. */
  connections: number;
  /** Rush: users in flight at once. */
  concurrency: number;
  maxRushSeconds: number;
  /** Run the Préau server of rush/daily under --cpu-prof (profiles in bench/results/profiles). */
  cpuProf: boolean;
  /** Rush and daily: report the statements that took most of PostgreSQL's time (pg_stat_statements). */
  pgStatements: boolean;
  /** Extra environment of the Préau server (--server-env), to compare a setting on and off. */
  serverEnv: Record<string, string>;
  /** UV_THREADPOOL_SIZE of the Préau server (argon2 runs on the libuv threadpool); default: Node's (4). */
  serverThreadpool: number | null;
  /** ARGON2_CONCURRENCY of the Préau server (its login queue); default: the server's (cores − 1). */
  argon2Concurrency: number | null;
}

export interface AcademyDb {
  url: string;
  db: Kysely<Database>;
  academy: Academy;
  generateSeconds: number;
  writeSeconds: number;
}

export interface Ctx {
  options: RunOptions;
  cluster: BenchCluster;
  machine: string;
  say: (m: string) => void;
  shared: {
    baseline?: { helloRps: number; pointSelectRps: number; pointSelectCpuMs: number };
    argon2?: { single: number; threadpool: number };
    academy?: Promise<AcademyDb>;
    /** The caches and memory of each server the current scenario started, read just before it stopped. */
    caches?: Record<string, CacheReport>;
  };
}

/** The académie the rush and the daily reads run on: generated once per run, written straight into PostgreSQL. */
export function academyDatabase(ctx: Ctx): Promise<AcademyDb> {
  ctx.shared.academy ??= (async () => {
    // ~2,700 accounts per establishment: enough schools for the asked number of distinct users.
    const establishments = Math.max(ctx.options.establishments, Math.ceil(ctx.options.users / 2300));
    let t = performance.now();
    const academy = generateAcademy({ establishments, seed: ctx.options.seed });
    const generateSeconds = (performance.now() - t) / 1000;
    const c = academyCounts(academy);
    ctx.say(
      `  académie: ${c.establishments} establishments (${c.lycees} lycées, ${c.colleges} collèges), ${c.students} students, ${c.guardians} guardians, ${c.staff} staff`,
    );
    const { url, db } = await migratedDatabase(ctx.cluster, 'preau_bench', 8);
    t = performance.now();
    const written = await writeAcademy(db, academy, { passwordHash: await hash(BENCH_PASSWORD, ARGON2_OPTIONS) });
    ctx.say(`  written into PostgreSQL in ${written.seconds.toFixed(1)} s (${written.rows.app_user} accounts)`);
    // A school morning's database was loaded long ago: vacuumed and analysed. Without this, autovacuum visits
    // every freshly written table during the first scenario and its CPU lands on that scenario's users.
    const writeSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await sql`VACUUM (ANALYZE)`.execute(db);
    ctx.say(`  vacuumed and analysed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return { url, db, academy, generateSeconds, writeSeconds };
  })();
  return ctx.shared.academy;
}

export interface PreauServer {
  url: string;
  pid: number;
  process: Spawned;
  stop: () => Promise<string | null>;
}

/** The real Préau server (server/src/main.ts) in its own process, on the bench database. */
export async function startPreau(
  ctx: Ctx,
  databaseUrl: string,
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<PreauServer> {
  const port = await freePort();
  const profiles = join(RESULTS, 'profiles');
  const profileName = `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  if (ctx.options.cpuProf) mkdirSync(profiles, { recursive: true });
  const p = spawnNode(resolve(REPO, 'server/src/main.ts'), [], {
    execArgv: ctx.options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-name', profileName] : [],
    env: {
      DATABASE_URL: databaseUrl,
      PREAU_DEMO: '0',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      PREAU_JOBS: '0',
      WEB_DIST: '',
      NODE_ENV: 'development',
      ...(ctx.options.serverThreadpool ? { UV_THREADPOOL_SIZE: String(ctx.options.serverThreadpool) } : {}),
      ...(ctx.options.argon2Concurrency ? { ARGON2_CONCURRENCY: String(ctx.options.argon2Concurrency) } : {}),
      ...ctx.options.serverEnv,
      ...extraEnv,
    },
  });
  await waitForOutput(p, /Préau is running/, 60_000);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: p.child.pid!,
    process: p,
    stop: async () => {
      // What it kept in memory under the scenario's load, before it goes (never fails the scenario).
      const report = await cacheReport(ctx, databaseUrl, `http://127.0.0.1:${port}`).catch((e: unknown) => {
        ctx.say(`  caches: not read (${e instanceof Error ? e.message : String(e)})`);
        return null;
      });
      if (report) ctx.shared.caches = { ...ctx.shared.caches, [label]: report };
      await stop(p, 30_000);
      return ctx.options.cpuProf ? join(profiles, profileName) : null;
    },
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  /** Requests of the warm-up run (CPU time per request counts both runs). */
  warmupTotal: number;
  seconds: number;
  latency: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

/** One request of a steady load: a GET by default; a POST carries its JSON body. */
export interface LoadRequest {
  path: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
}

/** A steady-load run with autocannon in a second process; the requests rotate (sessions, ids). */
export function steadyLoad(ctx: Ctx, url: string, requests: LoadRequest[]): Promise<LoadResult> {
  const { duration, warmup, connections } = ctx.options;
  return runChild<LoadResult>(
    'load.ts',
    { url, connections, duration, warmup, requests },
    (duration + warmup + 60) * 1000,
  );
}

export interface CpuPerRequest {
  /** CPU milliseconds of the server process per request (null when unknown). */
  server: number | null;
  /** CPU milliseconds of PostgreSQL (postmaster and backends) per request; null with DATABASE_URL. */
  postgres: number | null;
}

/** A steady-load run, with the CPU time the server process and PostgreSQL spent per request. */
export async function meteredLoad(
  ctx: Ctx,
  serverPid: number,
  url: string,
  requests: LoadRequest[],
): Promise<LoadResult & { cpuMs: CpuPerRequest }> {
  const meter = cpuMeter(serverPid, ctx.cluster.postmasterPid());
  const load = await steadyLoad(ctx, url, requests);
  return { ...load, cpuMs: meter.per(load.total + load.warmupTotal) };
}

export const cpuTotal = (c: CpuPerRequest) => (c.server ?? 0) + (c.postgres ?? 0);

/** What a server keeps in memory after a scenario's load: `GET /api/operator/caches`, summed up. */
export interface CacheReport {
  rssMb: number;
  heapUsedMb: number;
  /** Entries per cache used (only those holding some). */
  entries: Record<string, number>;
  hitRatio: number | null;
}

/**
 * A server's caches and memory, read through `GET /api/operator/caches` with a platform administrator made for the
 * bench (one per database). Null, with a line said, if the server refuses: the scenario's figures stand without it.
 */
export async function cacheReport(ctx: Ctx, databaseUrl: string, serverUrl: string): Promise<CacheReport | null> {
  const db = createDatabase(databaseUrl, 1);
  try {
    return await readCaches(ctx, db, serverUrl);
  } finally {
    await db.destroy();
  }
}

async function readCaches(ctx: Ctx, db: Kysely<Database>, serverUrl: string): Promise<CacheReport | null> {
  const login = 'bench-operator';
  const admin =
    (await db.selectFrom('app_user').select('id').where('login', '=', login).executeTakeFirst()) ??
    (await db
      .insertInto('app_user')
      .values({
        login,
        first_name: 'Bench',
        last_name: 'Operator',
        display_name: 'Bench Operator',
        status: 'active',
        is_platform_admin: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  const config = loadConfig({});
  const s = await createSession(db, config, {
    userId: admin.id,
    rememberMe: false,
    address: '127.0.0.1',
    userAgent: 'preau-bench',
  });
  const res = await fetch(`${serverUrl}/api/operator/caches`, {
    headers: { cookie: `${cookieName(config)}=${s.token}` },
  });
  if (res.status !== 200) {
    ctx.say(`  caches: /api/operator/caches answered ${res.status}`);
    return null;
  }
  const r = (await res.json()) as {
    memory: { rssMb: number; heapUsedMb: number };
    caches: { name: string; entries: number; hits: number; misses: number }[];
  };
  const hits = r.caches.reduce((n, c) => n + c.hits, 0);
  const misses = r.caches.reduce((n, c) => n + c.misses, 0);
  const out = {
    rssMb: r.memory.rssMb,
    heapUsedMb: r.memory.heapUsedMb,
    entries: Object.fromEntries(r.caches.filter((c) => c.entries > 0).map((c) => [c.name, c.entries])),
    hitRatio: hits + misses ? Math.round((1000 * hits) / (hits + misses)) / 1000 : null,
  };
  ctx.say(
    `  caches: heap ${out.heapUsedMb} MB, RSS ${out.rssMb} MB; ${Object.entries(out.entries)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return out;
}
