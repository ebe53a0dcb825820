import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { makeEstablishment, makeUser, PASSWORD, testApp } from '../../../test/helpers.ts';
import {
  ADDRESS_FREE_FAILURES,
  ADDRESS_MAX_BLOCK_S,
  addressKey,
  FREE_FAILURES,
  loginKey,
  MAX_BLOCK_S,
  pairKey,
} from '../../platform/auth/throttle.ts';

const { app, db } = await testApp();

let school: Awaited<ReturnType<typeof makeEstablishment>>;
beforeAll(async () => {
  school = await makeEstablishment(db);
});

// Each login tries from an address of its own, so that the per-address counter of one test never
// reaches its threshold because of the others.
const addresses = new Map<string, string>();
const addressOf = (l: string) => {
  const key = l.toLowerCase();
  if (!addresses.has(key)) addresses.set(key, `10.1.${Math.floor(addresses.size / 250)}.${(addresses.size % 250) + 1}`);
  return addresses.get(key)!;
};

const login = (l: string, password: string, remoteAddress = addressOf(l)) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: l, password }, remoteAddress });

const throttleRow = (key: string) =>
  db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();

/** A login's keys from its own address: the (address, login) pair and the login from anywhere. */
const keysOf = (l: string, remoteAddress = addressOf(l)) => [pairKey(remoteAddress, l), loginKey(l)];

/** Let time pass for a login's keys: their windows and their blocks move into the past together. */
const elapse = (l: string, seconds: number) =>
  db
    .updateTable('login_throttle')
    .set({
      window_started_at: sql<Date>`window_started_at - make_interval(secs => ${seconds})`,
      blocked_until: sql<Date>`blocked_until - make_interval(secs => ${seconds})`,
    })
    .where('key', 'in', keysOf(l))
    .execute();

/** Only the blocks end (the test's shortcut for "wait for Retry-After"). */
const unblock = (l: string) =>
  db
    .updateTable('login_throttle')
    .set({ blocked_until: sql<Date>`now() - interval '1 second'` })
    .where('key', 'in', keysOf(l))
    .execute();

async function failFreely(l: string, times: number, remoteAddress?: string) {
  for (let i = 0; i < times; i++) {
    const res = await login(l, 'pas le bon mot de passe', remoteAddress);
    expect(res.statusCode, `failure ${i + 1}`).toBe(401);
  }
}

function expectTooMany(res: Awaited<ReturnType<typeof login>>, seconds?: number) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body.code).toBe('TOO_MANY_ATTEMPTS');
  expect(Number(res.headers['retry-after'])).toBe(body.retryAfterSeconds);
  if (seconds !== undefined) expect(body.retryAfterSeconds).toBe(seconds);
  expect(body.detail).toContain(String(body.retryAfterSeconds));
  return body.retryAfterSeconds as number;
}

describe('login throttling', () => {
  test(`after ${FREE_FAILURES} failures the next answers 429 with Retry-After, with growing delays`, async () => {
    const u = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
    await failFreely(u.login, FREE_FAILURES);
    expectTooMany(await login(u.login, 'encore faux'), 2);

    // While blocked, even the right password is refused, before any check.
    const blocked = expectTooMany(await login(u.login, PASSWORD));
    expect(blocked).toBeGreaterThanOrEqual(1);
    expect(blocked).toBeLessThanOrEqual(2);
    expect((await throttleRow(loginKey(u.login)))?.failures).toBe(FREE_FAILURES + 1);

    // Each failure after a block doubles the delay.
    for (const expected of [4, 8, 16]) {
      await unblock(u.login);
      expectTooMany(await login(u.login, 'toujours faux'), expected);
    }
    expect((await throttleRow(loginKey(u.login)))?.failures).toBe(FREE_FAILURES + 4);
  });

  test('the login is throttled whatever its case', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    await failFreely(u.login, 3);
    await failFreely(u.login.toUpperCase(), 2);
    expectTooMany(await login(u.login.toUpperCase(), 'faux'), 2);
    expectTooMany(await login(u.login, PASSWORD));
  });

  test('the block ends: the right password then logs in and clears the counter', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    await failFreely(u.login, FREE_FAILURES);
    expectTooMany(await login(u.login, 'faux'));
    await unblock(u.login);
    expect((await login(u.login, PASSWORD)).statusCode).toBe(200);
    expect(await throttleRow(loginKey(u.login))).toBeUndefined();
    // A fresh allowance of free failures.
    await failFreely(u.login, FREE_FAILURES);
    expectTooMany(await login(u.login, 'faux'), 2);
  });

  test('a success before the limit clears the counter', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    await failFreely(u.login, FREE_FAILURES - 1);
    expect((await login(u.login, PASSWORD)).statusCode).toBe(200);
    expect(await throttleRow(loginKey(u.login))).toBeUndefined();
    await failFreely(u.login, FREE_FAILURES);
  });

  test('other users behind the same address still log in (a school behind one NAT)', async () => {
    const nat = '10.20.30.40';
    const victim = await makeUser(db, { establishmentId: school.id });
    await failFreely(victim.login, FREE_FAILURES, nat);
    expectTooMany(await login(victim.login, 'faux', nat));
    // The attacker keeps hammering the blocked account: refused before any check, not counted anywhere.
    for (let i = 0; i < 20; i++) expectTooMany(await login(victim.login, `essai ${i}`, nat));
    expect((await throttleRow(loginKey(victim.login)))?.failures).toBe(FREE_FAILURES + 1);
    expect((await throttleRow(addressKey(nat)))?.failures).toBe(FREE_FAILURES + 1);

    for (let i = 0; i < 5; i++) {
      const classmate = await makeUser(db, { establishmentId: school.id });
      expect((await login(classmate.login, PASSWORD, nat)).statusCode).toBe(200);
    }
  });

  test('an address that sprays many accounts is slowed, but never blocked for more than a minute', async () => {
    const nat = '10.99.0.1';
    // As if 300 failures on distinct logins had already come from this address in the window.
    await db
      .insertInto('login_throttle')
      .values({ key: addressKey(nat), failures: ADDRESS_FREE_FAILURES + 30 })
      .execute();
    const res = await login('someone.else', 'faux', nat);
    expectTooMany(res);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(ADDRESS_MAX_BLOCK_S);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('an unknown login is throttled like a real one (no way to tell them apart)', async () => {
    await failFreely('personne.inconnue', FREE_FAILURES);
    expectTooMany(await login('personne.inconnue', 'faux'), 2);
  });

  test('a blocked or detached account gets 403 ACCOUNT_BLOCKED, never a session', async () => {
    const u = await makeUser(db, { establishmentId: school.id, status: 'blocked' });
    const res = await login(u.login, PASSWORD);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('ACCOUNT_BLOCKED');
    expect(res.cookies.find((c) => c.name.endsWith('preau_session'))).toBeUndefined();
    const d = await makeUser(db, { establishmentId: school.id, status: 'detached' });
    expect((await login(d.login, PASSWORD)).statusCode).toBe(403);
  });

  test('a pending account has no password: its login fails like a wrong password', async () => {
    const u = await makeUser(db, { establishmentId: school.id, status: 'pending_activation' });
    const res = await login(u.login, PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('INVALID_CREDENTIALS');
  });

  test('a persistent attacker reaches the 15-minute cap and never gets free guesses again', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const key = pairKey(addressOf(u.login), u.login);
    await failFreely(u.login, FREE_FAILURES);
    let expected = 2;
    // Each guess comes exactly when the previous block ends: 2 s, 4 s, … 512 s, then 900 s, 900 s.
    for (let i = 0; i < 12; i++) {
      expectTooMany(await login(u.login, `devinette ${i}`), Math.min(expected, MAX_BLOCK_S));
      const row = await throttleRow(key);
      const wait = Math.ceil((new Date(row!.blocked_until!).getTime() - Date.now()) / 1000);
      await elapse(u.login, wait + 1);
      expected *= 2;
    }
  });

  test('after 15 quiet minutes following the end of a block, the count starts over', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const key = loginKey(u.login);
    await failFreely(u.login, FREE_FAILURES);
    expectTooMany(await login(u.login, 'faux'), 2);
    // The block ended 14 minutes ago: not yet quiet long enough.
    await elapse(u.login, 2 + 14 * 60);
    expectTooMany(await login(u.login, 'faux'), 4);
    // The block ended 16 minutes ago.
    await elapse(u.login, 4 + 16 * 60);
    await failFreely(u.login, FREE_FAILURES);
    expect((await throttleRow(key))?.failures).toBe(FREE_FAILURES);
    expectTooMany(await login(u.login, 'faux'), 2);
  });

  test('a few failures spread over more than 15 minutes never block', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const key = loginKey(u.login);
    await failFreely(u.login, FREE_FAILURES - 1);
    await elapse(u.login, 16 * 60);
    await failFreely(u.login, FREE_FAILURES);
    expect((await throttleRow(key))?.failures).toBe(FREE_FAILURES);
  });

  test('activation attempts are throttled on the same account', async () => {
    const u = await makeUser(db, {
      establishmentId: school.id,
      status: 'pending_activation',
      activationCode: 'K7M2Q-9XR4T',
    });
    const activate = (code: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/activate',
        payload: { login: u.login, code, password: 'une phrase assez longue' },
      });
    for (let i = 0; i < FREE_FAILURES; i++) expect((await activate(`AAAAA-AAAA${i}`)).statusCode).toBe(400);
    expectTooMany(await activate('AAAAA-BBBBB'), 2);
    // The right code is refused too while the account is blocked.
    expectTooMany(await activate('K7M2Q-9XR4T'));
    expect(
      (await db.selectFrom('app_user').select('status').where('id', '=', u.id).executeTakeFirstOrThrow()).status,
    ).toBe('pending_activation');
  });

  test('failures are audited with the login tried, successes too', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    await login(u.login, 'faux');
    const ev = await db
      .selectFrom('audit_event')
      .select(['action', 'actor_id', 'details', 'address'])
      .where('target_id', '=', u.id)
      .execute();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ action: 'auth.login.failure', actor_id: u.id, address: addressOf(u.login) });
    expect(ev[0]!.details).toMatchObject({ login: u.login, outcome: 'failure' });
  });

  test('an attacker elsewhere guessing at the cap does not lock the person out where they usually log in', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const home = '10.50.0.1';
    const attacker = '10.50.0.66';
    expect((await login(u.login, PASSWORD, home)).statusCode).toBe(200);
    // The attacker's free guesses, then one guess whenever the block ends, at the 15-minute cap.
    await failFreely(u.login, FREE_FAILURES, attacker);
    expectTooMany(await login(u.login, 'devinette', attacker), 2);
    await db
      .updateTable('login_throttle')
      .set({ failures: FREE_FAILURES + 20, blocked_until: sql<Date>`now() + interval '15 minutes'` })
      .where('key', 'in', [loginKey(u.login), pairKey(attacker, u.login)])
      .execute();
    expectTooMany(await login(u.login, PASSWORD, attacker), MAX_BLOCK_S);
    // From an address never used by the person: the login is blocked from everywhere (the trade-off).
    expectTooMany(await login(u.login, PASSWORD, '10.50.0.2'));
    // From home, the right password passes, and clears the login's counter from everywhere.
    expect((await login(u.login, PASSWORD, home)).statusCode).toBe(200);
    expect(await throttleRow(loginKey(u.login))).toBeUndefined();
    // The attacker's own address stays blocked.
    expectTooMany(await login(u.login, PASSWORD, attacker));
  });

  test('a wrong password from a known address while blocked counts, and the pair then blocks', async () => {
    const u = await makeUser(db, { establishmentId: school.id });
    const home = '10.51.0.1';
    expect((await login(u.login, PASSWORD, home)).statusCode).toBe(200);
    await failFreely(u.login, FREE_FAILURES, '10.51.0.66');
    expectTooMany(await login(u.login, 'faux', '10.51.0.66'));
    await failFreely(u.login, FREE_FAILURES, home);
    expectTooMany(await login(u.login, 'faux', home), 2);
    expectTooMany(await login(u.login, PASSWORD, home));
  });

  test('nobody can keep a person from activating their account by guessing codes from elsewhere', async () => {
    const u = await makeUser(db, {
      establishmentId: school.id,
      status: 'pending_activation',
      activationCode: 'K7M2Q-9XR4T',
    });
    const activate = (code: string, remoteAddress: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/activate',
        payload: { login: u.login, code, password: 'une phrase assez longue' },
        remoteAddress,
      });
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect((await activate(`AAAAA-AAAA${i}`, '10.52.0.66')).statusCode).toBe(400);
    }
    expectTooMany(await activate('AAAAA-BBBBB', '10.52.0.66'), 2);
    expect((await activate('K7M2Q-9XR4T', '10.52.0.1')).statusCode).toBe(200);
  });
});
