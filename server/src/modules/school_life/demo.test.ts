import { expect, test } from 'vitest';
import { testApp } from '../../../test/helpers.ts';
import { testConfig } from '../../platform/config.ts';
import { seedDemoIfEmpty } from '../../seed/demo.ts';
import { seedModuleDemos } from '../../seed/modules.ts';
import { parisDate, timetableModule } from '../timetable/index.ts';
import { absenteeismOf, schoolLifeModule } from './index.ts';

/** The demo lycée's term of school life: what each persona sees on their first look. */
test('the demo lycée has a term of roll calls, absences to justify, justifications to review and students at the threshold', async () => {
  const { db } = await testApp();
  expect(await seedDemoIfEmpty(db, testConfig('unused'))).toBe(true);
  const started = Date.now();
  await seedModuleDemos(db, testConfig('unused'), [timetableModule, schoolLifeModule], undefined as never);
  const seconds = (Date.now() - started) / 1000;
  expect(seconds).toBeLessThan(60);
  const lycee = await db
    .selectFrom('establishment')
    .select('id')
    .where('uai', 'like', '0931234%')
    .executeTakeFirstOrThrow();
  const eleve = await db
    .selectFrom('app_user')
    .select('id')
    .where('login', '=', 'eleve.demo')
    .executeTakeFirstOrThrow();
  const count = async (table: 'school_life_roll_call' | 'school_life_absence' | 'school_life_incident') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  if (parisDate() <= '2026-09-02') return; // before the year's first days there is nothing to show
  expect(await count('school_life_roll_call')).toBeGreaterThan(100);
  expect(await count('school_life_absence')).toBeGreaterThan(50);
  expect(await count('school_life_incident')).toBeGreaterThan(5);
  const mine = await db
    .selectFrom('school_life_absence')
    .select(['state', 'kind'])
    .where('student_id', '=', eleve.id)
    .execute();
  expect(mine.some((a) => a.state === 'to_justify' && a.kind === 'absence')).toBe(true);
  expect(mine.some((a) => a.state === 'justified')).toBe(true);
  const pending = await db
    .selectFrom('school_life_justification')
    .select('id')
    .where('status', '=', 'pending')
    .execute();
  expect(pending.length).toBeGreaterThan(0);
  const months = ['2026-09', '2026-10', '2026-11'];
  const reached = await Promise.all(months.map((m) => absenteeismOf(db, lycee.id, m)));
  expect(reached.some((t) => t.items.length > 0)).toBe(true);
});
