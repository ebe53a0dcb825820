/// <reference types="vite/client" />
import { expect, test } from 'vitest';
import { registeredRoutes } from '../src/app.ts';
import { createSession } from '../src/platform/auth/sessions.ts';
import { testConfig } from '../src/platform/config.ts';
import { assign, freshClass, guard, headTeacher, makeMerge, subject } from './directory-fixtures.ts';
import { agent, makeUser, testApp } from './helpers.ts';
import {
  ADMINS,
  ALL_MEMBERS,
  type ModuleMatrix,
  makeWorld as makeWorldIn,
  ONLY_PLATFORM,
  PERSONAS,
  type Row,
  type World,
} from './matrix.ts';

/**
 * Every route × every persona, with the expected status. A route without a row fails the test, so a
 * new route cannot land without saying who may call it. Denials are rows like any other.
 * Each row runs in a world of its own (fresh establishments and people), so rows cannot disturb each other.
 */
const { app, db } = await testApp();
const config = testConfig('unused');

const makeWorld = () => makeWorldIn(db);

/** The modules' own rows (src/modules/<module>/<module>.matrix.ts), gathered by file name. */
const moduleRows = import.meta.glob<{ matrix: ModuleMatrix }>('../src/modules/**/*.matrix.ts', { eager: true });

/** Rows of the early modules, still kept here (they move next to their module as it is reworked). */
const MATRIX: Record<string, Row> = {
  'GET /api/health': [() => ({ url: '/api/health' }), [200, 200, 200, 200, 200, 200, 200, 200, 200]],
  'POST /api/auth/login': [
    // one login per persona: repeated failures on one login would (rightly) be throttled
    (_w, p) => ({ url: '/api/auth/login', body: { login: `nobody.${p}`, password: 'wrong password' } }),
    [401, 401, 401, 401, 401, 401, 401, 401, 401],
  ],
  'POST /api/auth/activate': [
    (_w, p) => ({ url: '/api/auth/activate', body: { login: `nobody.${p}`, code: 'WRONG-CODE1', password: 'x' } }),
    [400, 400, 400, 400, 400, 400, 400, 400, 400],
  ],
  'POST /api/auth/activation-check': [
    // one login per persona, like login: repeated failures on one login would be throttled
    (_w, p) => ({ url: '/api/auth/activation-check', body: { login: `nobody.${p}`, code: 'WRONG-CODE1' } }),
    [400, 400, 400, 400, 400, 400, 400, 400, 400],
  ],
  'POST /api/auth/password-check': [
    () => ({ url: '/api/auth/password-check', body: { password: 'une phrase de passe assez longue' } }),
    [200, 200, 200, 200, 200, 200, 200, 200, 200],
  ],
  // Recovery: public, the same answer for everyone; a made-up link is 400 for everyone.
  'POST /api/auth/recovery': [
    (_w, p) => ({ url: '/api/auth/recovery', body: { identifier: `nobody.${p}@example.org` } }),
    [202, 202, 202, 202, 202, 202, 202, 202, 202],
  ],
  'POST /api/auth/recovery/check': [
    () => ({ url: '/api/auth/recovery/check', body: { token: 'a-made-up-token-of-thirty-chars-x' } }),
    [400, 400, 400, 400, 400, 400, 400, 400, 400],
  ],
  'POST /api/auth/recovery/reset': [
    () => ({ url: '/api/auth/recovery/reset', body: { token: 'a-made-up-token-of-thirty-chars-x', password: 'x' } }),
    [400, 400, 400, 400, 400, 400, 400, 400, 400],
  ],
  'POST /api/auth/logout': [() => ({ url: '/api/auth/logout' }), ALL_MEMBERS(204)],
  'GET /api/me': [() => ({ url: '/api/me' }), ALL_MEMBERS(200)],
  'PATCH /api/me': [() => ({ url: '/api/me', body: { email: 'moi@example.org' } }), ALL_MEMBERS(200)],
  'POST /api/me/password': [
    () => ({
      url: '/api/me/password',
      body: { currentPassword: 'wrong', newPassword: 'une phrase de passe assez longue' },
    }),
    ALL_MEMBERS(400),
  ],
  'GET /api/me/sessions': [() => ({ url: '/api/me/sessions' }), ALL_MEMBERS(200)],
  'DELETE /api/me/sessions': [() => ({ url: '/api/me/sessions?others=true' }), ALL_MEMBERS(204)],
  'DELETE /api/me/sessions/:sessionId': [() => ({ url: `/api/me/sessions/${crypto.randomUUID()}` }), ALL_MEMBERS(404)],
  'POST /api/me/charter/accept': [
    async (w) => ({ url: '/api/me/charter/accept', body: { charterId: await charterOf(w) } }),
    // a platform admin is a member of no establishment: no charter is theirs to accept (404);
    // the platform default charter is in force in the other establishment too, so its principal accepts it there
    [401, 204, 204, 204, 204, 204, 204, 404, 204],
  ],
  'GET /api/establishments/:id/charter': [(w) => ({ url: `/api/establishments/${w.a.id}/charter` }), ADMINS(200)],
  'POST /api/establishments/:id/charter': [
    (w) => ({
      url: `/api/establishments/${w.a.id}/charter`,
      body: { title: 'Charte 2027', body: 'Le texte de la nouvelle charte.' },
    }),
    ADMINS(201),
  ],
  'GET /api/portal': [
    (w) => ({ url: `/api/portal?establishment=${w.a.id}` }),
    [401, 200, 200, 200, 200, 200, 200, 200, 404],
  ],
  'GET /api/portal/services/:key': [
    // not built yet: only those who open services (the direction, the local and platform admins) reach its entry
    (w) => ({ url: `/api/portal/services/helpdesk?establishment=${w.a.id}` }),
    [401, 404, 404, 404, 404, 200, 200, 200, 404],
  ],
  'GET /api/establishments/:id/services': [(w) => ({ url: `/api/establishments/${w.a.id}/services` }), ADMINS(200)],
  'PATCH /api/establishments/:id/services/:key': [
    (w) => ({ url: `/api/establishments/${w.a.id}/services/news`, body: { status: 'recommended' } }),
    ADMINS(200),
  ],
  'GET /api/establishments': [() => ({ url: '/api/establishments' }), ALL_MEMBERS(200)],
  'POST /api/establishments': [
    (w) => ({
      url: '/api/establishments',
      body: { uai: '0990001N', name: 'Lycée créé à la main', type: 'LYCEE', academyId: w.a.academy_id },
    }),
    ONLY_PLATFORM(201),
  ],
  'GET /api/academies': [() => ({ url: '/api/academies' }), ONLY_PLATFORM(200)],
  'GET /api/establishments/:id': [
    (w) => ({ url: `/api/establishments/${w.a.id}` }),
    [401, 200, 200, 200, 200, 200, 200, 200, 404],
  ],
  'GET /api/establishments/:id/permissions': [
    (w) => ({ url: `/api/establishments/${w.a.id}/permissions` }),
    ADMINS(200),
  ],
  'PUT /api/establishments/:id/permissions': [
    (w) => ({ url: `/api/establishments/${w.a.id}/permissions`, body: { overrides: [] } }),
    ADMINS(200),
  ],
  'GET /api/establishments/:id/users': [(w) => ({ url: `/api/establishments/${w.a.id}/users` }), ADMINS(200)],
  'GET /api/establishments/:id/users/:userId': [
    (w) => ({ url: `/api/establishments/${w.a.id}/users/${w.target.id}` }),
    ADMINS(200),
  ],
  'PATCH /api/establishments/:id/users/:userId': [
    (w) => ({ url: `/api/establishments/${w.a.id}/users/${w.target.id}`, body: { status: 'blocked' } }),
    ADMINS(200),
  ],
  'GET /api/establishments/:id/school-years': [
    (w) => ({ url: `/api/establishments/${w.a.id}/school-years` }),
    ADMINS(200),
  ],
  'GET /api/establishments/:id/school-years/rollover': [
    (w) => ({ url: `/api/establishments/${w.a.id}/school-years/rollover` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/school-years/rollover': [
    // the first allowed caller closes 2026-2027; the next allowed ones see a stale preview (409)
    // (before the year's end: with the year's label typed)
    (w) => ({
      url: `/api/establishments/${w.a.id}/school-years/rollover`,
      body: { from: '2026-2027', earlyConfirmation: '2026-2027' },
    }),
    [401, 403, 403, 403, 403, 200, 409, 409, 404],
  ],
  'GET /api/establishments/:id/school-years/rollovers': [
    (w) => ({ url: `/api/establishments/${w.a.id}/school-years/rollovers` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/school-years/rollovers/:rolloverId/undo': [
    // each allowed caller undoes a rollover of their own (made just before)
    async (w) => {
      const year = await db
        .selectFrom('school_year')
        .select(['id', 'label'])
        .where('establishment_id', '=', w.a.id)
        .where('status', '=', 'current')
        .executeTakeFirstOrThrow();
      const next = await db
        .insertInto('school_year')
        .values({
          establishment_id: w.a.id,
          label: `${Number(year.label.slice(0, 4)) + 1}-${Number(year.label.slice(0, 4)) + 2}`,
          starts_on: '2027-09-01',
          ends_on: '2028-08-31',
          status: 'next',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.updateTable('school_year').set({ status: 'archived' }).where('id', '=', year.id).execute();
      await db.updateTable('school_year').set({ status: 'current' }).where('id', '=', next.id).execute();
      const r = await db
        .insertInto('school_year_rollover')
        .values({
          establishment_id: w.a.id,
          from_year_id: year.id,
          to_year_id: next.id,
          to_label: 'x',
          to_created: true,
          undo_until: new Date(Date.now() + 86_400_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { url: `/api/establishments/${w.a.id}/school-years/rollovers/${r.id}/undo` };
    },
    ADMINS(200),
  ],
  'POST /api/establishments/:id/users/:userId/activation-code': [
    (w) => ({ url: `/api/establishments/${w.a.id}/users/${w.pending.id}/activation-code` }),
    ADMINS(201),
  ],
  'GET /api/establishments/:id/data-quality': [
    (w) => ({ url: `/api/establishments/${w.a.id}/data-quality` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/people': [
    (w) => ({
      url: `/api/establishments/${w.a.id}/people`,
      body: { profile: 'student', firstName: 'Léa', lastName: 'Nouvelle', birthDate: '2011-02-03' },
    }),
    ADMINS(201),
  ],
  'GET /api/establishments/:id/people/:userId': [
    (w) => ({ url: `/api/establishments/${w.a.id}/people/${w.target.id}` }),
    ADMINS(200),
  ],
  'PATCH /api/establishments/:id/people/:userId': [
    (w) => ({ url: `/api/establishments/${w.a.id}/people/${w.target.id}`, body: { email: 'eleve@example.fr' } }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/people/:userId/guardians': [
    async (w) => ({
      url: `/api/establishments/${w.a.id}/people/${w.target.id}/guardians`,
      body: {
        guardianId: (await makeUser(db, { establishmentId: w.a.id, profiles: ['guardian'] })).id,
        level: 'legal',
      },
    }),
    ADMINS(201),
  ],
  'DELETE /api/establishments/:id/people/:userId/guardians/:guardianId': [
    async (w) => {
      const parent = await makeUser(db, { establishmentId: w.a.id, profiles: ['guardian'] });
      await guard(db, w.a, parent.id, w.target.id);
      return { url: `/api/establishments/${w.a.id}/people/${w.target.id}/guardians/${parent.id}` };
    },
    ADMINS(204),
  ],
  'GET /api/establishments/:id/people/:userId/assignments': [
    (w) => ({ url: `/api/establishments/${w.a.id}/people/${w.people.teacher.id}/assignments` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/people/:userId/assignments': [
    async (w) => ({
      url: `/api/establishments/${w.a.id}/people/${w.people.teacher.id}/assignments`,
      body: { classId: (await freshClass(db, w.a)).id, subjectCode: await subject(db) },
    }),
    ADMINS(201),
  ],
  'DELETE /api/establishments/:id/people/:userId/assignments/:assignmentId': [
    async (w) => {
      const row = await assign(db, w.a, w.people.teacher.id, { classId: (await freshClass(db, w.a)).id });
      return { url: `/api/establishments/${w.a.id}/people/${w.people.teacher.id}/assignments/${row.id}` };
    },
    ADMINS(204),
  ],
  'POST /api/establishments/:id/people/:userId/head-teacher': [
    async (w) => ({
      url: `/api/establishments/${w.a.id}/people/${w.people.teacher.id}/head-teacher`,
      body: { classId: (await freshClass(db, w.a)).id },
    }),
    ADMINS(201),
  ],
  'DELETE /api/establishments/:id/people/:userId/head-teacher/:classId': [
    async (w) => {
      const row = await headTeacher(db, w.a, w.people.teacher.id, (await freshClass(db, w.a)).id);
      return { url: `/api/establishments/${w.a.id}/people/${w.people.teacher.id}/head-teacher/${row.class_id}` };
    },
    ADMINS(204),
  ],
  'GET /api/establishments/:id/classes': [(w) => ({ url: `/api/establishments/${w.a.id}/classes` }), ADMINS(200)],
  'GET /api/establishments/:id/groups': [(w) => ({ url: `/api/establishments/${w.a.id}/groups` }), ADMINS(200)],
  'GET /api/subjects': [() => ({ url: '/api/subjects' }), ALL_MEMBERS(200)],
  // Directory imports: local admins and platform admins; a JSON body is not an upload (415).
  'POST /api/imports': [
    () => ({ url: '/api/imports', body: { files: [] } }),
    [401, 403, 403, 403, 403, 403, 415, 415, 403],
  ],
  'POST /api/imports/csv/preview': [
    () => ({ url: '/api/imports/csv/preview', body: { files: [] } }),
    [401, 403, 403, 403, 403, 403, 415, 415, 403],
  ],
  'GET /api/imports': [
    (w) => ({ url: `/api/imports?establishment=${w.a.id}` }),
    [401, 403, 403, 403, 403, 403, 200, 200, 403],
  ],
  'GET /api/imports/:id': [
    async (w) => {
      const job = await db
        .insertInto('import_job')
        .values({
          establishment_id: w.a.id,
          requested_by: w.people.local_admin.id,
          kind: 'aaf',
          files: '[]',
          options: '{}',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { url: `/api/imports/${job.id}` };
    },
    [401, 403, 403, 403, 403, 403, 200, 200, 403],
  ],
  'GET /api/establishments/:id/login-sheets/preview': [
    (w) => ({ url: `/api/establishments/${w.a.id}/login-sheets/preview?profile=guardian` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/login-sheets': [
    // active accounts only: no code handed out, so no confirmation between the personas' calls
    (w) => ({ url: `/api/establishments/${w.a.id}/login-sheets`, body: { profile: 'teacher' } }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/users/:userId/login-sheet': [
    (w) => ({ url: `/api/establishments/${w.a.id}/users/${w.target.id}/login-sheet`, body: {} }),
    ADMINS(200),
  ],
  'GET /api/establishments/:id/duplicates': [(w) => ({ url: `/api/establishments/${w.a.id}/duplicates` }), ADMINS(200)],
  'POST /api/establishments/:id/duplicates/merge': [
    async (w) => {
      const [keep, dup] = [
        await makeUser(db, { establishmentId: w.a.id, profiles: ['student'], firstName: 'Double' }),
        await makeUser(db, { establishmentId: w.a.id, profiles: ['student'], firstName: 'Double' }),
      ];
      return { url: `/api/establishments/${w.a.id}/duplicates/merge`, body: { keepId: keep.id, mergeId: dup.id } };
    },
    ADMINS(201),
  ],
  'GET /api/establishments/:id/duplicates/merges': [
    (w) => ({ url: `/api/establishments/${w.a.id}/duplicates/merges` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/duplicates/dismissals': [
    async (w) => {
      const other = await makeUser(db, { establishmentId: w.a.id, profiles: ['student'] });
      return { url: `/api/establishments/${w.a.id}/duplicates/dismissals`, body: { aId: w.target.id, bId: other.id } };
    },
    ADMINS(201),
  ],
  'GET /api/establishments/:id/duplicates/dismissals': [
    (w) => ({ url: `/api/establishments/${w.a.id}/duplicates/dismissals` }),
    ADMINS(200),
  ],
  'POST /api/establishments/:id/duplicates/dismissals/:dismissalId/undo': [
    async (w) => {
      const other = await makeUser(db, { establishmentId: w.a.id, profiles: ['student'] });
      const [a, b] = [w.target.id, other.id].sort() as [string, string];
      const d = await db
        .insertInto('duplicate_dismissal')
        .values({ establishment_id: w.a.id, a_id: a, b_id: b })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { url: `/api/establishments/${w.a.id}/duplicates/dismissals/${d.id}/undo` };
    },
    ADMINS(200),
  ],
  'POST /api/establishments/:id/duplicates/merges/:mergeId/undo': [
    async (w) => ({ url: `/api/establishments/${w.a.id}/duplicates/merges/${await makeMerge(db, w.a)}/undo` }),
    ADMINS(200),
  ],
};

/** The charter in force for establishment A of this world (a platform default created on demand). */
async function charterOf(w: World): Promise<string> {
  void w;
  const existing = await db.selectFrom('charter').select('id').where('establishment_id', 'is', null).executeTakeFirst();
  if (existing) return existing.id;
  const row = await db
    .insertInto('charter')
    .values({ establishment_id: null, version: 1, title: 'Charte', body: 'Texte de la charte par défaut.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function acceptAll(w: World) {
  const charterId = await charterOf(w);
  const rows = Object.entries(w.people).flatMap(([persona, u]) =>
    persona === 'platform_admin'
      ? []
      : [
          {
            user_id: u.id,
            charter_id: charterId,
            establishment_id: persona === 'other_establishment' ? w.b.id : w.a.id,
          },
        ],
  );
  await db
    .insertInto('charter_acceptance')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** Every row, with the module whose file holds it (`null`: this file). */
const ALL: [string, Row, string | null][] = [
  ...Object.entries(MATRIX).map(([k, r]): [string, Row, null] => [k, r, null]),
  ...Object.entries(moduleRows).flatMap(([file, m]) => {
    const module = /modules\/([^/]+)\//.exec(file)?.[1] ?? file;
    return Object.entries(m.matrix).map(([k, r]): [string, Row, string] => [k, r, module]);
  }),
];

test('every registered route has a row in the matrix, and every row a route', () => {
  const routes = registeredRoutes.get(app as never) ?? [];
  const keys = new Set(routes.map(routeKey));
  const rows = new Set(ALL.map(([k]) => k));
  const missing = [...keys].filter((k) => !rows.has(k));
  const stale = [...rows].filter((k) => !keys.has(k));
  const twice = ALL.map(([k]) => k).filter((k, i, all) => all.indexOf(k) !== i);
  expect(missing, 'routes without an authorization row').toEqual([]);
  expect(stale, 'rows without a route').toEqual([]);
  expect(twice, 'routes with two rows').toEqual([]);
});

test("a module's rows live in its own folder: a row of module X is about a route of module X", () => {
  const routes = registeredRoutes.get(app as never) ?? [];
  const owner = new Map(routes.map((r) => [routeKey(r), r.module]));
  const misplaced = ALL.filter(([k, , module]) => module !== null && owner.get(k) !== module).map(
    ([k, , m]) => `${m}: ${k}`,
  );
  expect(misplaced).toEqual([]);
});

for (const [key, [build, expected]] of ALL.map(([k, r]) => [k, r] as const)) {
  test(`authorization: ${key}`, async () => {
    expect(expected).toHaveLength(PERSONAS.length);
    const [method] = key.split(' ') as ['GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'];
    const w = await makeWorld();
    await acceptAll(w);
    const got: Record<string, number> = {};
    for (const persona of PERSONAS) {
      const call = await build(w, persona);
      if (persona === 'anonymous') {
        const res = await app.inject({
          method,
          url: call.url,
          ...(call.body ? { payload: call.body as object } : {}),
          ...(call.headers ? { headers: call.headers } : {}),
        });
        got[persona] = res.statusCode;
        continue;
      }
      const user = w.people[persona];
      const s = await createSession(db, config, { userId: user.id, rememberMe: false, address: null, userAgent: null });
      const client = agent(app, `preau_session=${s.token}`, s.csrfToken);
      const res =
        method === 'GET'
          ? await client.get(call.url, call.headers)
          : method === 'DELETE'
            ? await client.delete(call.url, call.headers)
            : await client[method.toLowerCase() as 'post' | 'patch' | 'put'](call.url, call.body, call.headers);
      got[persona] = res.statusCode;
    }
    expect(got).toEqual(Object.fromEntries(PERSONAS.map((p, i) => [p, expected[i]])));
  });
}
