import { beforeAll, describe, expect, test } from 'vitest';
import {
  agent,
  countRows,
  makeEstablishment,
  makeUser,
  type Profile,
  sessionCookie,
  testApp,
} from '../../../test/helpers.ts';
import { verifyPassword } from '../../platform/passwords.ts';

const { app, db } = await testApp();

const CODE = 'K7M2Q-9XR4T';
const GOOD = 'été à la mer'; // 12 code points, spaces and accents

let school: Awaited<ReturnType<typeof makeEstablishment>>;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

const pending = (profiles: Profile[] = ['teacher'], opts: { firstName?: string; lastName?: string } = {}) =>
  makeUser(db, { establishmentId: school.id, profiles, status: 'pending_activation', activationCode: CODE, ...opts });

const activate = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/auth/activate', payload, headers });

const userRow = (id: string) => db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const sessionsOf = async (userId: string) =>
  (await db.selectFrom('session').select('id').where('user_id', '=', userId).execute()).length;

/** The account is exactly as it was: still pending, no password, code kept, no session. */
async function expectUntouched(id: string, before: Awaited<ReturnType<typeof userRow>>) {
  const after = await userRow(id);
  expect(after.status).toBe(before.status);
  expect(after.password_hash).toBe(before.password_hash);
  expect(after.activation_code_hash).toBe(before.activation_code_hash);
  expect(after.email).toBe(before.email);
  expect(await sessionsOf(id)).toBe(0);
}

describe('activation', () => {
  test('works once: sets the password, activates the account and opens a session', async () => {
    const u = await pending();
    const res = await activate({ login: u.login, code: CODE, password: GOOD, email: 'camille@example.fr' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: u.id, status: 'active', email: 'camille@example.fr' });
    const row = await userRow(u.id);
    expect(row.status).toBe('active');
    expect(row.email).toBe('camille@example.fr');
    expect(row.activation_code_hash).toBeNull();
    expect(row.activation_expires_at).toBeNull();
    expect(row.password_changed_at).not.toBeNull();
    expect(await verifyPassword(row.password_hash!, GOOD)).toBe(true);

    // The session is open at once.
    const me = await agent(app, sessionCookie(res), res.json().csrfToken).get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().user.status).toBe('active');

    // The code cannot be used a second time, even with another password.
    const again = await activate({ login: u.login, code: CODE, password: 'une autre phrase de passe' });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('INVALID_ACTIVATION');
    expect(await verifyPassword((await userRow(u.id)).password_hash!, GOOD)).toBe(true);

    // And the new password logs in.
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: u.login, password: GOOD },
    });
    expect(login.statusCode).toBe(200);
    const events = await db.selectFrom('audit_event').select('action').where('target_id', '=', u.id).execute();
    expect(events.map((e) => e.action)).toContain('auth.activate');
  });

  test('the code is read the way people type it: lower case, spaces instead of the dash', async () => {
    const u = await pending();
    const res = await activate({ login: u.login.toUpperCase(), code: ' k7m2q 9xr4t ', password: GOOD });
    expect(res.statusCode).toBe(200);
  });

  test('two activations racing with the same code: exactly one succeeds', async () => {
    const u = await pending();
    const [a, b] = await Promise.all([
      activate({ login: u.login, code: CODE, password: 'première phrase longue' }),
      activate({ login: u.login, code: CODE, password: 'seconde phrase longue' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 400]);
    expect(await sessionsOf(u.id)).toBe(1);
  });

  test('a wrong code is 400 INVALID_ACTIVATION and changes nothing', async () => {
    const u = await pending();
    const before = await userRow(u.id);
    const res = await activate({ login: u.login, code: 'AAAAA-AAAAA', password: GOOD });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'INVALID_ACTIVATION' });
    await expectUntouched(u.id, before);
  });

  test('an expired code is 400 INVALID_ACTIVATION and changes nothing', async () => {
    const u = await pending();
    await db
      .updateTable('app_user')
      .set({ activation_expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', u.id)
      .execute();
    const before = await userRow(u.id);
    const res = await activate({ login: u.login, code: CODE, password: GOOD });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_ACTIVATION');
    await expectUntouched(u.id, before);
  });

  test('an already active account cannot be activated again, even with a valid code', async () => {
    const u = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'], activationCode: CODE });
    const before = await userRow(u.id);
    const res = await activate({ login: u.login, code: CODE, password: GOOD });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_ACTIVATION');
    const after = await userRow(u.id);
    expect(after.password_hash).toBe(before.password_hash);
    expect(await sessionsOf(u.id)).toBe(0);
  });

  test('an unknown login gets the same answer as a wrong code', async () => {
    const u = await pending();
    const wrong = await activate({ login: u.login, code: 'AAAAA-AAAAA', password: GOOD });
    const unknown = await activate({ login: 'personne.inconnue', code: CODE, password: GOOD });
    expect(unknown.statusCode).toBe(400);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
  });

  test('a blocked account with a code cannot activate', async () => {
    const u = await makeUser(db, {
      establishmentId: school.id,
      profiles: ['student'],
      status: 'blocked',
      activationCode: CODE,
    });
    const res = await activate({ login: u.login, code: CODE, password: GOOD });
    expect(res.statusCode).toBe(400);
    expect((await userRow(u.id)).status).toBe('blocked');
  });
});

describe('password policy at activation', () => {
  async function refused(profiles: Profile[], password: string, expected: string[], lang?: string) {
    const u = await pending(profiles);
    const before = await userRow(u.id);
    const res = await activate({ login: u.login, code: CODE, password }, lang ? { 'accept-language': lang } : {});
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body.code).toBe('PASSWORD_POLICY');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(expected.map(() => 'body.password'));
    expect(body.errors.map((e: { code: string }) => e.code)).toEqual(expected);
    // The message is a sentence for people, never the code.
    for (const e of body.errors as { message: string }[]) expect(e.message).not.toMatch(/[A-Z]{2,}_[A-Z]/);
    await expectUntouched(u.id, before);
    return { u, body };
  }

  test('an adult needs 12 characters', async () => {
    // 12 characters pass…
    const u = await pending(['teacher']);
    const res = await activate({ login: u.login, code: CODE, password: 'vent du nord' });
    expect(res.statusCode, res.body).toBe(200);
    // …11 do not, with the minimum in the message.
    const short = await refused(['teacher'], 'vent du sud', ['TOO_SHORT']);
    expect(short.body.errors[0].message).toContain('12');
  });

  test('an account without any membership yet follows the adult rule', async () => {
    await refused([], 'vert pré', ['TOO_SHORT']);
  });

  test('a student-only account needs 8 characters (config studentPasswordMinLength)', async () => {
    const u = await pending(['student']);
    const res = await activate({ login: u.login, code: CODE, password: 'vert pré' }); // 8 code points
    expect(res.statusCode, res.body).toBe(200);
    const short = await refused(['student'], 'vertpré', ['TOO_SHORT']);
    expect(short.body.errors[0].message).toContain('8');
    // The same 8 characters are too short for a teacher, or for a student who is also a guardian.
    await refused(['teacher'], 'vert pré', ['TOO_SHORT']);
    await refused(['student', 'guardian'], 'vert pré', ['TOO_SHORT']);
  });

  test('the student minimum follows the configuration', async () => {
    const other = await testApp({ studentPasswordMinLength: 10 });
    const est = await makeEstablishment(other.db);
    const u = await makeUser(other.db, {
      establishmentId: est.id,
      profiles: ['student'],
      status: 'pending_activation',
      activationCode: CODE,
    });
    const res = await other.app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: u.login, code: CODE, password: 'vert pré' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ code: 'TOO_SHORT', message: 'Au moins 10 caractères.' });
  });

  test('a common password is refused, whatever its case', async () => {
    await refused(['teacher'], 'azertyuiop123', ['COMMON']);
    await refused(['teacher'], 'AzertyUiop123', ['COMMON']);
  });

  test("a password containing the user's name or login is refused", async () => {
    await refused(['teacher'], 'camille est là en 2026', ['CONTAINS_NAME']);
    await refused(['teacher'], 'Jardin-TESTEUR-2026', ['CONTAINS_NAME']);
    // Accents do not hide the name.
    const u = await pending(['teacher'], { firstName: 'Hélène', lastName: 'Dupré' });
    const res = await activate({ login: u.login, code: CODE, password: 'helene aime le the vert' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].code).toBe('CONTAINS_NAME');
  });

  test('several problems are listed together', async () => {
    await refused(['teacher'], 'xcamille9', ['TOO_SHORT', 'CONTAINS_NAME']);
    // 'camille' alone is also on the list of common passwords.
    await refused(['teacher'], 'camille', ['TOO_SHORT', 'COMMON', 'CONTAINS_NAME']);
  });

  test('129 characters are refused, 128 accepted', async () => {
    await refused(['teacher'], 'a'.repeat(64) + 'b'.repeat(65), ['TOO_LONG']);
    const u = await pending();
    const res = await activate({ login: u.login, code: CODE, password: 'a'.repeat(64) + 'b'.repeat(64) });
    expect(res.statusCode).toBe(200);
  });

  test('a 12-character passphrase with spaces and accents is accepted', async () => {
    const u = await pending(['principal']);
    const res = await activate({ login: u.login, code: CODE, password: GOOD });
    expect(res.statusCode, res.body).toBe(200);
  });

  test('after a refused password, the code still works', async () => {
    const { u } = await refused(['teacher'], 'azertyuiop123', ['COMMON']);
    const res = await activate({ login: u.login, code: CODE, password: GOOD });
    expect(res.statusCode).toBe(200);
  });

  test('the reasons are in English with Accept-Language: en, French by default', async () => {
    const en = await refused(['teacher'], 'court', ['TOO_SHORT'], 'en');
    expect(en.body.detail).toBe('This password does not follow the rules.');
    expect(en.body.errors[0].message).toBe('At least 12 characters.');
    const fr = await refused(['teacher'], 'court', ['TOO_SHORT']);
    expect(fr.body.detail).toBe('Ce mot de passe ne respecte pas les règles.');
    expect(fr.body.errors[0].message).toBe('Au moins 12 caractères.');
  });

  test('a policy refusal creates no session and no audit event of activation', async () => {
    const sessionsBefore = await countRows(db, 'session');
    const { u } = await refused(['teacher'], 'azertyuiop123', ['COMMON']);
    expect(await countRows(db, 'session')).toBe(sessionsBefore);
    const events = await db
      .selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', u.id)
      .where('action', '=', 'auth.activate')
      .execute();
    expect(events).toEqual([]);
  });
});

describe('password-check', () => {
  test('gives the policy without storing anything', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/password-check',
      payload: { password: 'azertyuiop123' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: false, minLength: 12, maxLength: 128, problems: ['COMMON'] });
    const good = await app.inject({ method: 'POST', url: '/api/auth/password-check', payload: { password: GOOD } });
    expect(good.json()).toMatchObject({ ok: true, problems: [] });
  });

  test("a person's own rules need their valid activation code: nothing tells whether a login exists", async () => {
    const student = await pending(['student']);
    const check = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/auth/password-check', payload: { password: 'huit car', ...payload } });
    const withoutCode = await check({ login: student.login });
    const unknown = await check({ login: 'personne.inconnue' });
    const wrongCode = await check({ login: student.login, code: 'AAAAA-AAAAA' });
    expect(withoutCode.json()).toEqual(unknown.json());
    expect(wrongCode.json()).toEqual(unknown.json());
    expect(unknown.json()).toMatchObject({ minLength: 12, ok: false });
    // With the code printed on the login sheet, the student's own minimum (8) applies.
    expect((await check({ login: student.login, code: CODE })).json()).toMatchObject({ minLength: 8, ok: true });
  });

  test('telling a valid code from another goes through the activation throttle', async () => {
    const student = await pending(['student']);
    const from = '10.60.0.1';
    const check = (code: string, remoteAddress = from) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/password-check',
        payload: { login: student.login, code, password: 'huit car' },
        remoteAddress,
      });
    // The live feedback sends the same (wrong) code with every keystroke: it counts once.
    for (let i = 0; i < 10; i++) expect((await check('AAAAA-AAAAA')).json()).toMatchObject({ minLength: 12 });
    const pair = `pair:${from}|${student.login}`;
    const row = () => db.selectFrom('login_throttle').selectAll().where('key', '=', pair).executeTakeFirst();
    expect((await row())?.failures).toBe(1);
    // Each other wrong code counts: after the free allowance, the pair is blocked for activation too…
    for (let i = 1; i <= 5; i++) await check(`AAAAA-BBBB${i}`);
    expect((await row())?.failures).toBe(6);
    const before = await userRow(student.id);
    const blocked = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: student.login, code: CODE, password: GOOD },
      remoteAddress: from,
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('TOO_MANY_ATTEMPTS');
    await expectUntouched(student.id, before);
    // … and while blocked, even the valid code gets the generic answer: nothing is revealed.
    expect((await check(CODE)).json()).toMatchObject({ minLength: 12 });
    // From another address, the valid code is recognised.
    expect((await check(CODE, '10.60.0.2')).json()).toMatchObject({ minLength: 8, ok: true });
    const audited = await db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'auth.activate.failure')
      .where('target_id', '=', student.id)
      .execute();
    expect(audited).toHaveLength(6);
    expect(audited[0]!.details).toMatchObject({ via: 'password_check' });
  });
});
