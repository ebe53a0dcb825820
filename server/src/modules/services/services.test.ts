import { type EstablishmentProfile, SERVICE_CATALOGUE } from '@preau/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  type Profile,
  testApp,
} from '../../../test/helpers.ts';
import { parisToday } from './services.service.ts';

const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;

async function member(school: School, profiles: Profile[] = ['student']) {
  const u = await makeUser(db, { establishmentId: school.id, profiles });
  return { user: u, as: await loginAs(app, u.login) };
}

/** A school with a principal, a teacher and a student logged in. */
async function world() {
  const school = await makeEstablishment(db);
  const [principal, teacher, student] = await Promise.all([
    member(school, ['principal']),
    member(school, ['teacher']),
    member(school, ['student']),
  ]);
  return { school, principal, teacher, student };
}

const defaultsFor = (profile: EstablishmentProfile) =>
  SERVICE_CATALOGUE.filter((e) => e.defaultProfiles.includes(profile) && e.defaultStatus !== 'closed').map(
    (e) => e.key,
  );

const portalKeys = async (a: Agent, school: School) => {
  const res = await a.get(`/api/portal?establishment=${school.id}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().services as { key: string }[]).map((s) => s.key);
};

/*
 * Today every service of the catalogue is still to be built (`available: false`), and the portal shows those only to
 * whoever opens services (last describe). The opening rules are tested as if the services were built: this file's
 * copy of the catalogue (each test file runs in a module graph of its own) is flipped for those describes.
 */
const catalogueAvailable = new Map(SERVICE_CATALOGUE.map((e) => [e.key, e.available]));
function pretendBuilt(built: boolean | 'as-catalogued', keys?: string[]) {
  for (const e of SERVICE_CATALOGUE) {
    if (keys && !keys.includes(e.key)) continue;
    (e as { available: boolean }).available = built === 'as-catalogued' ? catalogueAvailable.get(e.key)! : built;
  }
}
function builtDuring(describeBlock: () => void) {
  return () => {
    beforeAll(() => pretendBuilt(true));
    afterAll(() => pretendBuilt('as-catalogued'));
    describeBlock();
  };
}

const day = (offsetDays: number) => parisToday(new Date(Date.now() + offsetDays * 86_400_000));

describe(
  'portal',
  builtDuring(() => {
    test("lists the services open to the caller's profiles, from the catalogue defaults", async () => {
      const { school, principal, student } = await world();
      const res = await student.as.get(`/api/portal?establishment=${school.id}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.establishment).toEqual({ id: school.id, uai: school.uai, name: school.name });
      expect(body.profiles).toEqual(['student']);
      expect(body.services.map((s: { key: string }) => s.key)).toEqual(defaultsFor('student'));
      expect(body.services.map((s: { key: string }) => s.key)).not.toContain('rollout');
      expect(body.services.map((s: { key: string }) => s.key)).not.toContain('public_site');
      expect(body.services.find((s: { key: string }) => s.key === 'logbook')).toEqual({
        key: 'logbook',
        name: 'Cahier de textes',
        description: 'Contenu des séances et travail à faire',
        status: 'mandatory',
        available: true,
        generalized: true,
      });
      expect(await portalKeys(principal.as, school)).toEqual(SERVICE_CATALOGUE.map((e) => e.key));
    });

    test('a guardian sees the guardian defaults; names follow Accept-Language', async () => {
      const school = await makeEstablishment(db);
      const { as } = await member(school, ['guardian']);
      expect(await portalKeys(as, school)).toEqual(defaultsFor('guardian'));
      const en = await as.get(`/api/portal?establishment=${school.id}`, { 'accept-language': 'en' });
      expect(en.json().services[0].name).toBe('Class logbook');
    });

    test('a teacher who is also a guardian sees the union of both', async () => {
      const school = await makeEstablishment(db);
      const { as } = await member(school, ['teacher', 'guardian']);
      const expected = SERVICE_CATALOGUE.filter((e) =>
        e.defaultProfiles.some((p) => p === 'teacher' || p === 'guardian'),
      ).map((e) => e.key);
      expect(await portalKeys(as, school)).toEqual(expected);
    });

    test('without ?establishment, the portal is the one of my establishment', async () => {
      const { school, student } = await world();
      const res = await student.as.get('/api/portal');
      expect(res.statusCode).toBe(200);
      expect(res.json().establishment.id).toBe(school.id);
    });

    test('another or an unknown establishment is 404; no membership at all is 404', async () => {
      const { student } = await world();
      const other = await makeEstablishment(db);
      expect((await student.as.get(`/api/portal?establishment=${other.id}`)).statusCode).toBe(404);
      expect((await student.as.get(`/api/portal?establishment=${crypto.randomUUID()}`)).statusCode).toBe(404);
      expect((await student.as.get(`/api/portal/services/news?establishment=${other.id}`)).statusCode).toBe(404);
      expect((await student.as.get('/api/portal?establishment=nope')).statusCode).toBe(400);
      const loner = await makeUser(db, {});
      const as = await loginAs(app, loner.login);
      expect((await as.get('/api/portal')).statusCode).toBe(403); // no portal.read anywhere
    });

    test('a platform admin sees every open service of any establishment', async () => {
      const school = await makeEstablishment(db);
      const admin = await makeUser(db, { platformAdmin: true });
      const as = await loginAs(app, admin.login);
      const res = await as.get(`/api/portal?establishment=${school.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().profiles).toEqual([]);
      expect(res.json().services).toHaveLength(SERVICE_CATALOGUE.length);
      expect((await as.get(`/api/portal?establishment=${crypto.randomUUID()}`)).statusCode).toBe(404);
    });

    test('GET /api/portal/services/:key returns the service as the caller sees it', async () => {
      const { school, student } = await world();
      const res = await student.as.get(`/api/portal/services/grades?establishment=${school.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ key: 'grades', status: 'recommended', opensOn: null, updatedAt: null });
      const rollout = await student.as.get(`/api/portal/services/rollout?establishment=${school.id}`);
      expect(rollout.statusCode).toBe(403);
      expect(rollout.json().code).toBe('SERVICE_CLOSED');
      expect((await student.as.get(`/api/portal/services/nope?establishment=${school.id}`)).statusCode).toBe(400);
    });
  }),
);

describe(
  'opening services',
  builtDuring(() => {
    test('a closed service leaves the portal and its API answers 403 SERVICE_CLOSED', async () => {
      const { school, principal, student } = await world();
      const res = await principal.as.patch(`/api/establishments/${school.id}/services/news`, { status: 'closed' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ key: 'news', status: 'closed', name: 'Actualités' });
      expect(res.json().updatedAt).not.toBeNull();

      expect(await portalKeys(student.as, school)).not.toContain('news');
      expect(await portalKeys(principal.as, school)).not.toContain('news');
      const gate = await student.as.get(`/api/portal/services/news?establishment=${school.id}`);
      expect(gate.statusCode).toBe(403);
      expect(gate.json()).toMatchObject({ code: 'SERVICE_CLOSED' });
      expect(gate.headers['content-type']).toContain('application/problem+json');

      // Reopened as recommended, it is back.
      await principal.as.patch(`/api/establishments/${school.id}/services/news`, { status: 'recommended' });
      const back = (await student.as.get(`/api/portal?establishment=${school.id}`)).json().services;
      expect(back.find((s: { key: string }) => s.key === 'news')).toMatchObject({ status: 'recommended' });
    });

    test('closing in one establishment leaves the others alone', async () => {
      const a = await world();
      const b = await world();
      await a.principal.as.patch(`/api/establishments/${a.school.id}/services/messaging`, { status: 'closed' });
      expect(await portalKeys(a.student.as, a.school)).not.toContain('messaging');
      expect(await portalKeys(b.student.as, b.school)).toContain('messaging');
    });

    test('an opening date in the future (Europe/Paris) keeps the service closed until that day', async () => {
      const { school, principal, student } = await world();
      const url = `/api/establishments/${school.id}/services/grades`;
      expect((await principal.as.patch(url, { opensOn: day(1) })).statusCode).toBe(200);
      expect(await portalKeys(student.as, school)).not.toContain('grades');
      expect((await student.as.get(`/api/portal/services/grades?establishment=${school.id}`)).json().code).toBe(
        'SERVICE_CLOSED',
      );
      // Opening today (in Paris) opens it.
      expect((await principal.as.patch(url, { opensOn: parisToday() })).statusCode).toBe(200);
      expect(await portalKeys(student.as, school)).toContain('grades');
      expect((await principal.as.patch(url, { opensOn: day(-30) })).json().opensOn).toBe(day(-30));
      expect(await portalKeys(student.as, school)).toContain('grades');
      // null removes the date.
      const cleared = await principal.as.patch(url, { opensOn: null });
      expect(cleared.json().opensOn).toBeNull();
    });

    test('parisToday is the calendar day in Paris, not in UTC', () => {
      expect(parisToday(new Date('2026-03-09T23:30:00Z'))).toBe('2026-03-10'); // 00:30 in Paris (UTC+1)
      expect(parisToday(new Date('2026-03-09T22:59:00Z'))).toBe('2026-03-09');
      expect(parisToday(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01'); // summer time, UTC+2
      expect(parisToday(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
    });

    test('a generalisation date in the future shows the service as not yet generalised', async () => {
      const { school, principal, student } = await world();
      await principal.as.patch(`/api/establishments/${school.id}/services/documents`, {
        opensOn: day(-1),
        generalizesOn: day(10),
      });
      const services = (await student.as.get(`/api/portal?establishment=${school.id}`)).json().services;
      expect(services.find((s: { key: string }) => s.key === 'documents')).toMatchObject({ generalized: false });
      expect(services.find((s: { key: string }) => s.key === 'logbook')).toMatchObject({ generalized: true });
    });

    test('the profiles restriction decides who sees the service', async () => {
      const { school, principal, teacher, student } = await world();
      const res = await principal.as.patch(`/api/establishments/${school.id}/services/documents`, {
        profiles: ['teacher', 'teacher', 'principal'],
      });
      expect(res.json().profiles).toEqual(['teacher', 'principal']);
      expect(await portalKeys(student.as, school)).not.toContain('documents');
      expect(await portalKeys(teacher.as, school)).toContain('documents');
      expect((await student.as.get(`/api/portal/services/documents?establishment=${school.id}`)).statusCode).toBe(403);
      expect((await teacher.as.get(`/api/portal/services/documents?establishment=${school.id}`)).statusCode).toBe(200);
      // Opening to a profile the catalogue left out.
      expect(await portalKeys(teacher.as, school)).not.toContain('public_site');
      await principal.as.patch(`/api/establishments/${school.id}/services/public_site`, {
        profiles: ['principal', 'teacher'],
      });
      expect(await portalKeys(teacher.as, school)).toContain('public_site');
    });

    test('a generalisation date before the opening date is 400 INVALID_DATES, nothing changes', async () => {
      const { school, principal } = await world();
      const url = `/api/establishments/${school.id}/services/calendar`;
      const audits = await countRows(db, 'audit_event');
      const res = await principal.as.patch(url, { opensOn: '2026-11-02', generalizesOn: '2026-10-01' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'INVALID_DATES',
        errors: [
          {
            path: 'body.generalizesOn',
            code: 'INVALID_DATES',
            message: "La date de généralisation ne peut pas précéder la date d'ouverture.",
          },
        ],
      });
      // Against the stored opening date too.
      expect((await principal.as.patch(url, { opensOn: '2026-11-02' })).statusCode).toBe(200);
      const stored = await countRows(db, 'audit_event');
      expect(stored).toBe(audits + 1);
      const late = await principal.as.patch(url, { generalizesOn: '2026-09-01', status: 'closed' });
      expect(late.statusCode).toBe(400);
      expect(late.json().code).toBe('INVALID_DATES');
      const row = await db
        .selectFrom('establishment_service')
        .selectAll()
        .where('establishment_id', '=', school.id)
        .where('service_key', '=', 'calendar')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'recommended', opens_on: '2026-11-02', generalizes_on: null });
      expect(await countRows(db, 'audit_event')).toBe(stored);
      // Same day is fine.
      expect((await principal.as.patch(url, { generalizesOn: '2026-11-02' })).statusCode).toBe(200);
    });

    test('each change writes an audit event with before and after', async () => {
      const { school, principal } = await world();
      const url = `/api/establishments/${school.id}/services/helpdesk`;
      await principal.as.patch(url, { status: 'mandatory' });
      await principal.as.patch(url, { usageRules: { whoEnters: 'La vie scolaire' } });
      await principal.as.patch(url, { usageRules: { whoUses: 'Tout le monde' } });
      const events = await db
        .selectFrom('audit_event')
        .selectAll()
        .where('establishment_id', '=', school.id)
        .where('action', '=', 'services.update')
        .orderBy('id')
        .execute();
      expect(events).toHaveLength(3);
      expect(events[0]).toMatchObject({
        actor_id: principal.user.id,
        target_type: 'service',
        target_id: 'helpdesk',
        details: { before: { status: 'recommended' }, after: { status: 'mandatory' } },
      });
      expect(events[2]!.details).toMatchObject({
        before: { usageRules: { whoEnters: 'La vie scolaire', whoUses: '' } },
        after: { usageRules: { whoEnters: 'La vie scolaire', whoUses: 'Tout le monde' } },
      });
      const list = await principal.as.get(`/api/establishments/${school.id}/services`);
      expect(list.json().services.find((s: { key: string }) => s.key === 'helpdesk')).toMatchObject({
        status: 'mandatory',
        usageRules: { whoEnters: 'La vie scolaire', whoUses: 'Tout le monde', whoPublishes: '', forWhom: '' },
      });
    });

    test('GET /api/establishments/:id/services lists every service of the catalogue with its settings', async () => {
      const { school, principal } = await world();
      const res = await principal.as.get(`/api/establishments/${school.id}/services`);
      expect(res.statusCode).toBe(200);
      const services = res.json().services;
      expect(services.map((s: { key: string }) => s.key)).toEqual(SERVICE_CATALOGUE.map((e) => e.key));
      expect(services.find((s: { key: string }) => s.key === 'rollout')).toMatchObject({
        status: 'mandatory',
        profiles: ['teacher', 'staff', 'principal', 'local_admin'],
        updatedAt: null,
      });
    });

    test('students and teachers get 403, another establishment’s principal 404; nothing changes', async () => {
      const { school, teacher, student } = await world();
      const other = await world();
      const url = `/api/establishments/${school.id}/services/news`;
      const before = await countRows(db, 'establishment_service');
      for (const a of [student.as, teacher.as]) {
        const res = await a.patch(url, { status: 'closed' });
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('FORBIDDEN');
        expect((await a.get(`/api/establishments/${school.id}/services`)).statusCode).toBe(403);
      }
      const foreign = await other.principal.as.patch(url, { status: 'closed' });
      expect(foreign.statusCode).toBe(404);
      expect((await other.principal.as.get(`/api/establishments/${school.id}/services`)).statusCode).toBe(404);
      expect(
        (
          await other.principal.as.patch(`/api/establishments/${crypto.randomUUID()}/services/news`, {
            status: 'closed',
          })
        ).statusCode,
      ).toBe(404);
      expect(await countRows(db, 'establishment_service')).toBe(before);
      expect(await portalKeys(student.as, school)).toContain('news');
    });

    test('bad input is 400: unknown service key, empty body, bad status, date or profile', async () => {
      const { school, principal } = await world();
      const base = `/api/establishments/${school.id}/services`;
      for (const [url, body] of [
        [`${base}/teleportation`, { status: 'closed' }],
        [`${base}/news`, {}],
        [`${base}/news`, { status: 'open' }],
        [`${base}/news`, { opensOn: '02/11/2026' }],
        [`${base}/news`, { opensOn: '2026-02-30' }],
        [`${base}/news`, { profiles: ['platform_admin'] }],
        [`${base}/news`, { profiles: ['janitor'] }],
        [`${base}/news`, { usageRules: { whoSings: 'x' } }],
        [`${base}/news`, { status: 'closed', extra: true }],
      ] as const) {
        const res = await principal.as.patch(url, body);
        expect(res.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
        expect(res.json().code).toBe('VALIDATION');
      }
      const rows = await db
        .selectFrom('establishment_service')
        .select('service_key')
        .where('establishment_id', '=', school.id)
        .execute();
      expect(rows).toEqual([]);
    });

    test('an establishment may grant services.manage to teachers, or take it from its principal', async () => {
      const { school, principal, teacher } = await world();
      await db
        .insertInto('permission_override')
        .values([
          { establishment_id: school.id, profile: 'teacher', permission: 'services.manage', granted: true },
          { establishment_id: school.id, profile: 'principal', permission: 'services.manage', granted: false },
        ])
        .execute();
      const url = `/api/establishments/${school.id}/services/news`;
      expect((await teacher.as.patch(url, { status: 'recommended' })).statusCode).toBe(200);
      expect((await principal.as.patch(url, { status: 'closed' })).statusCode).toBe(403);
      // The grant holds in that establishment only.
      const elsewhere = await world();
      await db
        .insertInto('membership')
        .values({ establishment_id: elsewhere.school.id, user_id: teacher.user.id, profile: 'teacher' })
        .execute();
      const again = await loginAs(app, teacher.user.login);
      expect(
        (await again.patch(`/api/establishments/${elsewhere.school.id}/services/news`, { status: 'closed' }))
          .statusCode,
      ).toBe(403);
    });

    test('an establishment that revokes portal.read for a profile: that profile gets 403 there, not elsewhere', async () => {
      const { school, student, teacher } = await world();
      await db
        .insertInto('permission_override')
        .values({ establishment_id: school.id, profile: 'student', permission: 'portal.read', granted: false })
        .execute();
      const res = await student.as.get(`/api/portal?establishment=${school.id}`);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
      expect((await student.as.get(`/api/home?establishment=${school.id}`)).statusCode).toBe(403);
      expect((await teacher.as.get(`/api/portal?establishment=${school.id}`)).statusCode).toBe(200);
    });
  }),
);

describe('services not built yet: shown, marked, only to those who open services', () => {
  beforeAll(() => pretendBuilt(false));
  afterAll(() => pretendBuilt('as-catalogued'));

  test('students, families, teachers and staff see no tile leading nowhere; the direction sees every one, marked', async () => {
    const { school, principal, teacher, student } = await world();
    const [guardian, staff, localAdmin] = await Promise.all([
      member(school, ['guardian']),
      member(school, ['staff']),
      member(school, ['local_admin']),
    ]);
    for (const a of [student, teacher, guardian, staff]) expect(await portalKeys(a.as, school)).toEqual([]);
    const all = SERVICE_CATALOGUE.map((e) => e.key);
    expect(await portalKeys(principal.as, school)).toEqual(all);
    expect(await portalKeys(localAdmin.as, school)).toEqual(all);
    const admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
    expect(await portalKeys(admin, school)).toEqual(all);
    const res = await principal.as.get(`/api/portal?establishment=${school.id}`);
    expect(res.json().services.every((s: { available: boolean }) => s.available === false)).toBe(true);
  });

  test('a built service shows to its profiles; the ones not built stay with the direction', async () => {
    pretendBuilt(true, ['logbook']);
    try {
      const { school, principal, student } = await world();
      expect(await portalKeys(student.as, school)).toEqual(['logbook']);
      expect(await portalKeys(principal.as, school)).toEqual(SERVICE_CATALOGUE.map((e) => e.key));
    } finally {
      pretendBuilt(false);
    }
  });

  test("a service's address: 404 to those it is hidden from, the 'bientôt disponible' entry to the direction", async () => {
    const { school, principal, teacher, student } = await world();
    for (const a of [student, teacher]) {
      const res = await a.as.get(`/api/portal/services/logbook?establishment=${school.id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', detail: 'Introuvable.' });
    }
    const res = await principal.as.get(`/api/portal/services/logbook?establishment=${school.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ key: 'logbook', available: false });
    // a closed one is still closed for the direction too (closed wins over "not built")
    await principal.as.patch(`/api/establishments/${school.id}/services/logbook`, { profiles: ['student'] });
    const closed = await principal.as.get(`/api/portal/services/logbook?establishment=${school.id}`);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().code).toBe('SERVICE_CLOSED');
  });

  test('an establishment that grants services.manage to teachers lets them see what is coming', async () => {
    const { school, teacher, student } = await world();
    await db
      .insertInto('permission_override')
      .values({ establishment_id: school.id, profile: 'teacher', permission: 'services.manage', granted: true })
      .execute();
    expect((await portalKeys(teacher.as, school)).length).toBeGreaterThan(0);
    expect(await portalKeys(student.as, school)).toEqual([]);
  });
});
