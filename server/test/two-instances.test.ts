import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, makeEstablishment, makeUser, PASSWORD, urlOf } from './helpers.ts';

/**
 * Two Préau server processes on one PostgreSQL, behind a round-robin proxy, as in production behind a load
 * balancer: what one instance learns or changes, the other honours — sessions (stored in PostgreSQL), in-memory
 * caches (invalidated through LISTEN/NOTIFY) and scheduled jobs (pg-boss: once per cluster). Messaging's live
 * notifications join this test when messaging exists.
 */

const ROOT = resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => ok(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
}

async function startInstance(name: string, databaseUrl: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      PREAU_DEMO: '0',
      PREAU_JOBS: '1',
      LOG_LEVEL: 'warn',
      WEB_DIST: '',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`instance ${name} did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/Préau is running/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`instance ${name} exited (${code}):\n${out}`));
    });
  });
  return { name, port, child };
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null) return;
  const exited = new Promise<void>((ok) => i.child.once('exit', () => ok()));
  i.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 20_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') i.child.kill('SIGKILL');
}

/** The load balancer: round robin, and it says which instance answered (`x-instance`). */
function roundRobin(instances: Instance[]): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const target = instances[next++ % instances.length]!;
    const upstream = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-instance': target.name });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      ok({
        url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

interface Answer {
  status: number;
  instance: string | null;
  body: Record<string, unknown>;
  cookie: string | null;
}

async function call(
  base: string,
  method: string,
  path: string,
  opts: { cookie?: string; csrf?: string; body?: unknown } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    instance: res.headers.get('x-instance'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    cookie: setCookie ? setCookie.split(';')[0]! : null,
  };
}

/** Polls until `check` holds; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}

describe('two instances, one database', () => {
  let a: Instance;
  let b: Instance;
  let proxy: { url: string; close: () => Promise<void> };
  let boss: PgBoss;
  let url: string;
  let establishmentId: string;
  let studentLogin: string;
  let principalLogin: string;
  const direct = (i: Instance) => `http://127.0.0.1:${i.port}`;

  beforeAll(async () => {
    const db = await freshDatabase();
    url = urlOf(db);
    const est = await makeEstablishment(db);
    establishmentId = est.id;
    studentLogin = (await makeUser(db, { establishmentId: est.id, profiles: ['student'] })).login;
    principalLogin = (await makeUser(db, { establishmentId: est.id, profiles: ['principal'] })).login;
    [a, b] = await Promise.all([startInstance('A', url), startInstance('B', url)]);
    proxy = await roundRobin([a, b]);
    // A per-minute schedule on a queue nobody works: only the instances' pg-boss can send its jobs.
    boss = new PgBoss({ connectionString: url, schedule: false, supervise: false, max: 2 });
    await boss.start();
    await boss.createQueue('perf.two_instances_tick');
    await boss.schedule('perf.two_instances_tick', '* * * * *');
  }, 120_000);

  afterAll(async () => {
    await boss?.stop({ graceful: false }).catch(() => {});
    await proxy?.close();
    await Promise.all([a && stopInstance(a), b && stopInstance(b)]);
  }, 60_000);

  it('a session made on one instance is honoured by the other; its logout reaches the other at once', async () => {
    const login = await call(proxy.url, 'POST', '/api/auth/login', {
      body: { login: studentLogin, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookie = login.cookie!;
    const csrf = login.body.csrfToken as string;
    const me = await call(proxy.url, 'GET', '/api/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.instance).not.toBe(login.instance); // the round robin sent it to the other instance
    expect((me.body.user as { login: string }).login).toBe(studentLogin);
    // Both instances now hold the session in memory.
    for (const i of [a, b]) expect((await call(direct(i), 'GET', '/api/me', { cookie })).status).toBe(200);

    const logout = await call(direct(a), 'POST', '/api/auth/logout', { cookie, csrf });
    expect(logout.status).toBe(204);
    // B had the session cached: the trigger's notification drops it there.
    const ms = await within(2_000, async () => (await call(direct(b), 'GET', '/api/me', { cookie })).status === 401);
    expect(ms).toBeLessThan(2_000);
    expect((await call(direct(a), 'GET', '/api/me', { cookie })).status).toBe(401);
  });

  it('a change made on one instance is seen by the other, whose cache held the old value', async () => {
    const login = await call(proxy.url, 'POST', '/api/auth/login', {
      body: { login: principalLogin, password: PASSWORD },
    });
    const cookie = login.cookie!;
    const csrf = login.body.csrfToken as string;
    const portal = `/api/portal?establishment=${establishmentId}`;
    const keys = async (i: Instance) => {
      const res = await call(direct(i), 'GET', portal, { cookie });
      expect(res.status).toBe(200);
      return (res.body.services as { key: string }[]).map((s) => s.key);
    };
    const before = await keys(b); // B caches the establishment's service settings
    expect(before.length).toBeGreaterThan(0);
    const closed = before[0]!;
    const patch = await call(direct(a), 'PATCH', `/api/establishments/${establishmentId}/services/${closed}`, {
      cookie,
      csrf,
      body: { status: 'closed' },
    });
    expect(patch.status).toBe(200);
    expect(await keys(a)).not.toContain(closed); // the writer itself, at once (its barrier)
    const ms = await within(2_000, async () => !(await keys(b)).includes(closed));
    expect(ms).toBeLessThan(2_000);
  });

  it('a scheduled job is sent once per occurrence by the cluster, not once per instance', async () => {
    // The instances' cron passes (each claims the cluster's pass every 30 s) file each due occurrence under its
    // minute slot, and pg-boss's singleton on that slot keeps a second instance from filing it again.
    const jobs = () => boss.findJobs('perf.two_instances_tick');
    await within(125_000, async () => (await jobs()).length > 0);
    await new Promise((r) => setTimeout(r, 35_000)); // the other instance's pass has run too
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const filed = await db.query<{ slot: string }>(
        `SELECT data->>'slot' AS slot FROM pgboss.job WHERE name = '__pgboss__send-it' AND data->>'name' = $1`,
        ['perf.two_instances_tick'],
      );
      const slots = filed.rows.map((r) => r.slot);
      expect(slots.length).toBeGreaterThanOrEqual(1);
      expect(new Set(slots).size).toBe(slots.length); // no occurrence filed twice
      expect(await jobs()).toHaveLength(slots.length); // and each sent once
    } finally {
      await db.end();
    }
    // The schedule itself is one row, though both instances started with it in the database.
    const schedules = await boss.getSchedules();
    expect(schedules.filter((s) => s.name === 'perf.two_instances_tick')).toHaveLength(1);
  }, 200_000);
});
