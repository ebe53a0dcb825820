/**
 * The import process (see import.jobs.ts): runs the jobs its parent sends, each with a database pool of its own
 * (one per connection string), and reports back when each has finished. Its heap is bounded by the parent
 * (`--max-old-space-size`); it ends when the parent goes.
 */
import type { Kysely } from 'kysely';
import { createDatabase } from '../../../platform/db/database.ts';
import type { Database } from '../../../platform/db/schema.ts';
import { type JobSettings, runImportJob } from './import.jobs.ts';

const port = {
  postMessage: (m: unknown) => process.send?.(m),
  on: (event: 'message', fn: (m: Message) => void) => process.on(event, fn),
};
const closeAll = () => Promise.all([...pools.values()].map((db) => db.destroy())).finally(() => process.exit(0));
// The server went away (or closed the channel): the jobs of a dead parent are interrupted, not left running.
process.on('disconnect', () => void closeAll());
const pools = new Map<string, Kysely<Database>>();

const log = Object.fromEntries(
  (['info', 'warn', 'error'] as const).map((level) => [
    level,
    (obj: Record<string, unknown>, msg: string) => {
      const err = obj.err instanceof Error ? { message: obj.err.message, stack: obj.err.stack } : obj.err;
      port.postMessage({ type: 'log', level, obj: { ...obj, err }, msg });
    },
  ]),
) as unknown as Parameters<typeof runImportJob>[3];

type Message = { type: 'run'; jobId: string; url: string; settings: JobSettings } | { type: 'close' };

port.on('message', (m: Message) => {
  if (m.type === 'close') {
    void closeAll();
    return;
  }
  let db = pools.get(m.url);
  if (!db) {
    db = createDatabase(m.url, 3);
    pools.set(m.url, db);
  }
  runImportJob(db, m.jobId, m.settings, log)
    .catch((e) => log.error({ err: e, jobId: m.jobId }, 'import job crashed'))
    .finally(() => port.postMessage({ type: 'ran', jobId: m.jobId }));
});
