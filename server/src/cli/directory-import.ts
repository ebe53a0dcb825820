/**
 * `npm run directory:import -- [--dry-run] [--json] [--establishment <UAI>] <files or folders…>`
 *
 * Imports AAF XML files (full or delta) or CSV files from a shell, like `POST /api/imports` does, whether
 * the server runs or not: with DATABASE_URL it uses that database; otherwise the embedded PostgreSQL under
 * DATA_DIR — the running server's (its port and password are in DATA_DIR/cluster.json), or one started for
 * the time of the import. The job is recorded in `import_job` like any other (the web page lists it).
 * Prints the job with its report (`--json`: the JSON of `GET /api/imports/:id`). Exit code 0 when the
 * import is done, 1 when it failed, 2 on a usage error.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImportJob } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { type ImportSource, importForCli } from '../modules/directory/index.ts';
import { loadConfig } from '../platform/config.ts';
import { connectDatabaseServer } from '../platform/db/connect.ts';
import { chooseDataDir } from '../platform/db/data-dir.ts';
import { createDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import type { Database } from '../platform/db/schema.ts';

const USAGE = `Usage: npm run directory:import -- [--dry-run] [--json] [--establishment <UAI>] <files or folders…>

  AAF XML files (full exports and deltas, in numbered parts) or CSV files of one establishment.
  --dry-run               compute everything, change nothing, report what would change
  --json                  print the job and its report as JSON (as GET /api/imports/:id)
  --establishment <UAI>   CSV files: the establishment they belong to (UAI or id)
`;

const err = (m: string) => process.stderr.write(`${m}\n`);

interface Args {
  dryRun: boolean;
  json: boolean;
  establishment: string | null;
  paths: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dryRun: false, json: false, establishment: null, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dry-run') args.dryRun = true;
    else if (a === '--json') args.json = true;
    else if (a === '--establishment') args.establishment = argv[++i] ?? null;
    else if (a.startsWith('--establishment=')) args.establishment = a.slice('--establishment='.length);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else args.paths.push(a);
  }
  if (args.paths.length === 0) throw new Error('no file to import');
  return args;
}

/** Paths as typed by the user (npm runs the script from server/: INIT_CWD is where they typed it). */
function expand(paths: string[]): string[] {
  const base = process.env.INIT_CWD || process.cwd();
  const out: string[] = [];
  for (const p of paths) {
    const full = resolve(base, p);
    if (!existsSync(full)) throw new Error(`${p}: no such file or folder`);
    if (statSync(full).isDirectory()) {
      for (const f of readdirSync(full).sort())
        if (!f.startsWith('.') && statSync(join(full, f)).isFile()) out.push(join(full, f));
    } else out.push(full);
  }
  if (out.length === 0) throw new Error('no file to import');
  return out;
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, 4096, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** DATABASE_URL; else the running server's embedded cluster; else start the embedded cluster ourselves. */
async function connect(config: ReturnType<typeof loadConfig>) {
  if (!config.databaseUrl) {
    // The same folder the server uses (the default, or the reachable one chosen instead of it when run as root).
    const { dir } = chooseDataDir({ dataDir: config.dataDir, explicit: config.dataDirExplicit });
    const lock = join(dir, 'preau.lock');
    const settings = join(dir, 'cluster.json');
    const holder = existsSync(lock) ? Number.parseInt(readFileSync(lock, 'utf8'), 10) : Number.NaN;
    if (Number.isFinite(holder) && holder !== process.pid && alive(holder) && existsSync(settings)) {
      const { port, password } = JSON.parse(readFileSync(settings, 'utf8')) as { port: number; password: string };
      err(`Using the embedded PostgreSQL of the running Préau (pid ${holder}, port ${port}).`);
      const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/preau`;
      return { url, stop: async () => {} };
    }
  }
  const server = await connectDatabaseServer(config, err);
  return { url: server.url, stop: server.stop };
}

function printHuman(job: ImportJob) {
  const out = (m: string) => process.stdout.write(`${m}\n`);
  out(`Import ${job.id}${job.dryRun ? ' (dry run: nothing was changed)' : ''}: ${job.status}`);
  if (!job.report) return;
  out('');
  out(`${'entity'.padEnd(16)}${'created'.padStart(9)}${'updated'.padStart(9)}${'detached'.padStart(10)}`);
  for (const [entity, c] of Object.entries(job.report.counts))
    out(
      `${entity.padEnd(16)}${String(c.created).padStart(9)}${String(c.updated).padStart(9)}${String(c.detached).padStart(10)}`,
    );
  const anomalies = job.report.anomalies;
  out('');
  out(`${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}`);
  const byCode = new Map<string, number>();
  for (const a of anomalies) byCode.set(a.code, (byCode.get(a.code) ?? 0) + 1);
  for (const [code, n] of [...byCode].sort((a, b) => b[1] - a[1])) out(`  ${code.padEnd(28)}${n}`);
  if (anomalies.length) out('');
  for (const a of anomalies.slice(0, 30)) out(`  [${a.code}] ${a.file}${a.record ? `#${a.record}` : ''}: ${a.message}`);
  if (anomalies.length > 30) out(`  … ${anomalies.length - 30} more (use --json for all)`);
}

// A closed stdout (`… | head`) must not kill the command before it has stopped the database it started.
process.stdout.on('error', () => {});

async function main(): Promise<number> {
  let args: Args;
  let paths: string[];
  try {
    args = parseArgs(process.argv.slice(2));
    paths = expand(args.paths);
  } catch (e) {
    err(`${(e as Error).message}\n`);
    err(USAGE);
    return 2;
  }
  const sources: ImportSource[] = [];
  const kinds = new Set<string>();
  for (const p of paths) {
    const source = await importForCli.diskSource(p);
    const kind = importForCli.contentKind(source.name, await head(p));
    if (kind === 'binary') {
      err(`${p}: neither an AAF XML file nor a CSV text file`);
      return 2;
    }
    kinds.add(kind);
    sources.push(source);
  }
  if (kinds.size > 1) {
    err('Import the XML (AAF) files and the CSV files separately.');
    return 2;
  }
  const kind = [...kinds][0] as 'aaf' | 'csv';

  const config = loadConfig();
  const server = await connect(config);
  const db: Kysely<Database> = createDatabase(server.url, 4);
  try {
    await migrateToLatest(db);
    let establishmentId: string | null = null;
    if (args.establishment) {
      const row = await importForCli.establishmentByUaiOrId(db, args.establishment);
      if (!row) {
        err(`No establishment ${args.establishment}.`);
        return 2;
      }
      establishmentId = row.id;
    }
    if (kind === 'csv' && !establishmentId) {
      err('CSV files: say which establishment they belong to with --establishment <UAI>.');
      return 2;
    }
    const id = randomUUID();
    await importForCli.insertJob(db, {
      id,
      establishment_id: establishmentId,
      requested_by: null,
      kind,
      dry_run: args.dryRun,
      files: sources.map((s, no) => ({ no, name: s.name, size: s.size, kind })),
      options: {
        scope: establishmentId ? [establishmentId] : null,
        ...(kind === 'csv' ? { csvEstablishment: establishmentId, mapping: {} } : {}),
        cli: true,
      },
    });
    // This process runs it: if it is killed, the next start of Préau marks the job interrupted.
    await importForCli.claimJob(db, id, importForCli.runner);
    const tty = process.stderr.isTTY && !args.json;
    let lastPhase = '';
    const started = Date.now();
    const log = {
      info: () => {},
      warn: (obj: unknown, msg: string) => err(`${msg} ${JSON.stringify(obj)}`),
      error: (obj: { err?: unknown }, msg: string) => err(`${msg}: ${(obj.err as Error | undefined)?.message ?? ''}`),
    };
    await importForCli.runImportJob(db, id, config, log as never, {
      sources,
      onProgress: (p, phase) => {
        if (tty) process.stderr.write(`\r${String(Math.round(p * 100)).padStart(3)}% ${phase.padEnd(40)}`);
        else if (phase !== lastPhase && !args.json) err(`${phase}…`);
        lastPhase = phase;
      },
    });
    if (tty) process.stderr.write('\n');
    const row = (await importForCli.jobById(db, id))!;
    const job: ImportJob = {
      id,
      status: row.status,
      progress: 1,
      phase: row.phase,
      report: row.report as ImportJob['report'],
      kind,
      dryRun: args.dryRun,
      establishmentId: row.establishment_id,
      files: sources.map((s) => ({ name: s.name, size: s.size, kind })),
      createdAt: new Date(row.created_at).toISOString(),
      startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
      finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
    else {
      printHuman(job);
      err(`\n${((Date.now() - started) / 1000).toFixed(2)} s`);
    }
    return job.status === 'done' ? 0 : 1;
  } finally {
    await db.destroy();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    err(`The import could not run: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
