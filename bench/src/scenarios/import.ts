/**
 * import: the AAF import through the operators' CLI (`npm run directory:import -- --json <files…>`), each on a
 * fresh bench database: one lycée (2,000 students, 3,500 guardians, 200 staff), the same files again (a
 * re-import must change nothing), then an académie of N establishments and a 1% delta on it. Times are
 * the import job's own (and the CLI's wall-clock); memory is the peak resident set of the CLI process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import { deltaDate, deltaRequests, writeFullExport, writeRequests } from '../lib/aaf-writer.ts';
import { type Academy, academyCounts, generateAcademy, LYCEE_PRESET } from '../lib/academy.ts';
import { migratedDatabase } from '../lib/database.ts';
import { lastJson, memorySampler, REPO, spawnProcess } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import type { Ctx } from './context.ts';

export const IMPORT_UNAVAILABLE = 'directory import not available';

const DIRECTORY_TABLES = [
  'establishment',
  'school_year',
  'subject',
  'mef',
  'class',
  'teaching_group',
  'app_user',
  'membership',
  'enrolment',
  'guardianship',
  'teaching_assignment',
  'head_teacher',
] as const;

interface Command {
  command: string;
  args: string[];
  cwd: string;
}

/** How to run the import CLI: its node script directly when the npm script is a plain `node x.ts`, else npm. */
export function importCommand(): Command | null {
  const pkgFile = join(REPO, 'server/package.json');
  const scripts = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const script = scripts['directory:import'];
  if (!script) return null;
  const plain = /^node\s+((?:--[\w-]+(?:=\S+)?\s+)*)(\S+\.[cm]?[jt]s)\s*$/.exec(script);
  if (plain && existsSync(join(REPO, 'server', plain[2]!))) {
    return {
      command: process.execPath,
      args: [...plain[1]!.trim().split(/\s+/).filter(Boolean), plain[2]!],
      cwd: join(REPO, 'server'),
    };
  }
  return { command: 'npm', args: ['run', '--silent', 'directory:import', '-w', 'server', '--'], cwd: REPO };
}

async function rowCounts(db: Kysely<Database>): Promise<number> {
  const parts = DIRECTORY_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ');
  const res = await sql<{ n: number }>`SELECT ${sql.raw(parts)} AS n`.execute(db);
  return Number(res.rows[0]!.n);
}

interface ImportRun {
  /** The import job's own duration (startedAt → finishedAt), else the CLI's wall-clock. */
  seconds: number;
  cliSeconds: number;
  peakRssMb: number;
  rowsAdded: number;
  report: Record<string, unknown>;
}

async function runImport(
  ctx: Ctx,
  cmd: Command,
  dbUrl: string,
  db: Kysely<Database>,
  files: string[],
): Promise<ImportRun> {
  const before = await rowCounts(db);
  const started = performance.now();
  const p = spawnProcess(cmd.command, [...cmd.args, '--json', ...files], {
    cwd: cmd.cwd,
    env: { DATABASE_URL: dbUrl, PREAU_DEMO: '0', LOG_LEVEL: 'warn' },
  });
  const memory = memorySampler(p.child.pid!, { tree: true, everyMs: 50 });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 600_000);
  const code = await p.exited;
  clearTimeout(timer);
  const cliSeconds = (performance.now() - started) / 1000;
  const mem = memory.stop();
  let json: Record<string, unknown> | null = null;
  try {
    json = lastJson<Record<string, unknown>>(p.output());
  } catch {
    // no JSON: reported below with the exit code
  }
  if (code !== 0 || !json) {
    const detail = json ? JSON.stringify(json).slice(0, 1500) : `${p.errors().slice(-1500)} ${p.output().slice(-500)}`;
    throw new Error(`the import CLI failed (exit ${code}): ${detail}`);
  }
  const report = (json.report as Record<string, unknown> | undefined) ?? json;
  const startedAt = typeof json.startedAt === 'string' ? Date.parse(json.startedAt) : Number.NaN;
  const finishedAt = typeof json.finishedAt === 'string' ? Date.parse(json.finishedAt) : Number.NaN;
  const engine = Number.isFinite(startedAt) && Number.isFinite(finishedAt) ? (finishedAt - startedAt) / 1000 : null;
  const after = await rowCounts(db);
  ctx.say(
    `    ${files.length} files: ${engine === null ? '' : `import job ${engine.toFixed(2)} s, `}CLI ${cliSeconds.toFixed(2)} s, peak ${mem.peakMb} MB, ${after - before} rows added`,
  );
  return { seconds: engine ?? cliSeconds, cliSeconds, peakRssMb: mem.peakMb, rowsAdded: after - before, report };
}

/** Anomalies of an import report, by code (`{}` = none); null when the report has no anomaly list. */
function anomalies(report: Record<string, unknown>): Record<string, number> | null {
  if (!Array.isArray(report.anomalies)) return null;
  const byCode: Record<string, number> = {};
  for (const a of report.anomalies as { code?: string }[]) byCode[a.code ?? '?'] = (byCode[a.code ?? '?'] ?? 0) + 1;
  return byCode;
}

function records(academy: Academy) {
  const c = academyCounts(academy);
  return c.students + c.guardians + c.staff + c.establishments + academy.subjects.length + academy.mefs.length;
}

export async function importScenario(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes' | 'skipped'>> {
  const cmd = importCommand();
  if (!cmd) {
    ctx.say(`  skipped: ${IMPORT_UNAVAILABLE} (no directory:import script in server/package.json)`);
    return {
      skipped: IMPORT_UNAVAILABLE,
      figures: { skipped: IMPORT_UNAVAILABLE },
      ratios: {},
      notes: [
        'the import engine (issue 4, CLI `npm run directory:import -- [--dry-run] [--json] <files…>`) has not landed yet',
      ],
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'preau-bench-aaf-'));
  try {
    const lycee = generateAcademy({ ...LYCEE_PRESET, seed: ctx.options.seed });
    const lyceeFiles = writeFullExport(lycee, { dir: join(dir, 'lycee') }).map((f) => f.path);
    const academy = generateAcademy({ establishments: ctx.options.establishments, seed: ctx.options.seed + 1 });
    const academyFiles = writeFullExport(academy, { dir: join(dir, 'academie') }).map((f) => f.path);
    const delta = deltaRequests(academy, 0.01, ctx.options.seed + 1);
    const deltaFiles = writeRequests(delta.byType, {
      dir: join(dir, 'delta'),
      mode: 'Delta',
      date: deltaDate(academy),
    }).map((f) => f.path);
    const lc = academyCounts(lycee);
    const ac = academyCounts(academy);

    ctx.say('  one lycée…');
    const one = await migratedDatabase(ctx.cluster, 'preau_bench_import_lycee', 4);
    let first: ImportRun;
    let again: ImportRun;
    try {
      first = await runImport(ctx, cmd, one.url, one.db, lyceeFiles);
      ctx.say('  the same files again (must change nothing)…');
      again = await runImport(ctx, cmd, one.url, one.db, lyceeFiles);
    } finally {
      await one.db.destroy();
      await ctx.cluster.drop('preau_bench_import_lycee');
    }

    ctx.say(`  an académie of ${ac.establishments} establishments…`);
    const many = await migratedDatabase(ctx.cluster, 'preau_bench_import_academie', 4);
    let full: ImportRun;
    let update: ImportRun;
    try {
      full = await runImport(ctx, cmd, many.url, many.db, academyFiles);
      ctx.say(`  a 1% delta (${delta.summary.records} records)…`);
      update = await runImport(ctx, cmd, many.url, many.db, deltaFiles);
    } finally {
      await many.db.destroy();
      await ctx.cluster.drop('preau_bench_import_academie');
    }

    const rowsPerSecond = first.rowsAdded / first.seconds;
    const academyRowsPerSecond = full.rowsAdded / full.seconds;
    return {
      figures: {
        seconds: round(first.seconds, 2),
        cliSeconds: round(first.cliSeconds, 2),
        rowsPerSecond: Math.round(rowsPerSecond),
        rows: first.rowsAdded,
        records: records(lycee),
        recordsPerSecond: Math.round(records(lycee) / first.seconds),
        peakRssMb: first.peakRssMb,
        students: lc.students,
        guardians: lc.guardians,
        staff: lc.staff,
        anomalies: anomalies(first.report),
        counts: first.report.counts ?? null,
        reimportSeconds: round(again.seconds, 2),
        reimportRowsAdded: again.rowsAdded,
        reimportCounts: again.report.counts ?? null,
        academySeconds: round(full.seconds, 2),
        academyCliSeconds: round(full.cliSeconds, 2),
        academyEstablishments: ac.establishments,
        academyStudents: ac.students,
        academyRows: full.rowsAdded,
        academyRecords: records(academy),
        academyRowsPerSecond: Math.round(academyRowsPerSecond),
        academyPeakRssMb: full.peakRssMb,
        academyAnomalies: anomalies(full.report),
        deltaSeconds: round(update.seconds, 2),
        deltaCliSeconds: round(update.cliSeconds, 2),
        deltaRecords: delta.summary.records,
        delta: delta.summary,
        deltaCounts: update.report.counts ?? null,
        deltaAnomalies: anomalies(update.report),
      },
      ratios: {
        academyVsLyceeRowsPerSecond: round(academyRowsPerSecond / rowsPerSecond, 2),
        lyceeSecondsVsTarget5s: round(first.seconds / 5, 2),
      },
      notes: [
        `seconds = the import job's own duration (startedAt → finishedAt of its JSON report); cliSeconds = wall-clock of \`${[cmd.command === process.execPath ? 'node' : cmd.command, ...cmd.args].join(' ')} --json <files…>\`, process start-up and migrations check included`,
        'rows = rows added to the directory tables (establishments, years, subjects, MEF, classes, groups, accounts, memberships, enrolments, guardianships, assignments, head teachers)',
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
