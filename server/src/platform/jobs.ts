import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { PgBoss } from 'pg-boss';
import { sessions } from './auth/session.repository.ts';
import { purgeThrottle } from './auth/throttle.ts';
import type { Database } from './db/schema.ts';
import { rollUpUsage } from './usage.ts';

/** Background work on pg-boss (in the same PostgreSQL): schedules survive restarts and run once per cluster. */
export async function startJobs(url: string, db: Kysely<Database>, log: FastifyBaseLogger) {
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

  return { boss, stop: () => boss.stop({ graceful: true, timeout: 10_000 }) };
}
