import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  agent,
  loginAs,
  makeEstablishment,
  makeUser,
  PASSWORD,
  sessionCookie,
  testApp,
} from '../../../test/helpers.ts';
import { verifyPassword } from '../../platform/passwords.ts';

const { app, db } = await testApp();

let school: Awaited<ReturnType<typeof makeEstablishment>>;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

const newUser = () => makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
const sessionIdOf = async (a: Agent) =>
  (await a.get('/api/me/sessions')).json().sessions.find((s: { current: boolean }) => s.current).id as string;
const tokenOf = (a: Agent) => a.cookie.split('=').slice(1).join('=');
const sessionRows = (userId: string) => db.selectFrom('session').selectAll().where('user_id', '=', userId).execute();

/** The Set-Cookie that removes the session cookie from the browser. */
function clearsCookie(res: { cookies: { name: string; value: string; expires?: Date }[] }) {
  const c = res.cookies.find((x) => x.name.endsWith('preau_session'));
  return !!c && c.value === '' && !!c.expires && c.expires.getTime() <= Date.now();
}

describe('sessions', () => {
  test('each login gets a new token and CSRF token; the database keeps only the token hash', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    expect(tokenOf(a)).not.toBe(tokenOf(b));
    expect(a.csrfToken).not.toBe(b.csrfToken);
    const rows = await sessionRows(u.id);
    expect(rows).toHaveLength(2);
    for (const agentOf of [a, b]) {
      const token = tokenOf(agentOf);
      expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
      const row = rows.find((r) => r.token_hash.equals(createHash('sha256').update(token).digest()));
      expect(row, 'a row holds the SHA-256 of the cookie').toBeDefined();
      expect(row!.token_hash.equals(Buffer.from(token))).toBe(false);
      expect(row!.token_hash.toString('utf8')).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain(token);
    }
  });

  test('GET /api/me/sessions lists my sessions, the current one flagged, and no one else’s', async () => {
    const u = await newUser();
    const other = await newUser();
    await loginAs(app, other.login);
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const res = await a.get('/api/me/sessions', { 'user-agent': 'ignored here' });
    expect(res.statusCode).toBe(200);
    const list = res.json().sessions as { id: string; current: boolean; rememberMe: boolean; expiresAt: string }[];
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const ids = (await sessionRows(u.id)).map((r) => r.id).sort();
    expect(list.map((s) => s.id).sort()).toEqual(ids);
    expect(await sessionIdOf(a)).not.toBe(await sessionIdOf(b));
    // Expiry shown is the earlier of idle and absolute: 120 minutes of idleness by default.
    const exp = new Date(list[0]!.expiresAt).getTime() - Date.now();
    expect(exp).toBeGreaterThan(110 * 60_000);
    expect(exp).toBeLessThanOrEqual(120 * 60_000);
  });

  test('DELETE /api/me/sessions/:id revokes another of my sessions: its cookie then gets 401', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const bId = await sessionIdOf(b);
    const res = await a.delete(`/api/me/sessions/${bId}`);
    expect(res.statusCode).toBe(204);
    expect((await b.get('/api/me')).statusCode).toBe(401);
    expect((await a.get('/api/me')).statusCode).toBe(200);
    const ev = await db.selectFrom('audit_event').select('action').where('target_id', '=', bId).execute();
    expect(ev.map((e) => e.action)).toEqual(['auth.session.revoke']);
  });

  test("someone else's session id is 404 and that session lives on", async () => {
    const u = await newUser();
    const other = await newUser();
    const a = await loginAs(app, u.login);
    const o = await loginAs(app, other.login);
    const res = await a.delete(`/api/me/sessions/${await sessionIdOf(o)}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    expect((await o.get('/api/me')).statusCode).toBe(200);
    expect((await a.delete('/api/me/sessions/not-a-uuid')).statusCode).toBe(400);
  });

  test('DELETE /api/me/sessions?others=true ends every other session and keeps the current one', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const c = await loginAs(app, u.login);
    const res = await a.delete('/api/me/sessions?others=true');
    expect(res.statusCode).toBe(204);
    expect(clearsCookie(res)).toBe(false);
    expect((await a.get('/api/me')).statusCode).toBe(200);
    expect((await b.get('/api/me')).statusCode).toBe(401);
    expect((await c.get('/api/me')).statusCode).toBe(401);
    expect(await sessionRows(u.id)).toHaveLength(1);
  });

  test('DELETE /api/me/sessions ends them all, this one too, and clears the cookie', async () => {
    const u = await newUser();
    const other = await newUser();
    const o = await loginAs(app, other.login);
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const res = await a.delete('/api/me/sessions');
    expect(res.statusCode).toBe(204);
    expect(clearsCookie(res)).toBe(true);
    expect((await a.get('/api/me')).statusCode).toBe(401);
    expect((await b.get('/api/me')).statusCode).toBe(401);
    expect((await o.get('/api/me')).statusCode).toBe(200);
    expect((await a.delete('/api/me/sessions?others=yes')).statusCode).toBe(401);
    const c = await loginAs(app, u.login);
    expect((await c.delete('/api/me/sessions?others=false')).statusCode).toBe(400);
  });

  test('logout deletes the session and clears the cookie; the cookie then gets 401', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const res = await a.post('/api/auth/logout');
    expect(res.statusCode).toBe(204);
    expect(clearsCookie(res)).toBe(true);
    const me = await a.get('/api/me');
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('UNAUTHENTICATED');
    expect(await sessionRows(u.id)).toHaveLength(1);
    expect((await b.get('/api/me')).statusCode).toBe(200);
    expect((await a.post('/api/auth/logout')).statusCode).toBe(401);
  });

  test('an unknown or forged cookie is 401 and is cleared', async () => {
    const forged = agent(app, 'preau_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x');
    const res = await forged.get('/api/me');
    expect(res.statusCode).toBe(401);
    expect(clearsCookie(res)).toBe(true);
    expect((await agent(app, `preau_session=${'A'.repeat(500)}`, 'x').get('/api/me')).statusCode).toBe(401);
  });

  test('idle timeout: a session idle past idle_expires_at is 401', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    await db
      .updateTable('session')
      .set({ idle_expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    const res = await a.get('/api/me');
    expect(res.statusCode).toBe(401);
    expect(clearsCookie(res)).toBe(true);
    expect((await a.get('/api/me/sessions')).statusCode).toBe(401);
  });

  test('absolute timeout: past expires_at the session is 401 even when recently active', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    await db
      .updateTable('session')
      .set({ expires_at: new Date(Date.now() - 1000), idle_expires_at: new Date(Date.now() + 3_600_000) })
      .where('user_id', '=', u.id)
      .execute();
    expect((await a.get('/api/me')).statusCode).toBe(401);
  });

  test('activity pushes the idle expiry forward, never past the absolute expiry', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const expiresAt = new Date(Date.now() + 8 * 3_600_000);
    await db
      .updateTable('session')
      .set({
        last_seen_at: new Date(Date.now() - 5 * 60_000),
        idle_expires_at: new Date(Date.now() + 60_000),
        expires_at: expiresAt,
      })
      .where('user_id', '=', u.id)
      .execute();
    expect((await a.get('/api/me')).statusCode).toBe(200);
    let [row] = await sessionRows(u.id);
    const idle = new Date(row!.idle_expires_at).getTime() - Date.now();
    expect(idle).toBeGreaterThan(115 * 60_000);
    expect(idle).toBeLessThanOrEqual(120 * 60_000);
    expect(new Date(row!.last_seen_at).getTime()).toBeGreaterThan(Date.now() - 10_000);

    // Close to the absolute end, the idle expiry stops at it.
    const soon = new Date(Date.now() + 10 * 60_000);
    await db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 5 * 60_000), expires_at: soon })
      .where('user_id', '=', u.id)
      .execute();
    expect((await a.get('/api/me')).statusCode).toBe(200);
    [row] = await sessionRows(u.id);
    expect(new Date(row!.idle_expires_at).getTime()).toBe(soon.getTime());
  });

  test('a session of an account that gets blocked stops working at once', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    await db.updateTable('app_user').set({ status: 'blocked' }).where('id', '=', u.id).execute();
    expect((await a.get('/api/me')).statusCode).toBe(401);
  });

  test('"remember me" sets a persistent cookie for 30 days; otherwise a browser-session cookie', async () => {
    const u = await newUser();
    const remembered = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: PASSWORD, rememberMe: true },
    });
    const c = remembered.cookies.find((x) => x.name === 'preau_session')!;
    const days = (c.expires!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const list = (
      await agent(app, sessionCookie(remembered), remembered.json().csrfToken).get('/api/me/sessions')
    ).json();
    expect(list.sessions[0].rememberMe).toBe(true);

    const plain = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: PASSWORD },
    });
    const p = plain.cookies.find((x) => x.name === 'preau_session')!;
    expect(p.expires).toBeUndefined();
    expect(p.maxAge).toBeUndefined();
    expect(p.secure).toBeFalsy();
  });

  test('with secure cookies, the cookie is __Host-preau_session, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const secure = await testApp({ secureCookies: true });
    const est = await makeEstablishment(secure.db);
    const u = await makeUser(secure.db, { establishmentId: est.id });
    const res = await secure.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: PASSWORD },
    });
    const c = res.cookies.find((x) => x.name === '__Host-preau_session')!;
    expect(c).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(c.domain).toBeUndefined();
    const me = await agent(secure.app, sessionCookie(res), res.json().csrfToken).get('/api/me');
    expect(me.statusCode).toBe(200);
    // The plain name is not read when cookies are secure.
    expect((await agent(secure.app, `preau_session=${c.value}`, 'x').get('/api/me')).statusCode).toBe(401);
  });
});

describe('password change', () => {
  const NEW = 'une toute nouvelle phrase';

  test('ends every other session, keeps this one, and the new password is the one that works', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const res = await a.post('/api/me/password', { currentPassword: PASSWORD, newPassword: NEW });
    expect(res.statusCode).toBe(204);
    expect((await a.get('/api/me')).statusCode).toBe(200);
    expect((await b.get('/api/me')).statusCode).toBe(401);
    const row = await db.selectFrom('app_user').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash!, NEW)).toBe(true);
    expect(row.password_changed_at).not.toBeNull();
    const old = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: PASSWORD },
    });
    expect(old.statusCode).toBe(401);
    expect((await loginAs(app, u.login, NEW)).cookie).toBeTruthy();
    const ev = await db.selectFrom('audit_event').select('action').where('target_id', '=', u.id).execute();
    expect(ev.map((e) => e.action)).toContain('auth.password.change');
  });

  test('a wrong current password is 400 WRONG_PASSWORD and changes nothing', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const before = await db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    const res = await a.post('/api/me/password', { currentPassword: 'pas le bon', newPassword: NEW });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(res.json().errors[0]).toEqual({
      path: 'body.currentPassword',
      code: 'WRONG_PASSWORD',
      message: 'Le mot de passe actuel est incorrect.',
    });
    const after = await db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(before.password_hash);
    expect((await b.get('/api/me')).statusCode).toBe(200);
  });

  test('the new password follows the policy (errors on body.newPassword), and nothing changes', async () => {
    const u = await newUser();
    const a = await loginAs(app, u.login);
    const b = await loginAs(app, u.login);
    const res = await a.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'azertyuiop123' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('PASSWORD_POLICY');
    expect(res.json().errors).toEqual([
      {
        path: 'body.newPassword',
        code: 'COMMON',
        message: 'Ce mot de passe est trop courant : choisissez-en un autre.',
      },
    ]);
    expect((await b.get('/api/me')).statusCode).toBe(200);
    expect((await loginAs(app, u.login)).cookie).toBeTruthy();
  });

  test('without a session it is 401', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/me/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('PATCH /api/me', () => {
  test('sets and removes one’s own e-mail, audited; a bad e-mail changes nothing', async () => {
    const school = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const set = await a.patch('/api/me', { email: 'camille@example.org' });
    expect(set.statusCode).toBe(200);
    expect(set.json().user.email).toBe('camille@example.org');
    for (const body of [{ email: 'pas-un-email' }, { email: 'a@b.fr', login: 'x' }, {}]) {
      const bad = await a.patch('/api/me', body);
      expect(bad.statusCode).toBe(400);
    }
    expect(
      (await db.selectFrom('app_user').select('email').where('id', '=', u.id).executeTakeFirstOrThrow()).email,
    ).toBe('camille@example.org');
    expect((await a.patch('/api/me', { email: null })).json().user.email).toBeNull();
    const events = await db
      .selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', u.id)
      .where('action', '=', 'account.email.update')
      .execute();
    expect(events).toHaveLength(2);
    expect((await app.inject({ method: 'PATCH', url: '/api/me', payload: { email: null } })).statusCode).toBe(401);
  });
});

describe("changing one's password", () => {
  test('wrong current passwords are throttled like failed logins (a stolen session is no password oracle)', async () => {
    const school = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: school.id });
    const a = await loginAs(app, u.login);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await a.post('/api/me/password', { currentPassword: `faux ${i}`, newPassword: 'une toute nouvelle phrase' }))
          .statusCode,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const hash = (
      await db.selectFrom('app_user').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow()
    ).password_hash;
    expect(hash).not.toBeNull();
    // The right password is refused too while blocked: the block is on the login.
    expect(
      (await a.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'une toute nouvelle phrase' }))
        .statusCode,
    ).toBe(429);
  });
});
