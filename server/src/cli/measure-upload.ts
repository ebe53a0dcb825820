/**
 * What a big upload does to the server: starts Préau (`src/main.ts`, demo académie, a throwaway DATA_DIR),
 * streams a generated CSV file of the given size to the preview (the mapping step) and then to a dry-run
 * import, and meanwhile samples every 100 ms the server's resident memory (/proc, worker threads included)
 * (with its child processes: the import process) and the latency of `GET /api/health`. Prints one line per step and a JSON summary.
 *
 *   node src/cli/measure-upload.ts [--mb 190] [--steps preview,dryrun] [--timeout 600]
 *   node src/cli/measure-upload.ts --aaf-dir /tmp/aaf --steps aaf,aaf-archive   # an AAF export: files, then one .tar.gz
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '190' },
    steps: { type: 'string', default: 'preview,dryrun' },
    timeout: { type: 'string', default: '600' },
    port: { type: 'string', default: String(40_000 + (process.pid % 10_000)) },
    'aaf-dir': { type: 'string' },
  },
});
const AAF_DIR = values['aaf-dir'] ? resolve(process.env.INIT_CWD || process.cwd(), values['aaf-dir']) : null;
const MB = Number(values.mb);
const STEPS = values.steps!.split(',');
const TIMEOUT_MS = Number(values.timeout) * 1000;
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;
const say = (m: string) => process.stdout.write(`${m}\n`);

const work = mkdtempSync(join(tmpdir(), 'preau-upload-'));
chmodSync(work, 0o755); // the embedded PostgreSQL runs as another user when we are root
const csvPath = join(work, 'eleves.csv');

/** A students' file with R1/R2 columns, about `mb` MB, distinct people. */
async function generateCsv(mb: number) {
  const out = createWriteStream(csvPath);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r)));
  await write(
    'Nom;Prénom;Date de naissance;Classe;INE;Nom R1;Prénom R1;Courriel R1;Téléphone portable R1;Nom R2;Prénom R2;Courriel R2\n',
  );
  const target = mb * 1024 * 1024;
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const n = i.toString(36).toUpperCase();
    const line = `NOM${n};Prénom${n};${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/2010;${(i % 7) + 3}E${i % 5};${String(i).padStart(10, '0')}A;NOM${n};Parent${n};parent${n}@example.fr;06 ${String(i % 100).padStart(2, '0')} 00 00 00;NOM${n};Autre${n};autre${n}@example.fr\n`;
    bytes += Buffer.byteLength(line);
    await write(line);
  }
  await new Promise<void>((r) => out.end(r));
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the server and of its children (the import process), in MB. */
function rssMb(pid: number): number {
  let kb = rssOf(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kb += rssOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 1024);
}

async function startServer() {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      DATA_DIR: join(work, 'data'),
      PORT: String(PORT),
      PREAU_DEMO: '1',
      WEB_DIST: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok, ko) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('Préau is running')) ok();
    });
    child.once('exit', (code) => ko(new Error(`server exited (${code})`)));
  });
  child.stdout!.resume();
  return child;
}

async function login(user: string) {
  const res = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: BASE },
    body: JSON.stringify({ login: user, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

/** A multipart body streamed from disk: the files are never held in this process's memory either. */
function multipartStream(paths: string | string[], fields: Record<string, string>) {
  const boundary = `----preau${Date.now().toString(16)}`;
  async function* body() {
    for (const [k, v] of Object.entries(fields))
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    for (const path of [paths].flat()) {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${basename(path)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) yield c as Buffer;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return {
    stream: Readable.toWeb(Readable.from(body())) as ReadableStream,
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

interface Sample {
  t: number;
  rss: number;
}
/** RSS every 100 ms; health probes one after another (a slow probe delays the next, as a load balancer's would). */
function sampler(pid: number) {
  const samples: Sample[] = [];
  const health: number[] = [];
  let timeouts = 0;
  let running = true;
  const t0 = Date.now();
  const rssTimer = setInterval(() => samples.push({ t: Date.now() - t0, rss: rssMb(pid) }), 100);
  const probe = (async () => {
    while (running) {
      const start = performance.now();
      try {
        const res = await fetch(`${BASE}/api/health`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        health.push(performance.now() - start);
      } catch {
        timeouts++;
        health.push(performance.now() - start);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      clearInterval(rssTimer);
      await probe;
      const sorted = [...health].sort((a, b) => a - b);
      const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
      return {
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        peakRssMb: Math.max(0, ...samples.map((s) => s.rss)),
        healthProbes: health.length,
        healthP50Ms: q(0.5),
        healthP99Ms: q(0.99),
        healthMaxMs: Math.round(sorted.at(-1) ?? 0),
        healthTimeouts: timeouts,
      };
    },
  };
}

async function step(name: string, pid: number, auth: { cookie: string; csrfToken: string }) {
  const s = sampler(pid);
  const headers = (type: string) => ({ cookie: auth.cookie, 'x-csrf-token': auth.csrfToken, 'content-type': type });
  let outcome = '';
  try {
    if (name === 'preview') {
      const { stream, type } = multipartStream(csvPath, {});
      const res = await fetch(`${BASE}/api/imports/csv/preview`, {
        method: 'POST',
        headers: headers(type),
        body: stream,
        duplex: 'half',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      } as RequestInit);
      const json = (await res.json()) as { files?: { rows: number }[]; code?: string };
      outcome = `${res.status} ${json.files ? `${json.files[0]?.rows} rows` : json.code}`;
    } else {
      let upload: string | string[] = csvPath;
      if (name === 'aaf') upload = readdirSync(AAF_DIR!).map((f) => join(AAF_DIR!, f));
      if (name === 'aaf-archive') {
        upload = join(work, 'aaf-complet.tar.gz');
        execFileSync('tar', ['-czf', upload, '-C', AAF_DIR!, '.']);
      }
      const { stream, type } = multipartStream(upload, name === 'dryrun' ? { dryRun: 'true' } : {});
      const res = await fetch(`${BASE}/api/imports`, {
        method: 'POST',
        headers: headers(type),
        body: stream,
        duplex: 'half',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      } as RequestInit);
      const json = (await res.json()) as { id?: string; code?: string };
      if (!json.id) outcome = `${res.status} ${json.code}`;
      else {
        const deadline = Date.now() + TIMEOUT_MS;
        for (;;) {
          const job = (await (
            await fetch(`${BASE}/api/imports/${json.id}`, { headers: { cookie: auth.cookie } })
          ).json()) as {
            status: string;
            phase: string;
            report?: { anomalies: { code: string }[] };
          };
          if (job.status !== 'queued' && job.status !== 'running') {
            const codes = [...new Set(job.report?.anomalies.map((a) => a.code) ?? [])].slice(0, 5).join(',');
            const c = (job.report as { counts?: Record<string, { created: number }> } | undefined)?.counts;
            const made = c
              ? ` ${c.establishments?.created} establishments, ${c.students?.created} students created`
              : '';
            outcome = `job ${job.status} (${codes})${made}`;
            break;
          }
          if (Date.now() > deadline) {
            outcome = `job still ${job.status} (${job.phase}) after ${TIMEOUT_MS / 1000} s`;
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  } catch (e) {
    outcome = `error: ${(e as Error).message}`;
  }
  const figures = await s.stop();
  say(`${name}: ${outcome}; ${JSON.stringify(figures)}`);
  return { step: name, outcome, ...figures };
}

if (STEPS.some((s) => s === 'preview' || s === 'dryrun' || s === 'import')) {
  say(`Generating a ${MB} MB CSV file…`);
  await generateCsv(MB);
  say(`${(statSync(csvPath).size / 1024 / 1024).toFixed(0)} MB`);
}
say('Starting Préau…');
const server = await startServer();
const results: unknown[] = [];
try {
  const idle = sampler(server.pid!);
  await new Promise((r) => setTimeout(r, 2000));
  results.push({ step: 'idle', ...(await idle.stop()) });
  say(`idle: ${JSON.stringify(results[0])}`);
  const local = await login('direction.demo');
  const platform = STEPS.some((s) => s.startsWith('aaf')) ? await login('admin.demo') : local;
  for (const name of STEPS) results.push(await step(name, server.pid!, name.startsWith('aaf') ? platform : local));
} finally {
  if (server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
}
say(JSON.stringify({ mb: MB, results }, null, 2));
