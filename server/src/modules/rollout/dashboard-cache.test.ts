import { beforeAll, describe, expect, test } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { makeEstablishment } from '../../../test/helpers.ts';
import {
  appWithProbe,
  logbookUsageCount,
  parisDayAgo,
  type RolloutWorld,
  rolloutWorld,
  usage,
} from '../../../test/rollout.ts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { rollUp } from './indicators.service.ts';

/**
 * The dashboard from memory (rollout.facts.ts, migration 0504): the modules' indicators are figures as of the
 * establishment's roll-up — recomputed when it advances ("Actualiser", or a page finding it more than an hour old),
 * not before — and every other part is kept in caches told of each change, whoever writes. The answer itself is
 * kept while its parts are the same: a change of any part is on the next read.
 */
// With the caches (they listen to the database's notifications). The probe's indicator counts a module's own rows,
// neither cached nor watched by the cockpit: the probe's usage events.
const { db, app } = await appWithProbe(
  {
    key: 'probe.notes',
    label: { fr: 'Notes de la sonde', en: 'Probe notes' },
    compute: logbookUsageCount('probe.note'),
  },
  { caches: true },
);

let w: RolloutWorld;
const T = (i: number) => w.teachers[i]!.id;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
  await usage(db, w.school.id, [
    { userId: T(0), profile: 'teacher', service: 'logbook', daysAgo: 2, times: 3 },
    { userId: T(2), profile: 'teacher', service: 'logbook', daysAgo: 1 },
  ]);
});

const note = () =>
  usage(db, w.school.id, [{ userId: T(0), profile: 'teacher', service: 'logbook', daysAgo: 0, action: 'probe.note' }]);

type Dashboard = {
  asOf: string;
  from: string;
  services: { key: string; openingDate: string | null }[];
  indicators: { key: string; value: number | null }[];
  pioneers: { subjectCode: string; subject: string; people: { id: string; displayName: string }[] }[];
  activation: { profile: string; activated: number; total: number }[];
};

const url = () => `/api/rollout/dashboard?establishment=${w.school.id}`;
const read = async (agent = w.as.principal) => {
  const res = await agent.get(url());
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return { body: res.body, d: res.json() as Dashboard };
};
const probeValue = (d: Dashboard) => d.indicators.find((i) => i.key === 'probe.notes')?.value;

describe('the modules’ indicators are figures as of the roll-up', () => {
  test('a change in a module shows after "Actualiser", not before; the answer tells its time', async () => {
    const first = (await read()).d;
    const asOf = first.asOf;
    expect(Date.now() - Date.parse(asOf)).toBeLessThan(60_000);
    expect(probeValue(first)).toBe(0);

    await note();
    const before = await read();
    expect(before.d.asOf).toBe(asOf);
    expect(probeValue(before.d)).toBe(0);

    const refreshed = await w.as.principal.post('/api/rollout/indicators/refresh', { establishmentId: w.school.id });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const after = (await read()).d;
    expect(after.asOf).toBe(refreshed.json().asOf);
    expect(Date.parse(after.asOf)).toBeGreaterThan(Date.parse(asOf));
    expect(probeValue(after)).toBe(1);
  });

  test('and when the roll-up advances: a page finding it more than an hour old, the académie’s hourly job', async () => {
    const asOf = (await read()).d.asOf;
    await note();
    expect(probeValue((await read()).d)).toBe(1);

    // The roll-up is 70 minutes old (written straight into the database, as another instance's would be): the
    // next page rolls up first, and the indicators follow.
    await db
      .updateTable('rollout_rollup')
      .set({ as_of: new Date(Date.now() - 70 * 60_000) })
      .where('establishment_id', '=', w.school.id)
      .execute();
    const rolled = (await read()).d;
    expect(Date.parse(rolled.asOf)).toBeGreaterThan(Date.parse(asOf));
    expect(probeValue(rolled)).toBe(2);

    // The académie's roll-up (the hourly job, every establishment in one statement).
    await note();
    expect(probeValue((await read()).d)).toBe(2);
    const at = await rollUp(trustedDb(db, 'the test rolls the académie up'), null);
    const hourly = (await read()).d;
    expect(hourly.asOf).toBe(at.toISOString());
    expect(probeValue(hourly)).toBe(3);
  });

  test('the roll-up time read by the pages is the database’s: a direct change is on the next read', async () => {
    const tenMinutes = new Date(Date.now() - 10 * 60_000);
    await db
      .updateTable('rollout_rollup')
      .set({ as_of: tenMinutes })
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect((await read()).d.asOf).toBe(tenMinutes.toISOString());
    const indicators = (await w.as.principal.get(`/api/rollout/indicators?establishment=${w.school.id}`)).json();
    expect(indicators.asOf).toBe(tenMinutes.toISOString());
  });
});

describe('the answer kept while its parts are the same', () => {
  test('the same bytes for every member of the steering, and still refused to the others', async () => {
    const a = await read();
    expect((await read()).body).toBe(a.body);
    // A member of the steering group sees the same answer (nothing in it is the reader's own).
    await db
      .insertInto('rollout_steering_member')
      .values({ establishment_id: w.school.id, user_id: T(1), role: 'member', subject_code: null })
      .execute();
    expect((await read(w.as.teacher2)).body).toBe(a.body);
    await db.deleteFrom('rollout_steering_member').where('user_id', '=', T(1)).execute();
    expect((await w.as.teacher2.get(url())).statusCode).toBe(403);
    expect((await w.as.teacher.get(url())).statusCode).toBe(403);
    const other = await w.as.other.get(url());
    expect(other.statusCode).toBe(404);
    // In English: the labels are the reader's language.
    const en = await w.as.principal.get(url(), { 'accept-language': 'en' });
    expect(en.json().indicators.find((i: { key: string }) => i.key === 'probe.notes').label).toBe('Probe notes');
    expect((await read()).d.indicators.find((i) => i.key === 'probe.notes')).toMatchObject({
      label: 'Notes de la sonde',
    });
  });

  test('a teacher renamed, a discipline renamed: the pioneers of the next read (written straight into the database)', async () => {
    const maths = () => read().then(({ d }) => d.pioneers.find((p) => p.subjectCode === w.maths));
    expect((await maths())?.subject).toBe('Mathématiques');
    expect((await maths())?.people[0]).toMatchObject({ id: T(0), displayName: 'MATHS Alice' });
    await db.updateTable('app_user').set({ display_name: 'MATHS Alicia' }).where('id', '=', T(0)).execute();
    expect((await maths())?.people[0]).toMatchObject({ id: T(0), displayName: 'MATHS Alicia' });
    await db.updateTable('subject').set({ label: 'Mathématiques expertes' }).where('code', '=', w.maths).execute();
    expect((await maths())?.subject).toBe('Mathématiques expertes');
  });

  test('an account activated, the school year’s start, a service’s opening: on the next read', async () => {
    const guardians = async () => (await read()).d.activation.find((a) => a.profile === 'guardian')!;
    const activated = (await guardians()).activated;
    await db
      .updateTable('app_user')
      .set({ status: 'active', password_hash: 'x' })
      .where('id', '=', w.guardians[1]!.id)
      .execute();
    expect((await guardians()).activated).toBe(activated + 1);

    // The default period starts with the current school year.
    await db
      .updateTable('school_year')
      .set({ starts_on: parisDayAgo(20) })
      .where('establishment_id', '=', w.school.id)
      .where('status', '=', 'current')
      .execute();
    expect((await read()).d.from).toBe(parisDayAgo(20));

    // A service's opening, through the API (the services' own cache), then straight into the database.
    const logbook = async () => (await read()).d.services.find((s) => s.key === 'logbook')!;
    const patched = await w.as.principal.patch(`/api/establishments/${w.school.id}/services/logbook`, {
      opensOn: parisDayAgo(5),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await logbook()).openingDate).toBe(parisDayAgo(5));
    await db
      .updateTable('establishment_service')
      .set({ opens_on: parisDayAgo(3) })
      .where('establishment_id', '=', w.school.id)
      .where('service_key', '=', 'logbook')
      .execute();
    expect((await logbook()).openingDate).toBe(parisDayAgo(3));
  });
});

describe('the triggers of migration 0504', () => {
  const announced = announcements(
    () => db,
    (n) => n.startsWith('rollup:') || n.startsWith('rollout:'),
  );

  test('a roll-up announces the establishments it marked; a discipline renamed, every establishment', async () => {
    const est = await makeEstablishment(db);
    expect(await announced(() => rollUp(trustedDb(db, 'test'), est.id))).toEqual([`rollup:${est.id}`]);
    const all = await announced(() => rollUp(trustedDb(db, 'test'), null));
    expect(all).toContain(`rollup:${est.id}`);
    expect(all).toContain(`rollup:${w.school.id}`);
    expect(all.every((n) => n.startsWith('rollup:'))).toBe(true);
    expect(
      await announced(() =>
        db.updateTable('subject').set({ label: 'Français (lettres)' }).where('code', '=', w.french).execute(),
      ),
    ).toEqual(['rollout:*']);
    // A new discipline announces nothing (an assignment must reference it, and assignments announce their school).
    expect(
      await announced(() => db.insertInto('subject').values({ code: '999999', label: 'Sonde' }).execute()),
    ).toEqual([]);
  });
});
