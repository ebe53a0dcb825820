import { defineApi } from '@preau/contracts';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { freshDatabase, loginAs, makeEstablishment, makeUser } from '../../../test/helpers.ts';
import { openStream } from '../../../test/live-stream.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import { defineModule } from '../../platform/module.ts';
import { modules } from '../index.ts';
import { notify, withdraw } from './index.ts';

/**
 * The live unread counter across instances: two apps on one database, as behind a load balancer. A person's
 * stream is open on instance B; what happens on instance A (a notice, a read mark, a withdrawal) reaches it
 * through PostgreSQL LISTEN/NOTIFY.
 */
const probeApi = defineApi({
  module: 'probe',
  permissions: [],
  errors: [],
  endpoints: {
    'POST /api/probe/notify': {
      summary: 'post a notification',
      access: { auth: 'session' },
      body: z.strictObject({ establishmentId: z.uuid(), recipients: z.array(z.uuid()), source: z.uuid() }),
      response: z.object({ recipients: z.number() }),
      errors: [],
    },
  },
});
const probe = defineModule({
  name: 'probe',
  prefix: '/api/probe',
  api: probeApi,
  permissions: {},
  notifications: [
    { kind: 'probe.live', label: { fr: 'En direct', en: 'Live' }, profiles: ['student'], defaultDelivery: 'app' },
  ],
  plugin: async (app) =>
    registerEndpoints(app, '/api/probe', probeApi, {
      'POST /api/probe/notify': async ({ req, body }) => {
        const r = await req.ctx.db.transaction().execute((trx) =>
          notify(trx, {
            establishmentId: body.establishmentId,
            kind: 'probe.live',
            recipients: body.recipients,
            text: { fr: 'Du nouveau' },
            actorId: req.ctx.user?.id ?? null,
            source: { type: 'probe', id: body.source },
          }),
        );
        return { recipients: r?.recipients ?? 0 };
      },
    }),
});

const db = await freshDatabase();
const instance = async () => {
  const app = await buildApp({ config: testConfig('unused'), db, modules: [...modules, probe] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
};
const a = await instance();
const b = await instance();
afterAll(async () => {
  await a.app.close();
  await b.app.close();
});

const school = await makeEstablishment(db);
const teacher = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
const onA = await loginAs(a.app, teacher.login);

describe('the live unread counter (server-sent events over LISTEN/NOTIFY)', () => {
  test('a notice posted on instance A reaches the stream open on instance B; reading it on A too', async () => {
    const s = await makeUser(db, { establishmentId: school.id });
    const bystander = await makeUser(db, { establishmentId: school.id });
    const sOnA = await loginAs(a.app, s.login);
    const stream = await openStream(b.url, sOnA.cookie);
    const quiet = await openStream(b.url, (await loginAs(a.app, bystander.login)).cookie);
    try {
      expect(await stream.next()).toEqual({ unread: 0, kinds: {} });
      expect(await quiet.next()).toEqual({ unread: 0, kinds: {} });

      const source = crypto.randomUUID();
      await onA.post('/api/probe/notify', { establishmentId: school.id, recipients: [s.id], source });
      expect(await stream.next()).toEqual({ unread: 1, kinds: { 'probe.live': 1 } });
      await onA.post('/api/probe/notify', { establishmentId: school.id, recipients: [s.id], source });
      expect(await stream.next()).toEqual({ unread: 2, kinds: { 'probe.live': 2 } });

      const feed = (await sOnA.get('/api/timeline')).json();
      await sOnA.post('/api/timeline/read', { ids: [feed.items[0].id] });
      expect(await stream.next()).toEqual({ unread: 1, kinds: { 'probe.live': 1 } });

      // withdrawn (a purged message): every connected counter is recounted
      await withdraw(db, { type: 'probe', id: source });
      expect(await stream.next()).toEqual({ unread: 0, kinds: {} });

      // the bystander heard nothing but the recount of the withdrawal
      expect(await quiet.next()).toEqual({ unread: 0, kinds: {} });
      await expect(quiet.next(300)).rejects.toThrow(/no event in time/);
    } finally {
      await stream.close();
      await quiet.close();
    }
  });

  test('nothing is heard of a transaction that rolls back', async () => {
    const s = await makeUser(db, { establishmentId: school.id });
    const stream = await openStream(b.url, (await loginAs(a.app, s.login)).cookie);
    try {
      expect((await stream.next()).unread).toBe(0);
      await db
        .transaction()
        .execute(async (trx) => {
          await notify(trx, { establishmentId: school.id, kind: 'probe.live', recipients: [s.id], text: { fr: 'x' } });
          throw new Error('rollback');
        })
        .catch(() => {});
      await expect(stream.next(500)).rejects.toThrow(/no event in time/);
    } finally {
      await stream.close();
    }
  });

  test('the stream needs a session, ends after max seconds, and ends when the server stops', async () => {
    const anon = await fetch(`${b.url}/api/timeline/stream`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toContain('application/problem+json');
    const s = await makeUser(db, { establishmentId: school.id });
    const cookie = (await loginAs(a.app, s.login)).cookie;
    const once = await fetch(`${b.url}/api/timeline/stream?max=0`, { headers: { cookie } });
    const text = await once.text();
    expect(text).toContain('retry: 5000');
    expect(text).toContain('event: unread\ndata: {"unread":0,"kinds":{}}');

    const c = await instance();
    const stream = await openStream(c.url, cookie);
    expect((await stream.next()).unread).toBe(0);
    const closing = c.app.close();
    await expect(stream.next(3000)).rejects.toThrow(/ended/);
    await closing;
  });
});
