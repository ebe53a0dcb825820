/**
 * documents: the documents module (issue 11) on the generated académie, against the real Préau server.
 * - uploads per second: distinct 100 KB PDFs sent by teachers to their class spaces, 8 at a time;
 * - downloads per second: students reading those files (autocannon, rotating over files and sessions);
 * - the busiest page, a class space's folder listing (`GET /api/documents/spaces/:id/browse`), read by its
 *   students, as a ratio to the primary-key select measured right after on the same database;
 * - a 1 GB upload, streamed: the server's resident memory sampled every 100 ms must stay flat.
 * Files go to a temporary STORAGE_DIR, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { CHILDREN, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { percentile, round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';

const UPLOADS = 240;
const UPLOAD_BYTES = 100 * 1024;
const BIG_BYTES = 1024 ** 3;

function pdf(size: number): Buffer {
  const head = Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${randomBytes(8).toString('hex')}\n`,
    'latin1',
  );
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
}

function multipart(name: string, bytes: Buffer) {
  const boundary = `----bench${randomBytes(6).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** Resident memory of a process now, in MB (not the lifetime high-water mark). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
}

/** Streams a multipart body of `size` bytes of PDF (generated chunk by chunk) to the server; resolves its answer. */
function bigUpload(base: string, path: string, headers: Record<string, string>, size: number) {
  const boundary = `----big${randomBytes(6).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Vidéo de la sortie.pdf"\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const first = pdf(1024);
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      if (sent === 0) {
        req.write(head);
        req.write(first);
        sent = first.length;
      }
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

async function pointSelect(ctx: Ctx, dbUrl: string, ids: string[]) {
  const server = spawnNode(join(CHILDREN, 'baseline-server.ts'), [dbUrl]);
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

export async function documentsScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const config = loadConfig({});
  const cookie = cookieName(config);
  const session = async (userId: string) =>
    `${cookie}=${(await createSession(db, config, { userId, rememberMe: false, address: '127.0.0.1', userAgent: 'preau-bench-documents' })).token}`;
  const csrf = async (userId: string) => {
    const s = await createSession(db, config, { userId, rememberMe: false, address: '127.0.0.1', userAgent: 'bench' });
    return { cookie: `${cookie}=${s.token}`, csrf: s.csrfToken };
  };

  // Teachers and one class each (their first), with that class's students.
  const pairs = (
    await sql<{ teacher_id: string; class_id: string; establishment_id: string }>`
      SELECT DISTINCT ON (ta.teacher_id) ta.teacher_id, ta.class_id, ta.establishment_id
      FROM teaching_assignment ta WHERE ta.class_id IS NOT NULL
      ORDER BY ta.teacher_id, ta.class_id`.execute(db)
  ).rows.slice(0, 24);
  // The charter: every demo-less académie has none, nothing to accept. The service is open by default.
  const storageDir = mkdtempSync(join(tmpdir(), 'preau-bench-files-'));
  const server = await startPreau(ctx, dbUrl, 'documents', {
    STORAGE_DIR: storageDir,
    DOCUMENTS_MAX_FILE_MB: String(Math.ceil(BIG_BYTES / 1024 ** 2) + 16),
  });
  const figures: Record<string, unknown> = {};
  const notes: string[] = [];
  try {
    const teachers = await Promise.all(
      pairs.map(async (p) => {
        const s = await csrf(p.teacher_id);
        const res = await fetch(`${server.url}/api/documents/spaces?establishment=${p.establishment_id}`, {
          headers: { cookie: s.cookie },
        });
        if (res.status !== 200) throw new Error(`spaces: ${res.status} ${await res.text()}`);
        const space = ((await res.json()) as { items: { id: string; classId?: string }[] }).items.find(
          (x) => x.classId === p.class_id,
        );
        if (!space) throw new Error('no class space');
        return { ...p, ...s, spaceId: space.id };
      }),
    );

    // Uploads per second.
    const files: { id: string; classId: string }[] = [];
    const latencies: number[] = [];
    let failed = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < UPLOADS; i = next++) {
          const t = teachers[i % teachers.length]!;
          const m = multipart(`Fiche ${i}.pdf`, pdf(UPLOAD_BYTES));
          const t0 = performance.now();
          const res = await fetch(`${server.url}/api/documents/spaces/${t.spaceId}/files`, {
            method: 'POST',
            headers: { cookie: t.cookie, 'x-csrf-token': t.csrf, 'content-type': m.type },
            body: m.body,
          });
          latencies.push(performance.now() - t0);
          if (res.status === 201) files.push({ id: ((await res.json()) as { id: string }).id, classId: t.class_id });
          else failed++;
        }
      }),
    );
    const uploadSeconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    figures.uploads = {
      count: UPLOADS,
      bytesEach: UPLOAD_BYTES,
      concurrency: 8,
      perSecond: round(UPLOADS / uploadSeconds, 1),
      mbPerSecond: round((UPLOADS * UPLOAD_BYTES) / 1024 ** 2 / uploadSeconds, 1),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      errors: failed,
    };
    ctx.say(`  uploads: ${round(UPLOADS / uploadSeconds, 1)}/s (p99 ${round(percentile(latencies, 99), 1)} ms)`);

    // Students of those classes.
    const students = (
      await sql<{ student_id: string; class_id: string }>`
        SELECT e.student_id, e.class_id FROM enrolment e
        WHERE e.class_id = ANY(${pairs.map((p) => p.class_id)}::uuid[])`.execute(db)
    ).rows.slice(0, 400);
    const studentCookies = await Promise.all(
      students.map(async (s) => ({ ...s, cookie: await session(s.student_id) })),
    );
    const spaceOfClass = new Map(teachers.map((t) => [t.class_id, t.spaceId]));
    const fileOfClass = new Map<string, string[]>();
    for (const f of files) fileOfClass.set(f.classId, [...(fileOfClass.get(f.classId) ?? []), f.id]);

    const pages = {
      download: studentCookies.flatMap((s) =>
        (fileOfClass.get(s.class_id) ?? []).slice(0, 3).map((id) => ({
          path: `/api/documents/files/${id}/content`,
          headers: { cookie: s.cookie },
        })),
      ),
      browse: studentCookies.map((s) => ({
        path: `/api/documents/spaces/${spaceOfClass.get(s.class_id)}/browse`,
        headers: { cookie: s.cookie },
      })),
    };
    const loads: Record<string, { rps: number; p50Ms: number; p99Ms: number; errors: number; cpuMs: unknown }> = {};
    for (const [name, requests] of Object.entries(pages)) {
      const probe = await fetch(`${server.url}${requests[0]!.path}`, { headers: requests[0]!.headers });
      if (probe.status !== 200) throw new Error(`${name}: ${probe.status} ${await probe.text()}`);
      await probe.arrayBuffer();
      const r = await meteredLoad(ctx, server.pid, server.url, requests);
      loads[name] = {
        rps: Math.round(r.requestsPerSecond),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuMs: r.cpuMs,
      };
      ctx.say(`  ${name}: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`);
    }
    figures.pages = loads;

    // 1 GB upload, memory sampled.
    const t = teachers[0]!;
    const before = rssMb(server.pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(server.pid));
    }, 100);
    const t0 = performance.now();
    const big = await bigUpload(
      server.url,
      `/api/documents/spaces/${t.spaceId}/files`,
      { cookie: t.cookie, 'x-csrf-token': t.csrf },
      BIG_BYTES,
    );
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(server.pid));
    if (big.status === 413) notes.push(`the 1 GB upload was refused by the quota: ${big.body}`);
    figures.bigUpload = {
      bytes: BIG_BYTES,
      status: big.status,
      seconds: round(seconds, 1),
      mbPerSecond: round(BIG_BYTES / 1024 ** 2 / seconds, 1),
      rssBeforeMb: before,
      rssPeakMb: peak,
      rssGrowthMb: round(peak - before, 1),
    };
    ctx.say(`  1 GB upload: ${big.status} in ${round(seconds, 1)} s; server RSS ${before} → peak ${peak} MB`);
  } finally {
    await server.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }

  ctx.say('  measuring the PK select baseline right after…');
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((r) => r.id);
  const pk = await pointSelect(ctx, dbUrl, ids);
  const loads = figures.pages as Record<
    string,
    { rps: number; cpuMs: { server: number | null; postgres: number | null } }
  >;
  notes.push(
    `uploads: ${UPLOADS} distinct files of ${UPLOAD_BYTES / 1024} KB by ${pairs.length} teachers to their class spaces, 8 in flight; downloads and browse rotate over the sessions of the classes' students (autocannon)`,
    'the 1 GB upload streams a generated body over one connection; RSS is sampled every 100 ms (VmRSS, not the lifetime peak)',
  );
  return {
    figures: {
      ...figures,
      baselinePointSelectRps: Math.round(pk.rps),
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      vsBaselinePointSelect: Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, round(v.rps / pk.rps, 3)])),
      cpuVsBaselinePointSelect: Object.fromEntries(
        Object.entries(loads).map(([k, v]) => [k, round(cpuTotal(v.cpuMs) / cpuTotal(pk.cpuMs), 1)]),
      ),
    },
    notes,
  };
}
