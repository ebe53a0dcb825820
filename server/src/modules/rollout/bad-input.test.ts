import { beforeAll, describe, expect, test } from 'vitest';
import { countRows, loginAs, makeUser, testApp } from '../../../test/helpers.ts';
import { type RolloutWorld, rolloutRows, rolloutWorld } from '../../../test/rollout.ts';

/**
 * Every changing route of the cockpit refuses a bad input with a clear problem+json in French (400 VALIDATION
 * with the field named, or its own code) and writes nothing: the cockpit's rows, the audit and the timeline stay
 * as they were.
 */
const { app, db } = await testApp();
let w: RolloutWorld;
let ids: Record<'step' | 'objective' | 'tool' | 'risk' | 'need' | 'training' | 'slot' | 'rp', string>;

const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

beforeAll(async () => {
  w = await rolloutWorld(db, app);
  const est = w.school.id;
  const p = w.as.principal;
  const step = (
    await p.post('/api/rollout/steps', {
      establishmentId: est,
      service: 'logbook',
      title: 'Étape',
      ownerId: w.teachers[0].id,
      dueDate: '2027-01-10',
    })
  ).json().id;
  ids = {
    step,
    objective: (
      await p.post('/api/rollout/objectives', {
        establishmentId: est,
        service: 'logbook',
        indicator: 'rollout.service_active.teacher',
        target: 0.5,
        dueDate: '2027-02-01',
      })
    ).json().id,
    tool: (
      await p.post('/api/rollout/tools', {
        establishmentId: est,
        name: 'Pronote',
        category: 'school_life',
        frequency: 'daily',
        teachingValue: 'medium',
      })
    ).json().id,
    risk: (
      await p.post('/api/rollout/risks', { establishmentId: est, title: 'Un risque', likelihood: 2, impact: 2 })
    ).json().id,
    need: (await w.as.teacher.post('/api/rollout/needs', { establishmentId: est, title: 'Un besoin' })).json().id,
    training: (
      await p.post('/api/rollout/trainings', {
        establishmentId: est,
        title: 'Formation',
        audience: 'Enseignants',
        startsAt: later(48),
        endsAt: later(50),
        place: 'CDI',
        capacity: 10,
      })
    ).json().id,
    rp: (
      await p.post('/api/rollout/resource-persons', {
        establishmentId: est,
        userId: w.teachers[0].id,
        service: 'logbook',
      })
    ).json().id,
    slot: '',
  };
  ids.slot = (
    await w.as.teacher.post('/api/rollout/slots', {
      resourcePersonId: ids.rp,
      startsAt: later(30),
      endsAt: later(31),
      mode: 'remote',
    })
  ).json().id;
  for (const v of Object.values(ids)) expect(v).toMatch(/^[0-9a-f-]{36}$/);
});

const FRENCH: Record<string, string> = {
  VALIDATION: 'Certaines valeurs envoyées ne sont pas valides.',
  NOT_STAFF_MEMBER: "Cette personne ne fait pas partie des personnels de l'établissement.",
  TARGET_OUT_OF_RANGE: 'Pour un taux, la cible est une part entre 0 et 1 (0,8 pour 80 %).',
  UNKNOWN_SUBJECT: 'Matière inconnue.',
  INVALID_PERIOD: 'La période est invalide : la fin doit suivre le début.',
};

type Case = [string, 'post' | 'patch' | 'put', string | (() => string), unknown, number, string];

const cases = (): Case[] => {
  const est = w.school.id;
  return [
    [
      'step: a title too long',
      'post',
      '/api/rollout/steps',
      {
        establishmentId: est,
        service: 'logbook',
        title: 'x'.repeat(201),
        ownerId: w.teachers[0].id,
        dueDate: '2027-01-10',
      },
      400,
      'VALIDATION',
    ],
    [
      'step: no establishment',
      'post',
      '/api/rollout/steps',
      { service: 'logbook', title: 'Étape', ownerId: w.teachers[0].id, dueDate: '2027-01-10' },
      400,
      'VALIDATION',
    ],
    [
      'step change: a date that is not one',
      'patch',
      () => `/api/rollout/steps/${ids.step}`,
      { dueDate: '10/01/2027' },
      400,
      'VALIDATION',
    ],
    [
      'step change: a student as owner',
      'patch',
      () => `/api/rollout/steps/${ids.step}`,
      { ownerId: w.students[0].id },
      400,
      'NOT_STAFF_MEMBER',
    ],
    [
      'objective: a string target',
      'post',
      '/api/rollout/objectives',
      {
        establishmentId: est,
        service: 'logbook',
        indicator: 'rollout.charter_rate',
        target: '80 %',
        dueDate: '2027-02-01',
      },
      400,
      'VALIDATION',
    ],
    [
      'objective change: a rate over 1',
      'patch',
      () => `/api/rollout/objectives/${ids.objective}`,
      { target: 1.5 },
      400,
      'TARGET_OUT_OF_RANGE',
    ],
    ['objective change: nothing', 'patch', () => `/api/rollout/objectives/${ids.objective}`, {}, 400, 'VALIDATION'],
    [
      'tool: an unknown category',
      'post',
      '/api/rollout/tools',
      { establishmentId: est, name: 'Outil', category: 'spreadsheet', frequency: 'daily', teachingValue: 'low' },
      400,
      'VALIDATION',
    ],
    ['tool change: negative users', 'patch', () => `/api/rollout/tools/${ids.tool}`, { users: -3 }, 400, 'VALIDATION'],
    [
      'tool change: an unknown decision',
      'patch',
      () => `/api/rollout/tools/${ids.tool}`,
      { decision: 'maybe' },
      400,
      'VALIDATION',
    ],
    ['risk change: impact 0', 'patch', () => `/api/rollout/risks/${ids.risk}`, { impact: 0 }, 400, 'VALIDATION'],
    [
      'risk change: reviewed false',
      'patch',
      () => `/api/rollout/risks/${ids.risk}`,
      { reviewed: false },
      400,
      'VALIDATION',
    ],
    ['axis: a label too short', 'post', '/api/rollout/axes', { establishmentId: est, label: 'A' }, 400, 'VALIDATION'],
    [
      'team: too many members',
      'put',
      '/api/rollout/team',
      {
        establishmentId: est,
        pilotId: null,
        memberIds: Array.from({ length: 31 }, () => crypto.randomUUID()),
        tice: [],
      },
      400,
      'VALIDATION',
    ],
    [
      'need: a title too long',
      'post',
      '/api/rollout/needs',
      { establishmentId: est, title: 'x'.repeat(300) },
      400,
      'VALIDATION',
    ],
    [
      'need answer: an empty answer',
      'patch',
      () => `/api/rollout/needs/${ids.need}`,
      { answer: '' },
      400,
      'VALIDATION',
    ],
    [
      'skills: a level as text',
      'put',
      '/api/rollout/skills/me',
      {
        establishmentId: est,
        levels: { information: 'expert', communication: 3, creation: 3, protection: 3, environment: 3 },
      },
      400,
      'VALIDATION',
    ],
    [
      'resource person: a bad discipline code',
      'post',
      '/api/rollout/resource-persons',
      { establishmentId: est, userId: w.teachers[1].id, subjectCode: 'maths' },
      400,
      'VALIDATION',
    ],
    [
      'resource person: an unknown discipline',
      'post',
      '/api/rollout/resource-persons',
      { establishmentId: est, userId: w.teachers[1].id, subjectCode: '999999' },
      400,
      'UNKNOWN_SUBJECT',
    ],
    [
      'slot: an unknown mode',
      'post',
      '/api/rollout/slots',
      { resourcePersonId: ids.rp, startsAt: later(60), endsAt: later(61), mode: 'visio' },
      400,
      'VALIDATION',
    ],
    [
      'booking: a topic too long',
      'post',
      () => `/api/rollout/slots/${ids.slot}/booking`,
      { topic: 'x'.repeat(301) },
      400,
      'VALIDATION',
    ],
    [
      'training: no place',
      'post',
      '/api/rollout/trainings',
      {
        establishmentId: est,
        title: 'Formation',
        audience: 'Tous',
        startsAt: later(70),
        endsAt: later(71),
        capacity: 5,
      },
      400,
      'VALIDATION',
    ],
    [
      'training change: an end before the start',
      'patch',
      () => `/api/rollout/trainings/${ids.training}`,
      { endsAt: later(1) },
      400,
      'INVALID_PERIOD',
    ],
    [
      'training change: a capacity of 2,000',
      'patch',
      () => `/api/rollout/trainings/${ids.training}`,
      { capacity: 2000 },
      400,
      'VALIDATION',
    ],
    [
      'attendance: not a list',
      'put',
      () => `/api/rollout/trainings/${ids.training}/attendance`,
      { present: 'everyone' },
      400,
      'VALIDATION',
    ],
    [
      'pulse: a comment too long',
      'post',
      '/api/rollout/pulse',
      { establishmentId: est, service: 'rollout', score: 3, comment: 'x'.repeat(1001) },
      400,
      'VALIDATION',
    ],
    [
      'families: a message too long',
      'post',
      '/api/rollout/announcements',
      { establishmentId: est, text: 'x'.repeat(1001) },
      400,
      'VALIDATION',
    ],
    [
      'refresh: an establishment that is not an id',
      'post',
      '/api/rollout/indicators/refresh',
      { establishmentId: 'lycee' },
      400,
      'VALIDATION',
    ],
  ];
};

describe('bad input: a 4xx problem in French, and nothing written', () => {
  test('each changing route of an establishment', async () => {
    const before = {
      rows: await rolloutRows(db, w.school.id),
      audit: await countRows(db, 'audit_event'),
      notices: await countRows(db, 'notification'),
    };
    const asPrincipal = w.as.principal;
    for (const [what, method, url, body, status, code] of cases()) {
      const res = await asPrincipal[method](typeof url === 'string' ? url : url(), body);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(problem.code, what).toBe(code);
      // French wording, and the field named for a validation error.
      expect(problem.detail, what).toBe(FRENCH[code]);
      if (code === 'VALIDATION') expect(problem.errors?.length, what).toBeGreaterThan(0);
    }
    expect(await rolloutRows(db, w.school.id)).toEqual(before.rows);
    expect(await countRows(db, 'audit_event')).toBe(before.audit);
    expect(await countRows(db, 'notification')).toBe(before.notices);
  });

  test('the académie routes: a bad e-mail, an empty axis, a foreign académie; nothing written', async () => {
    const admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
    const [contacts, axes, audits] = [
      await countRows(db, 'rollout_academy_contact'),
      await countRows(db, 'rollout_axis'),
      await countRows(db, 'audit_event'),
    ];
    const academy = w.school.academy_id;
    for (const [url, body, status, code] of [
      [`/api/rollout/academies/${academy}/contact`, { name: 'Assistance', url: 'ftp://assistance' }, 400, 'VALIDATION'],
      [`/api/rollout/academies/${academy}/contact`, { name: 'Assistance', phone: 'appelez-nous' }, 400, 'VALIDATION'],
      [`/api/rollout/academies/${academy}/contact`, { name: 'A' }, 400, 'VALIDATION'],
      [`/api/rollout/academies/${crypto.randomUUID()}/contact`, { name: 'Assistance' }, 404, 'NOT_FOUND'],
      [`/api/rollout/academies/${academy}/axes`, { label: '' }, 400, 'VALIDATION'],
      [`/api/rollout/academies/${crypto.randomUUID()}/axes`, { label: 'Un axe' }, 404, 'NOT_FOUND'],
    ] as const) {
      const res = await (url.endsWith('/contact') ? admin.put(url, body) : admin.post(url, body));
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json()).toMatchObject({ code });
    }
    expect(await countRows(db, 'rollout_academy_contact')).toBe(contacts);
    expect(await countRows(db, 'rollout_axis')).toBe(axes);
    expect(await countRows(db, 'audit_event')).toBe(audits);
  });

  test('malformed JSON is 400 INVALID_JSON, nothing written', async () => {
    const before = await rolloutRows(db, w.school.id);
    const res = await app.inject({
      method: 'POST',
      url: '/api/rollout/steps',
      headers: {
        cookie: w.as.principal.cookie,
        'x-csrf-token': w.as.principal.csrfToken,
        'content-type': 'application/json',
      },
      payload: '{"establishmentId": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_JSON',
      detail: "Le corps de la requête n'est pas un JSON valide.",
    });
    expect(await rolloutRows(db, w.school.id)).toEqual(before);
  });
});
