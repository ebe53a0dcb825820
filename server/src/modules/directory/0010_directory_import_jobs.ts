import { type Kysely, sql } from 'kysely';

/**
 * Import jobs that survive their process:
 * - `interrupted`: a job whose process died (crash, kill, out of memory) is marked so at the next start-up or by
 *   the periodic check, instead of staying `running`;
 * - `runner` (host and process id) and `heartbeat_at` (refreshed while the job runs) tell a dead job from a live
 *   one, on this instance or another;
 * - `written`: each establishment the job has committed, appended in the establishment's own transaction, so
 *   the report of an interrupted job says exactly what was written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE import_job DROP CONSTRAINT IF EXISTS import_job_status_check;
    ALTER TABLE import_job ADD CONSTRAINT import_job_status_check
      CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted'));
    ALTER TABLE import_job
      ADD COLUMN IF NOT EXISTS runner text,
      ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz,
      ADD COLUMN IF NOT EXISTS written jsonb NOT NULL DEFAULT '[]'::jsonb;
    CREATE INDEX IF NOT EXISTS import_job_unfinished ON import_job (status) WHERE status IN ('queued', 'running');
  `.execute(db);
}
