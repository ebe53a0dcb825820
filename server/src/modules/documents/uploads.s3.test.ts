import { afterAll, describe, expect, test } from 'vitest';
import { exeBytes, makeSchool, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { freshDatabase } from '../../../test/helpers.ts';
import { startS3 } from '../../../test/s3.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import { s3Storage } from '../../platform/storage/index.ts';
import { purgeDocuments } from './index.ts';

/** The whole path on the S3 driver, against a real S3-compatible server (s3rver): upload, read, refuse, purge. */
const s3 = await startS3();
const storage = s3Storage(s3.settings);
const db = await freshDatabase();
const app = await buildApp({ config: testConfig('unused', { maxFileBytes: 20 * 1024 * 1024 }), db, storage });
await app.ready();
afterAll(async () => {
  await app.close();
  await s3.stop();
});
const w = await makeSchool(db, app);
const space = (await spacesOf(w.as.teacher, w.school.id)).ofClass(w.a1.id)!;
const url = `/api/documents/spaces/${space.id}/files`;

describe('documents on S3', () => {
  test('an upload of several parts is stored once by its hash and read back by a student', async () => {
    const big = Buffer.concat([pdfBytes('gros'), Buffer.alloc(12 * 1024 * 1024, 0x20)]);
    const a = await upload(app, w.as.teacher, url, { name: 'Gros.pdf', content: big });
    expect(a.statusCode, a.body).toBe(201);
    const b = await upload(app, w.as.teacher, url, { name: 'Même.pdf', content: big });
    expect(b.statusCode).toBe(201);
    expect(await s3.keys('preau/blobs/')).toHaveLength(1);
    expect(await s3.keys('preau/tmp/')).toEqual([]);
    const res = await w.as.student.get(`/api/documents/files/${a.json().id}/content`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(big)).toBe(true);
  });

  test('a refused upload leaves nothing in the bucket', async () => {
    const before = await s3.keys('preau/');
    const res = await upload(app, w.as.teacher, url, { name: 'fiche.pdf', content: exeBytes() });
    expect(res.statusCode).toBe(415);
    expect(await s3.keys('preau/')).toEqual(before);
  });

  test('the purge deletes bytes nobody names any more', async () => {
    const doc = (await upload(app, w.as.teacher, url, { name: 'Éphémère.pdf', content: pdfBytes('éphémère') })).json();
    const before = (await s3.keys('preau/blobs/')).length;
    await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { trashed: true });
    await w.as.teacher.delete(`/api/documents/files/${doc.id}`);
    expect(await purgeDocuments(db, storage, new Date(Date.now() + 2 * 3_600_000))).toMatchObject({ blobs: 1 });
    expect((await s3.keys('preau/blobs/')).length).toBe(before - 1);
  });
});
