import { beforeAll, expect, test } from 'vitest';
import { flushUsage, testApp } from '../../../test/helpers.ts';
import { type RolloutWorld, rolloutWorld } from '../../../test/rollout.ts';

/** The cockpit's meaningful actions record their usage event once they succeed; refused ones record nothing. */
const { app, db } = await testApp();
let w: RolloutWorld;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
});

async function recorded() {
  await flushUsage(app);
  const rows = await db
    .selectFrom('usage_event')
    .select(['service', 'action', 'profile', 'establishment_id'])
    .where('service', '=', 'rollout')
    .orderBy('id')
    .execute();
  await db.deleteFrom('usage_event').where('service', '=', 'rollout').execute();
  return rows.map((r) => `${r.action}:${r.profile}:${r.establishment_id === w.school.id ? 'A' : r.establishment_id}`);
}

test('plan, indicators, needs, skills, bookings and pulse each leave one event, under the caller’s profile', async () => {
  await recorded();
  const est = w.school.id;
  const { id } = (
    await w.as.principal.post('/api/rollout/steps', {
      establishmentId: est,
      service: 'logbook',
      title: 'Présentation',
      ownerId: w.teachers[0].id,
      dueDate: '2027-01-15',
    })
  ).json();
  await w.as.principal.patch(`/api/rollout/steps/${id}`, { state: 'done' });
  await w.as.principal.get(`/api/rollout/plan?establishment=${est}`);
  await w.as.principal.get(`/api/rollout/indicators?establishment=${est}`);
  await w.as.teacher.post('/api/rollout/needs', { establishmentId: est, title: 'Un besoin' });
  await w.as.teacher.put('/api/rollout/skills/me', {
    establishmentId: est,
    levels: { information: 3, communication: 3, creation: 3, protection: 3, environment: 3 },
  });
  await w.as.cpe.post('/api/rollout/pulse', { establishmentId: est, service: 'rollout', score: 4 });
  expect(await recorded()).toEqual([
    'step.create:principal:A',
    'step.update:principal:A',
    'plan.view:principal:A',
    'indicators.view:principal:A',
    'need.create:teacher:A',
    'skills.save:teacher:A',
    'pulse.answer:staff:A',
  ]);
});

test('a refused request records nothing', async () => {
  await recorded();
  await w.as.teacher.post('/api/rollout/steps', {
    establishmentId: w.school.id,
    service: 'logbook',
    title: 'Refusée',
    ownerId: w.teachers[0].id,
    dueDate: '2027-01-15',
  });
  await w.as.teacher.get(`/api/rollout/indicators?establishment=${w.school.id}`);
  await w.as.other.get(`/api/rollout/plan?establishment=${w.school.id}`);
  await w.as.principal.post('/api/rollout/objectives', {
    establishmentId: w.school.id,
    service: 'logbook',
    indicator: 'nope.nope',
    target: 0.5,
    dueDate: '2027-01-15',
  });
  expect(await recorded()).toEqual([]);
});
