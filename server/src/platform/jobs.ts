import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { PgBoss } from 'pg-boss';
import { purgeAudit } from './audit.ts';
import { sessions } from './auth/session.repository.ts';
import { purgeThrottle } from './auth/throttle.ts';
import type { Config } from './config.ts';
import type { Database } from './db/schema.ts';
import type { Lang } from './i18n.ts';
import type { JobDeps, ModuleDefinition } from './module.ts';
import { purgeUsageEvents, rollUpUsage, type UsageRecorder } from './usage.ts';

/**
 * What a job's work receives, built like a request's context: the database, settings, a logger, the usage
 * recorder, and the person the job acts for (the requester of an import), so that its audit events name them.
 */
export interface JobContext {
  db: Kysely<Database>;
  config: Config;
  log: FastifyBaseLogger;
  usage: UsageRecorder;
  lang: Lang;
  /** The person the job acts for, when there is one; `null` for scheduled work. */
  user: { id: string } | null;
  /** Jobs have no client address. */
  ip: '';
}

export type JobContextFactory = (actor: { userId: string | null; lang?: Lang }) => JobContext;

export function jobContextFactory(
  db: Kysely<Database>,
  config: Config,
  log: FastifyBaseLogger,
  usage: UsageRecorder,
): JobContextFactory {
  return ({ userId, lang = 'fr' }) => ({
    db,
    config,
    log,
    usage,
    lang,
    user: userId ? { id: userId } : null,
    ip: '',
  });
}

/**
 * Background work on pg-boss (in the same PostgreSQL): schedules survive restarts and run once per cluster.
 * The platform's own schedules, then each module's `jobs` from the module list.
 */
export async function startJobs(
  url: string,
  deps: Omit<JobDeps, 'boss'>,
  modules: readonly ModuleDefinition[],
): Promise<{ boss: PgBoss; stop: () => Promise<void> }> {
  const { db, log } = deps;
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', (e) => log.error({ error: e.message }, 'job queue error'));
  await boss.start();

  await boss.createQueue('usage.rollup');
  await boss.work('usage.rollup', async () => {
    const yesterday = new Date(Date.now() - 86_400_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(yesterday);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    await rollUpUsage(db, day);
    await rollUpUsage(db, today);
  });
  await boss.schedule('usage.rollup', '15 * * * *', null, { tz: 'Europe/Paris' });

  await boss.createQueue('sessions.purge');
  await boss.work('sessions.purge', async () => {
    await sessions.deleteExpired(db);
    await purgeThrottle(db);
  });
  await boss.schedule('sessions.purge', '*/30 * * * *');

  // The retention the processing register states: one year of audit, 13 months of usage events.
  await boss.createQueue('traces.purge');
  await boss.work('traces.purge', async () => {
    await purgeAudit(db);
    await purgeUsageEvents(db);
  });
  await boss.schedule('traces.purge', '30 3 * * *', null, { tz: 'Europe/Paris' });

  for (const mod of modules) if (mod.jobs) await mod.jobs({ ...deps, boss });

  return { boss, stop: () => boss.stop({ graceful: true, timeout: 10_000 }) };
}
