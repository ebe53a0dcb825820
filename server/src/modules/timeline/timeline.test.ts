import { defineApi } from '@preau/contracts';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { countRows, freshDatabase, loginAs, makeEstablishment, makeUser, urlOf } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { cachesOf } from '../../platform/cache.ts';
import { testConfig } from '../../platform/config.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import { defineModule } from '../../platform/module.ts';
import { modules } from '../index.ts';
import { notify, withdraw } from './index.ts';
import { purgeOldNotifications } from './timeline.service.ts';

/**
 * The timeline as every service uses it: a module posts through `notify` (inside its transaction), its
 * recipients read it on their feed and on the home page, nobody else sees it.
 */
const probeApi = defineApi({
  module: 'probe',
  permissions: [],
  errors: [],
  endpoints: {
    'POST /api/probe/notify': {
      summary: 'post a notification',
      access: { auth: 'session' },
      body: z.strictObject({
        establishmentId: z.uuid(),
        recipients: z.array(z.uuid()),
        kind: z.string().optional(),
        source: z.uuid().optional(),
      }),
      response: z.object({ recipients: z.number() }),
      errors: [],
    },
  },
});
let failingWidget = false;
const probe = defineModule({
  name: 'probe',
  prefix: '/api/probe',
  api: probeApi,
  permissions: {},
  notifications: [
    {
      kind: 'probe.thing.new',
      label: { fr: 'Nouvelle chose', en: 'New thing' },
      profiles: ['student', 'teacher'],
      defaultDelivery: 'app',
    },
  ],
  home: async ({ profiles }) => {
    if (failingWidget) throw new Error('widget down');
    return { profiles };
  },
  plugin: async (app) =>
    registerEndpoints(app, '/api/probe', probeApi, {
      'POST /api/probe/notify': async ({ req, body }) => {
        const r = await req.ctx.db.transaction().execute((trx) =>
          notify(trx, {
            establishmentId: body.establishmentId,
            kind: body.kind ?? 'probe.thing.new',
            recipients: body.recipients,
            text: { fr: 'Une nouvelle chose', en: 'A new thing' },
            link: '/probe/1',
            actorId: req.ctx.user?.id ?? null,
            ...(body.source ? { source: { type: 'probe', id: body.source } } : {}),
          }),
        );
        return { recipients: r?.recipients ?? 0 };
      },
    }),
});

const db = await freshDatabase();
// With the caches, as in production: the feed's first page is kept in memory (migration 0215).
const app = await buildApp({ config: testConfig('unused'), db, modules: [...modules, probe], listenUrl: urlOf(db) });
await app.ready();
afterAll(() => app.close());

const school = await makeEstablishment(db);
const other = await makeEstablishment(db);
const teacher = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
const [s1, s2, s3] = await Promise.all([1, 2, 3].map(() => makeUser(db, { establishmentId: school.id })));
const asTeacher = await loginAs(app, teacher.login);
const asS1 = await loginAs(app, s1!.login);
const asS3 = await loginAs(app, s3!.login);

describe('timeline', () => {
  test('a notice reaches its recipients only, not its author; read and unread per person', async () => {
    const res = await asTeacher.post('/api/probe/notify', {
      establishmentId: school.id,
      recipients: [s1!.id, s2!.id, teacher.id],
    });
    expect(res.json()).toEqual({ recipients: 2 });

    const feed = (await asS1.get('/api/timeline')).json();
    expect(feed.unread).toBe(1);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({
      kind: 'probe.thing.new',
      text: 'Une nouvelle chose',
      link: '/probe/1',
      read: false,
      establishmentId: school.id,
      actor: { id: teacher.id },
    });
    const en = (await asS1.get('/api/timeline', { 'accept-language': 'en' })).json();
    expect(en.items[0].text).toBe('A new thing');
    expect((await asS3.get('/api/timeline')).json()).toEqual({ items: [], unread: 0 });
    expect((await asTeacher.get('/api/timeline')).json().items).toHaveLength(0);

    // Someone else's notification id changes nothing for its owner.
    const id = feed.items[0].id;
    expect((await asS3.post('/api/timeline/read', { ids: [id] })).json()).toEqual({ unread: 0 });
    expect((await asS1.get('/api/timeline/unread')).json()).toEqual({ unread: 1 });
    expect((await asS1.post('/api/timeline/read', { ids: [id] })).json()).toEqual({ unread: 0 });
    expect((await asS1.get('/api/timeline')).json().items[0].read).toBe(true);
  });

  test('pages newest first with a keyset; filtered by establishment', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    await db
      .insertInto('membership')
      .values({ establishment_id: other.id, user_id: u.id, profile: 'student' })
      .execute();
    const a = await loginAs(app, u.login);
    for (let i = 0; i < 5; i++)
      await asTeacher.post('/api/probe/notify', { establishmentId: school.id, recipients: [u.id] });
    await asTeacher.post('/api/probe/notify', { establishmentId: other.id, recipients: [u.id] });
    const first = (await a.get('/api/timeline?limit=4')).json();
    expect(first.items).toHaveLength(4);
    expect(first.next).toBe(first.items[3].id);
    const second = (await a.get(`/api/timeline?limit=4&before=${first.next}`)).json();
    expect(second.items).toHaveLength(2);
    expect(second.next).toBeUndefined();
    const ids = [...first.items, ...second.items].map((x: { id: string }) => x.id);
    expect(new Set(ids).size).toBe(6);
    const times = [...first.items, ...second.items].map((x: { createdAt: string }) => x.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const mine = (await a.get(`/api/timeline?establishment=${school.id}`)).json();
    expect(mine.items).toHaveLength(5);
    expect(mine.unread).toBe(5);
    expect((await a.post('/api/timeline/read', { all: true, establishment: other.id })).json()).toEqual({ unread: 5 });
  });

  test('a whole school is one insert; a withdrawn source disappears from every feed', async () => {
    const users = await db
      .insertInto('app_user')
      .values(
        Array.from({ length: 2000 }, (_, i) => ({
          login: `bulk.${i}.${Date.now()}`,
          first_name: 'Bulk',
          last_name: `N${i}`,
          display_name: `N${i} Bulk`,
        })),
      )
      .returning('id')
      .execute();
    const source = crypto.randomUUID();
    const res = await asTeacher.post('/api/probe/notify', {
      establishmentId: school.id,
      recipients: users.map((u) => u.id),
      source,
    });
    expect(res.json()).toEqual({ recipients: 2000 });
    const before = await countRows(db, 'notification_recipient');
    await withdraw(db, { type: 'probe', id: source });
    expect(await countRows(db, 'notification_recipient')).toBe(before - 2000);
  });

  test('notifications older than thirteen months are erased with their recipients', async () => {
    const old = await db
      .insertInto('notification')
      .values({
        establishment_id: school.id,
        kind: 'probe.thing.new',
        text: JSON.stringify({ fr: 'vieux' }),
        link: null,
        created_at: new Date('2020-01-01T00:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('notification_recipient')
      .values({ notification_id: old.id, user_id: s1!.id, establishment_id: school.id, created_at: '2020-01-01' })
      .execute();
    const before = await countRows(db, 'notification');
    expect(await purgeOldNotifications(db)).toBe(1);
    expect(await countRows(db, 'notification')).toBe(before - 1);
    const left = await db
      .selectFrom('notification_recipient')
      .select('user_id')
      .where('notification_id', '=', old.id)
      .execute();
    expect(left).toEqual([]);
  });

  test('an undeclared kind is a programming error, refused before anything is written', async () => {
    const before = await countRows(db, 'notification');
    await expect(
      notify(db, { establishmentId: school.id, kind: 'probe.nope', recipients: [s1!.id], text: { fr: 'x' } }),
    ).rejects.toThrow(/Unknown notification kind/);
    expect(await countRows(db, 'notification')).toBe(before);
  });

  test('bad input: 400 with the field named, nothing marked', async () => {
    const res = await asS1.post('/api/timeline/read', { ids: ['not-a-uuid'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION');
    expect((await asS1.get('/api/timeline?limit=500')).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/timeline' })).statusCode).toBe(401);
  });
});

async function notifyDirect(userId: string) {
  const n = await db
    .insertInto('notification')
    .values({
      establishment_id: school.id,
      kind: 'probe.thing.new',
      actor_id: teacher.id,
      text: JSON.stringify({ fr: 'Écrit ailleurs', en: 'Written elsewhere' }),
      link: '/probe/2',
      source_type: null,
      source_id: null,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('notification_recipient')
    .values({ notification_id: n.id, user_id: userId, establishment_id: school.id, created_at: n.created_at })
    .execute();
}

describe('the home request', () => {
  test('portal and widgets in one answer; the timeline widget holds the latest notices', async () => {
    await asTeacher.post('/api/probe/notify', { establishmentId: school.id, recipients: [s3!.id] });
    const res = await asS3.get(`/api/home?establishment=${school.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.portal.establishment.id).toBe(school.id);
    expect(body.widgets.timeline.unread).toBe(1);
    expect(body.widgets.timeline.items[0].text).toBe('Une nouvelle chose');
    expect(body.widgets.probe).toEqual({ profiles: ['student'] });
  });

  test('a failing widget is null; the rest of the page still loads', async () => {
    failingWidget = true;
    try {
      const res = await asS3.get(`/api/home?establishment=${school.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().widgets.probe).toBeNull();
      expect(res.json().widgets.timeline).not.toBeNull();
    } finally {
      failingWidget = false;
    }
  });

  test('the widget from memory: what another instance writes is seen on the next read', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const asU = await loginAs(app, u.login);
    const widget = async () => (await asU.get(`/api/home?establishment=${school.id}`)).json().widgets.timeline;
    const hits = () => cachesOf(db)!.stats()['timeline-first-page']?.hits ?? 0;
    expect(await widget()).toEqual({ items: [], unread: 0 });
    const before = hits();
    expect(await widget()).toEqual({ items: [], unread: 0 });
    expect(hits()).toBeGreaterThan(before);
    // A notice written by another instance (straight into the tables): announced `tl:<user>`.
    await notifyDirect(u.id);
    const w = await widget();
    expect(w).toMatchObject({ unread: 1, items: [{ text: 'Écrit ailleurs', actor: { id: teacher.id }, read: false }] });
    // Its author renamed: the name follows.
    await db.updateTable('app_user').set({ display_name: 'PROF Renommé' }).where('id', '=', teacher.id).execute();
    expect((await widget()).items[0].actor.displayName).toBe('PROF Renommé');
    // Read elsewhere, then withdrawn elsewhere (the cascade deletes the person's row).
    await db.updateTable('notification_recipient').set({ read_at: new Date() }).where('user_id', '=', u.id).execute();
    expect(await widget()).toMatchObject({ unread: 0, items: [{ read: true }] });
    await db.deleteFrom('notification').where('id', '=', w.items[0].id).execute();
    expect(await widget()).toEqual({ items: [], unread: 0 });
  });

  test("another establishment's home is 404", async () => {
    expect((await asS3.get(`/api/home?establishment=${other.id}`)).statusCode).toBe(404);
  });
});
