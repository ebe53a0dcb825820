import { describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';

const { app, db } = await testApp();
const school = await makeEstablishment(db);
const student = await makeUser(db, { establishmentId: school.id, firstName: 'Inès', lastName: 'Donnée' });
const asStudent = await loginAs(app, student.login);

describe('processing register', () => {
  test('generated from every module that declares personal data, in the reader’s language', async () => {
    const fr = (await asStudent.get('/api/privacy/register')).json();
    const modules = fr.items.map((i: { module: string }) => i.module);
    for (const m of ['accounts', 'charter', 'directory', 'timeline', 'privacy']) expect(modules).toContain(m);
    const directory = fr.items.find((i: { module: string }) => i.module === 'directory');
    expect(directory.purpose).toMatch(/annuaire/);
    expect(directory.categories.map((c: { key: string }) => c.key)).toContain('identity');
    const en = (await asStudent.get('/api/privacy/register', { 'accept-language': 'en' })).json();
    expect(en.items.find((i: { module: string }) => i.module === 'directory').purpose).toMatch(/directory/);
  });

  test('anonymous: 401', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/privacy/register' })).statusCode).toBe(401);
  });
});

describe('my data', () => {
  test('a JSON file of the person’s own data from each module, never a hash; the export is audited', async () => {
    const res = await asStudent.get('/api/privacy/my-data');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="mes-donnees-preau.json"');
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.json();
    expect(data.person).toEqual({ id: student.id, login: student.login });
    expect(data.modules.directory.identity).toMatchObject({ first_name: 'Inès', last_name: 'Donnée' });
    expect(data.modules.directory.memberships).toEqual([
      { establishment: school.name, uai: school.uai, profile: 'student', functions: [] },
    ]);
    expect(data.modules.accounts.account.login).toBe(student.login);
    expect(data.modules.privacy.sessions.length).toBeGreaterThan(0);
    expect(res.body).not.toMatch(/argon2|password_hash|activation_code_hash|token_hash/);
    const logged = await db
      .selectFrom('audit_event')
      .select('action')
      .where('actor_id', '=', student.id)
      .where('action', '=', 'privacy.export')
      .execute();
    expect(logged).toHaveLength(1);
  });

  test('only one’s own: another person’s export holds nothing of the first', async () => {
    const other = await makeUser(db, { establishmentId: school.id, firstName: 'Autre' });
    const data = (await (await loginAs(app, other.login)).get('/api/privacy/my-data')).json();
    expect(JSON.stringify(data)).not.toContain('Inès');
  });
});

describe('retention, as the register states it', () => {
  test('audit events go after one year, usage events after thirteen months; newer ones stay', async () => {
    const { purgeAudit } = await import('../../platform/audit.ts');
    const { purgeUsageEvents } = await import('../../platform/usage.ts');
    const day = 86_400_000;
    const now = new Date('2027-06-15T12:00:00Z');
    await db
      .insertInto('audit_event')
      .values([
        { action: 'test.old', at: new Date(now.getTime() - 370 * day), details: '{}' },
        { action: 'test.recent', at: new Date(now.getTime() - 300 * day), details: '{}' },
      ])
      .execute();
    await db
      .insertInto('usage_event')
      .values([
        { service: 'test', action: 'old', at: new Date(now.getTime() - 400 * day) },
        { service: 'test', action: 'recent', at: new Date(now.getTime() - 380 * day) },
      ])
      .execute();
    expect(await purgeAudit(db, now)).toBeGreaterThanOrEqual(1);
    expect(await purgeUsageEvents(db, now)).toBeGreaterThanOrEqual(1);
    const audits = await db.selectFrom('audit_event').select('action').where('action', 'like', 'test.%').execute();
    expect(audits.map((a) => a.action)).toEqual(['test.recent']);
    const usage = await db.selectFrom('usage_event').select('action').where('service', '=', 'test').execute();
    expect(usage.map((u) => u.action)).toEqual(['recent']);
  });
});
