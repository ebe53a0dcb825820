/**
 * Imports run as background jobs: on pg-boss (queue `directory.import`) when the process runs jobs, else
 * in-process right after the request (tests, `PREAU_JOBS=0`). Either way the job's row in `import_job`
 * carries its status, progress and phase as it goes, and its report at the end.
 */
import type { CsvMapping, ImportReport } from '@preau/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../../../platform/config.ts';
import type { Database } from '../../../platform/db/schema.ts';
import { runImport } from './engine.ts';
import { importJobs } from './import.repository.ts';
import { deleteStoredFiles, storedSource } from './sources.ts';

export const IMPORT_QUEUE = 'directory.import';

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
}

type Dispatch = (jobId: string) => Promise<void>;
let dispatch: Dispatch | null = null;

/** Wire the import queue on a started pg-boss (called by main.ts when the process runs jobs). */
export async function registerDirectoryJobs(
  boss: PgBoss,
  db: Kysely<Database>,
  config: Config,
  log: FastifyBaseLogger,
): Promise<void> {
  await boss.createQueue(IMPORT_QUEUE, { retryLimit: 1, expireInSeconds: 3600 });
  await boss.work<{ jobId: string }>(IMPORT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
    for (const job of jobs) await runImportJob(db, job.data.jobId, config, log);
  });
  dispatch = async (jobId) => {
    await boss.send(IMPORT_QUEUE, { jobId }, { singletonKey: jobId });
  };
}

/** Queue a job whose row and files are committed. */
export async function enqueueImport(
  db: Kysely<Database>,
  jobId: string,
  config: Config,
  log: FastifyBaseLogger,
): Promise<void> {
  if (dispatch) return dispatch(jobId);
  setImmediate(() => {
    runImportJob(db, jobId, config, log).catch((e) => log.error({ err: e, jobId }, 'import job crashed'));
  });
}

/** Progress writes, at most every 250 ms and on each phase change, in order, off the import's path. */
function progressWriter(db: Kysely<Database>, jobId: string, log: FastifyBaseLogger) {
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

export async function runImportJob(
  db: Kysely<Database>,
  jobId: string,
  config: Config,
  log: FastifyBaseLogger,
): Promise<void> {
  const job = await importJobs.byId(db, jobId);
  if (!job || job.status === 'done' || job.status === 'failed') return;
  if (!(await importJobs.start(db, jobId))) return;
  const files = job.files as StoredFile[];
  const options = job.options as ImportJobOptions;
  const progress = progressWriter(db, jobId, log);
  // The uploads go before the job says it has finished: a finished job holds no file.
  const dropFiles = () =>
    deleteStoredFiles(db, jobId).catch((e) => log.warn({ err: e, jobId }, 'import files not deleted'));
  try {
    const outcome = await runImport(db, {
      kind: job.kind,
      sources: files.map((f) => storedSource(db, jobId, f.no, f.name, f.size)),
      dryRun: job.dry_run,
      scope: options.scope ? new Set(options.scope) : null,
      csv:
        job.kind === 'csv' && options.csvEstablishment
          ? { establishmentId: options.csvEstablishment, mapping: options.mapping ?? {} }
          : undefined,
      jobId,
      actorId: job.requested_by,
      activationCodeDays: config.activationCodeDays,
      onProgress: (p, phase) => progress.update(p, phase),
    });
    await progress.flush();
    if (!job.establishment_id && outcome.establishmentIds.length === 1)
      await importJobs.setEstablishment(db, jobId, outcome.establishmentIds[0]!);
    await dropFiles();
    await importJobs.finish(db, jobId, outcome.status, outcome.report);
  } catch (e) {
    await progress.flush();
    log.error({ err: e, jobId }, 'import failed');
    const report: ImportReport = {
      counts: {
        establishments: { created: 0, updated: 0, detached: 0 },
        students: { created: 0, updated: 0, detached: 0 },
        guardians: { created: 0, updated: 0, detached: 0 },
        staff: { created: 0, updated: 0, detached: 0 },
        classes: { created: 0, updated: 0, detached: 0 },
        groups: { created: 0, updated: 0, detached: 0 },
        subjects: { created: 0, updated: 0, detached: 0 },
      },
      anomalies: [
        {
          code: 'INTERNAL',
          message: `the import stopped: ${(e as Error).message}`,
          file: '',
          record: null,
          params: { error: (e as Error).message },
        },
      ],
    };
    await dropFiles();
    await importJobs.finish(db, jobId, 'failed', report);
  }
}
