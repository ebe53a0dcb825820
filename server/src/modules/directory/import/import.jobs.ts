/**
 * Imports run as background jobs: on pg-boss (queue `directory.import`) when the process runs jobs, else
 * in-process right after the request (tests, `PREAU_JOBS=0`). Either way the job itself runs in a child
 * process of its own (`import.worker.ts`) with a bounded heap (`IMPORT_MEMORY_MB`): parsing and resolving
 * never hold the request thread, and an import too big for that heap fails cleanly (`IMPORT_TOO_LARGE`)
 * while the server lives on (a worker thread would not do: V8 may abort the whole process at a thread's limit). The job's row in `import_job` carries its status, progress, phase and heartbeat
 * as it goes, each establishment written (in that establishment's transaction), and its report at the end.
 * A job whose process died is marked `interrupted` when an instance starts, or by its periodic check.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CsvMapping, ImportAnomaly, ImportCounts, ImportReport, ImportResolutions } from '@preau/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../../../platform/config.ts';
import { connectionStringOf } from '../../../platform/db/database.ts';
import type { Database } from '../../../platform/db/schema.ts';
import { GROUP_PEOPLE, runImport } from './engine.ts';
import { importJobs, type WrittenEstablishment } from './import.repository.ts';
import { deleteStoredFiles, type ImportSource, storedSource } from './sources.ts';
import { cleanStaleSpillDirs, processAlive } from './spill-dirs.ts';
import { ChangeTracker } from './writer.ts';

export const IMPORT_QUEUE = 'directory.import';

/** This process, as `import_job.runner` names it. */
export const RUNNER = `${hostname()}:${process.pid}`;
/** A running job refreshes its heartbeat this often; one silent for STALE_MS is dead. */
const HEARTBEAT_MS = 15_000;
const STALE_MS = 90_000;
/** How often an instance looks for dead jobs (any instance's). */
const WATCH_MS = 60_000;

/** What an upload stores about each file (`import_job.files`). */
export interface StoredFile {
  no: number;
  name: string;
  size: number;
  sha256: string;
  kind: 'aaf' | 'csv';
}

/** What the request decided for the job (`import_job.options`). */
export interface ImportJobOptions {
  /** Establishments the job may write to; null for any. */
  scope: string[] | null;
  csvEstablishment?: string;
  mapping?: CsvMapping;
  /** CSV: the administrator's choices for the rows a previous run found ambiguous. */
  resolutions?: ImportResolutions;
}

/** The settings a job needs (a worker thread gets them by message). */
export type JobSettings = Pick<Config, 'activationCodeDays'> & Partial<Pick<Config, 'importGroupPeople'>>;
type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

type Dispatch = (jobId: string) => Promise<void>;
let dispatch: Dispatch | null = null;

/**
 * Wire the import queue on a started pg-boss (the module's `jobs`, when the process runs jobs), and the watch
 * over dead jobs: at once (start-up) and every minute.
 */
export async function registerDirectoryJobs(
  boss: PgBoss,
  db: Kysely<Database>,
  config: Config,
  log: FastifyBaseLogger,
): Promise<void> {
  const stopWatch = watchInterruptedImports(db, log);
  boss.on('stopped', stopWatch);
  await boss.createQueue(IMPORT_QUEUE, { retryLimit: 1, expireInSeconds: 3600 });
  await boss.work<{ jobId: string }>(IMPORT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
    for (const job of jobs) await runImportJobIsolated(db, job.data.jobId, config, log);
  });
  dispatch = async (jobId) => {
    await boss.send(IMPORT_QUEUE, { jobId }, { singletonKey: jobId });
  };
}

/**
 * The watch over dead jobs: a first check at once (start-up: this process's own earlier jobs are dead too),
 * then every minute. Returns its stop. At start-up, the temporary folders killed imports left go too.
 */
export function watchInterruptedImports(db: Kysely<Database>, log: Log): () => void {
  const check = (startup: boolean) =>
    recoverInterruptedImports(db, log, { startup }).catch((e) =>
      log.warn({ err: e }, 'interrupted imports not checked'),
    );
  void check(true);
  // The temporary folders of imports killed before this start (their process is gone).
  void cleanStaleSpillDirs().then((dirs) => {
    if (dirs.length) log.info({ dirs }, 'temporary folders of killed imports deleted');
  });
  const timer = setInterval(() => void check(false), WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Queue a job whose row and files are committed. */
export async function enqueueImport(
  db: Kysely<Database>,
  jobId: string,
  config: Config,
  log: FastifyBaseLogger,
): Promise<void> {
  if (dispatch) return dispatch(jobId);
  // Run here: the job is this process's (if it dies before running it, the job is interrupted, not lost).
  await importJobs.claim(db, jobId, RUNNER);
  setImmediate(() => {
    runImportJobIsolated(db, jobId, config, log).catch((e) => log.error({ err: e, jobId }, 'import job crashed'));
  });
}

/** Progress writes, at most every 250 ms and on each phase change, in order, off the import's path. */
function progressWriter(db: Kysely<Database>, jobId: string, log: Log) {
  let last = 0;
  let lastPhase = '';
  let chain: Promise<unknown> = Promise.resolve();
  return {
    update(progress: number, phase: string) {
      const now = Date.now();
      if (phase === lastPhase && now - last < 250) return;
      last = now;
      lastPhase = phase;
      chain = chain
        .then(() => importJobs.progress(db, jobId, progress, phase))
        .catch((e) => log.warn({ err: e, jobId }, 'import progress not saved'));
    },
    flush: () => chain,
  };
}

const zeroCounts = (): ImportCounts => new ChangeTracker().counts();

function failedReport(anomaly: ImportAnomaly, written: WrittenEstablishment[] = []): ImportReport {
  return { counts: sumCounts(written), anomalies: [anomaly] };
}

function sumCounts(written: WrittenEstablishment[]): ImportCounts {
  const total = zeroCounts();
  for (const w of written)
    for (const [k, c] of Object.entries(w.counts) as [keyof ImportCounts, ImportCounts[keyof ImportCounts]][]) {
      total[k].created += c.created;
      total[k].updated += c.updated;
      total[k].detached += c.detached;
    }
  return total;
}

/**
 * Run one queued job here, from start to report. The CLI passes its files (`sources`, read from disk
 * instead of the stored uploads) and follows the progress (`onProgress`).
 */
export async function runImportJob(
  db: Kysely<Database>,
  jobId: string,
  settings: JobSettings,
  log: Log,
  local: { sources?: ImportSource[]; onProgress?: (progress: number, phase: string) => void } = {},
): Promise<void> {
  const job = await importJobs.byId(db, jobId);
  if (!job || !(await importJobs.start(db, jobId, RUNNER))) return;
  const files = job.files as StoredFile[];
  const options = job.options as ImportJobOptions;
  const progress = progressWriter(db, jobId, log);
  const heartbeat = setInterval(() => {
    importJobs.heartbeat(db, jobId).catch((e) => log.warn({ err: e, jobId }, 'import heartbeat not saved'));
  }, HEARTBEAT_MS);
  // The uploads go before the job says it has finished: a finished job holds no file.
  const dropFiles = () =>
    deleteStoredFiles(db, jobId).catch((e) => log.warn({ err: e, jobId }, 'import files not deleted'));
  try {
    const outcome = await runImport(db, {
      kind: job.kind,
      sources: local.sources ?? files.map((f) => storedSource(db, jobId, f.no, f.name, f.size)),
      dryRun: job.dry_run,
      scope: options.scope ? new Set(options.scope) : null,
      csv:
        job.kind === 'csv' && options.csvEstablishment
          ? {
              establishmentId: options.csvEstablishment,
              mapping: options.mapping ?? {},
              resolutions: options.resolutions ?? {},
            }
          : undefined,
      jobId,
      actorId: job.requested_by,
      activationCodeDays: settings.activationCodeDays,
      groupPeople: settings.importGroupPeople,
      onProgress: (p, phase) => {
        progress.update(p, phase);
        local.onProgress?.(p, phase);
      },
      onWritten: (trx, written) => importJobs.addWritten(trx, jobId, written),
    });
    await progress.flush();
    if (!job.establishment_id && outcome.establishmentIds.length === 1)
      await importJobs.setEstablishment(db, jobId, outcome.establishmentIds[0]!);
    await dropFiles();
    await importJobs.finish(db, jobId, outcome.status, outcome.report);
  } catch (e) {
    await progress.flush();
    log.error({ err: e, jobId }, 'import failed');
    const written = ((await importJobs.byId(db, jobId))?.written ?? []) as WrittenEstablishment[];
    await dropFiles();
    await importJobs.finish(
      db,
      jobId,
      'failed',
      failedReport(
        {
          code: 'INTERNAL',
          message: `the import stopped: ${(e as Error).message}`,
          file: '',
          record: null,
          params: { error: (e as Error).message },
        },
        written,
      ),
    );
  } finally {
    clearInterval(heartbeat);
  }
}

// ---- the process that runs jobs ----

type FromWorker =
  | { type: 'ran'; jobId: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string };

/** The import process died: how (out of memory aborts V8 with SIGABRT). */
class ImportProcessDied extends Error {
  readonly outOfMemory: boolean;
  constructor(code: number | null, signal: NodeJS.Signals | null) {
    super(`the import process stopped (${signal ?? `exit code ${code}`})`);
    this.outOfMemory = signal === 'SIGABRT' || code === 134;
  }
}

interface JobWorker {
  child: ChildProcess;
  running: Map<string, { ok: () => void; ko: (e: Error) => void }>;
  idle: NodeJS.Timeout | null;
  memoryMb: number;
}
let current: JobWorker | null = null;
/** The import process stops after this long without a job (its database pools with it). */
const IDLE_MS = 30_000;

/**
 * The import process: a child of this one (not a thread), so that running out of its heap — which V8 answers
 * by aborting the whole process — can only end it, never the server. One per server process, kept while it
 * has work, and started again after it dies.
 */
function jobWorker(memoryMb: number, log: Log): JobWorker {
  if (current && current.memoryMb === memoryMb) return current;
  const child = fork(fileURLToPath(new URL('./import.worker.ts', import.meta.url)), [], {
    execArgv: [`--max-old-space-size=${memoryMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.unref();
  child.channel?.unref();
  const me: JobWorker = { child, running: new Map(), idle: null, memoryMb };
  const fail = (e: Error) => {
    if (current === me) current = null;
    for (const r of me.running.values()) r.ko(e);
    me.running.clear();
  };
  child.on('message', (m: FromWorker) => {
    if (m.type === 'log') log[m.level](m.obj, m.msg);
    else {
      me.running.get(m.jobId)?.ok();
      me.running.delete(m.jobId);
      if (me.running.size === 0) {
        me.idle = setTimeout(() => {
          if (current === me) current = null;
          child.send({ type: 'close' });
        }, IDLE_MS);
        me.idle.unref();
      }
    }
  });
  child.on('error', fail);
  child.on('exit', (code, signal) => fail(new ImportProcessDied(code, signal)));
  current = me;
  return me;
}

/**
 * The import process ran out of memory. Smaller uploads are not the answer (an académie's full export is
 * imported in groups of establishments whatever the upload): the operator raises `IMPORT_MEMORY_MB`, imports
 * with the CLI (its heap is not capped), or makes the groups smaller (`IMPORT_GROUP_PEOPLE`; `0` turns them off).
 */
function tooLarge(limitMb: number, groupPeople: number, written: number): ImportAnomaly {
  const what =
    groupPeople > 0
      ? `or, for an académie's full export (imported in groups of ${groupPeople} people), lower IMPORT_GROUP_PEOPLE`
      : `or, for an académie's full export, import it in groups of establishments again (IMPORT_GROUP_PEOPLE, 0 here; ${GROUP_PEOPLE} by default)`;
  return {
    code: 'IMPORT_TOO_LARGE',
    message: `the import needs more than ${limitMb} MB of memory (IMPORT_MEMORY_MB): there is no need to split the files; raise IMPORT_MEMORY_MB, or import the same files with the CLI (npm run directory:import, not capped), ${what}`,
    file: '',
    record: null,
    params: { variant: groupPeople > 0 ? 'groups' : 'whole', limitMb, groupPeople, written },
  };
}

/**
 * Run a job in the import process; when that process dies under it (out of memory, crash), the job is failed
 * with what it had written. Without a known connection string (a database handle made elsewhere), here.
 */
export async function runImportJobIsolated(
  db: Kysely<Database>,
  jobId: string,
  config: Pick<Config, 'activationCodeDays' | 'importMemoryMb'> & Partial<Pick<Config, 'importGroupPeople'>>,
  log: Log,
): Promise<void> {
  const url = connectionStringOf(db);
  if (!url) return runImportJob(db, jobId, config, log);
  const w = jobWorker(config.importMemoryMb, log);
  if (w.idle) clearTimeout(w.idle);
  w.idle = null;
  try {
    await new Promise<void>((ok, ko) => {
      w.running.set(jobId, { ok, ko });
      w.child.send({
        type: 'run',
        jobId,
        url,
        settings: { activationCodeDays: config.activationCodeDays, importGroupPeople: config.importGroupPeople },
      });
    });
  } catch (e) {
    const oom = e instanceof ImportProcessDied && e.outOfMemory;
    log.error({ err: e, jobId }, oom ? 'import out of memory' : 'import process died');
    const row = await importJobs.byId(db, jobId);
    if (!row || (row.status !== 'running' && row.status !== 'queued')) return;
    const written = (row.written ?? []) as WrittenEstablishment[];
    await deleteStoredFiles(db, jobId).catch(() => {});
    await importJobs.finish(
      db,
      jobId,
      'failed',
      failedReport(
        oom
          ? tooLarge(config.importMemoryMb, config.importGroupPeople ?? GROUP_PEOPLE, written.length)
          : {
              code: 'INTERNAL',
              message: `the import stopped: ${(e as Error).message}`,
              file: '',
              record: null,
              params: { error: (e as Error).message },
            },
        written,
      ),
    );
  }
}

// ---- jobs whose process died ----

/**
 * Mark `interrupted` the jobs whose process died: those of this host's dead processes (at start-up, this
 * process's own earlier incarnation too), and any whose heartbeat is stale. Their report says which
 * establishments were written (each is all or nothing); their stored files are deleted. Another upload of
 * the same files runs the import again (what was written is then a no-op).
 */
export async function recoverInterruptedImports(
  db: Kysely<Database>,
  log: Log,
  opts: { startup: boolean },
): Promise<string[]> {
  const host = `${hostname()}:`;
  const runners = await importJobs.unfinishedRunners(db);
  const dead = runners.filter((r) => {
    if (!r.startsWith(host)) return false;
    const pid = Number(r.slice(host.length));
    if (pid === process.pid) return opts.startup;
    return !processAlive(pid);
  });
  const jobs = await importJobs.interrupt(db, dead, STALE_MS);
  for (const job of jobs) {
    const written = (job.written ?? []) as WrittenEstablishment[];
    await deleteStoredFiles(db, job.id);
    const report: ImportReport = {
      counts: sumCounts(written),
      anomalies: [
        {
          code: 'INTERRUPTED',
          message: job.dry_run
            ? 'the dry run stopped before its end (its process stopped): run it again'
            : written.length
              ? `the import stopped before its end (its process stopped): ${written.map((w) => w.label).join(', ')} ${written.length === 1 ? 'was' : 'were'} written in full, the other establishments not at all; run the import again with the same files`
              : 'the import stopped before its end (its process stopped): nothing was written; run the import again with the same files',
          file: '',
          record: null,
          params: {
            variant: job.dry_run ? 'dryRun' : written.length ? 'partly' : 'nothing',
            written: written.length,
            establishments: written.map((w) => w.label).join(', '),
          },
        },
      ],
    };
    await importJobs.setReport(db, job.id, report);
    log.warn({ jobId: job.id, written: written.length }, 'import interrupted: its process died');
  }
  return jobs.map((j) => j.id);
}
