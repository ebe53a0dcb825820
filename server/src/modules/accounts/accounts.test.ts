import { beforeAll, describe, expect, test } from 'vitest';
import {
  agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  PASSWORD,
  sessionCookie,
  testApp,
} from '../../../test/helpers.ts';

const { app, db } = await testApp();

describe('login', () => {
  let school: Awaited<ReturnType<typeof makeEstablishment>>;
  beforeAll(async () => {
    school = await makeEstablishment(db);
  });

  test('a correct password opens a session with an HttpOnly cookie and a CSRF token', async () => {
    const u = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    expect(body.user).toMatchObject({ id: u.id, login: u.login });
    const cookie = res.cookies.find((c) => c.name.endsWith('preau_session'))!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    const me = await agent(app, sessionCookie(res), body.csrfToken).get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().memberships[0].profiles).toEqual(['teacher']);
    // The login's answer already says what GET /api/me says: the first screen needs no second request.
    expect(body.me).toEqual(me.json());
  });

  test('a wrong password and an unknown login get the same 401 problem', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: 'nope' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'nobody.here', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json()).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
  });

  test('without a session, /api/me is 401 problem+json', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  test('logins are audited, success and failure', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const before = await countRows(db, 'audit_event');
    await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.login, password: 'bad' } });
    await loginAs(app, u.login);
    const events = await db
      .selectFrom('audit_event')
      .select(['action', 'actor_id'])
      .where('target_id', '=', u.id)
      .execute();
    expect(events.map((e) => e.action).sort()).toEqual(['auth.login.failure', 'auth.login.success']);
    expect(await countRows(db, 'audit_event')).toBe(before + 2);
  });
});
