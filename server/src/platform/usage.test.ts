import { describe, expect, test } from 'vitest';
import { freshDatabase, loginAs, makeEstablishment, makeUser } from '../../test/helpers.ts';
import { buildApp } from '../app.ts';
import { testConfig } from './config.ts';
import { rollUpUsage, UsageRecorder } from './usage.ts';

const db = await freshDatabase();

const eventsOf = (establishmentId: string) =>
  db.selectFrom('usage_event').selectAll().where('establishment_id', '=', establishmentId).orderBy('id').execute();

const dailyOf = (day: string, establishmentId: string) =>
  db
    .selectFrom('usage_daily')
    .select(['profile', 'service', 'action', 'events', 'users'])
    .where('day', '=', day)
    .where('establishment_id', '=', establishmentId)
    .orderBy('profile')
    .orderBy('action')
    .execute();

describe('usage events', () => {
  test('a portal view is recorded, and written when the app closes', async () => {
    const app = await buildApp({ config: testConfig('unused'), db });
    await app.ready();
    const school = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
    const as = await loginAs(app, u.login);
    expect((await as.get(`/api/portal?establishment=${school.id}`)).statusCode).toBe(200);
    expect((await as.get(`/api/portal?establishment=${school.id}`)).statusCode).toBe(200);
    await app.close(); // flushes the buffer
    const rows = await eventsOf(school.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ user_id: u.id, profile: 'teacher', service: 'portal', action: 'view' });
    const logins = await db
      .selectFrom('usage_event')
      .selectAll()
      .where('user_id', '=', u.id)
      .where('action', '=', 'login')
      .execute();
    expect(logins).toEqual([expect.objectContaining({ establishment_id: null, service: 'portal' })]);
  });

  test('without a close, the buffer is written within about a second', async () => {
    const app = await buildApp({ config: testConfig('unused'), db });
    await app.ready();
    try {
      const school = await makeEstablishment(db);
      const u = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
      const as = await loginAs(app, u.login);
      await as.get(`/api/portal?establishment=${school.id}`);
      expect(await eventsOf(school.id)).toHaveLength(0); // not on the request path
      const deadline = Date.now() + 5000;
      while ((await eventsOf(school.id)).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await eventsOf(school.id)).toEqual([expect.objectContaining({ profile: 'student', action: 'view' })]);
    } finally {
      await app.close();
    }
  });

  test('the recorder writes in batches, at 500 events at once, and reports failures', async () => {
    const school = await makeEstablishment(db);
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(db, (e) => errors.push(e));
    const event = { userId: null, establishmentId: school.id, profile: 'staff', service: 'news', action: 'read' };
    for (let i = 0; i < 499; i++) recorder.record(event);
    expect(await eventsOf(school.id)).toHaveLength(0);
    recorder.record(event); // the 500th starts a flush at once
    await recorder.flush();
    expect(await eventsOf(school.id)).toHaveLength(500);
    await recorder.flush(); // nothing left: no-op
    expect(await eventsOf(school.id)).toHaveLength(500);
    expect(errors).toEqual([]);

    recorder.record({ ...event, establishmentId: 'not-a-uuid' });
    await recorder.flush();
    expect(errors).toHaveLength(1);
    // A failed batch does not stop the next ones.
    recorder.record(event);
    await recorder.flush();
    expect(await eventsOf(school.id)).toHaveLength(501);
  });
});

describe('rollUpUsage', () => {
  async function insertEvents(
    rows: { at: string; user: string | null; est: string | null; profile?: string | null; action?: string }[],
  ) {
    await db
      .insertInto('usage_event')
      .values(
        rows.map((r) => ({
          at: new Date(r.at),
          user_id: r.user,
          establishment_id: r.est,
          profile: r.profile === undefined ? 'student' : r.profile,
          service: 'portal',
          action: r.action ?? 'view',
        })),
      )
      .execute();
  }

  test('aggregates a day per establishment, profile, service and action, with distinct users', async () => {
    const school = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await insertEvents([
      { at: '2026-10-05T08:00:00Z', user: a, est: school.id },
      { at: '2026-10-05T09:00:00Z', user: a, est: school.id },
      { at: '2026-10-05T10:00:00Z', user: b, est: school.id },
      { at: '2026-10-05T10:00:00Z', user: c, est: school.id, profile: 'teacher' },
      { at: '2026-10-05T10:30:00Z', user: c, est: school.id, profile: 'teacher', action: 'open' },
      { at: '2026-10-05T11:00:00Z', user: null, est: school.id, profile: null },
      { at: '2026-10-05T11:00:00Z', user: a, est: other.id },
      { at: '2026-10-05T11:00:00Z', user: a, est: null },
    ]);
    const inserted = await rollUpUsage(db, '2026-10-05');
    expect(inserted).toBe(5);
    expect(await dailyOf('2026-10-05', school.id)).toEqual([
      { profile: 'student', service: 'portal', action: 'view', events: 3, users: 2 },
      { profile: 'teacher', service: 'portal', action: 'open', events: 1, users: 1 },
      { profile: 'teacher', service: 'portal', action: 'view', events: 1, users: 1 },
      { profile: 'unknown', service: 'portal', action: 'view', events: 1, users: 0 },
    ]);
    expect(await dailyOf('2026-10-05', other.id)).toEqual([
      { profile: 'student', service: 'portal', action: 'view', events: 1, users: 1 },
    ]);

    // Idempotent: re-running the day replaces its rows, and takes late events into account.
    await insertEvents([{ at: '2026-10-05T15:00:00Z', user: c, est: school.id }]);
    expect(await rollUpUsage(db, '2026-10-05')).toBe(5);
    expect((await dailyOf('2026-10-05', school.id))[0]).toMatchObject({ events: 4, users: 3 });
  });

  test('a day is a calendar day in Paris (winter UTC+1, summer UTC+2)', async () => {
    const school = await makeEstablishment(db);
    const u = crypto.randomUUID();
    await insertEvents([
      // Winter: 10 March 2026 in Paris is [2026-03-09T23:00Z, 2026-03-10T23:00Z).
      { at: '2026-03-09T22:59:00Z', user: u, est: school.id, action: 'before' },
      { at: '2026-03-09T23:00:00Z', user: u, est: school.id, action: 'first' },
      { at: '2026-03-10T22:59:00Z', user: u, est: school.id, action: 'last' },
      { at: '2026-03-10T23:00:00Z', user: u, est: school.id, action: 'after' },
      // Summer: 1 July 2026 in Paris is [2026-06-30T22:00Z, 2026-07-01T22:00Z).
      { at: '2026-06-30T21:59:00Z', user: u, est: school.id, action: 'before' },
      { at: '2026-06-30T22:00:00Z', user: u, est: school.id, action: 'first' },
      { at: '2026-07-01T21:59:00Z', user: u, est: school.id, action: 'last' },
      { at: '2026-07-01T22:00:00Z', user: u, est: school.id, action: 'after' },
    ]);
    for (const day of ['2026-03-10', '2026-07-01']) {
      await rollUpUsage(db, day);
      expect((await dailyOf(day, school.id)).map((r) => r.action)).toEqual(['first', 'last']);
    }
    await rollUpUsage(db, '2026-03-09');
    expect((await dailyOf('2026-03-09', school.id)).map((r) => r.action)).toEqual(['before']);
  });
});
