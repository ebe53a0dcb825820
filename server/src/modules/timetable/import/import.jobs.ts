/**
 * Timetable imports run as jobs, like the directory's: on the `timetable.import` pg-boss queue when the process
 * runs jobs, else in-process right after the request (tests, `PREAU_JOBS=0`). The files are small (an
 * establishment's timetable is a few hundred kilobytes), so a job runs on the main thread. A job whose process
 * died is failed at the next start (`INTERRUPTED`), having changed nothing: its writes are one transaction.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../../../platform/db/schema.ts';
import { emptyCounts, runTimetableImport } from './engine.ts';
import { importJobs } from './import.repository.ts';

export const TIMETABLE_IMPORT_QUEUE = 'timetable.import';

let dispatch: ((jobId: string) => Promise<void>) | null = null;

export async function registerTimetableJobs(boss: PgBoss, db: Kysely<Database>, log: FastifyBaseLogger): Promise<void> {
  // Jobs left over by a stopped process (queued or running for more than an hour) are failed, not retried.
  for (const job of await importJobs.stale(db, new Date(Date.now() - 3_600_000))) {
    await importJobs.deleteFiles(db, job.id);
    await importJobs.finish(db, job.id, 'failed', {
      counts: emptyCounts(),
      anomalies: [
        {
          code: 'INTERRUPTED',
          message:
            "L'import a été interrompu (arrêt du serveur) sans rien modifier : relancez-le avec les mêmes fichiers.",
        },
      ],
    });
    log.warn({ jobId: job.id }, 'timetable import interrupted');
  }
  await boss.createQueue(TIMETABLE_IMPORT_QUEUE, { retryLimit: 0, expireInSeconds: 900 });
  await boss.work<{ jobId: string }>(
    TIMETABLE_IMPORT_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1 },
    async (jobs) => {
      for (const job of jobs) await runTimetableImport(db, job.data.jobId);
    },
  );
  dispatch = async (jobId) => {
    await boss.send(TIMETABLE_IMPORT_QUEUE, { jobId }, { singletonKey: jobId });
  };
}

/** Queue a job whose row and files are committed. */
export async function enqueueTimetableImport(
  db: Kysely<Database>,
  jobId: string,
  log: FastifyBaseLogger,
): Promise<void> {
  if (dispatch) return dispatch(jobId);
  setImmediate(() => {
    runTimetableImport(db, jobId).catch((e) => log.error({ err: e, jobId }, 'timetable import crashed'));
  });
}
