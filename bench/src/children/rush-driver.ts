/**
 * The 8 a.m. rush, from a second process: each distinct user logs in (POST /api/auth/login), then loads the
 * home page as the web app does (GET /api/home for their first establishment: the login's answer carries what
 * GET /api/me says — with a server that does not, GET /api/me first), with
 * `concurrency` users in flight at any moment over keep-alive connections. Bounded: no new user starts after
 * `maxSeconds`. Config (JSON file, argv[2]): `{baseUrl, logins, password, concurrency, maxSeconds}`.
 * A login answered 503 with Retry-After (the server's login queue is past its budget) is tried again after that
 * delay, up to 5 times, as the web app would: counted in `busy`, and an error only if it never gets in.
 * Prints one JSON object: durations, per-step latencies, errors by kind, logins per 10-second slice.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { percentile } from '../lib/stats.ts';

interface Config {
  baseUrl: string;
  logins: string[];
  password: string;
  concurrency: number;
  maxSeconds: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
const base = new URL(config.baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });

interface Answer {
  status: number;
  body: string;
  cookie: string | null;
  retryAfter: number | null;
}

function request(
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; cookie?: string } = {},
): Promise<Answer> {
  return new Promise((ok, fail) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          accept: 'application/json',
          'user-agent': 'preau-bench-rush',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0];
          const retry = Number(res.headers['retry-after']);
          ok({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            cookie: set ? set.split(';')[0]! : null,
            retryAfter: Number.isFinite(retry) ? retry : null,
          });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    if (payload) req.write(payload);
    req.end();
  });
}

const loginMs: number[] = [];
const meMs: number[] = [];
const homeRequestMs: number[] = [];
const homeMs: number[] = [];
const errors: Record<string, number> = {};
const sample: Record<string, string> = {};
const slices: number[] = [];
let done = 0;
/** 503 SERVER_BUSY answers (the login queue's budget): the client waits Retry-After and tries again, as a browser would. */
let busy = 0;
const MAX_BUSY_RETRIES = 5;

const fail = (step: string, detail: string) => {
  errors[step] = (errors[step] ?? 0) + 1;
  sample[step] ??= detail.slice(0, 300);
};

async function user(login: string, started: number): Promise<void> {
  let t = performance.now();
  let res = await request('POST', '/api/auth/login', { body: { login, password: config.password } });
  for (let retry = 0; res.status === 503 && res.retryAfter !== null && retry < MAX_BUSY_RETRIES; retry++) {
    busy++;
    await new Promise((r) => setTimeout(r, Math.min(res.retryAfter!, 30) * 1000));
    res = await request('POST', '/api/auth/login', { body: { login, password: config.password } });
  }
  loginMs.push(performance.now() - t);
  if (res.status !== 200 || !res.cookie) return fail(`login ${res.status}`, res.body);
  const slice = Math.floor((performance.now() - started) / 10_000);
  slices[slice] = (slices[slice] ?? 0) + 1;
  const home = performance.now();
  t = home;
  // As the web app: the login's answer carries what GET /api/me says; older servers' did not.
  type Me = { memberships: { establishment: { id: string } }[] };
  let meBody = (JSON.parse(res.body) as { me?: Me }).me;
  if (!meBody) {
    const me = await request('GET', '/api/me', { cookie: res.cookie });
    meMs.push(performance.now() - t);
    if (me.status !== 200) return fail(`me ${me.status}`, me.body);
    meBody = JSON.parse(me.body) as Me;
  }
  const establishment = meBody.memberships[0]?.establishment.id;
  t = performance.now();
  const first = await request('GET', `/api/home${establishment ? `?establishment=${establishment}` : ''}`, {
    cookie: res.cookie,
  });
  homeRequestMs.push(performance.now() - t);
  if (first.status !== 200) return fail(`home ${first.status}`, first.body);
  homeMs.push(performance.now() - home);
  done++;
}

const started = performance.now();
const deadline = started + config.maxSeconds * 1000;
let nextUser = 0;
let attempted = 0;
async function lane(): Promise<void> {
  while (nextUser < config.logins.length && performance.now() < deadline) {
    const login = config.logins[nextUser++]!;
    attempted++;
    try {
      await user(login, started);
    } catch (e) {
      fail('network', String(e));
    }
  }
}
await Promise.all(Array.from({ length: config.concurrency }, lane));
const seconds = (performance.now() - started) / 1000;
agent.destroy();

const stats = (xs: number[]) => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  max: percentile(xs, 100),
});
process.stdout.write(
  `${JSON.stringify({
    seconds,
    attempted,
    completed: done,
    logins: loginMs.length,
    successfulLogins: slices.reduce((a, b) => a + (b ?? 0), 0),
    stoppedByDeadline: attempted < config.logins.length,
    login: stats(loginMs),
    me: stats(meMs),
    homeRequest: stats(homeRequestMs),
    home: stats(homeMs),
    errors,
    errorSamples: sample,
    busy,
    loginsPer10s: Array.from(slices, (v) => v ?? 0),
  })}\n`,
);
