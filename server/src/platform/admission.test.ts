import { afterEach, describe, expect, it } from 'vitest';
import { countRows, makeEstablishment, makeUser, PASSWORD, testApp } from '../../test/helpers.ts';
import { Admission } from './admission.ts';
import { AppError } from './errors.ts';
import { configurePasswordQueue, passwordQueue } from './passwords.ts';

/** A task that runs until released: lets a test hold the queue's slots. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { release, task: () => done };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('admission queue', () => {
  it('runs at most `concurrency` tasks; lanes take turns, first come first served within a lane', async () => {
    const q = new Admission({ concurrency: 1, budgetMs: 10_000, maxQueue: 100 });
    const hold = gate();
    const holding = q.run('x', hold.task);
    const order: string[] = [];
    const ran = (name: string) => async () => {
      order.push(name);
    };
    // A burst of five from one address, then one request from another.
    const all = [
      ...[1, 2, 3, 4, 5].map((i) => q.run('10.0.0.1', ran(`a${i}`))),
      q.run('10.0.0.2', ran('b1')),
      q.run('10.0.0.1', ran('a6')),
      q.run('10.0.0.3', ran('c1')),
    ];
    expect(q.queued).toBe(8);
    hold.release();
    await Promise.all([holding, ...all]);
    // b1 and c1 do not wait behind the whole burst: one turn each, in order of arrival of their lanes.
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  });

  it('no starvation: an address waiting among many busy ones is served within one turn of each', async () => {
    const q = new Admission({ concurrency: 1, budgetMs: 10_000, maxQueue: 1_000 });
    const hold = gate();
    const holding = q.run('first', hold.task);
    const served: string[] = [];
    let stop = false;
    // Twenty addresses that always have another request waiting (each completion queues the next).
    const busy = (key: string): Promise<void> =>
      q
        .run(key, async () => {
          served.push(key);
        })
        .then(() => (stop ? undefined : busy(key)));
    const loops = Array.from({ length: 20 }, (_, i) => busy(`busy-${i}`));
    await tick();
    const lonely = q.run('lonely', async () => {
      served.push('lonely');
    });
    hold.release();
    await lonely;
    stop = true;
    await Promise.all([holding, ...loops]);
    expect(served.indexOf('lonely')).toBeGreaterThanOrEqual(0);
    expect(served.indexOf('lonely')).toBeLessThanOrEqual(20);
  });

  it('a task that cannot start within its budget is refused at its deadline with 503 SERVER_BUSY and a retry delay', async () => {
    const q = new Admission({ concurrency: 1, budgetMs: 80, maxQueue: 100 });
    const hold = gate();
    const holding = q.run('x', hold.task);
    const t = performance.now();
    const refused = await q.run('y', async () => 'never').catch((e: unknown) => e);
    const waited = performance.now() - t;
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, messageKey: 'SERVER_BUSY' });
    expect((refused as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(waited).toBeGreaterThanOrEqual(70);
    expect(waited).toBeLessThan(1_000);
    expect(q.queued).toBe(0);
    hold.release();
    await holding;
    // The slot is free again: the next one runs.
    expect(await q.run('y', async () => 'ran')).toBe('ran');
  });

  it('refuses at once when the queue is full, or when the wait would exceed the budget', async () => {
    const q = new Admission({ concurrency: 1, budgetMs: 10_000, maxQueue: 2 });
    const hold = gate();
    const holding = q.run('x', hold.task);
    const waiting = [q.run('a', async () => 1), q.run('b', async () => 2)];
    const t = performance.now();
    await expect(q.run('c', async () => 3)).rejects.toMatchObject({ status: 503, messageKey: 'SERVER_BUSY' });
    expect(performance.now() - t).toBeLessThan(50);
    hold.release();
    expect(await Promise.all(waiting)).toEqual([1, 2]);
    await holding;

    // Tasks of ~30 ms each and a 50 ms budget: the third in line would wait ~60 ms, refused without waiting.
    const slow = new Admission({ concurrency: 1, budgetMs: 50, maxQueue: 100 });
    for (let i = 0; i < 20; i++) await slow.run('w', () => new Promise((r) => setTimeout(r, 30)));
    const busy = gate();
    const running = slow.run('x', busy.task);
    const queued = slow.run('a', async () => 'a').catch(() => 'refused');
    const t2 = performance.now();
    await expect(slow.run('b', async () => 'b')).rejects.toMatchObject({ status: 503 });
    expect(performance.now() - t2).toBeLessThan(20);
    busy.release();
    await running;
    await queued;
  });
});

describe('login admission', () => {
  afterEach(() => configurePasswordQueue({ concurrency: 1, budgetMs: 8_000 }));

  it('a login that cannot get its turn in time answers 503 problem+json with Retry-After, in French, and writes nothing', async () => {
    const { app, db } = await testApp();
    const est = await makeEstablishment(db);
    const user = await makeUser(db, { establishmentId: est.id, profiles: ['teacher'] });
    configurePasswordQueue({ concurrency: 1, budgetMs: 100 });
    const hold = gate();
    const holding = passwordQueue.run('someone else', hold.task); // the only slot is taken
    const sessionsBefore = await countRows(db, 'session');
    const t = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: user.login, password: PASSWORD },
    });
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const body = res.json();
    expect(body).toMatchObject({ status: 503, code: 'SERVER_BUSY' });
    expect(body.detail).toMatch(/^Beaucoup de connexions en ce moment : réessayez dans \d+ s\.$/);
    expect(body.retryAfterSeconds).toBe(Number(res.headers['retry-after']));
    // Not a failed attempt: no session, no throttle row, no audit of a failure.
    expect(await countRows(db, 'session')).toBe(sessionsBefore);
    expect(await countRows(db, 'login_throttle')).toBe(0);
    const failures = await db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'auth.login.failure')
      .execute();
    expect(failures).toHaveLength(0);

    hold.release();
    await holding;
    const again = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: user.login, password: PASSWORD },
    });
    expect(again.statusCode).toBe(200);
  });

  it('in English with Accept-Language: en', async () => {
    const { app, db } = await testApp();
    const user = await makeUser(db);
    configurePasswordQueue({ concurrency: 1, budgetMs: 50 });
    const hold = gate();
    const holding = passwordQueue.run('someone else', hold.task);
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'accept-language': 'en' },
      payload: { login: user.login, password: PASSWORD },
    });
    hold.release();
    await holding;
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toMatch(/^Many people are logging in right now: try again in \d+ s\.$/);
  });

  it('a queued login within its budget waits its turn and succeeds', async () => {
    const { app, db } = await testApp();
    const user = await makeUser(db);
    configurePasswordQueue({ concurrency: 1, budgetMs: 5_000 });
    const hold = gate();
    const holding = passwordQueue.run('someone else', hold.task);
    const pending = app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: user.login, password: PASSWORD },
    });
    await expect.poll(() => passwordQueue.queued, { timeout: 5_000 }).toBe(1);
    hold.release();
    await holding;
    expect((await pending).statusCode).toBe(200);
  });
});
