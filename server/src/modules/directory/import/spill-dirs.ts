/**
 * The temporary folders of grouped imports (`preau-import-*` in the system's `TMPDIR`, see partition.ts): each
 * holds an `owner` file naming its host and process. An import deletes its folder at its end; a killed one
 * leaves it behind, so the next import (and the server at start-up) deletes the folders left over:
 *
 * - a folder of this host whose process is gone (a process that runs, whatever it is, keeps its folder: a
 *   reused process number only delays the clean-up);
 * - a folder without an owner (made by a version before this file, or killed between making it and naming its
 *   owner) or of another host (a `TMPDIR` shared over the network) untouched for a day: a running import
 *   writes in its folder far more often than that.
 *
 * Two instances sharing a `TMPDIR`, each with its own database, thus never delete each other's running folder:
 * the import job's state in the database would not do, it only knows the imports of its own database.
 */
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export const SPILL_PREFIX = 'preau-import-';
/** A folder without a known owner, untouched for this long, is left over. */
export const ORPHAN_MS = 24 * 3_600_000;

/** Whether a process of this host runs (one that is not ours to signal runs too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A new temporary folder of this process, with its owner file. */
export async function makeSpillDir(root = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(root, SPILL_PREFIX));
  await writeFile(join(dir, 'owner'), JSON.stringify({ host: hostname(), pid: process.pid }));
  return dir;
}

/** Delete the folders left over by killed imports (see above); returns them. Never throws. */
export async function cleanStaleSpillDirs(root = tmpdir(), now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(SPILL_PREFIX)) continue;
    const dir = join(root, name);
    try {
      const st = await lstat(dir);
      if (!st.isDirectory()) continue;
      let owner: { host?: unknown; pid?: unknown } | null = null;
      try {
        owner = JSON.parse(await readFile(join(dir, 'owner'), 'utf8'));
      } catch {
        owner = null;
      }
      const pid = Number(owner?.pid);
      const stale =
        owner && owner.host === hostname() && Number.isInteger(pid) && pid > 0
          ? pid !== process.pid && !processAlive(pid)
          : now - st.mtimeMs > ORPHAN_MS;
      if (!stale) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another user's folder, or gone meanwhile: not ours to clean.
    }
  }
  return removed;
}
