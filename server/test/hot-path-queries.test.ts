import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { caughtUp } from '../src/platform/cache.ts';
import { testConfig } from '../src/platform/config.ts';
import type { Database } from '../src/platform/db/schema.ts';
import type { App } from '../src/platform/module.ts';
import { type Agent, freshDatabase, loginAs, makeEstablishment, makeUser, urlOf } from './helpers.ts';

/**
 * The daily reads, counted in SQL statements once the caches are warm (docs/PERFORMANCE.md): what the 8 a.m.
 * home page and the directory cost the database on every request. A new query on one of these paths fails here —
 * on purpose: add it to a cache, or change the count with the reason.
 */
describe('SQL statements per request on the hot paths, caches warm', () => {
  const statements: string[] = [];
  let app: App;
  let student: Agent;
  let principal: Agent;
  let establishmentId: string;
  let db: Kysely<Database>;

  beforeAll(async () => {
    const setup = await freshDatabase();
    const url = urlOf(setup);
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (e) => {
        if (e.level === 'query') statements.push(e.query.sql);
      },
    });
    // As in production: the barrier only after writes, so that a read is only its own statements.
    app = await buildApp({ config: testConfig(url, { cacheBarrier: 'after-writes' }), db, listenUrl: url });
    await app.ready();
    afterAll(async () => {
      await app.close();
      await db.destroy();
    });
    const est = await makeEstablishment(setup);
    establishmentId = est.id;
    const s = await makeUser(setup, { establishmentId: est.id, profiles: ['student'] });
    const p = await makeUser(setup, { establishmentId: est.id, profiles: ['principal'] });
    student = await loginAs(app, s.login);
    principal = await loginAs(app, p.login);
  });

  /** The statements one request sends, usage events (written in the background, batched) aside. */
  async function count(send: () => Promise<{ statusCode: number }>): Promise<string[]> {
    expect((await send()).statusCode).toBe(200); // warms the caches
    statements.length = 0;
    expect((await send()).statusCode).toBe(200);
    return statements.filter((q) => !/usage_event/.test(q));
  }

  it('GET /api/me: none', async () => {
    expect(await count(() => student.get('/api/me'))).toEqual([]);
  });

  it('GET /api/portal: none', async () => {
    expect(await count(() => student.get(`/api/portal?establishment=${establishmentId}`))).toEqual([]);
  });

  it('GET /api/home of a student: every widget from memory (none)', async () => {
    const sent = await count(() => student.get(`/api/home?establishment=${establishmentId}`));
    // The timeline's first page (topic `tl`, migration 0215), messaging's inbox page and unread count (`mb`, 0201),
    // the grades' latest grades (`gr`, 0453), the logbook's « à faire pour demain » (`lb`, 0351) over the
    // timetable's courses (`ttc`, 0302), school life's absences to justify (`sl`, 0402).
    expect(sent).toEqual([]);
  });

  it("GET /api/home of a principal: the rollout widget's first screen from memory (none)", async () => {
    const sent = await count(() => principal.get(`/api/home?establishment=${establishmentId}`));
    // The checklist, the rates per profile and per class, the plan's late steps: kept per establishment (topic
    // `rollout`, and the day for what depends on it).
    const rollout = sent.filter((q) => /rollout_|charter|import_job|audit_event|guardianship|quality/.test(q));
    expect(rollout).toEqual([]);
  });

  it("GET /api/rollout/dashboard and /indicators: none (the roll-up's time and the modules' indicators kept per roll-up)", async () => {
    // The first page rolls the establishment up (never done): its own notification reloads the roll-up's time once
    // — on the next request, or on this one's if it arrives before it ends (a busy machine: after).
    await principal.get(`/api/rollout/dashboard?establishment=${establishmentId}`);
    await caughtUp(db);
    await principal.get(`/api/rollout/dashboard?establishment=${establishmentId}`);
    expect(await count(() => principal.get(`/api/rollout/dashboard?establishment=${establishmentId}`))).toEqual([]);
    expect(await count(() => principal.get(`/api/rollout/indicators?establishment=${establishmentId}`))).toEqual([]);
  });

  it('GET /api/establishments/:id/users: none, searched or not', async () => {
    expect(await count(() => principal.get(`/api/establishments/${establishmentId}/users`))).toEqual([]);
    expect(await count(() => principal.get(`/api/establishments/${establishmentId}/users?q=testeur`))).toEqual([]);
  });
});
