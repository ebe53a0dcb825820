import { beforeAll, describe, expect, test } from 'vitest';
import { type Agent, countRows, testApp } from '../../../test/helpers.ts';
import { type RolloutWorld, rolloutRows, rolloutWorld } from '../../../test/rollout.ts';

/**
 * Taking stock (tools already in use and the decision, risk register), the steering group (pilot, members, one
 * TICE representative per discipline) and the needs backlog (posted by anyone taking part, answered by the
 * steering group, counted per discipline).
 */
const { app, db } = await testApp();
let w: RolloutWorld;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
});

async function unchanged(work: () => Promise<void>) {
  const [rows, audits] = [await rolloutRows(db, w.school.id), await countRows(db, 'audit_event')];
  await work();
  expect(await rolloutRows(db, w.school.id)).toEqual(rows);
  expect(await countRows(db, 'audit_event')).toBe(audits);
}

const problem = (res: { statusCode: number; json: () => unknown }, status: number, code: string) => {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json()).toMatchObject({ code });
  return res.json() as { detail: string; errors?: { path: string; message: string }[] };
};
const stock = async () => (await w.as.principal.get(`/api/rollout/stock?establishment=${w.school.id}`)).json();

describe('taking stock', () => {
  test('a tool in use with its usage, teaching value and decision — shown on the plan of its service', async () => {
    const res = await w.as.principal.post('/api/rollout/tools', {
      establishmentId: w.school.id,
      name: 'Cahier de textes de Pronote',
      category: 'logbook',
      service: 'logbook',
      users: 62,
      frequency: 'daily',
      teachingValue: 'high',
      decision: 'move',
      decisionDate: '2027-01-04',
      notes: 'Licence jusqu’en juin',
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json();
    expect((await stock()).tools).toEqual([
      {
        id,
        name: 'Cahier de textes de Pronote',
        category: 'logbook',
        service: 'logbook',
        users: 62,
        frequency: 'daily',
        teachingValue: 'high',
        decision: 'move',
        decisionDate: '2027-01-04',
        notes: 'Licence jusqu’en juin',
      },
    ]);
    const plan = (await w.as.principal.get(`/api/rollout/plan?establishment=${w.school.id}`)).json();
    expect(plan.services.find((s: { key: string }) => s.key === 'logbook').tools).toEqual([
      { id, name: 'Cahier de textes de Pronote', decision: 'move', decisionDate: '2027-01-04' },
    ]);
    const changed = await w.as.principal.patch(`/api/rollout/tools/${id}`, { decision: 'integrate' });
    expect(changed.json()).toMatchObject({ decision: 'integrate', decisionDate: '2027-01-04' });
    const audits = await db
      .selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', id)
      .orderBy('at')
      .execute();
    expect(audits.map((a) => a.action)).toEqual(['rollout.tool.create', 'rollout.tool.update']);
  });

  test('the risk register: likelihood × impact first, an owner, reviewed by the steering group', async () => {
    const low = (
      await w.as.principal.post('/api/rollout/risks', {
        establishmentId: w.school.id,
        title: 'Panne du réseau du lycée',
        likelihood: 1,
        impact: 2,
      })
    ).json().id;
    const high = await w.as.principal.post('/api/rollout/risks', {
      establishmentId: w.school.id,
      title: 'Familles laissées de côté',
      likelihood: 3,
      impact: 4,
      ownerId: w.cpe.id,
      mitigation: 'Permanence au CDI les deux premières semaines',
    });
    expect(high.statusCode, high.body).toBe(201);
    const risks = (await stock()).risks;
    expect(risks.map((r: { id: string }) => r.id)).toEqual([high.json().id, low]);
    expect(risks[0]).toMatchObject({
      owner: { id: w.cpe.id, displayName: 'CPE Karim' },
      status: 'open',
      reviewedAt: null,
    });
    const reviewed = await w.as.principal.patch(`/api/rollout/risks/${low}`, { reviewed: true, status: 'closed' });
    expect(reviewed.json()).toMatchObject({ status: 'closed' });
    expect(Date.now() - Date.parse(reviewed.json().reviewedAt)).toBeLessThan(60_000);
  });

  test('bad input: out-of-range levels, an owner who is a student, not steering, another establishment', async () => {
    await unchanged(async () => {
      const risk = { establishmentId: w.school.id, title: 'Un risque', likelihood: 2, impact: 2 };
      problem(await w.as.principal.post('/api/rollout/risks', { ...risk, likelihood: 5 }), 400, 'VALIDATION');
      problem(
        await w.as.principal.post('/api/rollout/risks', { ...risk, ownerId: w.students[0].id }),
        400,
        'NOT_STAFF_MEMBER',
      );
      problem(await w.as.teacher.post('/api/rollout/risks', risk), 403, 'NOT_STEERING');
      problem(await w.as.other.post('/api/rollout/risks', risk), 404, 'NOT_FOUND');
      const tool = {
        establishmentId: w.school.id,
        name: 'Outil',
        category: 'other',
        frequency: 'daily',
        teachingValue: 'low',
      };
      problem(await w.as.principal.post('/api/rollout/tools', { ...tool, frequency: 'hourly' }), 400, 'VALIDATION');
      problem(
        await w.as.principal.post('/api/rollout/tools', { ...tool, decisionDate: '31/12/2026' }),
        400,
        'VALIDATION',
      );
      problem(
        await w.as.principal.patch(`/api/rollout/tools/${crypto.randomUUID()}`, { decision: 'move' }),
        404,
        'NOT_FOUND',
      );
      problem(
        await w.as.principal.post('/api/rollout/axes', { establishmentId: w.school.id, label: '' }),
        400,
        'VALIDATION',
      );
    });
  });
});

describe('the steering group', () => {
  const team = (a: Agent = w.as.principal) => a.get(`/api/rollout/team?establishment=${w.school.id}`);

  test('the direction sets the pilot, members and one TICE representative per discipline; newcomers are told', async () => {
    const before = (await team()).json();
    expect(before).toEqual({
      pilot: null,
      members: [],
      tice: [
        { subjectCode: w.french, subject: 'Français', person: null },
        { subjectCode: w.maths, subject: 'Mathématiques', person: null },
      ],
      can: { edit: true },
    });
    const res = await w.as.principal.put('/api/rollout/team', {
      establishmentId: w.school.id,
      pilotId: w.localAdmin.id,
      memberIds: [w.cpe.id, w.localAdmin.id],
      tice: [
        { subjectCode: w.maths, userId: w.teachers[1].id },
        { subjectCode: w.french, userId: w.teachers[2].id },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      pilot: { id: w.localAdmin.id },
      members: [{ id: w.cpe.id, displayName: 'CPE Karim' }],
      tice: [
        { subject: 'Français', person: { id: w.teachers[2].id, displayName: 'LETTRES Chloé' } },
        { subject: 'Mathématiques', person: { id: w.teachers[1].id, displayName: 'MATHS Bruno' } },
      ],
    });
    const told = (await w.as.teacher2.get(`/api/timeline?establishment=${w.school.id}`)).json().items[0];
    expect(told).toMatchObject({ kind: 'rollout.team.joined' });
    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('action', '=', 'rollout.team.update')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ before: [] });
  });

  test('members of the group steer (plan, indicators) but only the direction changes the group', async () => {
    expect((await w.as.teacher2.get(`/api/rollout/plan?establishment=${w.school.id}`)).statusCode).toBe(200);
    expect((await w.as.localAdmin.get(`/api/rollout/indicators?establishment=${w.school.id}`)).statusCode).toBe(200);
    expect((await team(w.as.teacher2)).json().can).toEqual({ edit: false });
    const me = (await w.as.teacher2.get(`/api/rollout/me?establishment=${w.school.id}`)).json();
    expect(me).toEqual({ direction: false, steering: true, resourcePersonIds: [] });
    problem(
      await w.as.teacher2.put('/api/rollout/team', {
        establishmentId: w.school.id,
        pilotId: null,
        memberIds: [],
        tice: [],
      }),
      403,
      'FORBIDDEN',
    );
    // Not in the group any more: no more steering.
    expect((await w.as.teacher.get(`/api/rollout/plan?establishment=${w.school.id}`)).statusCode).toBe(403);
  });

  test('bad input: a representative who does not teach the discipline, twice the same one, a student; nothing changes', async () => {
    const body = (over: Record<string, unknown>) => ({
      establishmentId: w.school.id,
      pilotId: w.principal.id,
      memberIds: [],
      tice: [{ subjectCode: w.maths, userId: w.teachers[0].id }],
      ...over,
    });
    await unchanged(async () => {
      const notTeaching = problem(
        await w.as.principal.put(
          '/api/rollout/team',
          body({ tice: [{ subjectCode: w.maths, userId: w.teachers[2].id }] }),
        ),
        400,
        'NOT_TEACHER_OF_SUBJECT',
      );
      expect(notTeaching.errors).toEqual([
        {
          path: 'body.tice.0.userId',
          message: "Le représentant d'une discipline doit l'enseigner cette année dans l'établissement.",
        },
      ]);
      problem(
        await w.as.principal.put(
          '/api/rollout/team',
          body({
            tice: [
              { subjectCode: w.maths, userId: w.teachers[0].id },
              { subjectCode: w.maths, userId: w.teachers[1].id },
            ],
          }),
        ),
        400,
        'DUPLICATE_SUBJECT',
      );
      problem(
        await w.as.principal.put('/api/rollout/team', body({ memberIds: [w.students[0].id] })),
        400,
        'NOT_STAFF_MEMBER',
      );
      problem(
        await w.as.principal.put(
          '/api/rollout/team',
          body({ tice: [{ subjectCode: '999999', userId: w.teachers[0].id }] }),
        ),
        400,
        'UNKNOWN_SUBJECT',
      );
      problem(
        await w.as.principal.put(
          '/api/rollout/team',
          body({ tice: [{ subjectCode: 'maths', userId: w.teachers[0].id }] }),
        ),
        400,
        'VALIDATION',
      );
      problem(await w.as.principal.put('/api/rollout/team', body({ pilotId: crypto.randomUUID() })), 404, 'NOT_FOUND');
      problem(await w.as.other.put('/api/rollout/team', body({})), 404, 'NOT_FOUND');
    });
  });

  test('the staff list to choose from: people, their profiles and disciplines (the steering group only)', async () => {
    const res = (await w.as.principal.get(`/api/rollout/staff?establishment=${w.school.id}`)).json();
    expect(res.subjects).toEqual([
      { code: w.french, label: 'Français' },
      { code: w.maths, label: 'Mathématiques' },
    ]);
    expect(res.people.find((p: { id: string }) => p.id === w.teachers[0].id)).toEqual({
      id: w.teachers[0].id,
      displayName: 'MATHS Alice',
      profiles: ['teacher'],
      subjects: [w.maths],
    });
    expect(res.people.some((p: { id: string }) => p.id === w.students[0].id)).toBe(false);
    problem(await w.as.teacher.get(`/api/rollout/staff?establishment=${w.school.id}`), 403, 'NOT_STEERING');
  });
});

describe('the needs backlog', () => {
  let need: string;

  test('any teacher posts a need for a discipline and a service; everyone sees the backlog, authors only the group', async () => {
    const res = await w.as.teacher.post('/api/rollout/needs', {
      establishmentId: w.school.id,
      title: 'Pouvoir joindre des fichiers GeoGebra aux devoirs',
      body: 'Les élèves de 2nde travaillent avec GeoGebra.',
      subjectCode: w.maths,
      service: 'logbook',
    });
    expect(res.statusCode, res.body).toBe(201);
    need = res.json().id;
    await w.as.teacher3.post('/api/rollout/needs', {
      establishmentId: w.school.id,
      title: 'Un modèle de séance',
      subjectCode: w.french,
    });
    await w.as.cpe.post('/api/rollout/needs', { establishmentId: w.school.id, title: 'Former les AED à l’appel' });
    const mine = (await w.as.teacher.get(`/api/rollout/needs?establishment=${w.school.id}`)).json();
    expect(mine.can).toEqual({ answer: false });
    const item = mine.items.find((n: { id: string }) => n.id === need);
    expect(item).toMatchObject({
      subject: 'Mathématiques',
      service: 'logbook',
      status: 'open',
      author: null,
      mine: true,
    });
    expect(mine.items.every((n: { author: unknown }) => n.author === null)).toBe(true);
    const group = (await w.as.teacher2.get(`/api/rollout/needs?establishment=${w.school.id}`)).json();
    expect(group.items.find((n: { id: string }) => n.id === need).author).toEqual({
      id: w.teachers[0].id,
      displayName: 'MATHS Alice',
    });
    expect(group.bySubject).toEqual([
      { subjectCode: w.french, subject: 'Français', total: 1, open: 1 },
      { subjectCode: w.maths, subject: 'Mathématiques', total: 1, open: 1 },
      { subjectCode: null, subject: null, total: 1, open: 1 },
    ]);
  });

  test('the steering group sets a status and an answer (audited); the author is told', async () => {
    const res = await w.as.teacher2.patch(`/api/rollout/needs/${need}`, {
      status: 'in_progress',
      answer: 'Demande transmise à l’académie ; en attendant, un lien vers le fichier partagé.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', answer: expect.stringMatching(/^Demande transmise/) });
    const told = (await w.as.teacher.get(`/api/timeline?establishment=${w.school.id}`)).json().items[0];
    expect(told).toMatchObject({ kind: 'rollout.need.answered', link: '/rollout/needs' });
    const counts = (await w.as.principal.get(`/api/rollout/needs?establishment=${w.school.id}`)).json().bySubject;
    expect(counts.find((c: { subject: string }) => c.subject === 'Mathématiques')).toMatchObject({ total: 1, open: 1 });
    await w.as.principal.patch(`/api/rollout/needs/${need}`, { status: 'done' });
    const after = (await w.as.principal.get(`/api/rollout/needs?establishment=${w.school.id}`)).json().bySubject;
    expect(after.find((c: { subject: string }) => c.subject === 'Mathématiques')).toMatchObject({ total: 1, open: 0 });
  });

  test('bad input: no title, an unknown discipline, answering without steering; nothing written', async () => {
    await unchanged(async () => {
      problem(
        await w.as.teacher.post('/api/rollout/needs', { establishmentId: w.school.id, title: '' }),
        400,
        'VALIDATION',
      );
      const subject = problem(
        await w.as.teacher.post('/api/rollout/needs', {
          establishmentId: w.school.id,
          title: 'Un besoin',
          subjectCode: '999999',
        }),
        400,
        'UNKNOWN_SUBJECT',
      );
      expect(subject.detail).toBe('Matière inconnue.');
      problem(await w.as.teacher.patch(`/api/rollout/needs/${need}`, { status: 'done' }), 403, 'NOT_STEERING');
      problem(await w.as.teacher2.patch(`/api/rollout/needs/${need}`, { status: 'closed' }), 400, 'VALIDATION');
      problem(
        await w.as.student.post('/api/rollout/needs', { establishmentId: w.school.id, title: 'Un besoin' }),
        403,
        'FORBIDDEN',
      );
      problem(await w.as.other.patch(`/api/rollout/needs/${need}`, { status: 'done' }), 404, 'NOT_FOUND');
    });
  });
});
