import { describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';

const { app, db } = await testApp();

describe('GET /api/me', () => {
  test('memberships per establishment, with the permissions held there and the CSRF token', async () => {
    const a = await makeEstablishment(db, { name: 'A Lycée Averroès' });
    const b = await makeEstablishment(db, { name: 'B Collège Brassens' });
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['principal'] });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: u.id, profile: 'teacher' }).execute();
    const as = await loginAs(app, u.login);
    const res = await as.get('/api/me');
    expect(res.statusCode).toBe(200);
    const me = res.json();
    expect(me.csrfToken).toBe(as.csrfToken);
    expect(me.user).toMatchObject({ id: u.id, login: u.login, platformAdmin: false, status: 'active' });
    expect(me.memberships.map((m: { establishment: { id: string } }) => m.establishment.id)).toEqual([a.id, b.id]);
    const [inA, inB] = me.memberships;
    expect(inA.profiles).toEqual(['principal']);
    expect(inA.permissions).toEqual(expect.arrayContaining(['charter.manage', 'services.manage', 'portal.read']));
    expect(inB.profiles).toEqual(['teacher']);
    expect(inB.permissions).toContain('portal.read');
    expect(inB.permissions).not.toContain('services.manage');
    expect(inB.permissions).not.toContain('charter.manage');
    expect(me.passwordPolicy).toEqual({ minLength: 12, maxLength: 128 });
  });

  test('an override shows in the permissions of that establishment only', async () => {
    const a = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    await db
      .insertInto('permission_override')
      .values({ establishment_id: a.id, profile: 'teacher', permission: 'services.manage', granted: true })
      .execute();
    const me = (await (await loginAs(app, u.login)).get('/api/me')).json();
    expect(me.memberships[0].permissions).toContain('services.manage');
  });

  test('a student-only account has the student password policy', async () => {
    const a = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['student'] });
    const me = (await (await loginAs(app, u.login)).get('/api/me')).json();
    expect(me.passwordPolicy).toEqual({ minLength: 8, maxLength: 128 });
    expect(me.pendingCharters).toEqual([]);
  });

  test('a platform admin holds every permission; no membership, no establishment', async () => {
    const admin = await makeUser(db, { platformAdmin: true });
    const me = (await (await loginAs(app, admin.login)).get('/api/me')).json();
    expect(me.user.platformAdmin).toBe(true);
    expect(me.memberships).toEqual([]);
  });

  test("the directory's civilité gives the gender words agree with; each child comes with their first name", async () => {
    const a = await makeEstablishment(db, { name: 'A Lycée' });
    const b = await makeEstablishment(db, { name: 'B Collège' });
    const mother = await makeUser(db, { establishmentId: a.id, profiles: ['guardian', 'local_admin'] });
    await db.updateTable('app_user').set({ title: 'Mme' }).where('id', '=', mother.id).execute();
    await db
      .insertInto('membership')
      .values({ establishment_id: b.id, user_id: mother.id, profile: 'guardian' })
      .execute();
    const nour = await makeUser(db, { establishmentId: a.id, firstName: 'Nour', lastName: 'André' });
    const sami = await makeUser(db, { establishmentId: b.id, firstName: 'Sami', lastName: 'André' });
    await db
      .insertInto('guardianship')
      .values([
        { establishment_id: a.id, guardian_id: mother.id, student_id: nour.id, level: 'legal' },
        { establishment_id: b.id, guardian_id: mother.id, student_id: sami.id, level: 'legal' },
      ])
      .execute();
    const me = (await (await loginAs(app, mother.login)).get('/api/me')).json();
    expect(me.user.gender).toBe('female');
    expect(me.memberships.map((m: { children: unknown[] }) => m.children)).toEqual([
      [{ id: nour.id, displayName: 'ANDRÉ Nour', firstName: 'Nour' }],
      [{ id: sami.id, displayName: 'ANDRÉ Sami', firstName: 'Sami' }],
    ]);
    const father = await makeUser(db, { establishmentId: a.id, profiles: ['guardian'] });
    await db.updateTable('app_user').set({ title: 'M.' }).where('id', '=', father.id).execute();
    expect((await (await loginAs(app, father.login)).get('/api/me')).json().user.gender).toBe('male');
    const unknown = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    expect((await (await loginAs(app, unknown.login)).get('/api/me')).json().user.gender).toBeNull();
  });
});
