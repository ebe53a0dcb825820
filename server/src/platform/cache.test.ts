import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { announcements } from '../../test/announcements.ts';
import { freshDatabase, makeEstablishment, makeUser, urlOf } from '../../test/helpers.ts';
import { Cache, Caches, defineCache } from './cache.ts';
import type { Db } from './db/schema.ts';
import { Notifier } from './notify.ts';

const quiet = { error: () => {}, warn: () => {}, info: () => {} };

describe('cache invalidation triggers (migration 0040)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  // The service modules' own topics (the rollout cockpit's `rollout`, migration 0502; the timetable's courses,
  // `ttc`, migration 0302; the logbook's weeks and ticks, `lb` and `lbt`, migration 0351; grades' `gr`, 0453; school
  // life's `sl`, 0402) are tested with them.
  const announced = announcements(
    () => db,
    (n) => !/^(rollout|ttc|lb|lbt|gr|sl):/.test(n),
  );

  it('announces what each cache depends on, and nothing for the login and touch writes', async () => {
    const est = await makeEstablishment(db);
    const student = await makeUser(db, { establishmentId: est.id, profiles: ['student'] });
    const guardian = await makeUser(db, { establishmentId: est.id, profiles: ['guardian'] });

    expect(
      await announced(() =>
        db
          .insertInto('guardianship')
          .values({ establishment_id: est.id, guardian_id: guardian.id, student_id: student.id, level: 'legal' })
          .execute(),
      ),
    ).toEqual([`u:${guardian.id}`]);

    // The login's last_login_at and the session's touch are on the rush path: no notification, no trigger call.
    expect(
      await announced(() =>
        db.updateTable('app_user').set({ last_login_at: new Date() }).where('id', '=', student.id).execute(),
      ),
    ).toEqual([]);

    // A renamed student: their own entry, their establishment's member list, their guardian's children list.
    expect(
      await announced(() =>
        db.updateTable('app_user').set({ display_name: 'NOUVEAU Nom' }).where('id', '=', student.id).execute(),
      ),
    ).toEqual([`dir:${est.id}`, `u:${guardian.id}`, `u:${student.id}`].sort());

    expect(
      await announced(() =>
        db
          .insertInto('membership')
          .values({ establishment_id: est.id, user_id: guardian.id, profile: 'staff' })
          .execute(),
      ),
    ).toEqual([`dir:${est.id}`, `u:${guardian.id}`].sort());

    const tokenHash = Buffer.alloc(32, 7);
    await db
      .insertInto('session')
      .values({
        token_hash: tokenHash,
        user_id: student.id,
        csrf_token: 'x',
        idle_expires_at: new Date(Date.now() + 60_000),
        expires_at: new Date(Date.now() + 60_000),
      })
      .execute();
    expect(
      await announced(() =>
        db.updateTable('session').set({ last_seen_at: new Date() }).where('token_hash', '=', tokenHash).execute(),
      ),
    ).toEqual([]);
    expect(await announced(() => db.deleteFrom('session').where('token_hash', '=', tokenHash).execute())).toEqual([
      `s:${tokenHash.toString('hex')}`,
    ]);

    expect(
      await announced(() =>
        db
          .insertInto('permission_override')
          .values({ establishment_id: est.id, profile: 'teacher', permission: 'users.read', granted: true })
          .execute(),
      ),
    ).toEqual([`perm:${est.id}`]);
    expect(
      await announced(() =>
        db
          .insertInto('establishment_service')
          .values({
            establishment_id: est.id,
            service_key: 'news',
            status: 'closed',
            profiles: [],
            usage_rules: '{}',
            updated_by: null,
          })
          .execute(),
      ),
    ).toEqual([`svc:${est.id}`]);
    expect(
      await announced(() =>
        db.updateTable('establishment').set({ city: 'Bobigny' }).where('id', '=', est.id).execute(),
      ),
    ).toEqual([`est:${est.id}`]);
    // Renamed: users list their establishments in name order.
    expect(
      await announced(() =>
        db.updateTable('establishment').set({ name: 'Autre nom' }).where('id', '=', est.id).execute(),
      ),
    ).toEqual([`est:${est.id}`, 'u:*'].sort());
    expect(
      await announced(() =>
        db.insertInto('membership_suspension').values({ establishment_id: est.id, user_id: guardian.id }).execute(),
      ),
    ).toEqual([`dir:${est.id}`, `u:${guardian.id}`].sort());
    // The platform's default charter may be any establishment's: everything.
    expect(
      await announced(() =>
        db.insertInto('charter').values({ establishment_id: null, version: 99, title: 'Charte', body: '…' }).execute(),
      ),
    ).toEqual(['charter:*']);
    // A rollover moves every "current class": every user entry, and the establishment's list; and the current
    // year's week patterns of its timetable calendar.
    expect(
      await announced(() =>
        db.updateTable('school_year').set({ status: 'archived' }).where('establishment_id', '=', est.id).execute(),
      ),
    ).toEqual([`dir:${est.id}`, `tt:${est.id}`, 'u:*'].sort());
    // The timetable calendar (migration 0301): slots, zone, week patterns; the académie of an establishment.
    expect(
      await announced(() =>
        db
          .insertInto('timetable_slot')
          .values({ establishment_id: est.id, code: 'M1', starts_at: '08:00', ends_at: '08:55' })
          .execute(),
      ),
    ).toEqual([`tt:${est.id}`]);
  });

  it('a statement touching many keys announces the whole topic once, not each key', async () => {
    const est = await makeEstablishment(db);
    const users = await db
      .insertInto('app_user')
      .values(
        Array.from({ length: 600 }, (_, i) => ({
          login: `bulk.${i}.${est.id.slice(0, 8)}`,
          first_name: 'A',
          last_name: 'B',
          display_name: 'B A',
          status: 'active' as const,
        })),
      )
      .returning('id')
      .execute();
    expect(
      await announced(() =>
        db
          .insertInto('membership')
          .values(users.map((u) => ({ establishment_id: est.id, user_id: u.id, profile: 'student' as const })))
          .execute(),
      ),
    ).toEqual([`dir:${est.id}`, 'u:*'].sort());
  });

  it('a rolled back change announces nothing', async () => {
    const est = await makeEstablishment(db);
    const got = await announced(async () => {
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('establishment').set({ name: 'Jamais' }).where('id', '=', est.id).execute();
          throw new Error('rollback');
        })
        .catch(() => {});
    });
    expect(got).toEqual([]);
  });
});

describe('cache', () => {
  const spec = defineCache<string>({ name: 't', topic: 't', max: 3, ttlMs: 60_000 });

  it('keeps at most max entries, the oldest go first', async () => {
    const c = new Cache(spec);
    for (const k of ['a', 'b', 'c', 'd']) await c.get(k, async () => k.toUpperCase());
    expect(c.size).toBe(3);
    expect(c.peek('a')).toBeUndefined();
    expect(c.peek('d')).toBe('D');
  });

  it('concurrent misses share one load; undefined is not kept', async () => {
    const c = new Cache(defineCache<string | undefined>({ name: 'u', topic: 'u', max: 10, ttlMs: 60_000 }));
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 'v';
    };
    expect(await Promise.all([c.get('k', load), c.get('k', load), c.get('k', load)])).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
    await c.get('none', async () => undefined);
    expect(c.size).toBe(1);
  });

  it('keepLoaded: values read by another statement are kept, unless an invalidation overlapped that read; entries in memory stay', async () => {
    const c = new Cache(defineCache<string>({ name: 'k', topic: 'k', max: 10, ttlMs: 60_000 }));
    await c.get('b', async () => 'B from before');
    c.keepLoaded(
      Promise.resolve(
        new Map([
          ['a', 'A'],
          ['b', 'B'],
        ]),
      ),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(c.peek('a')).toBe('A');
    expect(c.peek('b')).toBe('B from before');

    let answer!: (m: Map<string, string>) => void;
    c.keepLoaded(
      new Promise<Map<string, string>>((r) => {
        answer = r;
      }),
    );
    c.delete('x'); // a change announced while the read was on its way
    answer(new Map([['c', 'C']]));
    await new Promise((r) => setTimeout(r, 0));
    expect(c.peek('c')).toBeUndefined();

    c.keepLoaded(Promise.reject(new Error('the statement failed'))); // its caller answers for it: nothing kept
    await new Promise((r) => setTimeout(r, 0));
    expect(c.size).toBe(2);
  });

  it('a load that overlapped an invalidation is answered but not kept', async () => {
    const c = new Cache(spec);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const pending = c.get('k', async () => {
      await gate;
      return 'read before the change';
    });
    c.delete('k'); // the change's notification arrives while the read is in flight
    release();
    expect(await pending).toBe('read before the change');
    expect(c.peek('k')).toBeUndefined();
    expect(await c.get('k', async () => 'read after')).toBe('read after');
  });

  it('a notification of a tag drops every entry tagged with it, and only those', async () => {
    const c = new Cache(defineCache<string>({ name: 'g', topic: 'g', max: 10, ttlMs: 60_000 }));
    await c.get('week:6A', async () => '6A', ['class-6A', 'group-latin']);
    await c.get('week:6B', async () => '6B', ['class-6B', 'group-latin']);
    await c.get('week:5A', async () => '5A', ['class-5A']);
    c.delete('class-6A');
    expect([c.peek('week:6A'), c.peek('week:6B'), c.peek('week:5A')]).toEqual([undefined, '6B', '5A']);
    c.delete('group-latin');
    expect([c.peek('week:6B'), c.peek('week:5A')]).toEqual([undefined, '5A']);
    c.delete('week:5A'); // the key itself still works
    expect(c.size).toBe(0);
    // An evicted entry leaves no tag behind: a later notification of its tag drops nothing else.
    const small = new Cache(defineCache<string>({ name: 's', topic: 's', max: 1, ttlMs: 60_000 }));
    await small.get('a', async () => 'A', ['t']);
    await small.get('b', async () => 'B');
    small.delete('t');
    expect(small.peek('b')).toBe('B');
  });

  it('tags known only from the value: found once loaded (a document tagged with its space)', async () => {
    const c = new Cache(defineCache<{ space: string }>({ name: 'd', topic: 'd', max: 10, ttlMs: 60_000 }));
    await c.get(
      'doc-1',
      async () => ({ space: 'space-A' }),
      (v) => [v.space],
    );
    await c.get(
      'doc-2',
      async () => ({ space: 'space-B' }),
      (v) => [v.space],
    );
    c.delete('space-A');
    expect([c.peek('doc-1'), c.peek('doc-2')]).toEqual([undefined, { space: 'space-B' }]);
  });

  it('expired entries are read again', async () => {
    const c = new Cache(defineCache<string>({ name: 'e', topic: 'e', max: 10, ttlMs: 0 }));
    await c.get('k', async () => 'old');
    expect(await c.get('k', async () => 'new')).toBe('new');
  });

  it('notifications that do not come back (the LISTEN elsewhere, as behind a transaction pooler): caches off', async () => {
    const listened = await freshDatabase();
    const written = await freshDatabase(); // another database: its notifications never reach the listener
    const errors: string[] = [];
    const notifier = new Notifier(urlOf(listened), { ...quiet, error: (_o, m) => errors.push(m) });
    const caches = new Caches(notifier);
    await notifier.start();
    expect(await notifier.verify(listened)).toBe(true);
    expect(await notifier.verify(written)).toBe(false);
    expect(caches.enabled).toBe(false);
    expect(errors.join()).toMatch(/DATABASE_LISTEN_URL/);
  });

  it('without notifications flowing, nothing is cached; a reconnection forgets everything', async () => {
    const db = await freshDatabase();
    const notifier = new Notifier(urlOf(db), quiet);
    const caches = new Caches(notifier);
    expect(caches.enabled).toBe(false);
    await notifier.start();
    expect(caches.enabled).toBe(true);
    const c = caches.of(spec);
    await c.get('k', async () => 'v');
    expect(c.peek('k')).toBe('v');
    // The database ends the LISTEN connection: the instance must not trust what it learnt before.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'preau-listen' AND datname = current_database()`.execute(db);
    await expect.poll(() => caches.enabled).toBe(false);
    expect(c.peek('k')).toBeUndefined();
    await expect.poll(() => caches.enabled, { timeout: 5_000 }).toBe(true);
    await notifier.stop();
  });
});
