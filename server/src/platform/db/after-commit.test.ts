import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { freshDatabase, makeEstablishment, urlOf } from '../../../test/helpers.ts';
import { announce, LIVE_CHANNEL } from '../../modules/timeline/timeline.repository.ts';
import { afterCommit, transactionWithHooks } from './after-commit.ts';
import type { Database } from './schema.ts';

const db = await freshDatabase();
const listener = new pg.Client({ connectionString: urlOf(db) });
listener.on('error', () => {}); // the file's database is dropped at the end
await listener.connect();
await listener.query(`LISTEN ${LIVE_CHANNEL}`);
const heard: string[] = [];
listener.on('notification', (n) => heard.push(n.payload ?? ''));
afterAll(() => listener.end());

/** Waits until the notifications sent so far have arrived (a marker sent last comes back last). */
async function drain(): Promise<string[]> {
  const marker = `marker-${Math.random()}`;
  await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${marker})`.execute(db);
  for (let i = 0; i < 200 && !heard.includes(marker); i++) await new Promise((r) => setTimeout(r, 10));
  const out = heard.splice(0).filter((p) => p !== marker);
  return out;
}

test('hooks run once the transaction has committed, on the root handle; not after a rollback', async () => {
  const seen: string[] = [];
  const r = await transactionWithHooks(db, async (trx) => {
    expect(afterCommit(trx, async (root) => void seen.push(root === db ? 'root' : 'other'))).toBe(true);
    expect(seen).toEqual([]);
    return 42;
  });
  expect(r).toBe(42);
  expect(seen).toEqual(['root']);

  await expect(
    transactionWithHooks(db, async (trx) => {
      afterCommit(trx, async () => void seen.push('rolled back'));
      throw new Error('nope');
    }),
  ).rejects.toThrow('nope');
  expect(seen).toEqual(['root']);
  // A failing hook does not fail the committed transaction: it is reported, the next hooks still run.
  const errors: unknown[] = [];
  const committed = await transactionWithHooks(
    db,
    async (trx) => {
      afterCommit(trx, async () => {
        throw new Error('listener gone');
      });
      afterCommit(trx, async () => void seen.push('after the failure'));
      return 'kept';
    },
    (e) => errors.push(e),
  );
  expect(committed).toBe('kept');
  expect(errors).toHaveLength(1);
  expect(seen).toEqual(['root', 'after the failure']);
  seen.length = 1;
  // A plain handle or another transaction has no hooks: the caller acts at once.
  expect(afterCommit(db, async () => {})).toBe(false);
  await db.transaction().execute(async (trx) => expect(afterCommit(trx, async () => {})).toBe(false));
});

test('live announcements of a transaction leave after its commit, each once; none after a rollback', async () => {
  // A handle that logs its statements: the NOTIFY must not be sent inside the transaction.
  const sent: string[] = [];
  const pool = new pg.Pool({ connectionString: urlOf(db), max: 2 });
  const logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: pool.on('error', () => {}) }),
    log: (e) => {
      sent.push(e.query.sql);
    },
  });
  afterAll(() => logged.destroy());
  await drain();
  await transactionWithHooks(logged, async (trx) => {
    await announce(trx, 'u:a');
    await announce(trx, 'u:b');
    await announce(trx, 'u:a');
    sent.push('-- end of the transaction');
  });
  expect(sent.findIndex((q) => q.includes('pg_notify'))).toBeGreaterThan(sent.indexOf('-- end of the transaction'));
  expect(sent.filter((q) => q.includes('pg_notify'))).toHaveLength(1);
  expect((await drain()).sort()).toEqual(['u:a', 'u:b']);

  sent.length = 0;
  await transactionWithHooks(logged, async (trx) => {
    await announce(trx, 'u:c');
    throw new Error('rollback');
  }).catch(() => {});
  expect(sent.filter((q) => q.includes('pg_notify'))).toEqual([]);
  expect(await drain()).toEqual([]);

  // Outside such a transaction: sent at once (inside a plain transaction, at its commit, as PostgreSQL does).
  await announce(db, 'u:d');
  expect(await drain()).toEqual(['u:d']);
});

describe('cache triggers inside such a transaction (migration 0999)', () => {
  const cacheHeard: string[] = [];
  const cacheListener = new pg.Client({ connectionString: urlOf(db) });
  cacheListener.on('error', () => {});
  cacheListener.on('notification', (n) => cacheHeard.push(n.payload ?? ''));
  afterAll(() => cacheListener.end());
  /** The `est:` announcements heard since the last call, once the ones sent so far have arrived. */
  async function drainCache(): Promise<string[]> {
    const marker = `sync:${Math.random()}`;
    await sql`SELECT pg_notify('preau_cache', ${marker})`.execute(db);
    for (let i = 0; i < 200 && !cacheHeard.includes(marker); i++) await new Promise((r) => setTimeout(r, 10));
    return cacheHeard
      .splice(0)
      .filter((p) => p.startsWith('est:'))
      .sort();
  }
  const touch = (trx: Kysely<Database>, id: string) =>
    sql`UPDATE establishment SET name = name WHERE id = ${id}`.execute(trx);
  /** The distinct `est:` announcements the transaction keeps so far. */
  const kept = async (trx: Kysely<Database>) => {
    const v = (await sql<{ v: string | null }>`SELECT current_setting('preau.cache_deferred', true) AS v`.execute(trx))
      .rows[0]?.v;
    return [...new Set((v ?? '').split('\n').filter((p) => p.startsWith('est:')))];
  };

  test('no trigger function notifies the cache channel itself any more: they all go through preau_cache_announce', async () => {
    const left = await sql<{ proname: string }>`
      SELECT proname FROM pg_proc WHERE prorettype = 'trigger'::regtype AND strpos(prosrc, 'pg_notify(''preau_cache''') > 0`.execute(
      db,
    );
    expect(left.rows).toEqual([]);
    const through = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_proc WHERE prorettype = 'trigger'::regtype AND strpos(prosrc, 'preau_cache_announce(') > 0`.execute(
      db,
    );
    expect(through.rows[0]!.n).toBeGreaterThanOrEqual(10);
  });

  test('kept in the transaction, sent once after its commit; dropped with a rollback or a rolled-back savepoint', async () => {
    await cacheListener.connect();
    await cacheListener.query('LISTEN preau_cache');
    const [a, b, c] = [await makeEstablishment(db), await makeEstablishment(db), await makeEstablishment(db)];
    await drainCache();
    const sent: string[] = [];
    const pool = new pg.Pool({ connectionString: urlOf(db), max: 2 });
    const logged = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: pool.on('error', () => {}) }),
      log: (e) => {
        sent.push(e.query.sql);
      },
    });
    try {
      await transactionWithHooks(logged, async (trx) => {
        await touch(trx, a.id);
        await touch(trx, a.id);
        expect(await kept(trx)).toEqual([`est:${a.id}`]);
        await sql`SAVEPOINT before_b`.execute(trx);
        await touch(trx, b.id);
        await sql`ROLLBACK TO SAVEPOINT before_b`.execute(trx);
        expect(await kept(trx)).toEqual([`est:${a.id}`]);
        sent.push('-- end of the transaction');
      });
    } finally {
      await logged.destroy();
    }
    const notifies = sent.map((q, i) => [q, i] as const).filter(([q]) => q.includes('pg_notify'));
    expect(notifies).toHaveLength(1);
    expect(notifies[0]![1]).toBeGreaterThan(sent.indexOf('-- end of the transaction'));
    expect(await drainCache()).toEqual([`est:${a.id}`]);

    await transactionWithHooks(db, async (trx) => {
      await touch(trx, c.id);
      throw new Error('rollback');
    }).catch(() => {});
    expect(await drainCache()).toEqual([]);

    // Any other writer notifies inside its transaction, as before (PostgreSQL delivers it at the commit).
    await db.transaction().execute(async (trx) => {
      await touch(trx, c.id);
      expect(await kept(trx)).toEqual([]);
    });
    await touch(db, b.id);
    expect(await drainCache()).toEqual([`est:${b.id}`, `est:${c.id}`].sort());
  });
});
