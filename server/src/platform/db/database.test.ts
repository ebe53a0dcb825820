import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, urlOf } from '../../../test/helpers.ts';
import { createDatabase } from './database.ts';

describe('prepared statements', () => {
  const handles: { destroy: () => Promise<void> }[] = [];
  afterAll(() => Promise.all(handles.map((h) => h.destroy())));
  it('a data statement is prepared once per connection and reused; a long IN list is not', async () => {
    const url = urlOf(await freshDatabase());
    const db = createDatabase(url, 1);
    handles.push(db);
    for (let i = 0; i < 3; i++) await db.selectFrom('app_user').select('id').where('login', '=', `x${i}`).execute();
    const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    await db.selectFrom('app_user').select('id').where('id', 'in', ids).execute();
    const prepared = await sql<{ name: string; statement: string }>`
      SELECT name, statement FROM pg_prepared_statements`.execute(db);
    const ours = prepared.rows.filter((r) => r.name.startsWith('preau_'));
    expect(ours.filter((r) => /"login" = \$1/.test(r.statement))).toHaveLength(1);
    expect(ours.filter((r) => /\$40/.test(r.statement))).toHaveLength(0);
  });

  it('a table changed under a prepared SELECT * is read again, not an error', async () => {
    const url = urlOf(await freshDatabase());
    const db = createDatabase(url, 1);
    handles.push(db);
    await sql`CREATE TABLE t (id int PRIMARY KEY, a text)`.execute(db);
    await sql`INSERT INTO t VALUES (1, 'x')`.execute(db);
    const read = () => sql<Record<string, unknown>>`SELECT * FROM t WHERE id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, a: 'x' }]);
    await sql`ALTER TABLE t ADD COLUMN b text DEFAULT 'y'`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: 'y' }]);
  });

  it('off (DATABASE_PREPARE=0): nothing is prepared', async () => {
    const url = urlOf(await freshDatabase());
    const db = createDatabase(url, 1, { prepare: false });
    handles.push(db);
    await db.selectFrom('app_user').select('id').where('login', '=', 'x').execute();
    const prepared = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(db);
    expect(prepared.rows[0]!.n).toBe(0);
  });
});
