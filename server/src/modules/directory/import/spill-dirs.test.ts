/**
 * The temporary folders a killed grouped import leaves behind (spill-dirs.ts): the next import deletes those of
 * dead processes and the ownerless ones untouched for a day, never a running import's (another instance's too).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { dropFirstPass, firstPass } from './partition.ts';
import { memorySource } from './sources.ts';
import { cleanStaleSpillDirs, makeSpillDir, ORPHAN_MS } from './spill-dirs.ts';

const roots: string[] = [];
const savedTmp = process.env.TMPDIR;
afterEach(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

async function root(): Promise<string> {
  const r = await mkdtemp(join(tmpdir(), 'spill-test-'));
  roots.push(r);
  return r;
}

/** A process number that was this host's and no longer runs. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (!pid) throw new Error('no process spawned');
  return pid;
}

async function folder(r: string, name: string, owner: object | null, ageMs = 0): Promise<string> {
  const dir = join(r, name);
  await mkdir(dir);
  await writeFile(join(dir, 'people'), 'x');
  if (owner) await writeFile(join(dir, 'owner'), JSON.stringify(owner));
  const t = (Date.now() - ageMs) / 1000;
  await utimes(dir, t, t);
  return dir;
}

const DAY = 24 * 3_600_000;

describe('temporary folders of killed imports', () => {
  test('those of dead processes and the ownerless ones older than a day go; the others stay', async () => {
    const r = await root();
    const host = hostname();
    const dead = await folder(r, 'preau-import-dead', { host, pid: deadPid() });
    const running = await folder(r, 'preau-import-running', { host, pid: process.ppid }, 2 * DAY);
    const mine = await folder(r, 'preau-import-mine', { host, pid: process.pid }, 2 * DAY);
    const farOld = await folder(r, 'preau-import-far-old', { host: `not-${host}`, pid: deadPid() }, 2 * DAY);
    const farNew = await folder(r, 'preau-import-far-new', { host: `not-${host}`, pid: deadPid() }, DAY / 2);
    const ownerlessOld = await folder(r, 'preau-import-legacy-old', null, ORPHAN_MS + 60_000);
    const ownerlessNew = await folder(r, 'preau-import-legacy-new', null, ORPHAN_MS - 60_000);
    const garbled = await folder(r, 'preau-import-garbled', null);
    await writeFile(join(garbled, 'owner'), '{not json');
    const other = await folder(r, 'other-dead', { host, pid: deadPid() }, 2 * DAY);
    await writeFile(join(r, 'preau-import-file'), 'not a folder');

    const removed = await cleanStaleSpillDirs(r);
    expect(removed.sort()).toEqual([dead, farOld, ownerlessOld].sort());
    for (const d of removed) expect(existsSync(d)).toBe(false);
    for (const d of [running, mine, farNew, ownerlessNew, garbled, other, join(r, 'preau-import-file')])
      expect(existsSync(d), d).toBe(true);
    // Nothing more to clean the second time.
    expect(await cleanStaleSpillDirs(r)).toEqual([]);
    expect(await cleanStaleSpillDirs(join(r, 'missing'))).toEqual([]);
  });

  test('a new folder names its owner; the next import cleans before it spills', async () => {
    const r = await root();
    const made = await makeSpillDir(r);
    expect(JSON.parse(await readFile(join(made, 'owner'), 'utf8'))).toEqual({ host: hostname(), pid: process.pid });
    const dead = await folder(r, 'preau-import-killed', { host: hostname(), pid: deadPid() });
    process.env.TMPDIR = r;
    const pass = await firstPass(
      [
        memorySource(
          'ENT2D_Complet_20260901_Eleve_0001.xml',
          '<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n</ficAlimMENESR>\n',
        ),
      ],
      () => {},
    );
    try {
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(made)).toBe(true);
      expect(pass.dir.startsWith(join(r, 'preau-import-'))).toBe(true);
      expect(existsSync(join(pass.dir, 'owner'))).toBe(true);
    } finally {
      await dropFirstPass(pass);
    }
    expect(existsSync(pass.dir)).toBe(false);
  });
});
