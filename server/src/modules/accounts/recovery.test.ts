import { describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, PASSWORD, testApp } from '../../../test/helpers.ts';

/**
 * "Mot de passe oublié": a single-use, short-lived link by e-mail, the same answer whether the address exists or not,
 * throttled; the new password follows the person's rules and ends every session.
 */
const { app, db } = await testApp();
const school = await makeEstablishment(db);

const ask = (identifier: string, ip = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/auth/recovery', payload: { identifier }, remoteAddress: ip });
const check = (token: string, ip = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/auth/recovery/check', payload: { token }, remoteAddress: ip });
const reset = (token: string, password: string, ip = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/auth/recovery/reset', payload: { token, password }, remoteAddress: ip });

async function person(email: string | null) {
  const u = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['guardian'],
    firstName: 'Nadia',
    lastName: 'Roux',
  });
  await db.updateTable('app_user').set({ email }).where('id', '=', u.id).execute();
  return u;
}

/** The link in the last mail to this person (kept in the outbox: no SMTP server in the tests). */
async function linkOf(userId: string): Promise<string> {
  const m = await db
    .selectFrom('mail_outbox')
    .select(['body', 'kind', 'quiet', 'secret'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  expect(m).toMatchObject({ kind: 'accounts.recovery', quiet: false, secret: true });
  return /#token=([A-Za-z0-9_-]+)/.exec(m.body)![1]!;
}

describe('account recovery by e-mail', () => {
  test('same answer for a known address, an unknown one and an account without e-mail; only the first gets a mail', async () => {
    const known = await person('nadia.roux@example.org');
    const noEmail = await person(null);
    const answers = await Promise.all([
      ask('NADIA.ROUX@example.org', '10.0.1.1'),
      ask('personne@example.org', '10.0.1.2'),
      ask(noEmail.login, '10.0.1.3'),
    ]);
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.body).toBe(answers[0]!.body);
    }
    const mails = await db
      .selectFrom('mail_outbox')
      .select(['user_id', 'to_address', 'body'])
      .where('kind', '=', 'accounts.recovery')
      .execute();
    expect(mails.map((m) => m.user_id)).toEqual([known.id]);
    expect(mails[0]!.to_address).toBe('nadia.roux@example.org');
    expect(mails[0]!.body).toContain(`« ${known.login} »`);
    expect(mails[0]!.body).toContain('dans les 30 minutes');
    // the token is stored only as its hash
    const token = await linkOf(known.id);
    const row = await db
      .selectFrom('password_reset')
      .select('token_hash')
      .where('user_id', '=', known.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash.toString('hex')).not.toContain(Buffer.from(token).toString('hex'));
  });

  test('the link sets a new password once; every session ends; the old password stops working', async () => {
    const u = await person('reset.me@example.org');
    const session = await loginAs(app, u.login);
    await ask(u.login, '10.0.2.1');
    const token = await linkOf(u.id);
    expect((await check(token)).json()).toEqual({ login: u.login, displayName: 'ROUX Nadia' });
    const res = await reset(token, 'une toute nouvelle phrase secrète');
    expect(res.statusCode).toBe(204);
    expect((await session.get('/api/me')).statusCode).toBe(401);
    await expect(loginAs(app, u.login)).rejects.toThrow(/401/);
    expect((await loginAs(app, u.login, 'une toute nouvelle phrase secrète')).cookie).toBeTruthy();
    const again = await reset(token, 'encore une autre phrase secrète');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_RECOVERY_LINK' });
    const trail = await db.selectFrom('audit_event').select('action').where('target_id', '=', u.id).execute();
    expect(trail.map((t) => t.action)).toEqual(
      expect.arrayContaining(['auth.recovery.request', 'auth.password.reset']),
    );
  });

  test('an expired link, a made-up one, or a password against the rules: 400 in French, nothing changed', async () => {
    const u = await person('expired@example.org');
    await ask(u.login, '10.0.3.1');
    const token = await linkOf(u.id);
    const weak = await reset(token, 'azerty', '10.0.3.2');
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({
      code: 'PASSWORD_POLICY',
      detail: 'Ce mot de passe ne respecte pas les règles.',
    });
    await db
      .updateTable('password_reset')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    const late = await reset(token, 'une toute nouvelle phrase secrète', '10.0.3.2');
    expect(late.statusCode).toBe(400);
    expect(late.json().detail).toBe(
      'Ce lien de réinitialisation est expiré, déjà utilisé ou incomplet. Demandez-en un nouveau.',
    );
    expect((await check('not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxx', '10.0.3.2')).statusCode).toBe(400);
    expect((await loginAs(app, u.login, PASSWORD)).cookie).toBeTruthy();
  });

  test('throttled: three links an hour per person at most, requests per address slowed, still the same answer', async () => {
    const u = await person('flood@example.org');
    for (let i = 0; i < 6; i++) expect((await ask(u.login, `10.0.4.${i}`)).statusCode).toBe(202);
    const sent = await db.selectFrom('mail_outbox').select('id').where('user_id', '=', u.id).execute();
    expect(sent.length).toBeLessThanOrEqual(3);
    let last = await ask(`someone${0}@example.org`, '10.0.5.1');
    for (let i = 1; i < 60 && last.statusCode === 202; i++) last = await ask(`someone${i}@example.org`, '10.0.5.1');
    expect(last.statusCode).toBe(429);
    expect(last.json().code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // another address is not slowed by it
    expect((await ask('someone@example.org', '10.0.5.2')).statusCode).toBe(202);
  });

  test('bad input: 400 with the field named, nothing written', async () => {
    const before = await countRows(db, 'password_reset');
    const res = await app.inject({ method: 'POST', url: '/api/auth/recovery', payload: { identifier: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toContain('identifier');
    expect(await countRows(db, 'password_reset')).toBe(before);
  });
});
