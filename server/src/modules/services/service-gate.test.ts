import { defineApi } from '@preau/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type Agent,
  freshDatabase,
  loginAs,
  makeEstablishment,
  makeUser,
  type Profile,
} from '../../../test/helpers.ts';
import { buildApp, registeredRoutes } from '../../app.ts';
import { authorize } from '../../platform/access/authorize.ts';
import { testConfig } from '../../platform/config.ts';
import { notFound } from '../../platform/errors.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import { defineModule } from '../../platform/module.ts';
import { modules } from '../index.ts';

/**
 * A service module as the app mounts it: every route of a module that names a catalogue service passes
 * the gate (member of the establishment, charter accepted, service open to one of the caller's profiles), in
 * exactly the establishment the endpoint says it names — a query field, a path parameter, a body field — or,
 * for an endpoint about an object, the object's establishment, checked by authorize() in the use case.
 */
const things = new Map<string, string>(); // thing id → its establishment
const Est = z.strictObject({ establishment: z.uuid() });
const gatedApi = defineApi({
  module: 'gated',
  permissions: ['gated.read'],
  errors: [],
  endpoints: {
    'GET /api/gated/items': {
      summary: 'items',
      access: { permission: 'gated.read' },
      establishment: { query: 'establishment' },
      query: Est,
      response: z.object({ items: z.array(z.string()) }),
      errors: [],
    },
    'GET /api/gated/establishments/:establishmentId/items': {
      summary: 'items by path',
      access: { permission: 'gated.read' },
      establishment: { params: 'establishmentId' },
      params: z.strictObject({ establishmentId: z.uuid() }),
      response: z.object({ items: z.array(z.string()) }),
      errors: [],
    },
    'POST /api/gated/items': {
      summary: 'post an item',
      access: { permission: 'gated.read' },
      establishment: { body: 'establishmentId' },
      body: z.strictObject({ establishmentId: z.uuid(), text: z.string() }),
      status: 201,
      response: z.object({ ok: z.boolean() }),
      errors: [],
    },
    'GET /api/gated/things/:id': {
      summary: 'one thing',
      access: { permission: 'gated.read' },
      establishment: 'object',
      params: z.strictObject({ id: z.uuid() }),
      response: z.object({ id: z.uuid() }),
      errors: [],
    },
  },
});
const newsLike = defineModule({
  name: 'gated',
  service: 'news',
  prefix: '/api/gated',
  api: gatedApi,
  permissions: { 'gated.read': ['student', 'teacher', 'principal'] },
  plugin: async (app) =>
    registerEndpoints(app, '/api/gated', gatedApi, {
      'GET /api/gated/items': async () => ({ items: ['une actualité'] }),
      'GET /api/gated/establishments/:establishmentId/items': async () => ({ items: ['une actualité'] }),
      'POST /api/gated/items': async () => ({ ok: true }),
      'GET /api/gated/things/:id': async ({ req, params }) => {
        const establishmentId = things.get(params.id);
        if (!establishmentId) throw notFound();
        await authorize(req.ctx, { establishmentId, permission: 'gated.read', service: 'news' });
        return { id: params.id };
      },
    }),
});

const db = await freshDatabase();
const app = await buildApp({ config: testConfig('unused'), db, modules: [...modules, newsLike] });
await app.ready();
afterAll(() => app.close());

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

async function member(s: School, profiles: Profile[] = ['student']) {
  const u = await makeUser(db, { establishmentId: s.id, profiles });
  return loginAs(app, u.login);
}

const items = (a: Agent, s: School) => a.get(`/api/gated/items?establishment=${s.id}`);

describe('the service gate of service modules', () => {
  test('open: 200 by query, path parameter, body field or object; never a guessed establishment', async () => {
    const student = await member(school);
    expect((await items(student, school)).statusCode).toBe(200);
    expect((await student.get(`/api/gated/establishments/${school.id}/items`)).statusCode).toBe(200);
    expect((await student.post('/api/gated/items', { establishmentId: school.id, text: 'x' })).statusCode).toBe(201);
    const thing = crypto.randomUUID();
    things.set(thing, school.id);
    expect((await student.get(`/api/gated/things/${thing}`)).statusCode).toBe(200);
    // No establishment named: a validation error, not the first membership.
    const res = await student.get('/api/gated/items');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION');
  });

  test('an object of a closed service, or of another establishment, is gated like the rest', async () => {
    const s = await makeEstablishment(db);
    const p = await member(s, ['principal']);
    const student = await member(s);
    const thing = crypto.randomUUID();
    things.set(thing, s.id);
    expect((await student.get(`/api/gated/things/${thing}`)).statusCode).toBe(200);
    await p.patch(`/api/establishments/${s.id}/services/news`, { status: 'closed' });
    const closed = await student.get(`/api/gated/things/${thing}`);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().code).toBe('SERVICE_CLOSED');
    const outsider = await member(school);
    expect((await outsider.get(`/api/gated/things/${thing}`)).statusCode).toBe(404);
  });

  test('the body names another establishment: 404, nothing reaches the handler', async () => {
    const other = await makeEstablishment(db);
    const student = await member(school);
    const res = await student.post('/api/gated/items', { establishmentId: other.id, text: 'x' });
    expect(res.statusCode).toBe(404);
  });

  test('a route of a service module that does not say where its establishment is: the app refuses to start', async () => {
    const sloppy = defineModule({
      name: 'sloppy',
      service: 'news',
      prefix: '/api/sloppy',
      permissions: { 'sloppy.read': ['student'] },
      plugin: async (app) => {
        app.get('/items', { config: { permission: 'sloppy.read' } }, async () => ({}));
      },
    });
    await expect(buildApp({ config: testConfig('unused'), db, modules: [...modules, sloppy] })).rejects.toThrow(
      /must say where it names its establishment/,
    );
  });

  test('closed: 403 SERVICE_CLOSED for everyone', async () => {
    const s = await makeEstablishment(db);
    const p = await member(s, ['principal']);
    const student = await member(s);
    expect((await p.patch(`/api/establishments/${s.id}/services/news`, { status: 'closed' })).statusCode).toBe(200);
    for (const a of [student, p]) {
      const res = await items(a, s);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('SERVICE_CLOSED');
      expect((await a.get(`/api/gated/establishments/${s.id}/items`)).json().code).toBe('SERVICE_CLOSED');
    }
  });

  test('restricted to some profiles, or opening later: 403 SERVICE_CLOSED for the others', async () => {
    const s = await makeEstablishment(db);
    const p = await member(s, ['principal']);
    const student = await member(s);
    const teacher = await member(s, ['teacher']);
    await p.patch(`/api/establishments/${s.id}/services/news`, { profiles: ['teacher', 'principal'] });
    expect((await items(student, s)).json().code).toBe('SERVICE_CLOSED');
    expect((await items(teacher, s)).statusCode).toBe(200);
    await p.patch(`/api/establishments/${s.id}/services/news`, { opensOn: '2999-09-01' });
    expect((await items(teacher, s)).json().code).toBe('SERVICE_CLOSED');
  });

  test("another establishment's service is 404, whatever its settings", async () => {
    const other = await makeEstablishment(db);
    const student = await member(school);
    expect((await items(student, other)).statusCode).toBe(404);
    expect((await student.get(`/api/gated/establishments/${other.id}/items`)).statusCode).toBe(404);
  });

  test('a pending charter is 403 CHARTER_NOT_ACCEPTED until accepted', async () => {
    const s = await makeEstablishment(db);
    const p = await member(s, ['principal']);
    const student = await member(s);
    const published = await p.post(`/api/establishments/${s.id}/charter`, {
      title: 'Charte',
      body: 'Le texte de la charte.',
    });
    expect(published.statusCode).toBe(201);
    expect((await items(student, s)).json().code).toBe('CHARTER_NOT_ACCEPTED');
    await student.post('/api/me/charter/accept', { charterId: published.json().current.id });
    expect((await items(student, s)).statusCode).toBe(200);
  });

  test('no session is 401; a profile without the permission is 403 FORBIDDEN before the gate', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/gated/items?establishment=${school.id}` })).statusCode).toBe(
      401,
    );
    const guardian = await member(school, ['guardian']);
    const res = await items(guardian, school);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  test('the routes are registered with their service, for the authorization matrix and the docs', () => {
    const routes = registeredRoutes.get(app as never) ?? [];
    const gated = routes.filter((r) => r.url.startsWith('/api/gated'));
    expect(gated).toHaveLength(4);
    for (const r of gated) expect(r).toMatchObject({ service: 'news', auth: 'permission', permission: 'gated.read' });
    expect(routes.find((r) => r.url === '/api/portal')?.service).toBeUndefined();
  });
});
