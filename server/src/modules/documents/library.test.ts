import { describe, expect, test } from 'vitest';
import { makeSchool, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { countRows, makeEstablishment, testApp } from '../../../test/helpers.ts';

/** The académie's shared library: resource persons publish; staff search and copy; attribution is kept. */
const { app, db } = await testApp();
const w = await makeSchool(db, app);
const S = w.school.id;

describe('the shared library', () => {
  test('a resource person publishes with discipline, level, author, licence and attribution; staff find it; a copy keeps them', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const doc = (
      await upload(app, w.as.teacher, `/api/documents/spaces/${mine.id}/files`, {
        name: 'Fiche méthode.pdf',
        content: pdfBytes('m'),
      })
    ).json();
    const body = {
      establishment: S,
      documentId: doc.id,
      discipline: w.subjectCode,
      level: '2nde',
      author: 'Paul Prof',
      licence: 'CC-BY-SA',
      attribution: 'Équipe de mathématiques',
    };
    // Not yet a resource person.
    expect((await w.as.teacher.post('/api/documents/library', body)).statusCode).toBe(403);
    await w.as.principal.put('/api/documents/settings', { establishment: S, resourcePersons: [w.people.teacher.id] });
    const blobs = await countRows(db, 'document_blob');
    const res = await w.as.teacher.post('/api/documents/library', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().meta).toEqual({
      discipline: { code: w.subjectCode, label: 'Mathématiques' },
      level: '2nde',
      author: 'Paul Prof',
      licence: 'CC-BY-SA',
      attribution: 'Équipe de mathématiques',
    });
    expect(await countRows(db, 'document_blob')).toBe(blobs);
    const id = res.json().id;

    // Staff of the académie find it by words, discipline and level; students do not reach the library.
    const found = (await w.as.staff.get(`/api/documents/library?establishment=${S}&q=methode&level=2nde`)).json();
    expect(found.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect(found.disciplines).toEqual([{ code: w.subjectCode, label: 'Mathématiques' }]);
    expect((await w.as.staff.get(`/api/documents/library?establishment=${S}&level=1re`)).json().items).toEqual([]);
    expect(
      (await w.as.staff.get(`/api/documents/library?establishment=${S}&discipline=${w.subjectCode}`)).json().items,
    ).toHaveLength(1);
    expect((await w.as.student.get(`/api/documents/library?establishment=${S}`)).statusCode).toBe(403);
    expect((await w.as.staff.get(`/api/documents/files/${id}/content`)).statusCode).toBe(200);
    expect((await w.as.student.get(`/api/documents/files/${id}/content`)).statusCode).toBe(404);

    // Another establishment of the same académie sees it; one of another académie does not.
    const sibling = await makeEstablishment(db);
    await db
      .updateTable('establishment')
      .set({ academy_id: w.school.academy_id })
      .where('id', '=', sibling.id)
      .execute();
    const { makeUser, loginAs } = await import('../../../test/helpers.ts');
    const far = await loginAs(app, (await makeUser(db, { establishmentId: sibling.id, profiles: ['teacher'] })).login);
    expect(
      (await far.get(`/api/documents/library?establishment=${sibling.id}`))
        .json()
        .items.map((i: { id: string }) => i.id),
    ).toEqual([id]);
    expect((await w.as.outsider.get(`/api/documents/library?establishment=${w.other.id}`)).json().items).toEqual([]);
    expect((await w.as.outsider.get(`/api/documents/files/${id}/content`)).statusCode).toBe(404);

    // A copy into the staff member's documents keeps the metadata and says where it comes from.
    const copy = await w.as.staff.post(`/api/documents/library/${id}/copies`, { establishment: S });
    expect(copy.statusCode).toBe(201);
    const detail = (await w.as.staff.get(`/api/documents/files/${copy.json().id}`)).json();
    expect(detail).toMatchObject({ space: { kind: 'personal' }, copiedFrom: id, name: 'Fiche méthode.pdf' });
    expect(detail.library).toEqual(res.json().meta);
    expect(await countRows(db, 'document_blob')).toBe(blobs);
    expect((await w.as.staff.get(`/api/documents/quota?establishment=${S}`)).json().used).toBe(detail.size);

    // Withdrawn by its publisher; the copy stays.
    expect((await w.as.staff.delete(`/api/documents/library/${id}`)).statusCode).toBe(403);
    expect((await w.as.teacher.delete(`/api/documents/library/${id}`)).statusCode).toBe(204);
    expect((await w.as.staff.get(`/api/documents/library?establishment=${S}`)).json().items).toEqual([]);
    expect((await w.as.staff.get(`/api/documents/files/${copy.json().id}/content`)).statusCode).toBe(200);
  });

  test('only one’s own file, an existing discipline', async () => {
    const other = (await spacesOf(w.as.principal, S)).personal;
    const theirs = (
      await upload(app, w.as.principal, `/api/documents/spaces/${other.id}/files`, {
        name: 'Direction.pdf',
        content: pdfBytes('d'),
      })
    ).json();
    const body = {
      establishment: S,
      documentId: theirs.id,
      discipline: null,
      level: 'all',
      author: 'X',
      licence: 'CC0',
    };
    expect((await w.as.teacher.post('/api/documents/library', body)).statusCode).toBe(404);
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const doc = (
      await upload(app, w.as.teacher, `/api/documents/spaces/${mine.id}/files`, {
        name: 'A.pdf',
        content: pdfBytes('a'),
      })
    ).json();
    const bad = await w.as.teacher.post('/api/documents/library', {
      ...body,
      documentId: doc.id,
      discipline: '999999',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('body.discipline');
  });
});
