/**
 * The memory of a grouped import's first-pass index (partition.ts), per person: heap used (and typed arrays' bytes)
 * after a full GC with the
 * first pass held, then without its index; the same after the partition (on a throwaway embedded PostgreSQL, an
 * empty directory). Memory, not time: steady on a shared machine.
 *
 *   npm run bench:generate -- --establishments 100 --out /tmp/aaf100 --no-check
 *   cd server && ../node_modules/.bin/node --expose-gc test/measure-import-index.ts /tmp/aaf100
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { dropFirstPass, firstPass, partition } from '../src/modules/directory/import/partition.ts';
import { diskSource } from '../src/modules/directory/import/sources.ts';
import { createDatabase } from '../src/platform/db/database.ts';
import { databaseUrl, startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('Run with node --expose-gc\n');
  process.exit(2);
}
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('Usage: node --expose-gc test/measure-import-index.ts <folder of AAF files>\n');
  process.exit(2);
}
const folder = resolve(process.env.INIT_CWD || process.cwd(), dir);
const heap = () => {
  gc();
  gc();
  // Typed arrays and buffers keep their bytes outside the JavaScript heap.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

const sources = await Promise.all(
  readdirSync(folder)
    .filter((f) => !f.startsWith('.') && f.endsWith('.xml'))
    .sort()
    .map((f) => diskSource(join(folder, f))),
);
const base = heap();
const pass = await firstPass(sources, () => {});
const people = ((scan: unknown) => {
  const counted = scan as { size?: number; people?: Map<string, unknown> };
  return counted.people?.size ?? counted.size ?? 0;
})(pass.scan);
const afterPass = heap();

const dataDir = join(tmpdir(), `preau-measure-index-${process.pid}`);
const pgh = await startEmbeddedPostgres({ dataDir, port: 0, ephemeral: true });
const name = `preau_measure_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: pgh.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = createDatabase(databaseUrl(pgh.url, name), 4);
try {
  await migrateToLatest(db);
  // Held in an object and awaited in a function of its own: an async function keeps its last awaited value.
  const held: { part: Awaited<ReturnType<typeof partition>> | null } = { part: null };
  const groups = await (async () => {
    held.part = await partition(db, pass, 20_000);
    return held.part.groups.length;
  })();
  const afterPartition = heap();
  held.part = null;
  const indexOnly = heap();
  (pass as { scan: unknown }).scan = null;
  const rest = heap();
  const per = (n: number) => `${mb(n)}, ${(n / people).toFixed(0)} bytes per person`;
  process.stdout.write(
    `${people} people, ${groups} groups; heap ${mb(base)} before, ${mb(afterPass)} after the first pass, ` +
      `${mb(afterPartition)} after the partition, ${mb(rest)} without the index\n` +
      `the index at the end of the first pass: ${per(afterPass - rest)}\n` +
      `held while the groups are written: the index ${per(indexOnly - rest)}; with the partition ${per(afterPartition - rest)}\n`,
  );
} finally {
  await dropFirstPass(pass);
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await pgh.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
