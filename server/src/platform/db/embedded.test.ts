import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { chooseDataDir, describeDataDir, fallbackCandidates } from './data-dir.ts';
import { type EmbeddedHandle, startEmbeddedPostgres } from './embedded.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/embedded-holder.ts');
const TIMEOUT = 120_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const postmasterPid = (dir: string) => Number.parseInt(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8'), 10);

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** A child node process holding the cluster of `dir`; resolves once the cluster is up. */
function startHolder(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [FIXTURE, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /READY (\S+)\n/.exec(out);
      if (ready) ok({ child, url: ready[1]! });
      else if (/FAILED/.test(out)) fail(new Error(out));
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => fail(new Error(`holder exited (${code}): ${out}${err}`)));
  });
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

// Whatever happens in a test, no cluster, child or folder is left behind.
const children: ChildProcess[] = [];
const handles: EmbeddedHandle[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop().catch(() => {});
  for (const c of children.splice(0)) await kill(c, 'SIGKILL');
  for (const dir of dirs.splice(0)) {
    if (existsSync(join(dir, 'pg', 'postmaster.pid'))) {
      const pid = postmasterPid(dir);
      if (alive(pid)) {
        process.kill(pid, 'SIGINT');
        await waitUntil(() => !alive(pid), 30_000, 'the postmaster to stop').catch(() => process.kill(pid, 'SIGKILL'));
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}, TIMEOUT);

async function tempDataDir() {
  const dir = await mkdtemp(join(tmpdir(), 'preau-embedded-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres`, who must reach the folder
  dirs.push(dir);
  return dir;
}

describe('embedded PostgreSQL', () => {
  test(
    'a postmaster orphaned by a killed Préau is stopped, and the cluster starts again with its data',
    async () => {
      const dir = await tempDataDir();
      const { child, url } = await startHolder(dir);
      await query(url, 'CREATE TABLE survivor (note text); INSERT INTO survivor VALUES ($$still here$$)');
      const orphan = postmasterPid(dir);
      expect(readFileSync(join(dir, 'preau.lock'), 'utf8')).toBe(String(child.pid));

      await kill(child, 'SIGKILL');
      // The holder is gone, its PostgreSQL is not: an orphan still owning the data folder.
      expect(alive(orphan)).toBe(true);

      const logs: string[] = [];
      const handle = await startEmbeddedPostgres({ dataDir: dir, port: 0, log: (m) => logs.push(m) });
      handles.push(handle);
      expect(alive(orphan)).toBe(false);
      expect(logs).toContain(`Found the embedded PostgreSQL (pid ${orphan}) left by a previous run: stopping it.`);
      expect(postmasterPid(dir)).not.toBe(orphan);
      expect(readFileSync(join(dir, 'preau.lock'), 'utf8')).toBe(String(process.pid));

      expect(await query(handle.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await query(handle.url, 'SELECT note FROM survivor')).toEqual([{ note: 'still here' }]);

      const pid = postmasterPid(dir);
      await handle.stop();
      handles.splice(0);
      expect(alive(pid)).toBe(false);
      expect(existsSync(join(dir, 'preau.lock'))).toBe(false);
      expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(true); // persistent: the data stays
    },
    TIMEOUT,
  );

  test(
    'a second start while a live Préau holds the folder fails clearly and leaves the holder alone',
    async () => {
      const dir = await tempDataDir();
      const { child, url } = await startHolder(dir);
      const postmaster = postmasterPid(dir);

      await expect(startEmbeddedPostgres({ dataDir: dir, port: 0 })).rejects.toThrow(
        `Another Préau process (pid ${child.pid}) is already using ${dir}`,
      );

      // The holder's cluster is untouched and still answers.
      expect(alive(postmaster)).toBe(true);
      expect(postmasterPid(dir)).toBe(postmaster);
      expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(readFileSync(join(dir, 'preau.lock'), 'utf8')).toBe(String(child.pid));
    },
    TIMEOUT,
  );

  test(
    'a stale lock (its process is gone) and no cluster yet: the start proceeds',
    async () => {
      const dir = await tempDataDir();
      writeFileSync(join(dir, 'preau.lock'), '999999999');
      const handle = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
      handles.push(handle);
      expect(await query(handle.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    },
    TIMEOUT,
  );
});

describe('the data folder when run as root (the postgres system user must reach it)', () => {
  const root = process.getuid?.() === 0;

  /** A checkout the `postgres` user cannot reach, like a clone under /root (mode 700). */
  async function privateCheckout() {
    const home = await mkdtemp(join(tmpdir(), 'preau-home-'));
    dirs.push(home);
    await chmod(home, 0o700);
    return join(home, 'preau', 'data');
  }

  test(
    'the default folder out of reach: a reachable one is chosen, said, and the cluster starts there',
    async () => {
      const defaultDir = await privateCheckout();
      const fallbackRoot = await tempDataDir();
      const candidate = join(fallbackRoot, 'var-lib-preau', 'home-preau');
      const choice = chooseDataDir({ dataDir: defaultDir, explicit: false, candidates: [candidate] });
      if (!root) {
        // Not root: PostgreSQL runs as ourselves, who can reach our own folders: nothing to change.
        expect(choice).toEqual({ dir: defaultDir });
        return;
      }
      expect(choice).toEqual({ dir: candidate, replaced: defaultDir, temporary: true });
      const lines = describeDataDir(choice);
      expect(lines.join('\n')).toContain(`The default data folder ${defaultDir} cannot be reached by the 'postgres'`);
      expect(lines.join('\n')).toContain(`Using ${candidate} instead`);
      expect(lines.at(-1)).toBe(`Data folder: ${candidate}`);

      const handle = await startEmbeddedPostgres({ dataDir: choice.dir, port: 0 });
      handles.push(handle);
      expect(await query(handle.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(existsSync(join(candidate, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(defaultDir)).toBe(false); // nothing written where it could not work

      // The choice is stable: the next start (and the directory:import command) finds the same folder.
      expect(chooseDataDir({ dataDir: defaultDir, explicit: false, candidates: [candidate] }).dir).toBe(candidate);
    },
    TIMEOUT,
  );

  test(
    'an explicit DATA_DIR out of reach is kept, and the start fails with a message naming it',
    async () => {
      const explicitDir = await privateCheckout();
      const choice = chooseDataDir({ dataDir: explicitDir, explicit: true, candidates: ['/nowhere/never'] });
      expect(choice).toEqual({ dir: explicitDir });
      if (!root) return; // not root: the folder is ours, nothing to refuse
      await expect(startEmbeddedPostgres({ dataDir: explicitDir, port: 0 })).rejects.toThrow(
        `The data folder ${explicitDir} is not reachable by the 'postgres' system user`,
      );
    },
    TIMEOUT,
  );

  test('no reachable fallback: the default is kept (its start then fails clearly)', () => {
    const choice = chooseDataDir({
      dataDir: '/root/preau/data',
      explicit: false,
      reachable: () => false,
      candidates: ['/dev/null/preau'], // cannot be created
    });
    expect(choice).toEqual({ dir: '/root/preau/data' });
  });

  test('the default fallbacks: /var/lib/preau first, then the temp folder, named after the checkout', () => {
    expect(fallbackCandidates('/root/preau/data')).toEqual([
      '/var/lib/preau/root-preau',
      join(tmpdir(), 'preau-data-root-preau'),
    ]);
  });
});
