/**
 * Time the directory import on a folder of AAF files, on a throwaway embedded PostgreSQL (or DATABASE_URL's
 * server, in a database created and dropped for the run): a first import into an empty directory, then the
 * same files again (a no-op), with the time of each phase.
 *
 *   node test/aaf-generator.ts /tmp/lycee            # 2,000 students, 3,500 guardians, 200 staff
 *   node src/cli/measure-import.ts /tmp/lycee
 *   node --max-old-space-size=256 src/cli/measure-import.ts /tmp/aaf100 --once   # the first import, heap capped
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { importForCli } from '../modules/directory/index.ts';
import { createDatabase } from '../platform/db/database.ts';
import { databaseUrl, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('Usage: node src/cli/measure-import.ts <folder of AAF files> [--dry-run] [--once]\n');
  process.exit(2);
}
const folder = resolve(process.env.INIT_CWD || process.cwd(), dir);
const dryRun = process.argv.includes('--dry-run');
// The first import only (not the same files again).
const once = process.argv.includes('--once');

let serverUrl: string;
let stop = async () => {};
if (process.env.DATABASE_URL) serverUrl = databaseUrl(process.env.DATABASE_URL, 'postgres');
else {
  const h = await startEmbeddedPostgres({
    dataDir: join(tmpdir(), `preau-measure-${process.pid}`),
    port: 0,
    ephemeral: true,
  });
  serverUrl = h.url;
  stop = async () => {
    await h.stop();
    rmSync(join(tmpdir(), `preau-measure-${process.pid}`), { recursive: true, force: true });
  };
}
const name = `preau_measure_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = createDatabase(databaseUrl(serverUrl, name), 4);
try {
  await migrateToLatest(db);
  for (const round of once ? ['first import'] : ['first import', 'same files again']) {
    const sources = await Promise.all(
      readdirSync(folder)
        .filter((f) => !f.startsWith('.'))
        .sort()
        .map((f) => importForCli.diskSource(join(folder, f))),
    );
    const bytes = sources.reduce((n, s) => n + s.size, 0);
    const phases: string[] = [];
    const t0 = performance.now();
    let mark = t0;
    let current = '';
    const outcome = await importForCli.runImport(db, {
      kind: 'aaf',
      sources,
      dryRun,
      scope: null,
      jobId: null,
      actorId: null,
      activationCodeDays: 90,
      onProgress: (_p, phase) => {
        const p = phase.split(' ')[0]!;
        if (p === current) return;
        const now = performance.now();
        if (current) phases.push(`${current} ${(now - mark).toFixed(0)} ms`);
        mark = now;
        current = p;
      },
    });
    const end = performance.now();
    phases.push(`${current} ${(end - mark).toFixed(0)} ms`);
    const c = outcome.report.counts;
    const people = c.students.created + c.guardians.created + c.staff.created;
    const seconds = (end - t0) / 1000;
    process.stdout.write(
      `${round}: ${seconds.toFixed(2)} s for ${(bytes / 1e6).toFixed(1)} MB, ${outcome.status}` +
        ` — ${people} accounts created (${Math.round(people / seconds)}/s), ` +
        `students ${JSON.stringify(c.students)}, guardians ${JSON.stringify(c.guardians)}, staff ${JSON.stringify(c.staff)}\n` +
        `  ${phases.join(', ')}\n`,
    );
  }
} finally {
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await stop();
}
