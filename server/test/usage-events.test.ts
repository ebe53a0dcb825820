import { SERVICE_CATALOGUE } from '@preau/contracts';
import { beforeEach, describe, expect, test } from 'vitest';
import { uaiCheckLetter } from '../src/platform/logins.ts';
import {
  type Agent,
  flushUsage,
  loginAs,
  makeAcademy,
  makeEstablishment,
  makeUser,
  PASSWORD,
  type Profile,
  testApp,
} from './helpers.ts';
import { fixture, upload, waitForImport } from './imports.ts';

/**
 * Every meaningful action records a usage event once it has succeeded, under the caller's most relevant
 * profile in the establishment; a refused request records nothing.
 */
const { app, db } = await testApp();

async function recorded() {
  await flushUsage(app);
  const rows = await db
    .selectFrom('usage_event')
    .select(['service', 'action', 'establishment_id', 'profile'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ service: r.service, action: r.action, est: r.establishment_id, profile: r.profile }));
}

/** Log in first (login records its own event), then start from an empty table. */
async function fresh<T>(logins: Promise<T>): Promise<T> {
  const agents = await logins;
  await flushUsage(app);
  await db.deleteFrom('usage_event').execute();
  return agents;
}

let school: Awaited<ReturnType<typeof makeEstablishment>>;
let principalId: string;

beforeEach(async () => {
  school = await makeEstablishment(db);
  // Principal and teacher in the same establishment: counted as the principal.
  const principal = await makeUser(db, { establishmentId: school.id, profiles: ['teacher', 'principal'] });
  principalId = principal.id;
});

const loginMember = async (profiles: Profile[]) => {
  const u = await makeUser(db, { establishmentId: school.id, profiles });
  return { user: u, as: await loginAs(app, u.login) };
};

describe('usage events', () => {
  test('charter, services and portal: the profile is the most relevant one in the establishment', async () => {
    const [principal, teacher] = await fresh(
      Promise.all([
        db
          .selectFrom('app_user')
          .select('login')
          .where('id', '=', principalId)
          .executeTakeFirstOrThrow()
          .then((u) => loginAs(app, u.login)),
        loginMember(['teacher']),
      ]),
    );
    const base = `/api/establishments/${school.id}`;
    const published = await principal.post(`${base}/charter`, {
      title: 'Charte du lycée',
      body: 'Je respecte les autres et le matériel.',
    });
    expect(published.statusCode, published.body).toBe(201);
    const charterId = published.json().current.id as string;
    expect((await principal.patch(`${base}/services/logbook`, { status: 'recommended' })).statusCode).toBe(200);
    expect((await teacher.as.post('/api/me/charter/accept', { charterId })).statusCode).toBe(204);
    expect((await teacher.as.get(`/api/portal?establishment=${school.id}`)).statusCode).toBe(200);
    // The portal hides services not built yet from teachers: this test's copy of the catalogue says it is built.
    const logbook = SERVICE_CATALOGUE.find((e) => e.key === 'logbook') as { available: boolean };
    const wasBuilt = logbook.available;
    logbook.available = true;
    try {
      const page = await teacher.as.get(`/api/portal/services/logbook?establishment=${school.id}`);
      expect(page.statusCode, page.body).toBe(200);
    } finally {
      logbook.available = wasBuilt;
    }

    expect(await recorded()).toEqual([
      { service: 'charter', action: 'publish', est: school.id, profile: 'principal' },
      { service: 'services', action: 'update', est: school.id, profile: 'principal' },
      { service: 'charter', action: 'accept', est: school.id, profile: 'teacher' },
      { service: 'portal', action: 'view', est: school.id, profile: 'teacher' },
      { service: 'logbook', action: 'portal.service_view', est: school.id, profile: 'teacher' },
    ]);
  });

  test('account: password, e-mail, sessions', async () => {
    const { as } = await fresh(
      loginMember(['student', 'guardian']).then(async (m) => {
        await loginAs(app, m.user.login); // a second session, to revoke
        return m;
      }),
    );
    expect((await as.patch('/api/me', { email: 'parent@example.org' })).statusCode).toBe(200);
    const sessions = (await as.get('/api/me/sessions')).json().sessions as { id: string; current: boolean }[];
    const notMine = sessions.find((s) => !s.current)!;
    expect((await as.delete(`/api/me/sessions/${notMine.id}`)).statusCode).toBe(204);
    expect((await as.delete('/api/me/sessions?others=true')).statusCode).toBe(204);
    const changed = await as.post('/api/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'an even longer correct horse battery staple',
    });
    expect(changed.statusCode, changed.body).toBe(204);

    const rows = (await recorded()).filter((r) => r.action !== 'login');
    expect(rows).toEqual([
      { service: 'account', action: 'email.update', est: null, profile: 'guardian' },
      { service: 'account', action: 'session.revoke', est: null, profile: 'guardian' },
      { service: 'account', action: 'sessions.revoke', est: null, profile: 'guardian' },
      { service: 'account', action: 'password.change', est: null, profile: 'guardian' },
    ]);
  });

  test('directory: users, statuses, codes, people, quality, sheets, rollover', async () => {
    const [admin, student, pending, guardian] = await fresh(
      Promise.all([
        loginMember(['local_admin', 'staff']),
        makeUser(db, { establishmentId: school.id, profiles: ['student'] }),
        makeUser(db, { establishmentId: school.id, profiles: ['teacher'], status: 'pending_activation' }),
        makeUser(db, { establishmentId: school.id, profiles: ['guardian'] }),
      ]),
    );
    const as = admin.as;
    const base = `/api/establishments/${school.id}`;
    const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
      const res = await p;
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res;
    };
    await ok(as.get(`${base}/users`));
    await ok(as.get(`${base}/users/${student.id}`));
    await ok(as.patch(`${base}/users/${student.id}`, { status: 'blocked' }));
    await ok(as.patch(`${base}/users/${student.id}`, { status: 'active' }));
    await ok(as.post(`${base}/users/${pending.id}/activation-code`));
    const created = await ok(as.post(`${base}/people`, { profile: 'teacher', firstName: 'Inès', lastName: 'Martin' }));
    const personId = (JSON.parse(created.body) as { person: { id: string } }).person.id;
    await ok(as.patch(`${base}/people/${personId}`, { firstName: 'Inés' }));
    await ok(as.post(`${base}/people/${student.id}/guardians`, { guardianId: guardian.id, level: 'legal' }));
    await ok(as.delete(`${base}/people/${student.id}/guardians/${guardian.id}`));
    await ok(as.get(`${base}/data-quality`));
    await ok(as.post(`${base}/login-sheets`, { profile: 'student' }));
    await ok(as.post(`${base}/users/${student.id}/login-sheet`, {}));
    const twin = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
    const merge = await ok(as.post(`${base}/duplicates/merge`, { keepId: student.id, mergeId: twin.id }));
    await ok(as.post(`${base}/duplicates/merges/${JSON.parse(merge.body).id}/undo`));
    const rolled = await ok(
      as.post(`${base}/school-years/rollover`, { from: '2026-2027', earlyConfirmation: '2026-2027' }),
    );
    await ok(as.post(`${base}/school-years/rollovers/${JSON.parse(rolled.body).rollover.id}/undo`));

    const d = (action: string) => ({ service: 'directory', action, est: school.id, profile: 'local_admin' });
    expect(await recorded()).toEqual([
      d('users.list'),
      d('user.view'),
      d('user.block'),
      d('user.unblock'),
      d('user.activation_code'),
      d('person.create'),
      d('person.update'),
      d('person.guardian.add'),
      d('person.guardian.remove'),
      d('data_quality.view'),
      d('login_sheets.print'),
      d('login_sheets.print_one'),
      d('duplicates.merge'),
      d('duplicates.undo'),
      d('rollover.run'),
      d('rollover.undo'),
    ]);
  });

  test('imports: a dry run and a real run', async () => {
    const { as } = await fresh(loginMember(['local_admin']));
    const csv = fixture('csv/eleves-r1-r2.csv');
    const dry = await upload(as, [csv], { establishment: school.id, dryRun: 'true' });
    expect(dry.statusCode, dry.body).toBe(202);
    await waitForImport(as, dry.json().id);
    const real = await upload(as, [csv], { establishment: school.id });
    expect(real.statusCode, real.body).toBe(202);
    await waitForImport(as, real.json().id);

    expect(await recorded()).toEqual([
      { service: 'directory', action: 'import.dry_run', est: school.id, profile: 'local_admin' },
      { service: 'directory', action: 'import.run', est: school.id, profile: 'local_admin' },
    ]);
  });

  test('establishments: a platform admin who is not a member counts as platform_admin', async () => {
    const admin = await makeUser(db, { platformAdmin: true });
    const as = await fresh(loginAs(app, admin.login));
    const academy = await makeAcademy(db);
    const created = await as.post('/api/establishments', {
      uai: `0930001${uaiCheckLetter('0930001')}`,
      name: 'Collège Usage',
      type: 'COLLEGE',
      academyId: academy.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await as.put(`/api/establishments/${id}/permissions`, { overrides: [] })).statusCode).toBe(200);
    expect((await as.get(`/api/establishments/${school.id}/users`)).statusCode).toBe(200);

    expect(await recorded()).toEqual([
      { service: 'establishments', action: 'create', est: id, profile: 'platform_admin' },
      { service: 'establishments', action: 'permissions.update', est: id, profile: 'platform_admin' },
      { service: 'directory', action: 'users.list', est: school.id, profile: 'platform_admin' },
    ]);
  });

  test('a refused request (403, 404, 400) records nothing', async () => {
    const [teacher, admin] = await fresh(Promise.all([loginMember(['teacher']), loginMember(['local_admin'])]));
    const base = `/api/establishments/${school.id}`;
    const refused: [Agent, 'get' | 'post' | 'patch' | 'put', string, unknown, number][] = [
      [teacher.as, 'get', `${base}/users`, undefined, 403],
      [teacher.as, 'patch', `${base}/services/logbook`, { status: 'closed' }, 403],
      [teacher.as, 'put', `${base}/permissions`, { overrides: [] }, 403],
      [admin.as, 'get', `${base}/users/00000000-0000-4000-8000-000000000000`, undefined, 404],
      [admin.as, 'patch', `${base}/users/${admin.user.id}`, { status: 'blocked' }, 400],
      [admin.as, 'post', `${base}/school-years/rollover`, { from: '2031-2032' }, 409],
      [teacher.as, 'post', '/api/me/password', { currentPassword: 'wrong', newPassword: 'x'.repeat(20) }, 400],
      [teacher.as, 'post', '/api/me/charter/accept', { charterId: '00000000-0000-4000-8000-000000000000' }, 404],
    ];
    for (const [as, method, url, body, status] of refused) {
      const res = method === 'get' ? await as.get(url) : await as[method](url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    }
    expect(await recorded()).toEqual([]);
  });
});
