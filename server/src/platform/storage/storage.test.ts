import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startS3 } from '../../../test/s3.ts';
import { type BlobStorage, localStorage, StorageLimitError, s3Storage } from './index.ts';

/**
 * The storage contract, run on both drivers: the local disk, and the S3 driver against a real S3-compatible
 * server (s3rver, started here on a loopback port).
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function* chunks(parts: Buffer[]) {
  for (const p of parts) yield p;
}

async function* cutAfter(first: Buffer) {
  yield first;
  throw new Error('connection cut');
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(Buffer.from(c as Buffer));
  return Buffer.concat(out);
}

const localRoot = mkdtempSync(join(tmpdir(), 'preau-storage-'));
const s3 = await startS3();
afterAll(async () => {
  rmSync(localRoot, { recursive: true, force: true });
  await s3.stop();
});

const files = (dir: string): string[] => {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
  } catch {
    return [];
  }
};

const drivers: {
  name: string;
  storage: BlobStorage;
  temps: () => Promise<string[]>;
  blobs: () => Promise<string[]>;
}[] = [
  {
    name: 'local disk',
    storage: localStorage(localRoot),
    temps: async () => files(join(localRoot, 'tmp')),
    blobs: async () => files(join(localRoot, 'blobs')),
  },
  {
    name: 'S3 (s3rver)',
    storage: s3Storage(s3.settings),
    temps: () => s3.keys('preau/tmp/'),
    blobs: () => s3.keys('preau/blobs/'),
  },
];

describe.each(drivers)('$name', ({ storage, temps, blobs }) => {
  test('write, commit, read whole and by range; identical bytes are stored once', async () => {
    const bytes = Buffer.from(`Fiche d'exercices — ${storage.driver} ${Date.now()}\n`.repeat(300));
    const before = (await blobs()).length;
    const temp = await storage.writeTemp(chunks([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
      maxBytes: 1e6,
    });
    expect(temp).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    expect(temp.head.equals(bytes.subarray(0, 4100))).toBe(true);
    expect(await storage.exists(temp.sha256)).toBe(false);
    await storage.commit(temp);
    expect(await storage.exists(temp.sha256)).toBe(true);
    expect((await readAll(await storage.read(temp.sha256))).equals(bytes)).toBe(true);
    expect(
      (await readAll(await storage.read(temp.sha256, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20)),
    ).toBe(true);

    const again = await storage.writeTemp(chunks([bytes]), { maxBytes: 1e6 });
    await storage.commit(again);
    expect((await blobs()).length).toBe(before + 1);
    expect(await temps()).toEqual([]);
  });

  test('past the limit: StorageLimitError, nothing left behind', async () => {
    const before = await blobs();
    const big = Buffer.alloc(64 * 1024, 1);
    await expect(storage.writeTemp(chunks([big, big, big]), { maxBytes: 100_000 })).rejects.toBeInstanceOf(
      StorageLimitError,
    );
    expect(await temps()).toEqual([]);
    expect(await blobs()).toEqual(before);
  });

  test('a source that fails midway (a cut upload): the error comes back, nothing left behind', async () => {
    const before = await blobs();
    await expect(storage.writeTemp(cutAfter(Buffer.alloc(300_000, 2)), { maxBytes: 1e7 })).rejects.toThrow(
      'connection cut',
    );
    expect(await temps()).toEqual([]);
    expect(await blobs()).toEqual(before);
  });

  test('a multi-part upload (past the 8 MiB part size) streams through, then a failure after one part aborts it', async () => {
    const part = Buffer.alloc(1024 * 1024, 3);
    const parts = Array.from({ length: 10 }, (_, i) => Buffer.concat([part.subarray(1), Buffer.from([i])]));
    const temp = await storage.writeTemp(chunks(parts), { maxBytes: 50e6 });
    expect(temp.size).toBe(10 * 1024 * 1024);
    await storage.commit(temp);
    expect((await readAll(await storage.read(temp.sha256))).length).toBe(10 * 1024 * 1024);
    await storage.delete([temp.sha256]);

    async function* failing() {
      for (let i = 0; i < 10; i++) yield part;
      throw new Error('connection cut');
    }
    await expect(storage.writeTemp(failing(), { maxBytes: 50e6 })).rejects.toThrow('connection cut');
    expect(await temps()).toEqual([]);
  });

  test('discard and delete remove; missing ones are no error', async () => {
    const temp = await storage.writeTemp(chunks([Buffer.from(`discard me ${Math.random()}`)]), { maxBytes: 1000 });
    await storage.discard(temp);
    expect(await temps()).toEqual([]);
    await storage.discard(temp);

    const kept = await storage.writeTemp(chunks([Buffer.from(`delete me ${Math.random()}`)]), { maxBytes: 1000 });
    await storage.commit(kept);
    await storage.delete([kept.sha256, 'f'.repeat(64)]);
    expect(await storage.exists(kept.sha256)).toBe(false);
    await expect(storage.read(kept.sha256)).rejects.toThrow();
  });

  test('the sweep removes temporary objects left by a dead process, and only old ones', async () => {
    const left = await storage.writeTemp(chunks([Buffer.from(`left behind ${Math.random()}`)]), { maxBytes: 1000 });
    if (storage.driver === 'local') utimesSync(join(localRoot, 'tmp', left.key), new Date(0), new Date(0));
    expect(await storage.sweepTemp(new Date(Date.now() - 3_600_000 * (storage.driver === 'local' ? 1 : 1000)))).toBe(
      storage.driver === 'local' ? 1 : 0,
    );
    expect(await storage.sweepTemp(new Date(Date.now() + 60_000))).toBe(storage.driver === 'local' ? 0 : 1);
    expect(await temps()).toEqual([]);
  });

  test('keys are hashes only: a path or anything else is refused before any I/O', async () => {
    await expect(storage.read('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
    await expect(storage.exists('A'.repeat(64))).rejects.toThrow(/not a SHA-256/);
  });
});

test('local disk: memory stays flat while 200 MB stream through', async () => {
  const storage = localStorage(localRoot);
  const chunk = Buffer.alloc(256 * 1024, 5);
  let peak = 0;
  const base = process.memoryUsage().arrayBuffers;
  async function* source() {
    for (let i = 0; i < 800; i++) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      yield chunk;
    }
  }
  const temp = await storage.writeTemp(source(), { maxBytes: 300e6 });
  expect(temp.size).toBe(800 * 256 * 1024);
  await storage.discard(temp);
  expect(peak).toBeLessThan(32 * 1024 * 1024);
});
