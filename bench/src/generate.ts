/**
 * npm run bench:generate -- --establishments N [--seed S] [--out DIR] [--db URL] [--preset lycee]
 *                           [--delta 0.01] [--part-size 1500] [--prefix ENT2D] [--date 2026-09-01] [--no-check]
 *
 * Writes a generated académie as AAF XML files (checked with Préau's own parser) and/or into a database.
 * Without --out nor --db, the files go to bench/generated/<name>.
 */
import { resolve } from 'node:path';
import { hash } from '@node-rs/argon2';
import { createDatabase } from '../../server/src/platform/db/database.ts';
import { migrateToLatest } from '../../server/src/platform/db/migrate.ts';
import { ARGON2_OPTIONS } from '../../server/src/platform/passwords.ts';
import { checkAafFiles } from './lib/aaf-check.ts';
import { deltaDate, deltaRequests, writeFullExport, writeRequests } from './lib/aaf-writer.ts';
import { type AcademyOptions, academyCounts, generateAcademy, LYCEE_PRESET } from './lib/academy.ts';
import { intOption, parseArgs } from './lib/args.ts';
import { BENCH_PASSWORD, writeAcademy } from './lib/db-writer.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    establishments: { type: 'string', short: 'n' },
    preset: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    db: { type: 'string' },
    delta: { type: 'string' },
    'part-size': { type: 'string' },
    prefix: { type: 'string' },
    date: { type: 'string' },
    'no-check': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'npm run bench:generate -- --establishments N [options]',
      '  --establishments N   lycées and collèges to generate (default 10)',
      '  --preset lycee       one lycée: 2,000 students, 3,500 guardians, 200 staff (the import scenario)',
      '  --seed S             PRNG seed (default 2026): same seed, same académie',
      '  --out DIR            write AAF XML files there (full export; with --delta, a delta in DIR/delta)',
      '  --db URL             write into this PostgreSQL database (migrated first; must not hold these schools)',
      '  --delta F            also write a delta touching F of the persons (e.g. 0.01)',
      '  --part-size N        records per file before a type is split (default 1500)',
      '  --prefix P           file name prefix (default ENT2D)',
      '  --date YYYY-MM-DD    export date (default 2026-09-01)',
      '  --no-check           skip reading the files back with Préau’s AAF parser',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const say = (m: string) => process.stdout.write(`${m}\n`);
const seed = intOption(values.seed, 'seed', 2026);
const preset = values.preset;
if (preset && preset !== 'lycee') throw new Error(`Unknown preset "${preset}" (known: lycee)`);
const establishments = intOption(values.establishments, 'establishments', 10);
const options: AcademyOptions = preset
  ? { ...LYCEE_PRESET, seed, date: values.date }
  : { establishments, seed, date: values.date };
const name = preset ? `${preset}-seed${seed}` : `academie-${establishments}-seed${seed}`;
const out = values.out ?? (values.db ? undefined : resolve(import.meta.dirname, '../generated', name));

let t = performance.now();
const academy = generateAcademy(options);
const counts = academyCounts(academy);
say(
  `Generated ${name} in ${((performance.now() - t) / 1000).toFixed(1)} s: ${counts.lycees} lycée(s), ${counts.colleges} collège(s), ` +
    `${counts.students} students, ${counts.guardians} guardians (${(counts.guardians / counts.students).toFixed(2)}/student), ` +
    `${counts.staff} staff (${((100 * counts.staff) / counts.students).toFixed(1)}%), ${counts.classes} classes, ` +
    `${counts.groups} groups, ${counts.assignments} teaching assignments.`,
);

let failed = false;
if (out) {
  t = performance.now();
  const files = writeFullExport(academy, {
    dir: out,
    prefix: values.prefix,
    partSize: intOption(values['part-size'], 'part-size', 1500),
  });
  const mb = files.reduce((n, f) => n + f.bytes, 0) / 1e6;
  say(
    `Wrote ${files.length} AAF files (${mb.toFixed(1)} MB) to ${out} in ${((performance.now() - t) / 1000).toFixed(1)} s.`,
  );
  const all = [files];
  if (values.delta) {
    const fraction = Number(values.delta);
    const delta = deltaRequests(academy, fraction, seed);
    const deltaFiles = writeRequests(delta.byType, {
      dir: resolve(out, 'delta'),
      prefix: values.prefix,
      mode: 'Delta',
      date: deltaDate(academy),
    });
    all.push(deltaFiles);
    say(`Wrote a ${fraction * 100}% delta: ${JSON.stringify(delta.summary)} in ${resolve(out, 'delta')}.`);
  }
  if (!values['no-check']) {
    for (const [i, set] of all.entries()) {
      t = performance.now();
      const check = await checkAafFiles(
        set.map((f) => f.path),
        { full: i === 0 },
      );
      const what = i === 0 ? 'full export' : 'delta';
      if (check.issues.length === 0) {
        say(
          `Checked the ${what} with Préau's AAF parser: ${check.records} records, no anomaly (${((performance.now() - t) / 1000).toFixed(1)} s).`,
        );
      } else {
        failed = true;
        say(`The ${what} has ${check.issues.length} anomalies, e.g.:`);
        for (const issue of check.issues.slice(0, 10)) say(`  ${issue.code}: ${issue.message}`);
      }
    }
  }
}

if (values.db) {
  const db = createDatabase(values.db, 4);
  try {
    await migrateToLatest(db);
    const passwordHash = await hash(BENCH_PASSWORD, ARGON2_OPTIONS);
    const written = await writeAcademy(db, academy, { passwordHash });
    say(
      `Wrote the académie into the database in ${written.seconds.toFixed(1)} s: ${Object.entries(written.rows)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. Every account is active with the password "${BENCH_PASSWORD}".`,
    );
  } finally {
    await db.destroy();
  }
}
process.exitCode = failed ? 1 : 0;
