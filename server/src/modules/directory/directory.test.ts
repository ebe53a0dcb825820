import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol, guard, makeClass } from '../../../test/directory-fixtures.ts';
import {
  type Agent,
  agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  PASSWORD,
  sessionCookie,
  testApp,
} from '../../../test/helpers.ts';

const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
type User = Awaited<ReturnType<typeof makeUser>>;

const statusOf = async (id: string) =>
  (await db.selectFrom('app_user').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

/** Everything a rejected request must leave as it was. */
const snapshot = async () => ({
  audit: await countRows(db, 'audit_event'),
  sessions: await countRows(db, 'session'),
  users: await db.selectFrom('app_user').select(['id', 'status', 'activation_code_hash']).orderBy('id').execute(),
  suspensions: await countRows(db, 'membership_suspension'),
});

let a: School;
let b: School;
let principal: User;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;
let students: Record<'helene' | 'hugo' | 'zoe', User>;
let teacher: User;
let mother: User;
let aunt: User;
let outsider: User;

beforeAll(async () => {
  a = await makeEstablishment(db);
  b = await makeEstablishment(db);
  principal = await makeUser(db, { establishmentId: a.id, profiles: ['principal'], lastName: 'Proviseur' });
  principalA = await loginAs(app, principal.login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  teacher = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], firstName: 'Jean', lastName: 'Prof' });
  teacherA = await loginAs(app, teacher.login);
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
  students = {
    helene: await makeUser(db, {
      establishmentId: a.id,
      profiles: ['student'],
      firstName: 'Hélène',
      lastName: 'Élodie',
    }),
    hugo: await makeUser(db, { establishmentId: a.id, profiles: ['student'], firstName: 'Hugo', lastName: 'Martin' }),
    zoe: await makeUser(db, {
      establishmentId: a.id,
      profiles: ['student'],
      firstName: 'Zoé',
      lastName: 'Martin',
      status: 'blocked',
    }),
  };
  mother = await makeUser(db, {
    establishmentId: a.id,
    profiles: ['guardian', 'teacher'],
    firstName: 'Anne',
    lastName: 'Martin',
  });
  aunt = await makeUser(db, { establishmentId: a.id, profiles: ['guardian'], firstName: 'Inès', lastName: 'Durand' });
  outsider = await makeUser(db, {
    establishmentId: b.id,
    profiles: ['student'],
    firstName: 'Hélène',
    lastName: 'Autre',
  });
  await db
    .updateTable('membership')
    .set({ functions: ['CPE', 'DOC'] })
    .where('user_id', '=', mother.id)
    .where('profile', '=', 'teacher')
    .execute();

  const c2 = await makeClass(db, a, '2NDE3');
  const c1 = await makeClass(db, a, '1G2');
  await enrol(db, a, students.helene.id, { classId: c2.id });
  await enrol(db, a, students.hugo.id, { classId: c2.id });
  await enrol(db, a, students.zoe.id, { classId: c1.id });
  await assign(db, a, teacher.id, { classId: c2.id });
  await assign(db, a, teacher.id, { classId: c1.id });
  // last year's class does not count
  const old = await db
    .insertInto('school_year')
    .values({
      establishment_id: a.id,
      label: '2025-2026',
      starts_on: '2025-09-01',
      ends_on: '2026-08-31',
      status: 'archived',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const oldClass = await makeClass(db, a, '3E1', old.id);
  await enrol(db, a, students.hugo.id, { classId: oldClass.id }, old.id);

  await guard(db, a, mother.id, students.hugo.id, 'legal');
  await guard(db, a, mother.id, students.zoe.id, 'legal');
  await guard(db, a, aunt.id, students.hugo.id, 'in_charge');
});

const list = (id: string, query = '') => `/api/establishments/${id}/users${query}`;
const one = (id: string, userId: string) => `/api/establishments/${id}/users/${userId}`;

describe('GET /api/establishments/:id/users', () => {
  test('401 → 400 → 403 → 404', async () => {
    expect((await app.inject({ method: 'GET', url: list(a.id) })).statusCode).toBe(401);
    for (const url of [
      list('nope'),
      list(a.id, '?sort=name'),
      list(a.id, '?pageSize=0'),
      list(a.id, '?pageSize=500'),
      list(a.id, '?page=-1'),
      list(a.id, '?profile=platform_admin'),
      list(a.id, '?status=gone'),
    ]) {
      const res = await principalA.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    expect((await teacherA.get(list(a.id))).statusCode).toBe(403);
    expect((await principalB.get(list(a.id))).statusCode).toBe(404);
    expect((await admin.get(list(randomUUID()))).statusCode).toBe(404);
  });

  test('lists the members with profiles and current classes, ordered by display name', async () => {
    const res = await principalA.get(list(a.id));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 7, page: 1, pageSize: 50 });
    const names = body.items.map((u: { displayName: string }) => u.displayName);
    expect(names).toEqual([...names].sort());
    expect(body.items.map((u: { id: string }) => u.id)).not.toContain(outsider.id);
    expect(body.items).toContainEqual({
      id: students.hugo.id,
      login: students.hugo.login,
      displayName: 'MARTIN Hugo',
      profiles: ['student'],
      status: 'active',
      classes: ['2NDE3'],
    });
    expect(body.items.find((u: { id: string }) => u.id === teacher.id).classes).toEqual(['1G2', '2NDE3']);
    expect(body.items.find((u: { id: string }) => u.id === mother.id).profiles).toEqual(['guardian', 'teacher']);
    expect(body.items.find((u: { id: string }) => u.id === principal.id).classes).toEqual([]);
  });

  test('searches login and names without regard to case or accents', async () => {
    const ids = async (q: string) =>
      (await principalA.get(list(a.id, `?q=${encodeURIComponent(q)}`))).json().items.map((u: { id: string }) => u.id);
    expect(await ids('helene')).toEqual([students.helene.id]);
    expect(await ids('ÉLODIE')).toEqual([students.helene.id]);
    expect(await ids('ines')).toEqual([aunt.id]);
    expect(await ids('martin zoe')).toEqual([students.zoe.id]);
    expect((await ids('martin')).sort()).toEqual([mother.id, students.hugo.id, students.zoe.id].sort());
    expect(await ids(students.hugo.login.toUpperCase())).toEqual([students.hugo.id]);
    expect(await ids('%')).toEqual([]);
    expect(await ids('_')).toEqual([]);
  });

  test('filters by profile, class and status, and paginates', async () => {
    const get = async (q: string) => (await principalA.get(list(a.id, q))).json();
    expect((await get('?profile=guardian')).total).toBe(2);
    expect((await get('?profile=teacher')).items.map((u: { id: string }) => u.id).sort()).toEqual(
      [teacher.id, mother.id].sort(),
    );
    const inClass = await get('?class=2nde3');
    expect(inClass.items.map((u: { id: string }) => u.id).sort()).toEqual(
      [students.helene.id, students.hugo.id, teacher.id].sort(),
    );
    expect((await get('?class=3E1')).total).toBe(0); // last year's class
    expect((await get('?class=2NDE3&profile=student&q=hugo')).items.map((u: { id: string }) => u.id)).toEqual([
      students.hugo.id,
    ]);
    expect((await get('?status=blocked')).items.map((u: { id: string }) => u.id)).toEqual([students.zoe.id]);

    const all = (await get('?pageSize=200')).items.map((u: { id: string }) => u.id);
    const p1 = await get('?pageSize=3');
    const p3 = await get('?pageSize=3&page=3');
    expect(p1).toMatchObject({ total: 7, page: 1, pageSize: 3 });
    expect(p1.items.map((u: { id: string }) => u.id)).toEqual(all.slice(0, 3));
    expect(p3.items.map((u: { id: string }) => u.id)).toEqual(all.slice(6));
    expect((await get('?pageSize=3&page=4')).items).toEqual([]);
  });
});

describe('GET /api/establishments/:id/users/:userId', () => {
  test('401 → 400 → 403 → 404', async () => {
    expect((await app.inject({ method: 'GET', url: one(a.id, students.hugo.id) })).statusCode).toBe(401);
    expect((await principalA.get(one(a.id, 'nope'))).statusCode).toBe(400);
    expect((await principalA.get(one('nope', students.hugo.id))).statusCode).toBe(400);
    expect((await teacherA.get(one(a.id, students.hugo.id))).statusCode).toBe(403);
    expect((await principalB.get(one(a.id, students.hugo.id))).statusCode).toBe(404);
    // a person who is not a member of this establishment, an unknown person
    expect((await principalA.get(one(a.id, outsider.id))).statusCode).toBe(404);
    expect((await principalA.get(one(a.id, randomUUID()))).statusCode).toBe(404);
    expect((await principalB.get(one(b.id, students.hugo.id))).statusCode).toBe(404);
  });

  test("a student's detail shows classes and guardians with their level", async () => {
    const res = await principalA.get(one(a.id, students.hugo.id));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: students.hugo.id,
      login: students.hugo.login,
      displayName: 'MARTIN Hugo',
      firstName: 'Hugo',
      lastName: 'Martin',
      status: 'active',
      profiles: ['student'],
      functions: [],
      classes: [{ code: '2NDE3', label: 'Classe 2NDE3' }],
      children: [],
      guardians: [
        { id: mother.id, displayName: 'MARTIN Anne', level: 'legal' },
        { id: aunt.id, displayName: 'DURAND Inès', level: 'in_charge' },
      ],
      activationExpiresAt: null,
      lastLoginAt: null,
      can: {
        block: true,
        unblock: false,
        newActivationCode: false,
        edit: true,
        manageGuardians: true,
        manageAssignments: false,
        setHeadTeacher: false,
      },
    });
  });

  test("a guardian's detail shows children; profiles and functions in this establishment", async () => {
    const res = await principalA.get(one(a.id, mother.id));
    expect(res.json()).toMatchObject({
      profiles: ['guardian', 'teacher'],
      functions: ['CPE', 'DOC'],
      children: [
        { id: students.hugo.id, displayName: 'MARTIN Hugo', level: 'legal' },
        { id: students.zoe.id, displayName: 'MARTIN Zoé', level: 'legal' },
      ],
      guardians: [],
    });
    const zoe = (await principalA.get(one(a.id, students.zoe.id))).json();
    expect(zoe.can).toEqual({
      block: false,
      unblock: true,
      newActivationCode: false,
      printSheet: false,
      edit: true,
      editAccount: true,
      manageGuardians: true,
      manageAssignments: false,
      setHeadTeacher: false,
    });
    const self = (await principalA.get(one(a.id, principal.id))).json();
    expect(self.can.block).toBe(false);
    expect(self.lastLoginAt).not.toBeNull();
  });

  test('a pending account shows its activation expiry; a read-only viewer gets no action', async () => {
    const pending = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['guardian'],
      status: 'pending_activation',
      activationCode: 'ABCDE-FGHJK',
    });
    const res = (await principalA.get(one(a.id, pending.id))).json();
    expect(res.activationExpiresAt).toEqual(expect.any(String));
    expect(res.can).toEqual({
      block: true,
      unblock: false,
      newActivationCode: true,
      printSheet: true,
      edit: true,
      editAccount: true,
      manageGuardians: false,
      manageAssignments: false,
      setHeadTeacher: false,
    });

    // a school where staff may read the directory but not manage it
    const school = await makeEstablishment(db);
    const staff = await makeUser(db, { establishmentId: school.id, profiles: ['staff'] });
    const target = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
    await db
      .insertInto('permission_override')
      .values({ establishment_id: school.id, profile: 'staff', permission: 'users.read', granted: true })
      .execute();
    const reader = await loginAs(app, staff.login);
    const seen = await reader.get(one(school.id, target.id));
    expect(seen.statusCode).toBe(200);
    expect(seen.json().can).toEqual({
      block: false,
      unblock: false,
      newActivationCode: false,
      printSheet: false,
      edit: false,
      editAccount: false,
      manageGuardians: false,
      manageAssignments: false,
      setHeadTeacher: false,
    });
    expect((await reader.patch(one(school.id, target.id), { status: 'blocked' })).statusCode).toBe(403);
    expect(
      (await reader.patch(`/api/establishments/${school.id}/people/${target.id}`, { firstName: 'X' })).statusCode,
    ).toBe(403);
  });

  test('the correction flags follow the profile and the state of the account, and the caller', async () => {
    const corrections = async (agent: Agent, userId: string) => {
      const { edit, manageGuardians, manageAssignments, setHeadTeacher } = (await agent.get(one(a.id, userId))).json()
        .can;
      return { edit, manageGuardians, manageAssignments, setHeadTeacher };
    };
    // a teacher: assignments and head teacher, no guardians
    expect(await corrections(principalA, teacher.id)).toEqual({
      edit: true,
      manageGuardians: false,
      manageAssignments: true,
      setHeadTeacher: true,
    });
    // a guardian who also teaches: a teacher's controls; guardians are only for students
    expect(await corrections(principalA, mother.id)).toEqual({
      edit: true,
      manageGuardians: false,
      manageAssignments: true,
      setHeadTeacher: true,
    });
    // a blocked account may still be corrected
    const blocked = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], status: 'blocked' });
    expect((await corrections(principalA, blocked.id)).manageAssignments).toBe(true);

    // a detached account: nothing, and the person endpoints agree
    for (const profile of ['student', 'teacher'] as const) {
      const detached = await makeUser(db, { establishmentId: a.id, profiles: [profile], status: 'detached' });
      expect(await corrections(principalA, detached.id), profile).toEqual({
        edit: false,
        manageGuardians: false,
        manageAssignments: false,
        setHeadTeacher: false,
      });
      const res = await principalA.patch(`/api/establishments/${a.id}/people/${detached.id}`, { firstName: 'X' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('PERSON_DETACHED');
    }

    // a platform admin's account: only a platform admin may touch it
    const platformAdmin = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], platformAdmin: true });
    expect(await corrections(principalA, platformAdmin.id)).toEqual({
      edit: false,
      manageGuardians: false,
      manageAssignments: false,
      setHeadTeacher: false,
    });
    expect(
      (await principalA.patch(`/api/establishments/${a.id}/people/${platformAdmin.id}`, { firstName: 'X' })).statusCode,
    ).toBe(403);
    expect(await corrections(admin, platformAdmin.id)).toEqual({
      edit: true,
      manageGuardians: false,
      manageAssignments: true,
      setHeadTeacher: true,
    });
    // a platform admin has every right in every establishment
    expect(await corrections(admin, students.hugo.id)).toEqual({
      edit: true,
      manageGuardians: true,
      manageAssignments: false,
      setHeadTeacher: false,
    });
  });
});

describe('PATCH /api/establishments/:id/users/:userId', () => {
  test('rejected requests (401 → 400 → 403 → 404) change nothing', async () => {
    const target = await makeUser(db, { establishmentId: a.id, profiles: ['student'] });
    const targetSession = await loginAs(app, target.login);
    const before = await snapshot();
    const anon = await app.inject({ method: 'PATCH', url: one(a.id, target.id), payload: { status: 'blocked' } });
    expect(anon.statusCode).toBe(401);
    for (const payload of [{ status: 'deleted' }, { status: 'blocked', reason: 'x' }, { status: true }, {}]) {
      const res = await principalA.patch(one(a.id, target.id), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    expect((await principalA.patch(one(a.id, 'x'), { status: 'blocked' })).statusCode).toBe(400);
    const noCsrf = await app.inject({
      method: 'PATCH',
      url: one(a.id, target.id),
      headers: { cookie: principalA.cookie },
      payload: { status: 'blocked' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await teacherA.patch(one(a.id, target.id), { status: 'blocked' })).statusCode).toBe(403);
    expect((await principalB.patch(one(a.id, target.id), { status: 'blocked' })).statusCode).toBe(404);
    expect((await principalA.patch(one(a.id, outsider.id), { status: 'blocked' })).statusCode).toBe(404);
    expect((await principalA.patch(one(a.id, randomUUID()), { status: 'blocked' })).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
    expect((await targetSession.get('/api/me')).statusCode).toBe(200);
  });

  test('cannot block oneself, nor a platform admin unless one is; pending and detached accounts stay', async () => {
    const platformAdmin = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], platformAdmin: true });
    const pending = await makeUser(db, { establishmentId: a.id, profiles: ['student'], status: 'pending_activation' });
    const detached = await makeUser(db, { establishmentId: a.id, profiles: ['student'], status: 'detached' });
    const before = await snapshot();
    const self = await principalA.patch(one(a.id, principal.id), { status: 'blocked' });
    expect(self.statusCode).toBe(400);
    expect(self.json().code).toBe('CANNOT_BLOCK_SELF');
    expect((await principalA.patch(one(a.id, platformAdmin.id), { status: 'blocked' })).statusCode).toBe(403);
    for (const [user, status] of [
      [pending, 'active'],
      [detached, 'active'],
      [detached, 'blocked'],
    ] as const) {
      const res = await principalA.patch(one(a.id, user.id), { status });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('STATUS_CHANGE_NOT_ALLOWED');
    }
    expect(await snapshot()).toEqual(before);
    // a platform admin may
    const res = await admin.patch(one(a.id, platformAdmin.id), { status: 'blocked' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('blocked');
    // Suspended in this establishment; the account itself stays active.
    expect(await statusOf(platformAdmin.id)).toBe('active');
    expect(
      await db
        .selectFrom('membership_suspension')
        .select('establishment_id')
        .where('user_id', '=', platformAdmin.id)
        .execute(),
    ).toEqual([{ establishment_id: a.id }]);
  });

  test('blocking ends every session of the person and refuses their login; unblocking lets them back', async () => {
    const target = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    const s1 = await loginAs(app, target.login);
    const s2 = await loginAs(app, target.login);
    const auditBefore = await countRows(db, 'audit_event');

    const res = await principalA.patch(one(a.id, target.id), { status: 'blocked' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: target.id, status: 'blocked', can: { block: false, unblock: true } });
    expect((await s1.get('/api/me')).statusCode).toBe(401);
    expect((await s2.get('/api/me')).statusCode).toBe(401);
    expect(await db.selectFrom('session').select('id').where('user_id', '=', target.id).execute()).toEqual([]);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: target.login, password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().code).toBe('ACCOUNT_BLOCKED');
    const event = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.user.block')
      .where('target_id', '=', target.id)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      establishment_id: a.id,
      actor_id: principal.id,
      details: { from: 'active', to: 'blocked' },
    });
    // block event + the refused login
    expect(await countRows(db, 'audit_event')).toBe(auditBefore + 2);

    // blocking again is a no-op
    expect((await principalA.patch(one(a.id, target.id), { status: 'blocked' })).statusCode).toBe(200);
    expect(await countRows(db, 'audit_event')).toBe(auditBefore + 2);

    const back = await principalA.patch(one(a.id, target.id), { status: 'active' });
    expect(back.statusCode).toBe(200);
    expect(back.json().status).toBe('active');
    const again = await loginAs(app, target.login);
    expect((await again.get('/api/me')).statusCode).toBe(200);
    expect(
      await db
        .selectFrom('audit_event')
        .select('action')
        .where('target_id', '=', target.id)
        .where('action', 'like', 'directory.%')
        .orderBy('id')
        .execute(),
    ).toEqual([{ action: 'directory.user.block' }, { action: 'directory.user.unblock' }]);
  });

  test('an account blocked before activation goes back to awaiting activation', async () => {
    const pending = await makeUser(db, { establishmentId: a.id, profiles: ['student'], status: 'pending_activation' });
    expect((await principalA.patch(one(a.id, pending.id), { status: 'blocked' })).json().status).toBe('blocked');
    const back = await principalA.patch(one(a.id, pending.id), { status: 'active' });
    expect(back.statusCode).toBe(200);
    expect(back.json().status).toBe('pending_activation');
  });
});

describe('POST /api/establishments/:id/users/:userId/activation-code', () => {
  const url = (id: string, userId: string) => `${one(id, userId)}/activation-code`;

  test('rejected requests (401 → 400 → 403 → 404 → 409) change nothing', async () => {
    const pending = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['guardian'],
      status: 'pending_activation',
      activationCode: 'OLDCO-DE123',
    });
    const platformAdmin = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['staff'],
      platformAdmin: true,
      status: 'pending_activation',
    });
    const before = await snapshot();
    expect((await app.inject({ method: 'POST', url: url(a.id, pending.id) })).statusCode).toBe(401);
    expect((await principalA.post(url(a.id, 'x'))).statusCode).toBe(400);
    expect((await principalA.post(url(a.id, pending.id), { extra: 1 })).statusCode).toBe(400);
    expect((await teacherA.post(url(a.id, pending.id))).statusCode).toBe(403);
    expect((await principalA.post(url(a.id, platformAdmin.id))).statusCode).toBe(403);
    expect((await principalB.post(url(a.id, pending.id))).statusCode).toBe(404);
    expect((await principalA.post(url(a.id, outsider.id))).statusCode).toBe(404);
    const active = await principalA.post(url(a.id, students.hugo.id));
    expect(active.statusCode).toBe(409);
    expect(active.json().code).toBe('ALREADY_ACTIVE');
    const blocked = await principalA.post(url(a.id, students.zoe.id));
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().code).toBe('ACCOUNT_NOT_PENDING');
    expect(await snapshot()).toEqual(before);
  });

  test('201: a new code that activates the account, replacing the old one; audited without the code', async () => {
    const pending = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['guardian'],
      status: 'pending_activation',
      activationCode: 'OLDCO-DE123',
    });
    const res = await principalA.post(url(a.id, pending.id));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { code, expiresAt } = res.json();
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const days = (new Date(expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const detail = (await principalA.get(one(a.id, pending.id))).json();
    expect(detail.activationExpiresAt).toBe(expiresAt);

    const event = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.user.activation_code')
      .where('target_id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(event.establishment_id).toBe(a.id);
    expect(JSON.stringify(event)).not.toContain(code);
    expect(JSON.stringify(event)).not.toContain(code.replace('-', ''));

    const password = 'une phrase de passe bien longue';
    const old = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: pending.login, code: 'OLDCO-DE123', password },
    });
    expect(old.statusCode).toBe(400);
    const activated = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: pending.login, code: code.toLowerCase(), password },
    });
    expect(activated.statusCode).toBe(200);
    const session = agent(app, sessionCookie(activated), activated.json().csrfToken);
    expect((await session.get('/api/me')).json().user.status).toBe('active');
    const twice = await principalA.post(url(a.id, pending.id));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('ALREADY_ACTIVE');
  });

  test('a platform admin may issue a code in any establishment', async () => {
    const pending = await makeUser(db, { establishmentId: b.id, profiles: ['student'], status: 'pending_activation' });
    expect((await admin.post(url(b.id, pending.id))).statusCode).toBe(201);
  });
});
