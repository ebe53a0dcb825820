import { beforeAll, describe, expect, test } from 'vitest';
import { countRows, makeUser } from '../../../test/helpers.ts';
import {
  appWithProbe,
  parisDayAgo,
  type RolloutWorld,
  rolloutRows,
  rolloutWorld,
  usage,
} from '../../../test/rollout.ts';

/**
 * The plan (the contract's plan, steps and objectives): per service its opening, steps with an owner, a due
 * date and a state, objectives tied to an indicator with their current value and trend. Changes are audited;
 * refused ones write nothing.
 */
let probeValue = 3;
const { db, app } = await appWithProbe({
  key: 'probe.documents_shared',
  label: { fr: 'Documents partagés (sonde)', en: 'Documents shared (probe)' },
  compute: async (_db, _establishmentId, { to }) => ({ value: to === parisDayAgo(0) ? probeValue : 1 }),
});

let w: RolloutWorld;
const due = (n: number) => parisDayAgo(-n);
const plan = async () => (await w.as.principal.get(`/api/rollout/plan?establishment=${w.school.id}`)).json();
const logbookOf = async () => (await plan()).services.find((s: { key: string }) => s.key === 'logbook');

beforeAll(async () => {
  w = await rolloutWorld(db, app);
  // Two of the four teachers used the logbook ten days ago.
  await usage(db, w.school.id, [
    { userId: w.teachers[0].id, profile: 'teacher', service: 'logbook', daysAgo: 10 },
    { userId: w.teachers[1].id, profile: 'teacher', service: 'logbook', daysAgo: 10 },
  ]);
});

/** Rows of the cockpit and audit events: a refused call changes none. */
async function unchanged(work: () => Promise<void>) {
  const [rows, audits, notices] = [
    await rolloutRows(db, w.school.id),
    await countRows(db, 'audit_event'),
    await countRows(db, 'notification'),
  ];
  await work();
  expect(await rolloutRows(db, w.school.id)).toEqual(rows);
  expect(await countRows(db, 'audit_event')).toBe(audits);
  expect(await countRows(db, 'notification')).toBe(notices);
}

const problem = (
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
) => {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ code });
  return res.json() as { detail: string; errors?: { path: string; message: string }[] };
};

describe('the plan of a service', () => {
  test('a step: 201 { id }, listed under its service with its owner; audited; the owner is told', async () => {
    await w.as.principal.patch(`/api/establishments/${w.school.id}/services/logbook`, {
      opensOn: '2026-09-07',
    });
    const res = await w.as.principal.post('/api/rollout/steps', {
      establishmentId: w.school.id,
      service: 'logbook',
      title: 'Présentation en conseil pédagogique',
      ownerId: w.teachers[0].id,
      dueDate: due(10),
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json();
    expect(Object.keys(res.json())).toEqual(['id']);
    const logbook = await logbookOf();
    expect(logbook).toMatchObject({ key: 'logbook', status: 'mandatory', openingDate: '2026-09-07' });
    expect(logbook.generalisationDate).toBeUndefined();
    expect(logbook.steps).toEqual([
      {
        id,
        title: 'Présentation en conseil pédagogique',
        ownerId: w.teachers[0].id,
        ownerName: 'MATHS Alice',
        dueDate: due(10),
        state: 'todo',
        doneAt: null,
        late: false,
      },
    ]);
    const audits = await db
      .selectFrom('audit_event')
      .select(['action', 'actor_id'])
      .where('target_id', '=', id)
      .execute();
    expect(audits).toEqual([{ action: 'rollout.step.create', actor_id: w.principal.id }]);
    const feed = (await w.as.teacher.get(`/api/timeline?establishment=${w.school.id}`)).json();
    expect(feed.items[0]).toMatchObject({ kind: 'rollout.step.assigned', link: '/rollout/plan' });
    expect(feed.items[0].text).toContain('« Présentation en conseil pédagogique »');
  });

  test('a step done keeps its time; a step past its due date is late and listed apart', async () => {
    const { id } = (
      await w.as.principal.post('/api/rollout/steps', {
        establishmentId: w.school.id,
        service: 'logbook',
        title: 'Ouverture aux parents',
        ownerId: w.principal.id,
        dueDate: due(-3),
      })
    ).json();
    const p = await plan();
    expect(p.lateSteps.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(p.lateSteps[0]).toMatchObject({ service: 'logbook', late: true });
    const done = await w.as.principal.patch(`/api/rollout/steps/${id}`, { state: 'done' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done', late: false });
    expect(Date.now() - Date.parse(done.json().doneAt)).toBeLessThan(60_000);
    expect((await plan()).lateSteps).toEqual([]);
    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('target_id', '=', id)
      .where('action', '=', 'rollout.step.update')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ before: { state: 'todo' }, after: { state: 'done' } });
  });

  test('an objective tied to an indicator shows its target, current value and trend — and moves with the usage', async () => {
    const res = await w.as.principal.post('/api/rollout/objectives', {
      establishmentId: w.school.id,
      service: 'logbook',
      indicator: 'rollout.service_active.teacher',
      target: 0.8,
      dueDate: due(45),
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json();
    const before = (await logbookOf()).objectives.find((o: { id: string }) => o.id === id);
    expect(before).toMatchObject({
      indicator: 'rollout.service_active.teacher',
      label: 'Part des enseignants actifs dans le service (30 jours)',
      unit: 'rate',
      target: 0.8,
      current: 0.5,
      previous: 0.5,
      trend: 'flat',
      reached: false,
      dueDate: due(45),
    });
    // A third teacher uses the logbook today.
    await usage(db, w.school.id, [{ userId: w.teachers[2].id, profile: 'teacher', service: 'logbook', daysAgo: 0 }]);
    await w.as.principal.post('/api/rollout/indicators/refresh', { establishmentId: w.school.id });
    const after = (await logbookOf()).objectives.find((o: { id: string }) => o.id === id);
    expect(after).toMatchObject({ current: 0.75, previous: 0.5, trend: 'up', reached: false });
    // The contract's shape: { id, indicator, target, current }.
    const fromPlan = (await plan()).services.find((s: { key: string }) => s.key === 'logbook').objectives[0];
    expect(fromPlan).toMatchObject({ id, indicator: 'rollout.service_active.teacher', target: 0.8, current: 0.75 });
  });

  test('an objective on a module’s registered indicator is computed by that module', async () => {
    const res = await w.as.principal.post('/api/rollout/objectives', {
      establishmentId: w.school.id,
      service: 'documents',
      indicator: 'probe.documents_shared',
      target: 10,
      dueDate: due(60),
    });
    expect(res.statusCode, res.body).toBe(201);
    const documents = (await plan()).services.find((s: { key: string }) => s.key === 'documents');
    expect(documents.objectives[0]).toMatchObject({ current: 3, previous: 1, trend: 'up', unit: 'count' });
    probeValue = 12;
    const again = (await plan()).services.find((s: { key: string }) => s.key === 'documents');
    expect(again.objectives[0]).toMatchObject({ current: 12, reached: true });
    const choices = (await plan()).indicators.map((i: { key: string }) => i.key);
    expect(choices).toEqual(expect.arrayContaining(['probe.documents_shared', 'rollout.service_active.guardian']));
  });

  test('objectives tied to the axes of the establishment’s and the académie’s projects', async () => {
    const estAxis = (
      await w.as.principal.post('/api/rollout/axes', { establishmentId: w.school.id, label: 'Réussite de tous' })
    ).json().id;
    const academyAxis = (
      await db
        .insertInto('rollout_axis')
        .values({ academy_id: w.school.academy_id, label: 'Numérique éducatif' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const res = await w.as.principal.post('/api/rollout/objectives', {
      establishmentId: w.school.id,
      service: 'messaging',
      indicator: 'rollout.service_active.guardian',
      target: 0.5,
      dueDate: due(90),
      establishmentAxisId: estAxis,
      academyAxisId: academyAxis,
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = await plan();
    expect(p.axes).toEqual(
      expect.arrayContaining([
        { id: estAxis, scope: 'establishment', label: 'Réussite de tous' },
        { id: academyAxis, scope: 'academy', label: 'Numérique éducatif' },
      ]),
    );
    const messaging = p.services.find((s: { key: string }) => s.key === 'messaging');
    expect(messaging.objectives[0]).toMatchObject({ establishmentAxisId: estAxis, academyAxisId: academyAxis });
  });

  test('a member of the steering group builds the plan too; other teachers and staff cannot (403)', async () => {
    const body = {
      establishmentId: w.school.id,
      service: 'logbook',
      title: 'Formation des enseignants de 2nde',
      ownerId: w.teachers[1].id,
      dueDate: due(20),
    };
    await unchanged(async () => {
      problem(await w.as.teacher3.post('/api/rollout/steps', body), 403, 'NOT_STEERING');
      problem(await w.as.cpe.post('/api/rollout/steps', body), 403, 'NOT_STEERING');
      problem(await w.as.student.post('/api/rollout/steps', body), 403, 'FORBIDDEN');
      problem(await w.as.other.post('/api/rollout/steps', body), 404, 'NOT_FOUND');
    });
    await db
      .insertInto('rollout_steering_member')
      .values({ establishment_id: w.school.id, user_id: w.teachers[2].id, role: 'member', subject_code: null })
      .execute();
    expect((await w.as.teacher3.post('/api/rollout/steps', body)).statusCode).toBe(201);
    expect((await w.as.teacher3.get(`/api/rollout/plan?establishment=${w.school.id}`)).statusCode).toBe(200);
  });
});

describe('bad input: a clear 4xx problem in French, and nothing written', () => {
  const step = (over: Record<string, unknown> = {}) => ({
    establishmentId: w.school.id,
    service: 'logbook',
    title: 'Une étape',
    ownerId: w.teachers[0].id,
    dueDate: due(5),
    ...over,
  });

  test('steps: malformed fields, a student or a stranger as owner, another establishment', async () => {
    const stranger = await makeUser(db, { establishmentId: w.other.id, profiles: ['teacher'] });
    await unchanged(async () => {
      for (const body of [
        step({ title: 'x' }),
        step({ dueDate: '2026-02-30' }),
        step({ service: 'pirate' }),
        step({ state: 'finished' }),
        step({ extra: true }),
        { establishmentId: w.school.id, service: 'logbook', title: 'Sans responsable', dueDate: due(5) },
      ]) {
        const p = problem(await w.as.principal.post('/api/rollout/steps', body), 400, 'VALIDATION');
        expect(p.detail).toBe('Certaines valeurs envoyées ne sont pas valides.');
        expect(p.errors?.length).toBeGreaterThan(0);
      }
      const student = problem(
        await w.as.principal.post('/api/rollout/steps', step({ ownerId: w.students[0].id })),
        400,
        'NOT_STAFF_MEMBER',
      );
      expect(student.detail).toBe("Cette personne ne fait pas partie des personnels de l'établissement.");
      expect(student.errors).toEqual([{ path: 'body.ownerId', message: student.detail }]);
      problem(await w.as.principal.post('/api/rollout/steps', step({ ownerId: stranger.id })), 404, 'NOT_FOUND');
      problem(
        await w.as.principal.post('/api/rollout/steps', step({ ownerId: crypto.randomUUID() })),
        404,
        'NOT_FOUND',
      );
      problem(await w.as.principal.post('/api/rollout/steps', step({ establishmentId: w.other.id })), 404, 'NOT_FOUND');
    });
  });

  test('objectives: an unknown indicator, a rate target given in percent, an axis of elsewhere', async () => {
    const otherAxis = (
      await db
        .insertInto('rollout_axis')
        .values({ academy_id: w.other.academy_id, establishment_id: w.other.id, label: 'Ailleurs' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const objective = (over: Record<string, unknown>) => ({
      establishmentId: w.school.id,
      service: 'logbook',
      indicator: 'rollout.service_active.teacher',
      target: 0.8,
      dueDate: due(30),
      ...over,
    });
    await unchanged(async () => {
      const unknown = problem(
        await w.as.principal.post('/api/rollout/objectives', objective({ indicator: 'logbook.imaginary' })),
        400,
        'UNKNOWN_INDICATOR',
      );
      expect(unknown.detail).toMatch(/^Cet indicateur n'existe pas/);
      const percent = problem(
        await w.as.principal.post('/api/rollout/objectives', objective({ target: 80 })),
        400,
        'TARGET_OUT_OF_RANGE',
      );
      expect(percent.detail).toBe('Pour un taux, la cible est une part entre 0 et 1 (0,8 pour 80 %).');
      problem(await w.as.principal.post('/api/rollout/objectives', objective({ target: -1 })), 400, 'VALIDATION');
      problem(
        await w.as.principal.post('/api/rollout/objectives', objective({ establishmentAxisId: otherAxis })),
        400,
        'UNKNOWN_AXIS',
      );
      problem(
        await w.as.principal.post('/api/rollout/objectives', objective({ academyAxisId: otherAxis })),
        400,
        'UNKNOWN_AXIS',
      );
      problem(await w.as.teacher.post('/api/rollout/objectives', objective({})), 403, 'NOT_STEERING');
    });
  });

  test('changing or removing a step: foreign 404, not steering 403, a step with a training 409', async () => {
    const id = (await logbookOf()).steps[0].id;
    const { id: foreign } = (
      await w.as.other.post('/api/rollout/steps', {
        establishmentId: w.other.id,
        service: 'logbook',
        title: 'Ailleurs',
        ownerId: (
          await db
            .selectFrom('membership')
            .select('user_id')
            .where('establishment_id', '=', w.other.id)
            .executeTakeFirstOrThrow()
        ).user_id,
        dueDate: due(5),
      })
    ).json();
    await db
      .insertInto('rollout_training')
      .values({
        establishment_id: w.school.id,
        title: 'Formation',
        audience: 'Enseignants',
        starts_at: new Date(Date.now() + 7 * 86_400_000),
        ends_at: new Date(Date.now() + 7 * 86_400_000 + 3_600_000),
        place: 'CDI',
        capacity: 10,
        step_id: id,
      })
      .execute();
    await unchanged(async () => {
      problem(await w.as.principal.patch(`/api/rollout/steps/${foreign}`, { state: 'done' }), 404, 'NOT_FOUND');
      problem(await w.as.principal.delete(`/api/rollout/steps/${foreign}`), 404, 'NOT_FOUND');
      problem(await w.as.teacher.patch(`/api/rollout/steps/${id}`, { state: 'done' }), 403, 'NOT_STEERING');
      problem(await w.as.principal.patch(`/api/rollout/steps/${id}`, {}), 400, 'VALIDATION');
      problem(await w.as.principal.patch(`/api/rollout/steps/${id}`, { state: 'over' }), 400, 'VALIDATION');
      const inUse = problem(await w.as.principal.delete(`/api/rollout/steps/${id}`), 409, 'STEP_IN_USE');
      expect(inUse.detail).toMatch(/^Une formation est rattachée à cette étape/);
      problem(await w.as.principal.delete(`/api/rollout/objectives/${crypto.randomUUID()}`), 404, 'NOT_FOUND');
    });
  });
});
