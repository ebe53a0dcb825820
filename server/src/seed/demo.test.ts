import { describe, expect, test } from 'vitest';
import { freshDatabase, makeEstablishment, makeUser, PASSWORD, testApp } from '../../test/helpers.ts';
import { duplicates } from '../modules/directory/duplicates/duplicates.repository.ts';
import { testConfig } from '../platform/config.ts';
import { ACTIVATION_DEMO_LOGIN, printDemoAccounts, seedDemoIfEmpty } from './demo.ts';

/**
 * The demo académie makes no look-alike people by accident (issue 9: its duplicate finder listed 346 pairs at
 * the lycée, 157 at the collège, nearly all noise): names never repeat within an establishment, and the
 * finder shows only the two duplicates the demo makes on purpose.
 */
test('the demo académie: only its two deliberate duplicates are found', async () => {
  const db = await freshDatabase();
  expect(await seedDemoIfEmpty(db, testConfig('unused'))).toBe(true);
  const schools = await db.selectFrom('establishment').select(['id', 'name']).orderBy('name').execute();
  const found: Record<string, string[][]> = {};
  for (const s of schools) {
    const pairs = await duplicates.pairs(db, s.id, 1000);
    found[s.name] = pairs.map((p) => [...p.reasons].sort());
  }
  expect(found).toEqual({
    'Collège Louise Michel': [],
    // both at 0.95; the pair with more agreeing reasons first
    'Lycée Jean Jaurès': [['SAME_NAME', 'SAME_NAME_AND_CHILDREN'], ['SAME_NAME_AND_BIRTH_DATE']],
  });
}, 120_000);

const { app, db } = await testApp();

describe('the demo accounts printed at start', () => {
  test('the activation code printed for activation.demo is valid for ACTIVATION_CODE_DAYS and activates the account', async () => {
    const school = await makeEstablishment(db);
    const user = await makeUser(db, {
      establishmentId: school.id,
      profiles: ['guardian'],
      status: 'pending_activation',
    });
    await db.updateTable('app_user').set({ login: ACTIVATION_DEMO_LOGIN }).where('id', '=', user.id).execute();

    const lines: string[] = [];
    const before = Date.now();
    await printDemoAccounts(db, { activationCodeDays: 7 }, (m) => lines.push(m), '/var/lib/preau/root-preau');
    const printed = lines.join('\n');
    const code = /activation code ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(printed)?.[1];
    expect(code).toBeDefined();

    const row = await db
      .selectFrom('app_user')
      .select('activation_expires_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    const days = (new Date(row.activation_expires_at!).getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect(printed).toContain(`(valid until ${new Date(row.activation_expires_at!).toISOString().slice(0, 10)})`);
    expect(printed).toContain('To reset the demo: stop Préau, delete /var/lib/preau/root-preau, start again.');

    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: ACTIVATION_DEMO_LOGIN, code, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });

  test('once activated, no code is printed and the account is left alone', async () => {
    const lines: string[] = [];
    await printDemoAccounts(db, { activationCodeDays: 7 }, (m) => lines.push(m));
    expect(lines.join('\n')).toContain('activation.demo  already activated');
    expect(lines.join('\n')).not.toContain('activation code');
  });
});
