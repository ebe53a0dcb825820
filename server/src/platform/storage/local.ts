import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BlobStorage, checkSha, Meter, type TempBlob } from './storage.ts';

/**
 * Blobs on the local disk: `<root>/blobs/ab/<sha256>`, uploads in progress in `<root>/tmp/<uuid>` on the same
 * file system, so that committing is one atomic rename. Files are flushed to disk before they are renamed.
 */
export function localStorage(root: string): BlobStorage {
  const tmpDir = join(root, 'tmp');
  const blobPath = (sha: string) => join(root, 'blobs', checkSha(sha).slice(0, 2), sha);
  const tempPath = (key: string) => {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`not a temporary key: ${key}`);
    return join(tmpDir, key);
  };
  let ready: Promise<unknown> | null = null;
  const ensureDirs = () => {
    ready ??= Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(join(root, 'blobs'), { recursive: true })]);
    return ready;
  };

  return {
    driver: 'local',

    async writeTemp(source, { maxBytes }) {
      await ensureDirs();
      const key = randomUUID();
      const path = tempPath(key);
      const meter = new Meter(maxBytes);
      try {
        await pipeline(source, meter, createWriteStream(path, { flags: 'wx', flush: true }));
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
      return { key, ...meter.result() };
    },

    async commit(temp: TempBlob) {
      const target = blobPath(temp.sha256);
      if (await exists(target)) {
        await rm(tempPath(temp.key), { force: true });
        return;
      }
      await mkdir(join(root, 'blobs', temp.sha256.slice(0, 2)), { recursive: true });
      await rename(tempPath(temp.key), target);
    },

    async discard(temp: TempBlob) {
      await rm(tempPath(temp.key), { force: true });
    },

    async read(sha256, range) {
      const path = blobPath(sha256);
      await stat(path); // a missing blob fails here, before any byte is sent
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },

    exists: async (sha256) => exists(blobPath(sha256)),

    async delete(sha256s) {
      await Promise.all(sha256s.map((sha) => rm(blobPath(sha), { force: true })));
    },

    async sweepTemp(before) {
      await ensureDirs();
      let removed = 0;
      for (const name of await readdir(tmpDir)) {
        const path = join(tmpDir, name);
        const st = await stat(path).catch(() => null);
        if (st && st.mtime < before) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
