import { beforeAll, describe, expect, test } from 'vitest';
import { assign, makeClass, subject } from '../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeUser, testApp } from '../../../test/helpers.ts';
import { parisDayAgo, type RolloutWorld, rolloutRows, rolloutWorld } from '../../../test/rollout.ts';
import { sendReminders } from './reminders.service.ts';

/**
 * The people who carry the change: the self-assessment (private; aggregates only, never for a small group),
 * resource persons and their slots (booked once, reminders, the load the direction sees), training sessions
 * (capacity, registration, attendance, reminders), and the anonymous pulse.
 */
const { app, db } = await testApp();
let w: RolloutWorld;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
});

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

const problem = (res: { statusCode: number; json: () => unknown }, status: number, code: string) => {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json()).toMatchObject({ code });
  return res.json() as { detail: string; errors?: { path: string }[] };
};

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000);
const feed = async (a: Agent) => (await a.get(`/api/timeline?establishment=${w.school.id}`)).json().items;

describe('self-assessment', () => {
  const levels = (information: number, rest = 3) => ({
    information,
    communication: rest,
    creation: rest,
    protection: rest,
    environment: rest,
  });
  const save = (a: Agent, l: ReturnType<typeof levels>) =>
    a.put('/api/rollout/skills/me', { establishmentId: w.school.id, levels: l });

  test('private to the person: saved and read back by them, by nobody else', async () => {
    const res = await save(w.as.teacher, levels(1, 2));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().levels).toEqual(levels(1, 2));
    expect((await w.as.teacher.get(`/api/rollout/skills/me?establishment=${w.school.id}`)).json().levels).toEqual(
      levels(1, 2),
    );
    expect((await w.as.teacher2.get(`/api/rollout/skills/me?establishment=${w.school.id}`)).json()).toEqual({
      levels: null,
      assessedAt: null,
    });
    problem(await save(w.as.student, levels(3)), 403, 'FORBIDDEN');
  });

  test('bad levels: 400, nothing saved', async () => {
    await unchanged(async () => {
      problem(await save(w.as.teacher2, levels(6)), 400, 'VALIDATION');
      problem(await save(w.as.teacher2, levels(0)), 400, 'VALIDATION');
      const partial = { information: 3, communication: 3 };
      problem(
        await w.as.teacher2.put('/api/rollout/skills/me', { establishmentId: w.school.id, levels: partial }),
        400,
        'VALIDATION',
      );
    });
  });

  test('the direction sees aggregates only, never of fewer than 5 people, nor a group whose rest is that small', async () => {
    const url = `/api/rollout/skills?establishment=${w.school.id}`;
    await save(w.as.teacher2, levels(2));
    await save(w.as.teacher3, levels(3));
    await save(w.as.cpe, levels(4));
    // Four people: nothing is shown, not even how many.
    const few = (await w.as.principal.get(url)).json();
    expect(few.minGroup).toBe(5);
    expect(few.overall).toEqual({ count: null, domains: null });
    expect(few.bySubject.every((g: { count: number | null }) => g.count === null)).toBe(true);
    problem(await w.as.teacher.get(url), 403, 'NOT_STEERING');

    // Six more maths teachers and three more French teachers assess themselves.
    const maths = [w.teachers[0], w.teachers[1]];
    const french = [w.teachers[2], w.teachers[3]];
    const klass = await makeClass(db, w.school, '1ERE1');
    const more = async (code: string, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t = await makeUser(db, { establishmentId: w.school.id, profiles: ['teacher'] });
        await assign(db, w.school, t.id, { classId: klass.id }, code);
        out.push(t);
      }
      return out;
    };
    const newMaths = await more(w.maths, 6);
    const newFrench = await more(w.french, 3);
    maths.push(...newMaths);
    french.push(...newFrench);
    // maths information levels: 1, 2 (above), then 3, 4, 5, 5, 4, 4 — French: 3 (above), then 2, 3, 5 (+ David, none)
    const mathsLevels = [3, 4, 5, 5, 4, 4];
    for (const [i, t] of newMaths.entries()) await save(await loginAs(app, t.login), levels(mathsLevels[i]!));
    for (const [i, t] of newFrench.entries()) await save(await loginAs(app, t.login), levels([2, 3, 5][i]!));
    const many = (await w.as.principal.get(url)).json();
    // Everyone assessed: 8 maths + 4 French + the CPE = 13.
    expect(many.overall.count).toBe(13);
    // information: (1+2+3+4+5+5+4+4) + (3+2+3+5) + 4 = 28 + 13 + 4 = 45 → 45/13 = 3.46 → 3.5; at most 2: 1, 2, 2 → 3
    expect(many.overall.domains.information).toEqual({ mean: 3.5, atMost2: 3 });
    // communication: 2 (Alice) and 3 for the twelve others → 38/13 = 2.92 → 2.9; at most 2: Alice → 1
    expect(many.overall.domains.communication).toEqual({ mean: 2.9, atMost2: 1 });
    const bySubject = Object.fromEntries(
      many.bySubject.map((g: { subject: string; count: number | null; domains: unknown }) => [g.subject, g]),
    );
    expect(bySubject.Mathématiques.count).toBe(8);
    expect(bySubject.Mathématiques.domains.information).toEqual({ mean: 3.5, atMost2: 2 });
    // French: four assessed (David never did): under the minimum, hidden.
    expect(bySubject.Français).toMatchObject({ count: null, domains: null });
    // No person's id anywhere in the answer.
    for (const t of [...maths, ...french]) expect(JSON.stringify(many)).not.toContain(t.id);

    // A fifth French teacher: French is shown (5); maths too (rest 13 + 1 - 8 = 6).
    const fifth = (await more(w.french, 1))[0]!;
    await save(await loginAs(app, fifth.login), levels(5));
    const five = (await w.as.principal.get(url)).json();
    const french5 = five.bySubject.find((g: { subject: string }) => g.subject === 'Français');
    // information: 3, 2, 3, 5, 5 → 3.6
    expect(french5).toMatchObject({ count: 5, domains: { information: { mean: 3.6, atMost2: 1 } } });

    // A discipline taught by nine of the fourteen: its rest (5) is fine; a group of 10 with a rest of 4 is not.
    const svt = await subject(db, '062900', 'Sciences de la vie et de la Terre');
    let n = 1;
    for (const t of [...newMaths, ...newFrench, w.teachers[0]]) {
      await assign(db, w.school, t.id, { classId: (await makeClass(db, w.school, `SVT${n++}`)).id }, svt);
    }
    const svtView = (await w.as.principal.get(url)).json();
    const svtGroup = svtView.bySubject.find(
      (g: { subject: string }) => g.subject === 'Sciences de la vie et de la Terre',
    );
    expect(svtView.overall.count).toBe(14);
    // 10 assessed teach SVT, 4 others: the SVT figures minus the overall would reveal those 4 → hidden.
    expect(svtGroup).toEqual({
      subjectCode: svt,
      subject: 'Sciences de la vie et de la Terre',
      count: null,
      domains: null,
    });
  });
});

describe('resource persons and their slots', () => {
  let rp: string;
  let slot: string;
  let remote: string;

  test('named by the steering group (audited, told); a student or no scope is refused, nothing written', async () => {
    await unchanged(async () => {
      problem(
        await w.as.principal.post('/api/rollout/resource-persons', {
          establishmentId: w.school.id,
          userId: w.students[0].id,
          service: 'logbook',
        }),
        400,
        'NOT_STAFF_MEMBER',
      );
      const scope = problem(
        await w.as.principal.post('/api/rollout/resource-persons', {
          establishmentId: w.school.id,
          userId: w.teachers[0].id,
        }),
        400,
        'RESOURCE_PERSON_SCOPE',
      );
      expect(scope.detail).toBe('Une personne ressource l’est pour un service, une discipline, ou les deux.');
      problem(
        await w.as.teacher2.post('/api/rollout/resource-persons', {
          establishmentId: w.school.id,
          userId: w.teachers[1].id,
          service: 'logbook',
        }),
        403,
        'NOT_STEERING',
      );
    });
    const res = await w.as.principal.post('/api/rollout/resource-persons', {
      establishmentId: w.school.id,
      userId: w.teachers[0].id,
      service: 'logbook',
      subjectCode: w.maths,
      note: 'Le mardi midi au CDI',
    });
    expect(res.statusCode, res.body).toBe(201);
    rp = res.json().id;
    expect((await feed(w.as.teacher))[0]).toMatchObject({ kind: 'rollout.resource_person.named' });
    problem(
      await w.as.principal.post('/api/rollout/resource-persons', {
        establishmentId: w.school.id,
        userId: w.teachers[0].id,
        service: 'logbook',
        subjectCode: w.maths,
      }),
      409,
      'ALREADY_RESOURCE_PERSON',
    );
  });

  test('the resource person offers slots: on site with a room, or remote; bad slots are refused', async () => {
    const body = (over: Record<string, unknown>) => ({
      resourcePersonId: rp,
      startsAt: inHours(48).toISOString(),
      endsAt: inHours(49).toISOString(),
      mode: 'onsite',
      room: 'CDI',
      ...over,
    });
    const res = await w.as.teacher.post('/api/rollout/slots', body({}));
    expect(res.statusCode, res.body).toBe(201);
    slot = res.json().id;
    remote = (
      await w.as.teacher.post(
        '/api/rollout/slots',
        body({ startsAt: inHours(72).toISOString(), endsAt: inHours(73).toISOString(), mode: 'remote', room: null }),
      )
    ).json().id;
    await unchanged(async () => {
      const room = problem(
        await w.as.teacher.post(
          '/api/rollout/slots',
          body({ room: null, startsAt: inHours(100).toISOString(), endsAt: inHours(101).toISOString() }),
        ),
        400,
        'ROOM_REQUIRED',
      );
      expect(room.errors).toEqual([{ path: 'body.room', message: 'Indiquez la salle du rendez-vous sur place.' }]);
      problem(
        await w.as.teacher.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(-3).toISOString(), endsAt: inHours(-2).toISOString() }),
        ),
        400,
        'SLOT_IN_PAST',
      );
      const long = problem(
        await w.as.teacher.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(120).toISOString(), endsAt: inHours(126).toISOString() }),
        ),
        400,
        'SLOT_TOO_LONG',
      );
      expect(long.detail).toBe('Un créneau dure au plus 4 heures.');
      problem(
        await w.as.teacher.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(130).toISOString(), endsAt: inHours(129).toISOString() }),
        ),
        400,
        'INVALID_PERIOD',
      );
      problem(
        await w.as.teacher.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(48.5).toISOString(), endsAt: inHours(49.5).toISOString() }),
        ),
        409,
        'SLOT_OVERLAP',
      );
      problem(await w.as.teacher.post('/api/rollout/slots', body({ startsAt: 'demain' })), 400, 'VALIDATION');
      // Someone else than the resource person (and not steering) cannot offer their slots.
      problem(
        await w.as.teacher2.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(200).toISOString(), endsAt: inHours(201).toISOString() }),
        ),
        403,
        'NOT_STEERING',
      );
      problem(
        await w.as.other.post(
          '/api/rollout/slots',
          body({ startsAt: inHours(200).toISOString(), endsAt: inHours(201).toISOString() }),
        ),
        404,
        'NOT_FOUND',
      );
    });
  });

  test('a colleague books a slot: the resource person is told; a slot is booked once, never one’s own', async () => {
    const res = await w.as.teacher2.post(`/api/rollout/slots/${slot}/booking`, {
      topic: 'Mes premiers devoirs en ligne',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: slot, booked: true, bookedByMe: true, mode: 'onsite', room: 'CDI' });
    const told = (await feed(w.as.teacher))[0];
    expect(told).toMatchObject({ kind: 'rollout.slot.booked', actor: { id: w.teachers[1].id } });
    expect(told.text).toContain('« Mes premiers devoirs en ligne »');
    await unchanged(async () => {
      const taken = problem(await w.as.teacher3.post(`/api/rollout/slots/${slot}/booking`, {}), 409, 'SLOT_TAKEN');
      expect(taken.detail).toBe("Ce créneau vient d'être réservé par quelqu'un d'autre : choisissez-en un autre.");
      problem(await w.as.teacher.post(`/api/rollout/slots/${remote}/booking`, {}), 400, 'OWN_SLOT');
      problem(await w.as.student.post(`/api/rollout/slots/${remote}/booking`, {}), 403, 'FORBIDDEN');
    });
    // Two people at once on the remote slot: exactly one gets it.
    const [a, b] = await Promise.all([
      w.as.teacher3.post(`/api/rollout/slots/${remote}/booking`, {}),
      w.as.cpe.post(`/api/rollout/slots/${remote}/booking`, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
  });

  test('who sees what: the booker and topic for the resource person and the direction; the load for the direction', async () => {
    const list = async (a: Agent) =>
      (await a.get(`/api/rollout/resource-persons?establishment=${w.school.id}`)).json().items[0];
    const forColleague = await list(w.as.localAdmin);
    expect(forColleague.slots.find((s: { id: string }) => s.id === slot)).toMatchObject({
      booked: true,
      booker: null,
      topic: null,
    });
    expect(forColleague.load).toBeNull();
    const forPerson = await list(w.as.teacher);
    expect(forPerson.mine).toBe(true);
    expect(forPerson.slots.find((s: { id: string }) => s.id === slot)).toMatchObject({
      booker: { id: w.teachers[1].id, displayName: 'MATHS Bruno' },
      topic: 'Mes premiers devoirs en ligne',
    });
    const forDirection = await list(w.as.principal);
    expect(forDirection).toMatchObject({ service: 'logbook', subject: 'Mathématiques', note: 'Le mardi midi au CDI' });
    expect(forDirection.load).toEqual({ booked: 2, hours: 2, free: 0 });
  });

  test('reminders the day before, to both, once', async () => {
    // The booked on-site slot moves to tomorrow morning for the test.
    const tomorrow = new Date(`${parisDayAgo(-1)}T08:00:00Z`);
    await db
      .updateTable('rollout_slot')
      .set({ starts_at: tomorrow, ends_at: new Date(tomorrow.getTime() + 3_600_000) })
      .where('id', '=', slot)
      .execute();
    const sent = await sendReminders(db);
    expect(sent.slots).toBe(1);
    expect((await feed(w.as.teacher))[0]).toMatchObject({ kind: 'rollout.slot.reminder' });
    expect((await feed(w.as.teacher2))[0].text).toMatch(
      /^Rappel : rendez-vous avec une personne ressource demain à \d\d:\d\d \(salle CDI\)\.$/,
    );
    expect((await sendReminders(db)).slots).toBe(0);
  });

  test('cancelling: the booker or the resource person, not a colleague; the other one is told', async () => {
    problem(await w.as.localAdmin.delete(`/api/rollout/slots/${slot}/booking`), 403, 'NOT_STEERING');
    expect((await w.as.teacher2.delete(`/api/rollout/slots/${slot}/booking`)).statusCode).toBe(204);
    expect((await feed(w.as.teacher))[0]).toMatchObject({ kind: 'rollout.slot.cancelled' });
    problem(await w.as.teacher2.delete(`/api/rollout/slots/${slot}/booking`), 409, 'NOT_REGISTERED');
  });
});

describe('training sessions', () => {
  let training: string;
  let step: string;

  test('planned by the steering group for a step of the plan; registration within the capacity', async () => {
    step = (
      await w.as.principal.post('/api/rollout/steps', {
        establishmentId: w.school.id,
        service: 'logbook',
        title: 'Formation des enseignants de 2nde',
        ownerId: w.teachers[0].id,
        dueDate: parisDayAgo(-14),
      })
    ).json().id;
    await unchanged(async () => {
      const base = {
        establishmentId: w.school.id,
        title: 'Prise en main du cahier de textes',
        audience: 'Enseignants de 2nde',
        startsAt: inHours(30).toISOString(),
        endsAt: inHours(32).toISOString(),
        place: 'Salle B12',
        capacity: 2,
      };
      problem(
        await w.as.principal.post('/api/rollout/trainings', { ...base, endsAt: inHours(29).toISOString() }),
        400,
        'INVALID_PERIOD',
      );
      problem(await w.as.principal.post('/api/rollout/trainings', { ...base, capacity: 0 }), 400, 'VALIDATION');
      problem(
        await w.as.principal.post('/api/rollout/trainings', { ...base, stepId: crypto.randomUUID() }),
        404,
        'NOT_FOUND',
      );
      problem(await w.as.teacher.post('/api/rollout/trainings', base), 403, 'NOT_STEERING');
    });
    const res = await w.as.principal.post('/api/rollout/trainings', {
      establishmentId: w.school.id,
      title: 'Prise en main du cahier de textes',
      audience: 'Enseignants de 2nde',
      startsAt: inHours(30).toISOString(),
      endsAt: inHours(32).toISOString(),
      place: 'Salle B12',
      capacity: 2,
      stepId: step,
    });
    expect(res.statusCode, res.body).toBe(201);
    training = res.json().id;
    const reg = await w.as.teacher2.post(`/api/rollout/trainings/${training}/registration`);
    expect(reg.statusCode, reg.body).toBe(200);
    expect(reg.json()).toMatchObject({
      registered: 1,
      registeredMe: true,
      attendees: null,
      step: { id: step, service: 'logbook' },
    });
    expect((await w.as.teacher2.post(`/api/rollout/trainings/${training}/registration`)).json().registered).toBe(1);
    expect((await w.as.teacher3.post(`/api/rollout/trainings/${training}/registration`)).statusCode).toBe(200);
    const full = problem(await w.as.cpe.post(`/api/rollout/trainings/${training}/registration`), 409, 'TRAINING_FULL');
    expect(full.detail).toBe('Cette formation est complète.');
    expect((await w.as.teacher3.delete(`/api/rollout/trainings/${training}/registration`)).statusCode).toBe(204);
    expect((await w.as.cpe.post(`/api/rollout/trainings/${training}/registration`)).statusCode).toBe(200);
    problem(await w.as.teacher3.delete(`/api/rollout/trainings/${training}/registration`), 409, 'NOT_REGISTERED');
    problem(await w.as.principal.patch(`/api/rollout/trainings/${training}`, { capacity: 1 }), 409, 'TRAINING_FULL');
  });

  test('attendance by the steering group, of registered people only; the step then cannot be removed', async () => {
    await unchanged(async () => {
      const stranger = problem(
        await w.as.principal.put(`/api/rollout/trainings/${training}/attendance`, { present: [w.teachers[0].id] }),
        400,
        'NOT_REGISTERED',
      );
      expect(stranger.errors?.[0]?.path).toBe('body.present.0');
      problem(await w.as.principal.delete(`/api/rollout/steps/${step}`), 409, 'STEP_IN_USE');
    });
    const res = await w.as.principal.put(`/api/rollout/trainings/${training}/attendance`, {
      present: [w.teachers[1].id],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().attendees).toEqual([
      { id: w.teachers[1].id, displayName: 'MATHS Bruno', present: true },
      { id: w.cpe.id, displayName: 'CPE Karim', present: false },
    ]);
  });

  test('moved: the registered people are told; the day before: reminded, once', async () => {
    const tomorrow = new Date(`${parisDayAgo(-1)}T13:00:00Z`);
    const res = await w.as.principal.patch(`/api/rollout/trainings/${training}`, {
      startsAt: tomorrow.toISOString(),
      endsAt: new Date(tomorrow.getTime() + 7_200_000).toISOString(),
      place: 'CDI',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await feed(w.as.cpe))[0]).toMatchObject({ kind: 'rollout.training.changed' });
    expect((await sendReminders(db)).trainings).toBe(1);
    const reminder = (await feed(w.as.teacher2))[0];
    expect(reminder.kind).toBe('rollout.training.reminder');
    expect(reminder.text).toMatch(
      /^Rappel : la formation « Prise en main du cahier de textes » a lieu demain à 1[45]:00, CDI\.$/,
    );
    expect((await sendReminders(db)).trainings).toBe(0);
  });
});

describe('plan reminders', () => {
  test('a step due within three days, then late: its owner is reminded once each', async () => {
    const { id } = (
      await w.as.principal.post('/api/rollout/steps', {
        establishmentId: w.school.id,
        service: 'messaging',
        title: 'Ouverture aux parents',
        ownerId: w.cpe.id,
        dueDate: parisDayAgo(-2),
      })
    ).json();
    expect((await sendReminders(db)).steps).toBe(1);
    const soon = (await feed(w.as.cpe)).find((n: { kind: string }) => n.kind === 'rollout.step.due');
    expect(soon.text).toMatch(/^L'étape « Ouverture aux parents » du plan de déploiement arrive à échéance le /);
    expect((await sendReminders(db)).steps).toBe(0);
    // Past its due date (as if days went by): reminded once more, as late.
    await db
      .updateTable('rollout_step')
      .set({ due_date: parisDayAgo(1), reminded_on: parisDayAgo(3) })
      .where('id', '=', id)
      .execute();
    expect((await sendReminders(db)).steps).toBe(1);
    expect((await feed(w.as.cpe))[0].text).toMatch(/est en retard/);
    expect((await sendReminders(db)).steps).toBe(0);
  });
});

describe('the satisfaction pulse', () => {
  const answer = (a: Agent, score: number, comment = '', service = 'rollout') =>
    a.post('/api/rollout/pulse', { establishmentId: w.school.id, service, score, comment });

  test('anonymous: the answer names nobody, the marker holds no answer; once a month per service', async () => {
    const mine = (await w.as.teacher.get(`/api/rollout/pulse/mine?establishment=${w.school.id}`)).json();
    expect(mine).toMatchObject({ period: parisDayAgo(0).slice(0, 7), answered: [] });
    expect(mine.services).toContain('rollout');
    expect((await answer(w.as.teacher, 2, 'Trop de clics pour saisir un rendez-vous')).statusCode).toBe(204);
    const answers = await db.selectFrom('rollout_pulse_answer').selectAll().execute();
    expect(Object.keys(answers[0]!).sort()).toEqual([
      'comment',
      'establishment_id',
      'id',
      'period',
      'score',
      'service_key',
    ]);
    const markers = await db.selectFrom('rollout_pulse_marker').selectAll().execute();
    expect(Object.keys(markers[0]!).sort()).toEqual(['establishment_id', 'period', 'service_key', 'user_id']);
    await unchanged(async () => {
      const twice = problem(await answer(w.as.teacher, 5), 409, 'PULSE_ALREADY_ANSWERED');
      expect(twice.detail).toBe('Vous avez déjà donné votre avis sur ce service ce mois-ci.');
      problem(await answer(w.as.teacher2, 6), 400, 'VALIDATION');
      problem(await answer(w.as.teacher2, 4, '', 'public_site'), 403, 'SERVICE_CLOSED');
      problem(await answer(w.as.student, 4), 403, 'FORBIDDEN');
    });
    expect((await w.as.teacher.get(`/api/rollout/pulse/mine?establishment=${w.school.id}`)).json().answered).toEqual([
      'rollout',
    ]);
  });

  test('results for the steering group, from five answers on: average, distribution, comments', async () => {
    const url = `/api/rollout/pulse?establishment=${w.school.id}`;
    await answer(w.as.teacher2, 4, 'Pratique');
    await answer(w.as.teacher3, 5);
    const few = (await w.as.principal.get(url)).json();
    expect(few.services).toEqual([
      {
        key: 'rollout',
        period: parisDayAgo(0).slice(0, 7),
        answers: 3,
        mean: null,
        distribution: null,
        comments: null,
      },
    ]);
    problem(await w.as.teacher.get(url), 403, 'NOT_STEERING');
    await answer(w.as.cpe, 3);
    await answer(w.as.localAdmin, 4, 'Enfin un outil commun');
    const enough = (await w.as.principal.get(url)).json().services[0];
    expect(enough).toMatchObject({ answers: 5, mean: 3.6, distribution: [0, 1, 1, 2, 1] });
    expect([...enough.comments].sort()).toEqual([
      'Enfin un outil commun',
      'Pratique',
      'Trop de clics pour saisir un rendez-vous',
    ]);
  });
});
