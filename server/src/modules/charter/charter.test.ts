import { SERVICE_CATALOGUE } from '@preau/contracts';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  type Profile,
  testApp,
} from '../../../test/helpers.ts';

const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let platformCharterId: string;

beforeAll(async () => {
  const row = await db
    .insertInto('charter')
    .values({
      establishment_id: null,
      version: 1,
      title: "Charte d'usage de l'ENT",
      body: "Je m'engage à utiliser l'ENT dans le respect des autres.",
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  platformCharterId = row.id;
});

async function member(school: School, profiles: Profile[] = ['student']) {
  const u = await makeUser(db, { establishmentId: school.id, profiles });
  return { user: u, as: await loginAs(app, u.login) };
}

const pendingOf = async (a: Agent) =>
  (await a.get('/api/me')).json().pendingCharters as {
    charterId: string;
    establishmentId: string;
    establishmentName: string;
    version: number;
    title: string;
  }[];

const portal = (a: Agent, school: School) => a.get(`/api/portal?establishment=${school.id}`);

describe('accepting the charter', () => {
  test('a pending charter blocks the portal until it is accepted', async () => {
    const school = await makeEstablishment(db);
    const { user, as } = await member(school);

    const pending = await pendingOf(as);
    expect(pending).toEqual([
      expect.objectContaining({
        charterId: platformCharterId,
        establishmentId: school.id,
        establishmentName: school.name,
        version: 1,
        title: "Charte d'usage de l'ENT",
      }),
    ]);

    const blocked = await portal(as, school);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('CHARTER_NOT_ACCEPTED');
    const service = await as.get(`/api/portal/services/news?establishment=${school.id}`);
    expect(service.statusCode).toBe(403);
    expect(service.json().code).toBe('CHARTER_NOT_ACCEPTED');
    // /api/me itself stays reachable: it is where the charter is shown.
    expect((await as.get('/api/me')).statusCode).toBe(200);

    const accept = await as.post('/api/me/charter/accept', { charterId: platformCharterId });
    expect(accept.statusCode).toBe(204);
    expect(await pendingOf(as)).toEqual([]);
    expect((await portal(as, school)).statusCode).toBe(200);
    // Past the charter, the service answers as it does for any student: its entry while it is built, else nowhere.
    const built = SERVICE_CATALOGUE.find((e) => e.key === 'news')?.available;
    expect((await as.get(`/api/portal/services/news?establishment=${school.id}`)).statusCode).toBe(built ? 200 : 404);

    const rows = await db.selectFrom('charter_acceptance').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toEqual([expect.objectContaining({ charter_id: platformCharterId, establishment_id: school.id })]);
    const ev = await db
      .selectFrom('audit_event')
      .select(['action', 'establishment_id', 'actor_id'])
      .where('target_id', '=', platformCharterId)
      .where('actor_id', '=', user.id)
      .execute();
    expect(ev).toEqual([{ action: 'charter.accept', establishment_id: school.id, actor_id: user.id }]);
  });

  test('accepting twice is harmless', async () => {
    const school = await makeEstablishment(db);
    const { user, as } = await member(school);
    expect((await as.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(204);
    expect((await as.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(204);
    const rows = await db.selectFrom('charter_acceptance').select('user_id').where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(1);
  });

  test('an unknown charter, or one not in force in my establishments, is 404', async () => {
    const school = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    const { as } = await member(school);
    const { as: otherPrincipal } = await member(other, ['principal']);
    const published = await otherPrincipal.post(`/api/establishments/${other.id}/charter`, {
      title: 'Charte du collège',
      body: 'Le texte propre à ce collège.',
    });
    expect(published.statusCode).toBe(201);
    const foreign = published.json().current.id;

    expect((await as.post('/api/me/charter/accept', { charterId: crypto.randomUUID() })).statusCode).toBe(404);
    expect((await as.post('/api/me/charter/accept', { charterId: foreign })).statusCode).toBe(404);
    expect(
      (await as.post('/api/me/charter/accept', { charterId: platformCharterId, establishmentId: other.id })).statusCode,
    ).toBe(404);
    expect((await as.post('/api/me/charter/accept', { charterId: 'nope' })).statusCode).toBe(400);
    expect((await as.post('/api/me/charter/accept', {})).statusCode).toBe(400);
    expect((await portal(as, school)).statusCode).toBe(403);
  });

  test('without a session it is 401', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/me/charter/accept',
      payload: { charterId: platformCharterId },
    });
    expect(res.statusCode).toBe(401);
  });

  test('a person in two establishments accepts the platform default charter in each separately', async () => {
    const a = await makeEstablishment(db);
    const b = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: u.id, profile: 'guardian' }).execute();
    const as = await loginAs(app, u.login);

    const pending = await pendingOf(as);
    expect(pending.map((p) => [p.charterId, p.establishmentId]).sort()).toEqual(
      [
        [platformCharterId, a.id],
        [platformCharterId, b.id],
      ].sort(),
    );

    const res = await as.post('/api/me/charter/accept', { charterId: platformCharterId, establishmentId: a.id });
    expect(res.statusCode).toBe(204);
    expect((await pendingOf(as)).map((p) => p.establishmentId)).toEqual([b.id]);
    expect((await portal(as, a)).statusCode).toBe(200);
    expect((await portal(as, b)).json().code).toBe('CHARTER_NOT_ACCEPTED');

    expect(
      (await as.post('/api/me/charter/accept', { charterId: platformCharterId, establishmentId: b.id })).statusCode,
    ).toBe(204);
    expect(await pendingOf(as)).toEqual([]);
    expect((await portal(as, b)).statusCode).toBe(200);
  });

  test('without an establishment, the charter is accepted wherever it is the one in force', async () => {
    const a = await makeEstablishment(db);
    const b = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: u.id, profile: 'teacher' }).execute();
    const as = await loginAs(app, u.login);
    expect((await as.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(204);
    expect(await pendingOf(as)).toEqual([]);
  });

  test("an acceptance in one establishment does not count for another's own charter", async () => {
    const a = await makeEstablishment(db);
    const b = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: u.id, profile: 'teacher' }).execute();
    const as = await loginAs(app, u.login);
    expect((await as.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(204);

    const { as: principalB } = await member(b, ['principal']);
    expect(
      (await principalB.post(`/api/establishments/${b.id}/charter`, { title: 'Charte B', body: 'Règles propres à B.' }))
        .statusCode,
    ).toBe(201);
    const pending = await pendingOf(as);
    expect(pending).toEqual([expect.objectContaining({ establishmentId: b.id, title: 'Charte B' })]);
    expect((await portal(as, a)).statusCode).toBe(200);
    expect((await portal(as, b)).statusCode).toBe(403);
  });
});

describe('managing the charter', () => {
  test('a principal publishes a new version: everyone must accept again', async () => {
    const school = await makeEstablishment(db);
    const { user: principalUser, as: principal } = await member(school, ['principal']);
    const { as: student } = await member(school, ['student']);
    for (const a of [principal, student]) {
      expect((await a.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(204);
    }
    expect((await portal(student, school)).statusCode).toBe(200);

    const res = await principal.post(`/api/establishments/${school.id}/charter`, {
      title: 'Charte 2027',
      body: 'Nouvelles règles de l’établissement.',
    });
    expect(res.statusCode).toBe(201);
    const current = res.json().current;
    expect(current).toMatchObject({ version: 2, title: 'Charte 2027', inherited: false });
    expect(res.json().acceptance).toEqual([
      { profile: 'principal', total: 1, accepted: 0 },
      { profile: 'student', total: 1, accepted: 0 },
    ]);

    expect((await portal(student, school)).json().code).toBe('CHARTER_NOT_ACCEPTED');
    expect((await portal(principal, school)).json().code).toBe('CHARTER_NOT_ACCEPTED');
    expect((await pendingOf(student)).map((p) => [p.charterId, p.version])).toEqual([[current.id, 2]]);
    // The old version can no longer be accepted.
    expect((await student.post('/api/me/charter/accept', { charterId: platformCharterId })).statusCode).toBe(404);
    expect((await student.post('/api/me/charter/accept', { charterId: current.id })).statusCode).toBe(204);
    expect((await portal(student, school)).statusCode).toBe(200);

    const row = await db.selectFrom('charter').selectAll().where('id', '=', current.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ establishment_id: school.id, version: 2, published_by: principalUser.id });
    const ev = await db.selectFrom('audit_event').selectAll().where('target_id', '=', current.id).execute();
    expect(ev.map((e) => e.action).sort()).toEqual(['charter.accept', 'charter.publish']);
    expect(ev.find((e) => e.action === 'charter.publish')).toMatchObject({
      actor_id: principalUser.id,
      establishment_id: school.id,
      details: { version: 2 },
    });

    // A further version is 3.
    const again = await principal.post(`/api/establishments/${school.id}/charter`, {
      title: 'Charte 2028',
      body: 'Encore de nouvelles règles.',
    });
    expect(again.json().current.version).toBe(3);
  });

  test('GET shows the charter in force and how many accepted it, per profile', async () => {
    const school = await makeEstablishment(db);
    const { as: principal } = await member(school, ['principal']);
    const students = [await member(school, ['student']), await member(school, ['student']), await member(school)];
    const { as: teacher } = await member(school, ['teacher']);
    const detached = await makeUser(db, { establishmentId: school.id, profiles: ['student'], status: 'detached' });
    await db
      .insertInto('charter_acceptance')
      .values({ user_id: detached.id, charter_id: platformCharterId, establishment_id: school.id })
      .execute();
    await students[0]!.as.post('/api/me/charter/accept', { charterId: platformCharterId });
    await students[2]!.as.post('/api/me/charter/accept', { charterId: platformCharterId });
    await teacher.post('/api/me/charter/accept', { charterId: platformCharterId });

    const res = await principal.get(`/api/establishments/${school.id}/charter`);
    expect(res.statusCode).toBe(200);
    expect(res.json().current).toMatchObject({ id: platformCharterId, version: 1, inherited: true });
    expect(res.json().acceptance).toEqual([
      { profile: 'principal', total: 1, accepted: 0 },
      { profile: 'student', total: 3, accepted: 2 },
      { profile: 'teacher', total: 1, accepted: 1 },
    ]);
  });

  test('an acceptance given in another establishment is not counted here', async () => {
    const a = await makeEstablishment(db);
    const b = await makeEstablishment(db);
    const { as: principal } = await member(a, ['principal']);
    const u = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: u.id, profile: 'teacher' }).execute();
    const as = await loginAs(app, u.login);
    await as.post('/api/me/charter/accept', { charterId: platformCharterId, establishmentId: b.id });
    const res = await principal.get(`/api/establishments/${a.id}/charter`);
    expect(res.json().acceptance).toContainEqual({ profile: 'teacher', total: 1, accepted: 0 });
  });

  test('a teacher gets 403; a principal of another establishment, or of none, 404', async () => {
    const school = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    const { as: teacher } = await member(school, ['teacher']);
    const { as: foreignPrincipal } = await member(other, ['principal']);
    const body = { title: 'Charte pirate', body: 'Un texte qui ne doit pas passer.' };
    const before = await countRows(db, 'charter');

    for (const res of [
      await teacher.get(`/api/establishments/${school.id}/charter`),
      await teacher.post(`/api/establishments/${school.id}/charter`, body),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    for (const res of [
      await foreignPrincipal.get(`/api/establishments/${school.id}/charter`),
      await foreignPrincipal.post(`/api/establishments/${school.id}/charter`, body),
      await foreignPrincipal.get(`/api/establishments/${crypto.randomUUID()}/charter`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    expect(await countRows(db, 'charter')).toBe(before);
  });

  test('a local admin manages the charter; a platform admin too, anywhere', async () => {
    const school = await makeEstablishment(db);
    const { as: localAdmin } = await member(school, ['local_admin']);
    expect((await localAdmin.get(`/api/establishments/${school.id}/charter`)).statusCode).toBe(200);
    const admin = await makeUser(db, { platformAdmin: true });
    const as = await loginAs(app, admin.login);
    expect((await as.get(`/api/establishments/${school.id}/charter`)).statusCode).toBe(200);
    expect((await as.get(`/api/establishments/${crypto.randomUUID()}/charter`)).statusCode).toBe(404);
  });

  test('a revoked permission (override) is 403 for that establishment only', async () => {
    const school = await makeEstablishment(db);
    const { as: principal } = await member(school, ['principal']);
    await db
      .insertInto('permission_override')
      .values({ establishment_id: school.id, profile: 'principal', permission: 'charter.manage', granted: false })
      .execute();
    expect((await principal.get(`/api/establishments/${school.id}/charter`)).statusCode).toBe(403);
  });

  test('publication is validated', async () => {
    const school = await makeEstablishment(db);
    const { as: principal } = await member(school, ['principal']);
    const url = `/api/establishments/${school.id}/charter`;
    const before = await countRows(db, 'charter');
    for (const body of [
      { title: 'Ok', body: 'Texte assez long.' },
      { title: 'Charte', body: '   court   ' },
      { title: 'Charte', body: 'Texte assez long.', extra: 1 },
      { title: 'Charte' },
    ]) {
      const res = await principal.post(url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    expect(await countRows(db, 'charter')).toBe(before);
  });

  test('two publications at once get two different version numbers', async () => {
    const school = await makeEstablishment(db);
    const { as: principal } = await member(school, ['principal']);
    const url = `/api/establishments/${school.id}/charter`;
    const [a, b] = await Promise.all([
      principal.post(url, { title: 'Version A', body: 'Premier texte publié.' }),
      principal.post(url, { title: 'Version B', body: 'Second texte publié.' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const versions = await db
      .selectFrom('charter')
      .select('version')
      .where('establishment_id', '=', school.id)
      .execute();
    expect(versions.map((v) => v.version).sort()).toEqual([2, 3]);
  });

  test("an establishment's own charter stays in force over a newer platform default", async () => {
    const own = await makeEstablishment(db);
    const inheriting = await makeEstablishment(db);
    const { as: principal } = await member(own, ['principal']);
    const { as: principal2 } = await member(inheriting, ['principal']);
    await principal.post(`/api/establishments/${own.id}/charter`, {
      title: 'Charte maison',
      body: 'Nos règles à nous.',
    });
    const v5 = await db
      .insertInto('charter')
      .values({ establishment_id: null, version: 5, title: 'Charte académique v5', body: 'Texte académique révisé.' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await principal.get(`/api/establishments/${own.id}/charter`)).json().current).toMatchObject({
      title: 'Charte maison',
      inherited: false,
    });
    expect((await principal2.get(`/api/establishments/${inheriting.id}/charter`)).json().current).toMatchObject({
      id: v5.id,
      version: 5,
      inherited: true,
    });
  });
});
