import { beforeAll, describe, expect, test } from 'vitest';
import { countRows, makeEstablishment, makeUser, type Profile, testApp } from '../../../test/helpers.ts';

const { app, db } = await testApp();

const CODE = 'K7M2Q-9XR4T';
const GOOD = 'été à la mer';

let school: Awaited<ReturnType<typeof makeEstablishment>>;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

let ip = 0;
/** Each test from an address of its own: the per-address counters of one test do not reach the next. */
const address = () => `10.9.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`;

const pending = (profiles: Profile[] = ['teacher']) =>
  makeUser(db, { establishmentId: school.id, profiles, status: 'pending_activation', activationCode: CODE });

const check = (payload: Record<string, unknown>, remoteAddress: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/auth/activation-check', payload, headers, remoteAddress });

const userRow = (id: string) => db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('POST /api/auth/activation-check: the code is checked before a password is asked', () => {
  test("the right code: 200 with the person's password rules, and nothing changes", async () => {
    const from = address();
    const teacher = await pending(['teacher']);
    const before = await userRow(teacher.id);
    const res = await check({ login: teacher.login, code: CODE }, from);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ valid: true, passwordPolicy: { minLength: 12, maxLength: 128 } });
    // a student-only account: the student minimum
    const student = await pending(['student']);
    expect((await check({ login: student.login, code: CODE }, from)).json().passwordPolicy.minLength).toBe(8);
    const after = await userRow(teacher.id);
    expect(after).toEqual(before);
    expect(await countRows(db, 'session')).toBe(0);
    // the code still activates
    const act = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: teacher.login, code: CODE, password: GOOD },
      remoteAddress: from,
    });
    expect(act.statusCode, act.body).toBe(200);
  });

  test('a wrong code, an unknown login, an expired code, an active account: the same 400, in French', async () => {
    const from = address();
    const u = await pending();
    const expired = await pending();
    await db
      .updateTable('app_user')
      .set({ activation_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expired.id)
      .execute();
    const active = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
    const answers = await Promise.all([
      check({ login: u.login, code: 'ABCDE-FGHJK' }, from),
      check({ login: 'personne.inconnue', code: CODE }, from),
      check({ login: expired.login, code: CODE }, from),
      check({ login: active.login, code: CODE }, from),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const { instance: _i, ...body } = res.json();
      expect(body).toEqual({
        type: 'https://preau.fr/problems/invalid-activation',
        title: 'INVALID_ACTIVATION',
        status: 400,
        code: 'INVALID_ACTIVATION',
        detail: "Identifiant ou code d'activation incorrect, ou code expiré.",
      });
    }
    // each failure is audited as a failed activation, saying where it came from
    const failures = await db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('action', '=', 'auth.activate.failure')
      .where('target_id', '=', u.id)
      .execute();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.details).toMatchObject({ via: 'activation_check', outcome: 'failure' });
  });

  test('it shares the activation throttle: five wrong codes, then even the right one waits, here and at activation', async () => {
    const from = address();
    const u = await pending();
    for (let i = 0; i < 5; i++) {
      expect((await check({ login: u.login, code: `WRONG-CODE${i}` }, from)).statusCode).toBe(400);
    }
    const sixth = await check({ login: u.login, code: 'WRONG-CODE9' }, from);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json()).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
    expect(sixth.headers['retry-after']).toBeDefined();
    // the right code is refused while the pair is blocked, at the check and at activation alike
    expect((await check({ login: u.login, code: CODE }, from)).statusCode).toBe(429);
    const act = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: u.login, code: CODE, password: GOOD },
      remoteAddress: from,
    });
    expect(act.statusCode).toBe(429);
    expect((await userRow(u.id)).status).toBe('pending_activation');
    // another address is not blocked by this one's failures
    expect((await check({ login: u.login, code: CODE }, address())).statusCode).toBe(200);
  });

  test('bad input is 400 VALIDATION worded for people; a foreign Origin is 403; nothing is written', async () => {
    const from = address();
    const audits = await countRows(db, 'audit_event');
    const res = await check({ login: '', code: 'AB' }, from);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION');
    for (const e of res.json().errors) expect(e.message).not.toMatch(/[A-Z]{2,}_|Too small|Invalid/);
    const foreign = await check({ login: 'x', code: CODE }, from, { origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('BAD_ORIGIN');
    expect(await countRows(db, 'audit_event')).toBe(audits);
  });
});
