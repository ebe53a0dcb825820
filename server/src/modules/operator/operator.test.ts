import { describe, expect, test } from 'vitest';
import { countRows, flushUsage, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { defaultIdentity } from './operator.defaults.ts';
import { checkLogo } from './operator.service.ts';

const { app, db } = await testApp();

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const svg = (body: string) => `data:image/svg+xml;base64,${Buffer.from(body).toString('base64')}`;

const REGION = {
  ...defaultIdentity('fr'),
  kind: 'region' as const,
  name: 'Région Île-de-France',
  serviceName: 'monlycée.net',
  tagline: 'L’ENT des lycées franciliens',
  logo: { dataUrl: PNG, alt: 'Région Île-de-France' },
  publisher: {
    name: 'Région Île-de-France',
    address: '2 rue Simone-Veil, 93400 Saint-Ouen-sur-Seine',
    email: 'ent@iledefrance.example',
    phone: '01 53 85 53 85',
    director: 'La présidente du conseil régional',
  },
  host: { name: 'Hébergeur régional', address: 'Saint-Ouen', phone: '' },
  legalNotice: 'Le service est conforme à l’arrêté ENT.',
  dpo: { name: 'Délégué à la protection des données', email: 'dpo@iledefrance.example', address: 'Saint-Ouen' },
  accessibility: {
    status: 'partial' as const,
    auditDate: '2026-06-15',
    auditBy: 'Cabinet Access',
    statement: 'Le service Agenda ne se manipule pas encore au clavier.',
    contact: 'accessibilite@iledefrance.example',
  },
  footerLinks: [
    { label: 'iledefrance.fr', url: 'https://www.iledefrance.fr' },
    { label: 'Plan du site', url: '/accessibility' },
  ],
};

async function platformAdmin() {
  return loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
}

const current = async (lang = 'fr') =>
  (await app.inject({ method: 'GET', url: '/api/operator', headers: { 'accept-language': lang } })).json();

describe("the operator's identity", () => {
  test('before anything is saved: a default that says plainly it is a demonstration, in the reader’s language', async () => {
    const fr = await current();
    expect(fr).toMatchObject({ configured: false, updatedAt: null, kind: 'other', serviceName: 'Préau' });
    expect(fr.name).toBe('Instance de démonstration de Préau');
    expect(JSON.stringify(fr)).toMatch(/démonstration/);
    expect(JSON.stringify(fr)).not.toMatch(/compléter|installation/i);
    const en = await current('en');
    expect(en.name).toBe('Préau demonstration instance');
    // public: no session needed, nothing personal in it
    const anonymous = await app.inject({ method: 'GET', url: '/api/operator' });
    expect(anonymous.statusCode).toBe(200);
  });

  test('the platform administrator sets it: everyone reads it, audited with before and after, a usage event', async () => {
    const admin = await platformAdmin();
    const res = await admin.put('/api/operator', REGION);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ...REGION, configured: true });
    const read = await current('en');
    expect(read).toEqual({ ...REGION, configured: true, updatedAt: res.json().updatedAt });
    const audits = await db
      .selectFrom('audit_event')
      .select(['action', 'details', 'target_type'])
      .where('action', '=', 'operator.update')
      .execute();
    expect(audits).toHaveLength(1);
    const details = audits[0]!.details as { before: unknown; after: { name: string; logo: unknown } };
    expect(details.before).toBeNull();
    expect(details.after.name).toBe('Région Île-de-France');
    // the audit names the logo, it does not copy its bytes
    expect(details.after.logo).toEqual({ type: 'image/png', chars: PNG.length, alt: 'Région Île-de-France' });
    await flushUsage(app);
    const usage = await db
      .selectFrom('usage_event')
      .select(['service', 'action', 'profile'])
      .where('service', '=', 'operator')
      .execute();
    expect(usage).toEqual([{ service: 'operator', action: 'update', profile: 'platform_admin' }]);

    // a second change records what it was before
    const state = { ...REGION, kind: 'state' as const, name: 'Ministère de l’Éducation nationale', logo: null };
    expect((await admin.put('/api/operator', state)).statusCode).toBe(200);
    expect((await current()).kind).toBe('state');
    const second = await db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'operator.update')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    expect((second.details as { before: { name: string } }).before.name).toBe('Région Île-de-France');
    expect(await countRows(db, 'operator_identity')).toBe(1);
  });

  test('nobody else changes it: 401 without a session, 403 for a principal or a local administrator', async () => {
    const school = await makeEstablishment(db);
    const members = await Promise.all(
      (['principal', 'local_admin'] as const).map(async (p) =>
        loginAs(app, (await makeUser(db, { establishmentId: school.id, profiles: [p] })).login),
      ),
    );
    const before = await current();
    const audits = await countRows(db, 'audit_event');
    const anonymous = await app.inject({ method: 'PUT', url: '/api/operator', payload: REGION });
    expect(anonymous.statusCode).toBe(401);
    for (const as of members) {
      const res = await as.put('/api/operator', { ...REGION, name: 'Collège pirate' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN', detail: "Vous n'avez pas le droit de faire cela." });
    }
    expect(await current()).toEqual(before);
    expect(await countRows(db, 'audit_event')).toBe(audits);
  });

  test('bad input is 400 with French field messages, and changes nothing', async () => {
    const admin = await platformAdmin();
    const before = await current();
    const audits = await countRows(db, 'audit_event');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...REGION, kind: 'empire' }, 'body.kind', 'VALIDATION'],
      [{ ...REGION, name: '' }, 'body.name', 'VALIDATION'],
      [{ ...REGION, dpo: { ...REGION.dpo, email: 'pas-une-adresse' } }, 'body.dpo.email', 'VALIDATION'],
      [
        { ...REGION, footerLinks: [{ label: 'x', url: 'javascript:alert(1)' }] },
        'body.footerLinks.0.url',
        'VALIDATION',
      ],
      [{ ...REGION, footerLinks: [{ label: 'x', url: '//evil.example' }] }, 'body.footerLinks.0.url', 'VALIDATION'],
      [
        { ...REGION, accessibility: { ...REGION.accessibility, auditDate: '15/06/2026' } },
        'body.accessibility.auditDate',
        'VALIDATION',
      ],
      [{ ...REGION, logo: { dataUrl: 'https://evil.example/logo.png', alt: 'x' } }, 'body.logo.dataUrl', 'VALIDATION'],
      [
        { ...REGION, logo: { dataUrl: `data:image/png;base64,${Buffer.from('GIF89a').toString('base64')}`, alt: 'x' } },
        'body.logo.dataUrl',
        'LOGO_INVALID',
      ],
      [
        { ...REGION, logo: { dataUrl: svg('<svg onload="alert(1)"></svg>'), alt: 'x' } },
        'body.logo.dataUrl',
        'LOGO_INVALID',
      ],
      [{ ...REGION, extra: true }, 'body', 'VALIDATION'],
    ];
    for (const [body, path, code] of cases) {
      const res = await admin.put('/api/operator', body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      const problem = res.json();
      expect(problem.code).toBe(code);
      const error = problem.errors.find((e: { path: string }) => e.path === path);
      expect(error, `${path} in ${res.body}`).toBeDefined();
      // a sentence for people, never a code
      expect(error.message).not.toMatch(/^[A-Z_]+$|Invalid|expected/);
    }
    const link = await admin.put('/api/operator', { ...REGION, footerLinks: [{ label: 'x', url: 'javascript:x' }] });
    expect(link.json().errors).toEqual([
      {
        path: 'body.footerLinks.0.url',
        code: 'custom',
        message: 'Adresse invalide : une adresse web (https://…) ou une page de l’ENT (/page).',
      },
    ]);
    expect(await current()).toEqual(before);
    expect(await countRows(db, 'audit_event')).toBe(audits);
  });

  test('logos are checked by their bytes', () => {
    expect(() => checkLogo(PNG)).not.toThrow();
    expect(() =>
      checkLogo(svg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')),
    ).not.toThrow();
    expect(() => checkLogo(svg('<svg><script>alert(1)</script></svg>'))).toThrow();
    expect(() => checkLogo(svg('<svg><a href="javascript:alert(1)">x</a></svg>'))).toThrow();
    expect(() => checkLogo(svg('<html><svg></svg></html>'))).toThrow();
    expect(() => checkLogo('data:image/jpeg;base64,iVBORw0KGgo=')).toThrow();
  });
});

describe("an instance's caches", () => {
  test('the platform administrator sees each cache used so far, its bound, hits and misses, and the memory', async () => {
    const school = await makeEstablishment(db);
    const student = await loginAs(app, (await makeUser(db, { establishmentId: school.id })).login);
    // The portal twice: the establishment's services are read once, then from memory.
    for (let i = 0; i < 2; i++)
      expect((await student.get(`/api/portal?establishment=${school.id}`)).statusCode).toBe(200);
    const admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
    const res = await admin.get('/api/operator/caches');
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.notifications).toBe(true);
    expect(report.memory.rssMb).toBeGreaterThan(report.memory.heapUsedMb);
    expect(report.memory.heapUsedMb).toBeGreaterThan(1);
    const names = report.caches.map((c: { name: string }) => c.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
    expect(report.caches.length).toBeGreaterThan(3);
    for (const c of report.caches) {
      expect(c.entries).toBeLessThanOrEqual(c.max);
      expect(c.topic).toMatch(/^[a-z]+$/);
    }
    expect(report.caches.reduce((n: number, c: { hits: number }) => n + c.hits, 0)).toBeGreaterThan(0);
  });

  test('nobody else: 401 without a session, 403 for a principal', async () => {
    const school = await makeEstablishment(db);
    const principal = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    expect((await app.inject({ method: 'GET', url: '/api/operator/caches' })).statusCode).toBe(401);
    const res = await principal.get('/api/operator/caches');
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
