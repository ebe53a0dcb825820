import { beforeAll, describe, expect, it } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { freshDatabase, makeEstablishment, makeUser } from '../../../test/helpers.ts';
import type { Db } from '../../platform/db/schema.ts';

const _quiet = { error: () => {}, warn: () => {}, info: () => {} };

/**
 * Migration 0502: what the cockpit's per-establishment caches (topic `rollout`) are told, and what calls nothing —
 * the busy writes (a login, usage events and audit events of other kinds) must not announce anything.
 */
describe('the rollout cache invalidation triggers (migration 0502)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  const announced = announcements(
    () => db,
    (n) => n.startsWith('rollout:'),
  );

  it('an activation, a contact, a look at the quality page, a print: the establishments concerned', async () => {
    const est = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    const guardian = await makeUser(db, { establishmentId: est.id, profiles: ['guardian'] });
    await db
      .insertInto('membership')
      .values({ establishment_id: other.id, user_id: guardian.id, profile: 'guardian' })
      .execute();

    const both = [`rollout:${est.id}`, `rollout:${other.id}`].sort();
    expect(
      await announced(() =>
        db.updateTable('app_user').set({ password_hash: null }).where('id', '=', guardian.id).execute(),
      ),
    ).toEqual(both);
    expect(
      await announced(() =>
        db.updateTable('app_user').set({ phone_mobile: '06 00 00 00 00' }).where('id', '=', guardian.id).execute(),
      ),
    ).toEqual(both);
    expect(
      await announced(() =>
        db
          .insertInto('usage_event')
          .values({
            user_id: guardian.id,
            establishment_id: null,
            profile: null,
            service: 'portal',
            action: 'activate',
          })
          .execute(),
      ),
    ).toEqual(both);
    expect(
      await announced(() =>
        db
          .insertInto('usage_event')
          .values({
            user_id: guardian.id,
            establishment_id: est.id,
            profile: 'guardian',
            service: 'directory',
            action: 'data_quality.view',
          })
          .execute(),
      ),
    ).toEqual([`rollout:${est.id}`]);
    expect(
      await announced(() =>
        db
          .insertInto('audit_event')
          .values({
            establishment_id: other.id,
            action: 'directory.login_sheets.print',
            target_type: 'establishment',
            target_id: other.id,
            details: JSON.stringify({ profile: 'teacher' }),
          })
          .execute(),
      ),
    ).toEqual([`rollout:${other.id}`]);
  });

  it("a plan's step (the late steps of the checklist): its establishment", async () => {
    const est = await makeEstablishment(db);
    const principal = await makeUser(db, { establishmentId: est.id, profiles: ['principal'] });
    expect(
      await announced(() =>
        db
          .insertInto('rollout_step')
          .values({
            establishment_id: est.id,
            service_key: 'logbook',
            title: 'Présentation en conseil pédagogique',
            owner_id: principal.id,
            due_date: '2026-09-15',
          })
          .execute(),
      ),
    ).toEqual([`rollout:${est.id}`]);
  });

  it('the busy writes announce nothing: a login, a session, other usage and audit events', async () => {
    const est = await makeEstablishment(db);
    const teacher = await makeUser(db, { establishmentId: est.id, profiles: ['teacher'] });
    expect(
      await announced(async () => {
        await db.updateTable('app_user').set({ last_login_at: new Date() }).where('id', '=', teacher.id).execute();
        await db
          .insertInto('usage_event')
          .values({
            user_id: teacher.id,
            establishment_id: est.id,
            profile: 'teacher',
            service: 'portal',
            action: 'view',
          })
          .execute();
        await db
          .insertInto('audit_event')
          .values({
            establishment_id: est.id,
            action: 'auth.login',
            target_type: 'user',
            target_id: teacher.id,
            details: JSON.stringify({}),
          })
          .execute();
      }),
    ).toEqual([]);
  });
});
