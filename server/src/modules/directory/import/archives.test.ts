/**
 * Issue 9: the AAF set as académies deliver it — dozens of split files, or one `.zip` / `.tar.gz` of them — in one
 * upload. Every limit that refuses an upload names itself (its own code, the limit in the French detail), and a
 * refused upload stores nothing.
 */
import type { ImportJob } from '@preau/contracts';
import { describe, expect, test } from 'vitest';
import { generateAafSet } from '../../../../test/aaf-generator.ts';
import { type ArchiveEntryIn, tarGz, zip } from '../../../../test/archives.ts';
import { countRows, loginAs, makeUser, testApp } from '../../../../test/helpers.ts';
import { importFiles, type UploadFile, upload, zero } from '../../../../test/imports.ts';
import { AppError } from '../../../platform/errors.ts';
import { expandArchive, UPLOAD_LIMITS } from './uploads.ts';

const { app, db } = await testApp();
const admin = await makeUser(db, { platformAdmin: true });
const as = await loginAs(app, admin.login);

/** Six establishments of one académie export: 48 files in numbered parts. */
function academy(): UploadFile[] {
  return Array.from({ length: 6 }, (_, i) =>
    generateAafSet({
      students: 30 + i,
      guardians: 50,
      staff: 5,
      structureKey: `S${i}`,
      uaiDigits: `093100${i}`,
      prefix: `P${i}`,
      date: `2026090${i + 1}`,
    }),
  ).flatMap((set) => set.map((f) => ({ name: f.name, content: f.content })));
}

async function nothingStored(jobsBefore: number) {
  expect(await countRows(db, 'import_job')).toBe(jobsBefore);
  expect(await countRows(db, 'import_file_chunk')).toBe(0);
}

async function refused(files: UploadFile[], status: number, code: string, detail: RegExp) {
  const jobs = await countRows(db, 'import_job');
  const users = await countRows(db, 'app_user');
  const res = await upload(as, files, { dryRun: 'true' });
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ code, status });
  expect(res.json().detail).toMatch(detail);
  await nothingStored(jobs);
  expect(await countRows(db, 'app_user')).toBe(users);
  return res.json();
}

describe('an académie export in one upload', () => {
  let first: ImportJob;
  test('48 split files in one upload (20 used to be the limit)', async () => {
    const files = academy();
    expect(files.length).toBe(48);
    first = await importFiles(as, files);
    expect(first.status, JSON.stringify(first.report?.anomalies.slice(0, 3))).toBe('done');
    expect(first.files).toHaveLength(48);
    expect(first.report!.counts.establishments.created).toBe(6);
    expect(first.report!.counts.students.created).toBe(6 * 30 + 15);
  }, 120_000);

  test('the same export as one .zip, and as one .tar.gz (in folders): the same files, nothing new', async () => {
    const entries: ArchiveEntryIn[] = academy().map((f, i) => ({
      name: `export/${i % 2 ? 'part-b' : 'part-a'}/${f.name}`,
      content: f.content,
    }));
    for (const archive of [
      { name: 'aaf-complet.zip', content: zip([...entries, { name: '__MACOSX/._x.xml', content: 'junk' }]) },
      { name: 'aaf-complet.tar.gz', content: await tarGz(entries) },
    ]) {
      const job = await importFiles(as, [archive]);
      expect(job.status, archive.name).toBe('done');
      expect(job.files.map((f) => f.name).sort()).toEqual(first.files.map((f) => f.name).sort());
      for (const c of Object.values(job.report!.counts)) expect(c).toEqual(zero);
    }
    expect(await countRows(db, 'import_file_chunk')).toBe(0);
  }, 120_000);
});

describe('each limit names itself, and a refused upload stores nothing', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n</ficAlimMENESR>\n';

  test('more than 2,000 files', async () => {
    const files = Array.from({ length: 2001 }, (_, i) => ({ name: `ENT_${i}.xml`, content: xml }));
    await refused(files, 413, 'IMPORT_TOO_MANY_FILES', /au plus 2000/);
    const inArchive = zip(Array.from({ length: 2001 }, (_, i) => ({ name: `ENT_${i}.xml`, content: xml })));
    await refused([{ name: 'gros.zip', content: inArchive }], 413, 'IMPORT_ARCHIVE_TOO_MANY_ENTRIES', /au plus 2000/);
  }, 120_000);

  test('a zip bomb: an entry expanding to a thousand times its size', async () => {
    const bomb = zip([
      { name: 'ENT2D_Complet_20260901_Eleve_0001.xml', content: Buffer.alloc(40 * 1024 * 1024, 0x20) },
    ]);
    expect(bomb.length).toBeLessThan(100_000);
    const body = await refused([{ name: 'bombe.zip', content: bomb }], 413, 'IMPORT_ARCHIVE_RATIO', /plus de 200 fois/);
    expect(body.detail).toContain('bombe.zip');
    const gzBomb = await tarGz([{ name: 'a.xml', content: Buffer.alloc(40 * 1024 * 1024, 0x20) }]);
    await refused(
      [{ name: 'bombe.tar.gz', content: gzBomb }],
      413,
      'IMPORT_ARCHIVE_RATIO',
      /taux de compression maximal : 200/,
    );
  }, 120_000);

  test('a path outside the archive, an absolute path, a link', async () => {
    const evil = await refused(
      [{ name: 'evil.zip', content: zip([{ name: '../../etc/ENT_evil.xml', content: xml }]) }],
      400,
      'IMPORT_ARCHIVE_UNSAFE_PATH',
      /chemin interdit : « \.\.\/\.\.\/etc\/ENT_evil\.xml »/,
    );
    expect(evil.detail).toContain('evil.zip');
    await refused(
      [{ name: 'evil.tar.gz', content: await tarGz([{ name: '../ENT_evil.xml', content: xml }]) }],
      400,
      'IMPORT_ARCHIVE_UNSAFE_PATH',
      /\.\.\/ENT_evil\.xml/,
    );
    await refused(
      [{ name: 'abs.tar.gz', content: await tarGz([{ name: '/tmp/ENT_abs.xml', content: xml }]) }],
      400,
      'IMPORT_ARCHIVE_UNSAFE_PATH',
      /\/tmp\/ENT_abs\.xml/,
    );
    await refused(
      [{ name: 'lien.zip', content: zip([{ name: 'ENT_lien.xml', content: '/etc/passwd', symlink: true }]) }],
      400,
      'IMPORT_ARCHIVE_LINK',
      /contient un lien : « ENT_lien\.xml »/,
    );
    await refused(
      [
        {
          name: 'lien.tar.gz',
          content: await tarGz([{ name: 'ENT_lien.xml', content: '/etc/passwd', symlink: true }]),
        },
      ],
      400,
      'IMPORT_ARCHIVE_LINK',
      /ENT_lien\.xml/,
    );
  }, 120_000);

  test('a damaged archive, and a file in an archive that is neither XML nor CSV', async () => {
    const good = zip([{ name: 'a.xml', content: xml }]);
    await refused(
      [{ name: 'abime.zip', content: good.subarray(0, good.length - 30) }],
      400,
      'IMPORT_ARCHIVE_INVALID',
      /« abime\.zip » est illisible/,
    );
    await refused(
      [
        {
          name: 'images.zip',
          content: zip([{ name: 'photo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) }]),
        },
      ],
      415,
      'IMPORT_FILE_TYPE',
      /photo\.png/,
    );
  }, 120_000);

  test('a file over 200 MB names the file and the limit', async () => {
    const res = await refused(
      [{ name: 'ENT2D_Complet_20260901_Eleve_0001.xml', content: Buffer.alloc(200 * 1024 * 1024 + 1, 0x20) }],
      413,
      'IMPORT_FILE_TOO_LARGE',
      /dépasse la taille maximale d’un fichier : 200 Mo/,
    );
    expect(res.detail).toContain('ENT2D_Complet_20260901_Eleve_0001.xml');
  }, 60_000);
});

describe('the expanded size of an archive', () => {
  async function expand(kind: 'zip' | 'tar.gz', bytes: Buffer, limits: Partial<typeof UPLOAD_LIMITS>) {
    const names: string[] = [];
    async function* once() {
      yield bytes;
    }
    for await (const e of expandArchive(kind, 'x', once(), { ...UPLOAD_LIMITS, ...limits })) {
      names.push(e.name);
      for await (const _ of e.stream);
    }
    return names;
  }
  const entries = [1, 2, 3].map((i) => ({ name: `d/f${i}.xml`, content: Buffer.alloc(600 * 1024, 65 + i) }));

  test('is counted over the entries, by what they declare (zip) or as they expand (tar.gz)', async () => {
    expect(await expand('zip', zip(entries), {})).toEqual(['f1.xml', 'f2.xml', 'f3.xml']);
    for (const [kind, bytes] of [
      ['zip', zip(entries)],
      ['tar.gz', await tarGz(entries)],
    ] as const) {
      const err = await expand(kind, bytes, { archiveBytes: 1024 * 1024, ratio: 100_000 }).catch((e) => e);
      expect(err, kind).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('IMPORT_ARCHIVE_TOO_LARGE');
    }
  }, 120_000);
});
