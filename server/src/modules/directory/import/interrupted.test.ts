/**
 * Issue 8, defect 7: an import whose process dies is not left `running` for an hour. At start-up (and every
 * minute) the jobs of dead processes are marked `interrupted`, their report says which establishments were
 * written (each is all or nothing), their stored files are deleted, and the same files import again.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ImportJob } from '@preau/contracts';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { generateAafSet } from '../../../../test/aaf-generator.ts';
import { countRows, loginAs, makeUser, testApp } from '../../../../test/helpers.ts';
import { connectionStringOf } from '../../../platform/db/database.ts';
import { uaiCheckLetter } from '../../../platform/logins.ts';
import { RUNNER, recoverInterruptedImports } from './import.jobs.ts';

const { app, db } = await testApp();
const admin = await makeUser(db, { platformAdmin: true });
const as = await loginAs(app, admin.login);
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const SERVER = resolve(import.meta.dirname, '../../../..');
const work = mkdtempSync(join(tmpdir(), 'preau-interrupted-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const counts = (students = 0) => ({
  establishments: { created: 1, updated: 0, detached: 0 },
  students: { created: students, updated: 0, detached: 0 },
  guardians: { created: 0, updated: 0, detached: 0 },
  staff: { created: 0, updated: 0, detached: 0 },
  classes: { created: 0, updated: 0, detached: 0 },
  groups: { created: 0, updated: 0, detached: 0 },
  subjects: { created: 0, updated: 0, detached: 0 },
});

async function job(id: string): Promise<ImportJob> {
  const res = await as.get(`/api/imports/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** A job row as a dead (or live) process left it, with a stored chunk. */
async function leftBehind(runner: string | null, opts: { heartbeatAgoMs?: number; written?: unknown[] } = {}) {
  const row = await db
    .insertInto('import_job')
    .values({
      requested_by: admin.id,
      kind: 'aaf',
      status: 'running',
      phase: 'writing 0930122C',
      started_at: new Date(Date.now() - 600_000),
      heartbeat_at: new Date(Date.now() - (opts.heartbeatAgoMs ?? 1000)),
      runner,
      files: JSON.stringify([
        { no: 0, name: 'ENT2D_Complet_20260901_Eleve_0001.xml', size: 3, sha256: '', kind: 'aaf' },
      ]),
      options: '{}',
      written: JSON.stringify(opts.written ?? []),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('import_file_chunk')
    .values({ job_id: row.id, file_no: 0, seq: 0, data: Buffer.from('abc') })
    .execute();
  return row.id;
}

const chunksOf = async (id: string) =>
  (await db.selectFrom('import_file_chunk').select('seq').where('job_id', '=', id).execute()).length;

describe('jobs of dead processes', () => {
  test('at start-up: this host’s dead runners and stale heartbeats are interrupted; live jobs are not', async () => {
    const dead = await leftBehind(`${hostname()}:999999`, {
      written: [{ establishmentId: crypto.randomUUID(), label: '0930122C', counts: counts(12) }],
    });
    const stale = await leftBehind('elsewhere:42', { heartbeatAgoMs: 5 * 60_000 });
    const live = await leftBehind('elsewhere:43');
    const mine = await leftBehind(RUNNER);

    // The periodic check leaves this process's own running job alone…
    const periodic = await recoverInterruptedImports(db, quiet, { startup: false });
    expect(periodic.sort()).toEqual([dead, stale].sort());
    expect((await job(mine)).status).toBe('running');
    // …the start-up check does not (a job of this pid before the restart is dead).
    expect(await recoverInterruptedImports(db, quiet, { startup: true })).toEqual([mine]);

    const d = await job(dead);
    expect(d).toMatchObject({ status: 'interrupted', phase: 'interrupted' });
    expect(d.finishedAt).not.toBeNull();
    expect(d.report!.counts.students).toEqual({ created: 12, updated: 0, detached: 0 });
    expect(d.report!.anomalies).toEqual([
      expect.objectContaining({
        code: 'INTERRUPTED',
        params: { variant: 'partly', written: 1, establishments: '0930122C' },
      }),
    ]);
    expect((await job(stale)).report!.anomalies[0]!.params).toMatchObject({ variant: 'nothing', written: 0 });
    expect((await job(live)).status).toBe('running');
    for (const id of [dead, stale, mine]) expect(await chunksOf(id)).toBe(0);
    expect(await chunksOf(live)).toBe(1);
    // Listed as interrupted too.
    const list = await as.get('/api/imports');
    expect(list.json().items.find((i: { id: string }) => i.id === dead).status).toBe('interrupted');
    await db.deleteFrom('import_job').where('id', '=', live).execute();
  });

  test('an import killed between two establishments: the first is written whole, the second not at all; run again, it completes', async () => {
    // Two establishments of one académie export; the second's row is held locked so that the import stops there.
    const dir = join(work, 'two');
    mkdirSync(dir, { recursive: true });
    const a = generateAafSet({
      students: 40,
      guardians: 60,
      staff: 6,
      structureKey: 'K1',
      uaiDigits: '0931001',
      prefix: 'A',
    });
    const b = generateAafSet({
      students: 30,
      guardians: 45,
      staff: 5,
      structureKey: 'K2',
      uaiDigits: '0931002',
      prefix: 'B',
      date: '20260902',
    });
    for (const f of [...a, ...b]) writeFileSync(join(dir, f.name), f.content);
    const academy = await db
      .insertInto('academy')
      .values({ code: 'CRETEIL', name: 'Créteil' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await db
      .insertInto('establishment')
      .values({
        academy_id: academy.id,
        uai: `0931002${uaiCheckLetter('0931002')}`,
        type: 'LYCEE',
        name: 'Ancien nom',
        slug: 'ancien-nom',
        settings: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const url = connectionStringOf(db)!;
    const lock = new pg.Client({ connectionString: url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT id FROM establishment WHERE id = $1 FOR UPDATE', [second.id]);

    const cli = () =>
      spawn(process.execPath, ['src/cli/directory-import.ts', '--json', dir], {
        cwd: SERVER,
        env: { ...process.env, DATABASE_URL: url, INIT_CWD: SERVER },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const child = cli();
    let jobId = '';
    for (let i = 0; i < 600 && !jobId; i++) {
      const row = await db
        .selectFrom('import_job')
        .select(['id', 'written'])
        .where(sql<boolean>`options @> '{"cli": true}'::jsonb`)
        .executeTakeFirst();
      if (row && (row.written as unknown[]).length === 1) jobId = row.id;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(jobId).not.toBe('');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await lock.query('ROLLBACK');
    await lock.end();

    expect((await job(jobId)).status).toBe('running');
    expect(await recoverInterruptedImports(db, quiet, { startup: false })).toEqual([jobId]);
    const interrupted = await job(jobId);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.report!.anomalies[0]).toMatchObject({
      code: 'INTERRUPTED',
      params: { variant: 'partly', written: 1, establishments: `0931001${uaiCheckLetter('0931001')}` },
    });
    expect(interrupted.report!.counts.students.created).toBe(40);
    // What the report says is what the directory holds: the first establishment whole, nothing of the second.
    const members = async (establishmentId: string) =>
      Number(
        (
          await db
            .selectFrom('membership')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('establishment_id', '=', establishmentId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const first = await db
      .selectFrom('establishment')
      .select('id')
      .where('external_id', '=', 'K1')
      .executeTakeFirstOrThrow();
    expect(await members(first.id)).toBe(40 + 60 + 6);
    expect(await members(second.id)).toBe(0);
    expect(
      (await db.selectFrom('establishment').select('name').where('id', '=', second.id).executeTakeFirstOrThrow()).name,
    ).toBe('Ancien nom');

    // Run again: the first establishment is a no-op, the second is written.
    const again = cli();
    let out = '';
    again.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    expect(await new Promise((r) => again.once('exit', r))).toBe(0);
    const done = JSON.parse(out) as ImportJob;
    expect(done.status).toBe('done');
    expect(done.report!.counts.students).toEqual({ created: 30, updated: 0, detached: 0 });
    expect(done.report!.counts.establishments).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(await members(second.id)).toBe(30 + 45 + 5);
    expect(await countRows(db, 'import_file_chunk')).toBe(0);
  }, 60_000);
});
