import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  countRows,
  loginAs,
  makeAcademy,
  makeEstablishment,
  makeUser,
  testApp,
} from '../../../test/helpers.ts';
import { uaiCheckLetter } from '../../platform/logins.ts';

const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;

let uaiSeq = 0;
/** A valid UAI nobody uses (makeEstablishment draws digits from 1000000 up, never a leading 0). */
function freshUai(): string {
  const digits = `098${String(uaiSeq++).padStart(4, '0')}`;
  return `${digits}${uaiCheckLetter(digits)}`;
}
const wrongLetter = (uai: string) => `${uai.slice(0, 7)}${uai[7] === 'A' ? 'B' : 'A'}`;

/** The school year running today in Paris, computed independently of the code under test. */
function expectedSchoolYear(): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' })
    .format(new Date())
    .split('-')
    .map(Number) as [number, number];
  const start = m >= 9 ? y : y - 1;
  return `${start}-${start + 1}`;
}

let a: School;
let b: School;
let admin: Agent;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let localAdminA: Agent;

beforeAll(async () => {
  a = await makeEstablishment(db, { name: 'Lycée Jean Jaurès' });
  b = await makeEstablishment(db, { name: 'Collège Louise Michel' });
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
  principalA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['principal'] })).login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  teacherA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] })).login);
  localAdminA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['local_admin'] })).login);
});

describe('GET /api/establishments', () => {
  test('401 without a session', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/establishments' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  test('400 on a bad page or an unknown parameter', async () => {
    for (const url of ['/api/establishments?page=0', '/api/establishments?page=abc', '/api/establishments?sort=name']) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
  });

  test('a member sees only their establishments, with academy and current school year', async () => {
    const res = await teacherA.get('/api/establishments');
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(1);
    expect(res.json().items).toEqual([
      {
        id: a.id,
        uai: a.uai,
        name: 'Lycée Jean Jaurès',
        type: 'LYCEE',
        city: 'Montreuil',
        slug: a.slug,
        academy: { id: a.academy_id, name: 'Académie de test' },
        currentSchoolYear: '2026-2027',
      },
    ]);
    // searching does not widen what a member sees
    const other = await teacherA.get(`/api/establishments?q=${encodeURIComponent('Louise Michel')}`);
    expect(other.json()).toEqual({ items: [], total: 0 });
  });

  test('a platform admin sees all, searches by name, UAI and city regardless of case and accents', async () => {
    const all = await admin.get('/api/establishments');
    expect(all.json().total).toBeGreaterThanOrEqual(2);
    const byName = await admin.get(`/api/establishments?q=${encodeURIComponent('JEAN jaures')}`);
    expect(byName.json().items.map((e: { id: string }) => e.id)).toContain(a.id);
    expect(byName.json().items.map((e: { id: string }) => e.id)).not.toContain(b.id);
    const byUai = await admin.get(`/api/establishments?q=${b.uai.toLowerCase()}`);
    expect(byUai.json()).toMatchObject({ total: 1, items: [{ id: b.id }] });
    const city = await makeEstablishment(db, { name: 'Lycée de la ville' });
    await db.updateTable('establishment').set({ city: 'Évreux-Plage' }).where('id', '=', city.id).execute();
    const byCity = await admin.get('/api/establishments?q=evreux');
    expect(byCity.json()).toMatchObject({ total: 1, items: [{ id: city.id }] });
    // LIKE wildcards are plain characters
    expect((await admin.get('/api/establishments?q=%25')).json().total).toBe(0);
  });

  test('50 per page, ordered by name', async () => {
    const token = `Pagination${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 53; i++) await makeEstablishment(db, { name: `${token} ${String(i).padStart(2, '0')}` });
    const p1 = (await admin.get(`/api/establishments?q=${token}`)).json();
    const p2 = (await admin.get(`/api/establishments?q=${token}&page=2`)).json();
    expect(p1.total).toBe(53);
    expect(p1.items).toHaveLength(50);
    expect(p2.items).toHaveLength(3);
    expect(p1.items[0].name).toBe(`${token} 00`);
    expect(p2.items.map((e: { name: string }) => e.name)).toEqual([`${token} 50`, `${token} 51`, `${token} 52`]);
  });
});

describe('GET /api/establishments/:id', () => {
  test('401 → 400 → 404 → 200', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/establishments/${a.id}` })).statusCode).toBe(401);
    expect((await teacherA.get('/api/establishments/not-a-uuid')).statusCode).toBe(400);
    // a member of another establishment, an unknown id: both 404
    expect((await principalB.get(`/api/establishments/${a.id}`)).statusCode).toBe(404);
    expect((await admin.get(`/api/establishments/${randomUUID()}`)).statusCode).toBe(404);
    const mine = await teacherA.get(`/api/establishments/${a.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: a.id, uai: a.uai, currentSchoolYear: '2026-2027' });
    expect((await admin.get(`/api/establishments/${b.id}`)).json()).toMatchObject({ id: b.id });
  });
});

describe('POST /api/establishments', () => {
  let academyId: string;
  beforeAll(async () => {
    academyId = (await makeAcademy(db)).id;
  });
  const body = (over: Record<string, unknown> = {}) => ({
    uai: freshUai(),
    name: 'Collège Émile Zola',
    type: 'COLLEGE',
    city: 'Saint-Ouen',
    academyId,
    ...over,
  });

  test('401 without a session, nothing created', async () => {
    const before = await countRows(db, 'establishment');
    const res = await app.inject({ method: 'POST', url: '/api/establishments', payload: body() });
    expect(res.statusCode).toBe(401);
    expect(await countRows(db, 'establishment')).toBe(before);
  });

  test('400 on bad input, with per-field errors; nothing created', async () => {
    const before = await countRows(db, 'establishment');
    const bad = [
      body({ extra: true }),
      body({ uai: '093123X' }),
      body({ uai: 12345678 }),
      body({ type: 'UNIVERSITE' }),
      body({ academyId: 'nope' }),
      body({ name: 'x' }),
      body({ slug: 'Pas Un Slug' }),
    ];
    for (const payload of bad) {
      const res = await admin.post('/api/establishments', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    const letter = await admin.post('/api/establishments', body({ uai: wrongLetter(freshUai()) }));
    expect(letter.statusCode).toBe(400);
    expect(letter.json()).toMatchObject({ code: 'UAI_CHECK_LETTER', errors: [{ path: 'body.uai' }] });
    const academy = await admin.post('/api/establishments', body({ academyId: randomUUID() }));
    expect(academy.statusCode).toBe(400);
    expect(academy.json()).toMatchObject({ code: 'VALIDATION', errors: [{ path: 'body.academyId' }] });
    expect(await countRows(db, 'establishment')).toBe(before);
  });

  test('403 for a principal (establishments.manage is held by platform admins only)', async () => {
    const before = await countRows(db, 'establishment');
    const res = await principalA.post('/api/establishments', body());
    expect(res.statusCode).toBe(403);
    expect(await countRows(db, 'establishment')).toBe(before);
  });

  test('201: creates the establishment with a derived slug and the current school year, audited', async () => {
    const uai = freshUai();
    const auditBefore = await countRows(db, 'audit_event');
    const res = await admin.post('/api/establishments', body({ uai: uai.toLowerCase() }));
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      uai,
      name: 'Collège Émile Zola',
      type: 'COLLEGE',
      city: 'Saint-Ouen',
      slug: 'college-emile-zola-saint-ouen',
      academy: { id: academyId },
      currentSchoolYear: expectedSchoolYear(),
    });
    const year = await db
      .selectFrom('school_year')
      .selectAll()
      .where('establishment_id', '=', created.id)
      .executeTakeFirstOrThrow();
    const start = Number(expectedSchoolYear().slice(0, 4));
    expect(year).toMatchObject({ status: 'current', starts_on: `${start}-09-01`, ends_on: `${start + 1}-08-31` });
    expect(await countRows(db, 'audit_event')).toBe(auditBefore + 1);
    const event = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'establishments.create')
      .where('target_id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(event.establishment_id).toBe(created.id);

    // same name and city again: a free slug is picked
    const again = await admin.post('/api/establishments', body());
    expect(again.statusCode).toBe(201);
    expect(again.json().slug).toBe('college-emile-zola-saint-ouen-2');
    expect((await admin.get(`/api/establishments/${created.id}`)).json()).toEqual(created);
  });

  test('409 UAI_TAKEN and SLUG_TAKEN; nothing created', async () => {
    const before = await countRows(db, 'establishment');
    const dupUai = await admin.post('/api/establishments', body({ uai: a.uai }));
    expect(dupUai.statusCode).toBe(409);
    expect(dupUai.json().code).toBe('UAI_TAKEN');
    const dupSlug = await admin.post('/api/establishments', body({ slug: a.slug }));
    expect(dupSlug.statusCode).toBe(409);
    expect(dupSlug.json().code).toBe('SLUG_TAKEN');
    expect(await countRows(db, 'establishment')).toBe(before);
    const given = await admin.post('/api/establishments', body({ slug: 'mon-college' }));
    expect(given.statusCode).toBe(201);
    expect(given.json().slug).toBe('mon-college');
  });
});

describe('GET /api/academies', () => {
  test('401 → 403 → 200', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/academies' })).statusCode).toBe(401);
    expect((await principalA.get('/api/academies')).statusCode).toBe(403);
    const res = await admin.get('/api/academies');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toContainEqual({ id: a.academy_id, code: expect.any(String), name: 'Académie de test' });
  });
});

describe('establishment permissions', () => {
  const url = (id: string) => `/api/establishments/${id}/permissions`;

  test('GET: 401 → 400 → 403 → 404 → 200 with defaults', async () => {
    expect((await app.inject({ method: 'GET', url: url(a.id) })).statusCode).toBe(401);
    expect((await principalA.get(url('123'))).statusCode).toBe(400);
    expect((await teacherA.get(url(a.id))).statusCode).toBe(403);
    expect((await principalB.get(url(a.id))).statusCode).toBe(404);
    expect((await admin.get(url(randomUUID()))).statusCode).toBe(404);
    const res = await principalA.get(url(a.id));
    expect(res.statusCode).toBe(200);
    const m = res.json();
    expect(m.permissions).toContain('users.read');
    expect(m.permissions).toContain('permissions.manage');
    expect(m.permissions).not.toContain('establishments.manage');
    expect(m.profiles).toEqual(['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin']);
    expect(m.grants).toContainEqual({
      profile: 'teacher',
      permission: 'users.read',
      granted: false,
      byDefault: false,
      overridden: false,
    });
    expect(m.grants).toContainEqual({
      profile: 'local_admin',
      permission: 'users.read',
      granted: true,
      byDefault: true,
      overridden: false,
    });
    expect(m.grants).toHaveLength(m.permissions.length * 6);
  });

  test('PUT: rejected requests change nothing', async () => {
    const school = await makeEstablishment(db);
    const principal = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    const teacher = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] })).login,
    );
    const ok = { overrides: [{ profile: 'teacher', permission: 'users.read', granted: true }] };
    const [overridesBefore, auditBefore] = [
      await countRows(db, 'permission_override'),
      await countRows(db, 'audit_event'),
    ];

    const anon = await app.inject({ method: 'PUT', url: url(school.id), payload: ok });
    expect(anon.statusCode).toBe(401);
    const invalid = [
      { overrides: [{ profile: 'teacher', permission: 'users.read', granted: 'yes' }] },
      { overrides: [{ profile: 'platform_admin', permission: 'users.read', granted: true }] },
      { overrides: [{ profile: 'teacher', permission: 'users.read', granted: true, extra: 1 }] },
      { overrides: [], more: true },
      {},
    ];
    for (const payload of invalid) {
      const res = await principal.put(url(school.id), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const unknown = await principal.put(url(school.id), {
      overrides: [{ profile: 'teacher', permission: 'nothing.here', granted: true }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'UNKNOWN_PERMISSION',
      errors: [{ path: 'body.overrides.0.permission' }],
    });
    const platformWide = await principal.put(url(school.id), {
      overrides: [{ profile: 'principal', permission: 'establishments.manage', granted: true }],
    });
    expect(platformWide.statusCode).toBe(400);
    expect(platformWide.json().code).toBe('UNKNOWN_PERMISSION');
    const twice = await principal.put(url(school.id), {
      overrides: [
        { profile: 'teacher', permission: 'users.read', granted: true },
        { profile: 'teacher', permission: 'users.read', granted: false },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([{ path: 'body.overrides.1', message: expect.any(String) }]);
    const lockout = await principal.put(url(school.id), {
      overrides: [{ profile: 'principal', permission: 'permissions.manage', granted: false }],
    });
    expect(lockout.statusCode).toBe(400);
    expect((await teacher.put(url(school.id), ok)).statusCode).toBe(403);
    expect((await principalB.put(url(school.id), ok)).statusCode).toBe(404);
    expect((await admin.put(url(randomUUID()), ok)).statusCode).toBe(404);

    expect(await countRows(db, 'permission_override')).toBe(overridesBefore);
    expect(await countRows(db, 'audit_event')).toBe(auditBefore);
  });

  test('PUT replaces the overrides, is audited, and takes effect at once', async () => {
    const school = await makeEstablishment(db);
    const principal = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    const teacher = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] })).login,
    );
    const localAdmin = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['local_admin'] })).login,
    );
    const users = `/api/establishments/${school.id}/users`;
    expect((await teacher.get(users)).statusCode).toBe(403);
    expect((await localAdmin.get(users)).statusCode).toBe(200);

    const first = await principal.put(url(school.id), {
      overrides: [
        { profile: 'teacher', permission: 'users.read', granted: true },
        { profile: 'local_admin', permission: 'users.read', granted: false },
      ],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().grants).toContainEqual({
      profile: 'teacher',
      permission: 'users.read',
      granted: true,
      byDefault: false,
      overridden: true,
    });
    expect((await teacher.get(users)).statusCode).toBe(200);
    expect((await localAdmin.get(users)).statusCode).toBe(403);
    // the other establishment is untouched
    expect((await localAdminA.get(`/api/establishments/${a.id}/users`)).statusCode).toBe(200);

    const second = await principal.put(url(school.id), {
      overrides: [{ profile: 'local_admin', permission: 'users.read', granted: false }],
    });
    expect(second.statusCode).toBe(200);
    const rows = await db
      .selectFrom('permission_override')
      .select(['profile', 'permission', 'granted'])
      .where('establishment_id', '=', school.id)
      .execute();
    expect(rows).toEqual([{ profile: 'local_admin', permission: 'users.read', granted: false }]);
    expect((await teacher.get(users)).statusCode).toBe(403);
    expect((await principal.get(url(school.id))).json()).toEqual(second.json());

    const events = await db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('establishment_id', '=', school.id)
      .where('action', '=', 'permissions.update')
      .orderBy('id')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[1]!.details).toMatchObject({
      before: expect.arrayContaining([{ profile: 'teacher', permission: 'users.read', granted: true }]),
      after: [{ profile: 'local_admin', permission: 'users.read', granted: false }],
    });

    const cleared = await principal.put(url(school.id), { overrides: [] });
    expect(cleared.statusCode).toBe(200);
    expect((await localAdmin.get(users)).statusCode).toBe(200);
  });
});
