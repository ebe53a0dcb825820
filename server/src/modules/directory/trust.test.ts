import type { LightMyRequestResponse } from 'fastify';
import { beforeEach, describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, PASSWORD, testApp } from '../../../test/helpers.ts';
import { hashActivationCode } from '../accounts/index.ts';

/**
 * Trust between establishments (issue 8, defects 1 and 2): what an establishment's administrator does reaches a
 * person only within that establishment; account-wide state of a person who also belongs elsewhere is the
 * person's or the platform administrator's.
 */

const { app, db } = await testApp();

async function world() {
  const a = await makeEstablishment(db);
  const b = await makeEstablishment(db);
  const adminA = await makeUser(db, { establishmentId: a.id, profiles: ['local_admin'] });
  const adminB = await makeUser(db, { establishmentId: b.id, profiles: ['local_admin'] });
  const platform = await makeUser(db, { platformAdmin: true });
  // A teacher of both schools, and a parent of both awaiting activation.
  const shared = await makeUser(db, {
    establishmentId: a.id,
    profiles: ['teacher'],
    firstName: 'Inès',
    lastName: 'Partagé',
  });
  await db
    .insertInto('membership')
    .values({ establishment_id: b.id, user_id: shared.id, profile: 'teacher' })
    .execute();
  const pendingShared = await makeUser(db, {
    establishmentId: a.id,
    profiles: ['guardian'],
    status: 'pending_activation',
    activationCode: 'K7M2Q-9XR4T',
  });
  await db
    .insertInto('membership')
    .values({ establishment_id: b.id, user_id: pendingShared.id, profile: 'guardian' })
    .execute();
  // People of school A only.
  const local = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
  const pendingLocal = await makeUser(db, {
    establishmentId: a.id,
    profiles: ['guardian'],
    status: 'pending_activation',
    activationCode: 'K7M2Q-9XR4T',
  });
  return { a, b, adminA, adminB, platform, shared, pendingShared, local, pendingLocal };
}

let w: Awaited<ReturnType<typeof world>>;
beforeEach(async () => {
  w = await world();
});

const userRow = (id: string) => db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (action: string, targetId: string) =>
  db.selectFrom('audit_event').selectAll().where('action', '=', action).where('target_id', '=', targetId).execute();

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body.code).toBe(code);
  return body as { code: string; detail: string; errors?: { path: string; message: string }[] };
}

const establishmentsOf = (me: LightMyRequestResponse) =>
  (me.json().memberships as { establishment: { id: string } }[]).map((m) => m.establishment.id).sort();

describe('blocking suspends the membership in the establishment, not the account', () => {
  test('a teacher blocked in A still logs in and works in B; A disappears from their memberships', async () => {
    const session = await loginAs(app, w.shared.login);
    expect(establishmentsOf(await session.get('/api/me'))).toEqual([w.a.id, w.b.id].sort());

    const adminA = await loginAs(app, w.adminA.login);
    const res = await adminA.patch(`/api/establishments/${w.a.id}/users/${w.shared.id}`, { status: 'blocked' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'blocked', can: { block: false, unblock: true } });

    // The account itself is untouched: still active, sessions kept.
    expect((await userRow(w.shared.id)).status).toBe('active');
    // The open session loses A at its next request; B still works.
    const me = await session.get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(establishmentsOf(me)).toEqual([w.b.id]);
    // A new login works, and sees only B.
    const again = await loginAs(app, w.shared.login);
    expect(establishmentsOf(await again.get('/api/me'))).toEqual([w.b.id]);
    // B's administrator sees an active teacher; A's sees a blocked one.
    const adminB = await loginAs(app, w.adminB.login);
    expect((await adminB.get(`/api/establishments/${w.b.id}/users/${w.shared.id}`)).json().status).toBe('active');
    expect((await adminA.get(`/api/establishments/${w.a.id}/users/${w.shared.id}`)).json().status).toBe('blocked');
    const listed = await adminA.get(`/api/establishments/${w.a.id}/users?status=blocked`);
    expect(listed.json().items.map((u: { id: string }) => u.id)).toEqual([w.shared.id]);

    const [event] = await auditOf('directory.user.block', w.shared.id);
    expect(event).toMatchObject({ establishment_id: w.a.id, actor_id: w.adminA.id });
    expect(event!.details).toMatchObject({ scope: 'establishment' });

    // Unblocking gives A back.
    const un = await adminA.patch(`/api/establishments/${w.a.id}/users/${w.shared.id}`, { status: 'active' });
    expect(un.json()).toMatchObject({ status: 'active' });
    expect(establishmentsOf(await session.get('/api/me'))).toEqual([w.a.id, w.b.id].sort());
  });

  test('a person of A only, blocked in A, can no longer log in and their sessions end', async () => {
    const session = await loginAs(app, w.local.login);
    const adminA = await loginAs(app, w.adminA.login);
    expect(
      (await adminA.patch(`/api/establishments/${w.a.id}/users/${w.local.id}`, { status: 'blocked' })).statusCode,
    ).toBe(200);
    expect((await session.get('/api/me')).statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: w.local.login, password: PASSWORD },
    });
    expectProblem(res, 403, 'ACCOUNT_BLOCKED');
    expect(
      (await adminA.patch(`/api/establishments/${w.a.id}/users/${w.local.id}`, { status: 'active' })).statusCode,
    ).toBe(200);
    await loginAs(app, w.local.login);
  });
});

describe("account-wide fields of a person who also belongs elsewhere are the person's or the platform's", () => {
  test("A's administrator cannot change the e-mail, names, birth date or phones: 403 that says who can", async () => {
    const adminA = await loginAs(app, w.adminA.login);
    const before = await userRow(w.shared.id);
    for (const body of [
      { email: 'pirate@example.org' },
      { lastName: 'Autre' },
      { firstName: 'Autre' },
      { birthDate: '1980-01-01' },
      { phoneMobile: '06 00 00 00 00' },
      { email: 'pirate@example.org', functions: ['ENS'] },
    ]) {
      const res = await adminA.patch(`/api/establishments/${w.a.id}/people/${w.shared.id}`, body);
      const problem = expectProblem(res, 403, 'PERSON_IN_OTHER_ESTABLISHMENT');
      expect(problem.detail).toMatch(/autre établissement/);
      expect(problem.detail).toMatch(/administrateur de la plateforme/);
      expect(problem.errors?.length).toBeGreaterThan(0);
    }
    expect(await userRow(w.shared.id)).toEqual(before);
    expect(await auditOf('directory.person.update', w.shared.id)).toEqual([]);

    // What belongs to A (functions here) may still be corrected by A.
    const ok = await adminA.patch(`/api/establishments/${w.a.id}/people/${w.shared.id}`, { functions: ['ENS'] });
    expect(ok.statusCode, ok.body).toBe(200);
    // The detail says so, for the web app.
    const detail = (await adminA.get(`/api/establishments/${w.a.id}/users/${w.shared.id}`)).json();
    expect(detail).toMatchObject({ accountShared: true, can: { edit: true, editAccount: false } });
    expect((await adminA.get(`/api/establishments/${w.a.id}/people/${w.shared.id}`)).json()).toMatchObject({
      accountShared: true,
    });

    // The platform administrator may.
    const platform = await loginAs(app, w.platform.login);
    const res = await platform.patch(`/api/establishments/${w.a.id}/people/${w.shared.id}`, {
      email: 'ines.partage@example.org',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await userRow(w.shared.id)).email).toBe('ines.partage@example.org');
  });

  test("a person of A only: A's administrator corrects everything", async () => {
    const adminA = await loginAs(app, w.adminA.login);
    const res = await adminA.patch(`/api/establishments/${w.a.id}/people/${w.local.id}`, { email: 'x@example.org' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accountShared: false });
  });

  test("A's administrator cannot hand out an activation code for a pending account shared with B", async () => {
    const adminA = await loginAs(app, w.adminA.login);
    const before = await userRow(w.pendingShared.id);
    const res = await adminA.post(`/api/establishments/${w.a.id}/users/${w.pendingShared.id}/activation-code`);
    const problem = expectProblem(res, 403, 'PERSON_IN_OTHER_ESTABLISHMENT');
    expect(problem.detail).toMatch(/administrateur de la plateforme/);
    expect(await userRow(w.pendingShared.id)).toEqual(before);
    expect(before.activation_code_hash).toBe(hashActivationCode(w.pendingShared.id, 'K7M2Q-9XR4T'));
    expect(await auditOf('directory.user.activation_code', w.pendingShared.id)).toEqual([]);
    const detail = (await adminA.get(`/api/establishments/${w.a.id}/users/${w.pendingShared.id}`)).json();
    expect(detail.can.newActivationCode).toBe(false);

    // A person of A only still gets one; the platform administrator may for the shared one.
    expect(
      (await adminA.post(`/api/establishments/${w.a.id}/users/${w.pendingLocal.id}/activation-code`)).statusCode,
    ).toBe(201);
    const platform = await loginAs(app, w.platform.login);
    expect(
      (await platform.post(`/api/establishments/${w.a.id}/users/${w.pendingShared.id}/activation-code`)).statusCode,
    ).toBe(201);
  });
});

describe('manual corrections never pull in a person of another establishment', () => {
  test("B's people are unknown to A's administrator: every person route answers 404 and changes nothing", async () => {
    const onlyB = await makeUser(db, { establishmentId: w.b.id, profiles: ['guardian'], status: 'pending_activation' });
    const teacherB = await makeUser(db, { establishmentId: w.b.id, profiles: ['teacher'] });
    const student = await makeUser(db, { establishmentId: w.a.id, profiles: ['student'] });
    const adminA = await loginAs(app, w.adminA.login);
    const before = {
      users: await db.selectFrom('app_user').selectAll().where('id', 'in', [onlyB.id, teacherB.id]).execute(),
      memberships: await db.selectFrom('membership').selectAll().where('establishment_id', '=', w.a.id).execute(),
      guardianships: await db.selectFrom('guardianship').selectAll().execute(),
      audit: await db.selectFrom('audit_event').select('id').execute(),
    };
    const base = `/api/establishments/${w.a.id}`;
    for (const [what, res] of [
      [
        'link as guardian',
        await adminA.post(`${base}/people/${student.id}/guardians`, { guardianId: onlyB.id, level: 'legal' }),
      ],
      ['correct', await adminA.patch(`${base}/people/${onlyB.id}`, { email: 'pirate@example.org' })],
      ['block', await adminA.patch(`${base}/users/${onlyB.id}`, { status: 'blocked' })],
      ['activation code', await adminA.post(`${base}/users/${onlyB.id}/activation-code`)],
      ['login sheet', await adminA.post(`${base}/users/${onlyB.id}/login-sheet`, { confirmReplace: 1 })],
      ['assignment', await adminA.get(`${base}/people/${teacherB.id}/assignments`)],
      ['merge', await adminA.post(`${base}/duplicates/merge`, { keepId: student.id, mergeId: onlyB.id })],
      ['dismiss', await adminA.post(`${base}/duplicates/dismissals`, { aId: student.id, bId: onlyB.id })],
    ] as const) {
      expect(res.statusCode, what).toBe(404);
      expect(res.headers['content-type'], what).toContain('application/problem+json');
    }
    expect({
      users: await db.selectFrom('app_user').selectAll().where('id', 'in', [onlyB.id, teacherB.id]).execute(),
      memberships: await db.selectFrom('membership').selectAll().where('establishment_id', '=', w.a.id).execute(),
      guardianships: await db.selectFrom('guardianship').selectAll().execute(),
      audit: await db.selectFrom('audit_event').select('id').execute(),
    }).toEqual(before);
  });
});

describe('merges never reach a person of another establishment', () => {
  test('merging a duplicate into a person shared with B is refused to A and allowed to the platform', async () => {
    // A duplicate of the shared teacher, created in A by hand.
    const dup = await makeUser(db, {
      establishmentId: w.a.id,
      profiles: ['teacher'],
      firstName: 'Inès',
      lastName: 'Partagé',
    });
    await db.updateTable('app_user').set({ email: 'pirate@example.org' }).where('id', '=', dup.id).execute();
    const adminA = await loginAs(app, w.adminA.login);
    const before = [await userRow(w.shared.id), await userRow(dup.id)];
    const res = await adminA.post(`/api/establishments/${w.a.id}/duplicates/merge`, {
      keepId: w.shared.id,
      mergeId: dup.id,
    });
    const problem = expectProblem(res, 403, 'PERSON_IN_OTHER_ESTABLISHMENT');
    expect(problem.detail).toMatch(/administrateur de la plateforme/);
    expect([await userRow(w.shared.id), await userRow(dup.id)]).toEqual(before);
    expect(await db.selectFrom('user_merge').select('id').where('kept_id', '=', w.shared.id).execute()).toEqual([]);

    // The other way round too (the shared account would be detached).
    expectProblem(
      await adminA.post(`/api/establishments/${w.a.id}/duplicates/merge`, { keepId: dup.id, mergeId: w.shared.id }),
      409,
      'MERGE_OTHER_ESTABLISHMENTS',
    );

    const platform = await loginAs(app, w.platform.login);
    const ok = await platform.post(`/api/establishments/${w.a.id}/duplicates/merge`, {
      keepId: w.shared.id,
      mergeId: dup.id,
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});
