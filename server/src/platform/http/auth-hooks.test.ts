import { beforeAll, describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, PASSWORD, testApp } from '../../../test/helpers.ts';
import { verifyPassword } from '../passwords.ts';

const { app, db } = await testApp();

let school: Awaited<ReturnType<typeof makeEstablishment>>;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

const NEW = 'une toute nouvelle phrase';
const HOST = 'ent.example.fr';

const passwordIsStill = async (id: string, password: string) => {
  const row = await db.selectFrom('app_user').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow();
  return verifyPassword(row.password_hash!, password);
};

describe('CSRF on state-changing requests with a session', () => {
  test('no X-CSRF-Token: 403 CSRF, and the password is not changed', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const res = await app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: { cookie: a.cookie },
      payload: { currentPassword: PASSWORD, newPassword: NEW },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 403, code: 'CSRF' });
    expect(await passwordIsStill(u.id, PASSWORD)).toBe(true);
  });

  test('a wrong token, or the token of another session, is refused the same way', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    for (const token of ['x', 'A'.repeat(a.csrfToken.length), b.csrfToken, '']) {
      const res = await a.post(
        '/api/me/password',
        { currentPassword: PASSWORD, newPassword: NEW },
        { 'x-csrf-token': token },
      );
      expect(res.statusCode, `token ${JSON.stringify(token)}`).toBe(403);
      expect(res.json().code).toBe('CSRF');
    }
    expect(await passwordIsStill(u.id, PASSWORD)).toBe(true);
    // The right token works.
    expect((await a.post('/api/me/password', { currentPassword: PASSWORD, newPassword: NEW })).statusCode).toBe(204);
  });

  test('logout and session revocation without the token change nothing', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const bare = (method: 'POST' | 'DELETE', url: string) => app.inject({ method, url, headers: { cookie: a.cookie } });
    expect((await bare('POST', '/api/auth/logout')).statusCode).toBe(403);
    expect((await bare('DELETE', '/api/me/sessions?others=true')).statusCode).toBe(403);
    expect((await bare('DELETE', '/api/me/sessions')).statusCode).toBe(403);
    expect((await a.get('/api/me')).statusCode).toBe(200);
    expect((await b.get('/api/me')).statusCode).toBe(200);
    expect(await db.selectFrom('session').select('id').where('user_id', '=', u.id).execute()).toHaveLength(2);
  });

  test('a principal changing a service without the token: 403, nothing written, no audit', async () => {
    const p = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
    const a = await loginAs(app, p.login);
    const audits = await countRows(db, 'audit_event');
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/establishments/${school.id}/services/news`,
      headers: { cookie: a.cookie },
      payload: { status: 'closed' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CSRF');
    expect(await countRows(db, 'establishment_service')).toBe(0);
    expect(await countRows(db, 'audit_event')).toBe(audits);
  });

  test('reads need no token', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const res = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: a.cookie } });
    expect(res.statusCode).toBe(200);
  });

  test('the check runs on the matched route: a percent-encoded path does not skip it', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    // The router decodes `%61` into `a`: this is POST /api/me/password.
    const res = await app.inject({
      method: 'POST',
      url: '/%61pi/me/password',
      headers: { cookie: a.cookie },
      payload: { currentPassword: PASSWORD, newPassword: NEW },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CSRF');
    expect(await passwordIsStill(u.id, PASSWORD)).toBe(true);
    // And the session is recognised there as anywhere else.
    expect((await app.inject({ method: 'GET', url: '/%61pi/me', headers: { cookie: a.cookie } })).statusCode).toBe(200);
  });
});

describe('Origin check on login and activation (no session yet)', () => {
  const loginFrom = (origin: string | undefined, l: string, host = HOST) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { host, ...(origin === undefined ? {} : { origin }) },
      payload: { login: l, password: PASSWORD },
    });

  test('a foreign Origin is 403 BAD_ORIGIN and opens no session', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    for (const origin of ['https://evil.example', `https://${HOST}.evil.example`, 'null', 'not a url']) {
      const res = await loginFrom(origin, u.login);
      expect(res.statusCode, origin).toBe(403);
      expect(res.json().code).toBe('BAD_ORIGIN');
      expect(res.cookies).toEqual([]);
    }
    expect(await db.selectFrom('session').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
  });

  test('the same host as Origin, or no Origin at all (not a browser), logs in', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    expect((await loginFrom(`https://${HOST}`, u.login)).statusCode).toBe(200);
    expect((await loginFrom('http://localhost:3000', u.login, 'localhost:3000')).statusCode).toBe(200);
    expect((await loginFrom(undefined, u.login)).statusCode).toBe(200);
  });

  test('activation from a foreign Origin is 403 BAD_ORIGIN and the account stays pending', async () => {
    const u = await makeUser(db, {
      establishmentId: school.id,
      status: 'pending_activation',
      activationCode: 'K7M2Q-9XR4T',
    });
    const activate = (origin: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/activate',
        headers: { host: HOST, origin },
        payload: { login: u.login, code: 'K7M2Q-9XR4T', password: NEW },
      });
    const res = await activate('https://evil.example');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('BAD_ORIGIN');
    const row = await db.selectFrom('app_user').select('status').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending_activation');
    expect((await activate(`https://${HOST}`)).statusCode).toBe(200);
  });

  test('PUBLIC_ORIGIN allows the configured origin when the Host differs (behind a proxy)', async () => {
    const proxied = await testApp({ publicOrigin: 'https://ent.academie.fr' });
    const est = await makeEstablishment(proxied.db);
    const u = await makeUser(proxied.db, { establishmentId: est.id });
    const send = (origin: string) =>
      proxied.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { host: '10.0.0.5:3000', origin },
        payload: { login: u.login, password: PASSWORD },
      });
    expect((await send('https://ent.academie.fr')).statusCode).toBe(200);
    expect((await send('https://evil.example')).statusCode).toBe(403);
  });

  test('in production only PUBLIC_ORIGIN is accepted: an Origin matching a forged Host is refused', async () => {
    const prod = await testApp({ production: true, publicOrigin: 'https://ent.academie.fr' });
    const est = await makeEstablishment(prod.db);
    const u = await makeUser(prod.db, { establishmentId: est.id });
    const send = (url: string, host: string, origin: string, payload: object) =>
      prod.app.inject({ method: 'POST', url, headers: { host, origin }, payload });
    for (const [url, payload] of [
      ['/api/auth/login', { login: u.login, password: PASSWORD }],
      ['/api/auth/activate', { login: u.login, code: 'K7M2Q-9XR4T', password: NEW }],
      ['/api/auth/password-check', { password: NEW }],
    ] as const) {
      const res = await send(url, 'evil.example', 'https://evil.example', payload);
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'BAD_ORIGIN', detail: expect.stringMatching(/origine/i) });
    }
    expect(await prod.db.selectFrom('session').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
    expect(
      (await send('/api/auth/login', 'evil.example', 'https://ent.academie.fr', { login: u.login, password: PASSWORD }))
        .statusCode,
    ).toBe(200);
  });

  test('a percent-encoded path does not skip the Origin check', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const res = await app.inject({
      method: 'POST',
      url: '/%61pi/auth/login',
      headers: { host: HOST, origin: 'https://evil.example' },
      payload: { login: u.login, password: PASSWORD },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('BAD_ORIGIN');
  });
});
