import { beforeAll, describe, expect, test } from 'vitest';
import { type Agent, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { pickLang } from '../i18n.ts';

const { app, db } = await testApp();

let school: Awaited<ReturnType<typeof makeEstablishment>>;
let principal: Agent;
beforeAll(async () => {
  school = await makeEstablishment(db);
  const p = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
  principal = await loginAs(app, p.login);
});

const postJson = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

function expectProblem(res: Awaited<ReturnType<typeof postJson>>, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = res.json();
  expect(body).toMatchObject({
    status,
    code,
    title: code,
    type: expect.stringMatching(/^https:\/\/preau\.fr\/problems\//),
  });
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

describe('errors are application/problem+json', () => {
  test('malformed JSON is 400 INVALID_JSON', async () => {
    const body = expectProblem(await postJson('/api/auth/login', '{"login": "a", '), 400, 'INVALID_JSON');
    expect(body.instance).toBe('/api/auth/login');
    expectProblem(await postJson('/api/auth/login', ''), 400, 'INVALID_JSON');
  });

  test('unknown fields are 400 VALIDATION with per-field errors', async () => {
    const res = await postJson('/api/auth/login', JSON.stringify({ login: 'a', password: 'b', admin: true }));
    const body = expectProblem(res, 400, 'VALIDATION');
    expect(body.errors).toEqual([{ path: 'body', code: 'unrecognized_keys', message: 'Champ inconnu : admin.' }]);
  });

  test('field messages are sentences in the request language, never zod English or a code', async () => {
    const res = await postJson('/api/auth/login', JSON.stringify({ login: '', rememberMe: 'yes' }));
    const fr = expectProblem(res, 400, 'VALIDATION');
    const byPath = (body: { errors: { path: string; message: string; code: string }[] }) =>
      Object.fromEntries(body.errors.map((e) => [e.path, { code: e.code, message: e.message }]));
    expect(byPath(fr)).toEqual({
      'body.login': { code: 'too_small', message: 'Ce champ est obligatoire.' },
      'body.password': { code: 'invalid_type', message: 'Ce champ est obligatoire.' },
      'body.rememberMe': { code: 'invalid_type', message: "Cette valeur n'est pas valide." },
    });
    const en = expectProblem(
      await postJson('/api/auth/login', JSON.stringify({ login: '', rememberMe: 'yes' }), { 'accept-language': 'en' }),
      400,
      'VALIDATION',
    );
    expect(byPath(en)['body.login']).toEqual({ code: 'too_small', message: 'This field is required.' });
    const bad = await principal.get('/api/establishments/not-a-uuid/services');
    expect(expectProblem(bad, 400, 'VALIDATION').errors[0]).toEqual({
      path: 'params.id',
      code: 'invalid_format',
      message: 'Identifiant invalide.',
    });
  });

  test('wrong types and missing fields are 400 VALIDATION, each field named', async () => {
    const res = await postJson('/api/auth/login', JSON.stringify({ login: 42, rememberMe: 'yes' }));
    const body = expectProblem(res, 400, 'VALIDATION');
    const paths = body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['body.login', 'body.password', 'body.rememberMe']);
    expectProblem(await postJson('/api/auth/login', '[]'), 400, 'VALIDATION');
    expectProblem(await postJson('/api/auth/login', 'null'), 400, 'VALIDATION');
  });

  test('bad path parameters and query strings are 400 VALIDATION, never a 500', async () => {
    const bad = await principal.get('/api/establishments/not-a-uuid/services');
    expect(expectProblem(bad, 400, 'VALIDATION').errors[0].path).toBe('params.id');
    const key = await principal.patch(`/api/establishments/${school.id}/services/teleportation`, { status: 'closed' });
    expectProblem(key, 400, 'VALIDATION');
    const query = await principal.get(`/api/portal?establishment=${school.id}&x=1`);
    expect(expectProblem(query, 400, 'VALIDATION').errors[0].path).toBe('querystring');
  });

  test('a body over 1 MiB is 413', async () => {
    const big = JSON.stringify({ login: 'a', password: 'x'.repeat(1024 * 1024) });
    expectProblem(await postJson('/api/auth/login', big), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('a body just under 1 MiB is parsed (and then validated)', async () => {
    const payload = JSON.stringify({ login: 'a', password: 'x'.repeat(1024 * 1024 - 100) });
    expectProblem(await postJson('/api/auth/login', payload), 400, 'VALIDATION');
  });

  test('an unsupported content type is 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<login/>',
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('the detail is in French by default and in English with Accept-Language: en', async () => {
    const fr = expectProblem(await postJson('/api/auth/login', '{'), 400, 'INVALID_JSON');
    expect(fr.detail).toBe("Le corps de la requête n'est pas un JSON valide.");
    const en = expectProblem(await postJson('/api/auth/login', '{', { 'accept-language': 'en' }), 400, 'INVALID_JSON');
    expect(en.detail).toBe('The request body is not valid JSON.');
    const enGb = expectProblem(
      await postJson('/api/auth/login', '{', { 'accept-language': 'en-GB,en;q=0.9' }),
      400,
      'INVALID_JSON',
    );
    expect(enGb.detail).toBe(en.detail);
    const de = expectProblem(
      await postJson('/api/auth/login', '{', { 'accept-language': 'de-DE' }),
      400,
      'INVALID_JSON',
    );
    expect(de.detail).toBe(fr.detail);
    const unauth = await app.inject({ method: 'GET', url: '/api/me', headers: { 'accept-language': 'en' } });
    expect(expectProblem(unauth, 401, 'UNAUTHENTICATED').detail).toBe('You must log in.');
  });

  test('an unknown /api route is 404 problem+json, with or without a session', async () => {
    const anon = await app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(expectProblem(anon, 404, 'NOT_FOUND').instance).toBe('/api/does-not-exist');
    expectProblem(await principal.get('/api/does-not-exist'), 404, 'NOT_FOUND');
    expectProblem(await app.inject({ method: 'POST', url: '/api/nothing/here', payload: {} }), 404, 'NOT_FOUND');
    expectProblem(await app.inject({ method: 'GET', url: '/nothing-here' }), 404, 'NOT_FOUND');
  });

  test('a known route with another method is not a 500', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/me' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('pickLang', () => {
  test.each([
    [undefined, 'fr'],
    ['', 'fr'],
    ['en', 'en'],
    ['EN-us', 'en'],
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['de, en;q=0.5', 'en'],
    ['en;q=0.2, fr;q=0.8', 'fr'],
    ['es, it', 'fr'],
  ])('%s → %s', (header, lang) => {
    expect(pickLang(header)).toBe(lang);
  });
});
