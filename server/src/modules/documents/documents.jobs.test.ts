import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { filesUnder, makeSchool, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { countRows, testApp } from '../../../test/helpers.ts';
import { localStorage } from '../../platform/storage/index.ts';
import { purgeDocuments } from './index.ts';

/** The hourly purge: trash emptied after 30 days (attachments kept), unreferenced bytes, dead uploads. */
const root = mkdtempSync(join(tmpdir(), 'preau-purge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const { app, db } = await testApp({ storage: { driver: 'local', root } });
const storage = localStorage(root);
const w = await makeSchool(db, app);
const S = w.school.id;
const DAY = 86_400_000;

describe('purge', () => {
  test('the trash is emptied after 30 days; bytes go once nothing names them; shared bytes stay', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const url = `/api/documents/spaces/${mine.id}/files`;
    const same = pdfBytes('partagé');
    const a = (await upload(app, w.as.teacher, url, { name: 'A.pdf', content: same })).json();
    const b = (await upload(app, w.as.teacher, url, { name: 'B.pdf', content: same })).json();
    const c = (await upload(app, w.as.teacher, url, { name: 'C.pdf', content: pdfBytes('seul') })).json();
    const box = (await w.as.teacher.post(`/api/documents/spaces/${mine.id}/folders`, { name: 'Vieux' })).json();
    const d = (
      await upload(
        app,
        w.as.teacher,
        url,
        { name: 'D.pdf', content: pdfBytes('dans le dossier') },
        { folderId: box.id },
      )
    ).json();
    for (const id of [a.id, c.id]) await w.as.teacher.patch(`/api/documents/files/${id}`, { trashed: true });
    await w.as.teacher.patch(`/api/documents/folders/${box.id}`, { trashed: true });
    const stored = filesUnder(join(root, 'blobs')).length;

    // 29 days later: nothing goes.
    expect(await purgeDocuments(db, storage, new Date(Date.now() + 29 * DAY))).toMatchObject({ files: 0, folders: 0 });
    // 31 days later: the trashed files and folder go; A's bytes stay (B has them), C's and D's go.
    const done = await purgeDocuments(db, storage, new Date(Date.now() + 31 * DAY));
    expect(done).toMatchObject({ files: 3, folders: 1, blobs: 2 });
    expect(filesUnder(join(root, 'blobs')).length).toBe(stored - 2);
    expect((await w.as.teacher.get(`/api/documents/files/${b.id}/content`)).rawPayload.equals(same)).toBe(true);
    for (const id of [a.id, c.id, d.id])
      expect((await w.as.teacher.get(`/api/documents/files/${id}`)).statusCode).toBe(404);
    expect((await w.as.teacher.get(`/api/documents/trash?establishment=${S}`)).json().items).toEqual([]);
  });

  test('a trashed file still attached elsewhere is kept (hidden) until its last reference goes', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const doc = (
      await upload(app, w.as.teacher, `/api/documents/spaces/${mine.id}/files`, {
        name: 'Joint.pdf',
        content: pdfBytes('joint'),
      })
    ).json();
    const holder = crypto.randomUUID();
    await db
      .insertInto('document_reference')
      .values({
        establishment_id: S,
        document_id: doc.id,
        holder_module: 'probe',
        holder_type: 'note',
        holder_id: holder,
      })
      .execute();
    await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { trashed: true });
    const later = new Date(Date.now() + 31 * DAY);
    expect(await purgeDocuments(db, storage, later)).toMatchObject({ keptForReferences: 1 });
    expect((await w.as.teacher.get(`/api/documents/files/${doc.id}`)).statusCode).toBe(404);
    expect(await db.selectFrom('document').select('id').where('id', '=', doc.id).executeTakeFirst()).toBeDefined();
    // It no longer counts in its owner's quota.
    const versions = await countRows(db, 'document_version');
    await db.deleteFrom('document_reference').where('holder_id', '=', holder).execute();
    expect(await purgeDocuments(db, storage, later)).toMatchObject({ files: 1, blobs: 1 });
    expect(await countRows(db, 'document_version')).toBe(versions - 1);
  });

  test('temporary files of a dead upload are swept after a day', async () => {
    const { Readable } = await import('node:stream');
    await storage.writeTemp(Readable.from([Buffer.from('abandonné')]), { maxBytes: 100 });
    expect(filesUnder(join(root, 'tmp'))).toHaveLength(1);
    expect((await purgeDocuments(db, storage, new Date())).temps).toBe(0);
    expect((await purgeDocuments(db, storage, new Date(Date.now() + 2 * DAY))).temps).toBe(1);
    expect(filesUnder(join(root, 'tmp'))).toEqual([]);
  });
});
