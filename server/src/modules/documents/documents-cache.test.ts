import { beforeAll, describe, expect, test } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { makeSchool, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import type { Agent } from '../../../test/helpers.ts';
import { testApp } from '../../../test/helpers.ts';
import { cachesOf } from '../../platform/cache.ts';

/**
 * A folder's listing, a document's metadata and the space's name are kept in memory per space (documents.cache.ts,
 * topic `ds`, migration 0101), the viewer's places per person (topic `u`); the rights are worked out per request.
 * Every change — through the API, or written straight into the database as another instance would — is seen by the
 * next request once announced.
 */
const { app, db } = await testApp();
const w = await makeSchool(db, app);
const S = w.school.id;

async function put(a: Agent, spaceId: string, name: string, content: Buffer = pdfBytes(name)) {
  const res = await upload(app, a, `/api/documents/spaces/${spaceId}/files`, { name, content });
  if (res.statusCode !== 201) throw new Error(`upload ${name}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; name: string };
}
const browse = async (a: Agent, spaceId: string, folderId?: string) =>
  a.get(`/api/documents/spaces/${spaceId}/browse${folderId ? `?folderId=${folderId}` : ''}`);
const fileNames = async (a: Agent, spaceId: string, folderId?: string) => {
  const res = await browse(a, spaceId, folderId);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().files as { name: string }[]).map((f) => f.name).sort();
};
const hits = (name: string) => cachesOf(db)!.stats()[name]?.hits ?? 0;

describe('documents kept in memory', () => {
  let a1: string;
  beforeAll(async () => {
    a1 = (await spacesOf(w.as.teacher, S)).ofClass(w.a1.id)!.id;
  });

  test('a class space through the API: an upload, a rename, a trash, on the students’ next listing', async () => {
    const first = await put(w.as.teacher, a1, 'Cours 1.pdf');
    expect(await fileNames(w.as.student, a1)).toEqual(['Cours 1.pdf']);
    const before = hits('documents-listings');
    expect(await fileNames(w.as.classmate, a1)).toEqual(['Cours 1.pdf']); // the same listing, from memory
    expect(hits('documents-listings')).toBe(before + 1);

    await put(w.as.teacher, a1, 'Cours 2.pdf');
    expect(await fileNames(w.as.student, a1)).toEqual(['Cours 1.pdf', 'Cours 2.pdf']);
    expect((await w.as.teacher.patch(`/api/documents/files/${first.id}`, { name: 'Chapitre 1.pdf' })).statusCode).toBe(
      200,
    );
    expect(await fileNames(w.as.student, a1)).toEqual(['Chapitre 1.pdf', 'Cours 2.pdf']);
    expect((await w.as.teacher.patch(`/api/documents/files/${first.id}`, { trashed: true })).statusCode).toBe(200);
    expect(await fileNames(w.as.student, a1)).toEqual(['Cours 2.pdf']);
    expect((await w.as.student.get(`/api/documents/files/${first.id}/content`)).statusCode).toBe(404);
    // the per-viewer rights on the same kept listing: the teacher may write, the student may not
    const t = (await browse(w.as.teacher, a1)).json();
    const s = (await browse(w.as.student, a1)).json();
    expect(t.files[0].can.write).toBe(true);
    expect(s.files[0].can.write).toBe(false);
    // another class's students and an outsider: 404, as before
    expect((await browse(w.as.studentB, a1)).statusCode).toBe(404);
    expect((await browse(w.as.outsider, a1)).statusCode).toBe(404);
  });

  test('written straight into the database: renamed, opened to the guardians, an author renamed, a class renamed', async () => {
    const doc = await put(w.as.teacher, a1, 'Devoir.pdf');
    expect(await fileNames(w.as.student, a1)).toContain('Devoir.pdf');
    await db.updateTable('document').set({ name: 'Devoir maison.pdf' }).where('id', '=', doc.id).execute();
    expect(await fileNames(w.as.student, a1)).toContain('Devoir maison.pdf');

    // a folder, closed to the guardians then opened to them elsewhere
    const f = await w.as.teacher.post(`/api/documents/spaces/${a1}/folders`, { name: 'Pour les familles' });
    expect(f.statusCode).toBe(201);
    expect((await browse(w.as.guardian, a1)).statusCode).toBe(404);
    await db.updateTable('document_folder').set({ guardians_can_read: true }).where('id', '=', f.json().id).execute();
    const g = await browse(w.as.guardian, a1);
    expect(g.statusCode).toBe(200);
    expect(g.json().folders.map((x: { name: string }) => x.name)).toEqual(['Pour les familles']);

    await db
      .updateTable('app_user')
      .set({ display_name: 'PROF Paul-Henri' })
      .where('id', '=', w.people.teacher.id)
      .execute();
    const listed = (await browse(w.as.student, a1)).json().files as { name: string; author: { displayName: string } }[];
    expect(listed.find((x) => x.name === 'Devoir maison.pdf')?.author.displayName).toBe('PROF Paul-Henri');

    await db.updateTable('class').set({ label: 'Seconde A1' }).where('id', '=', w.a1.id).execute();
    expect((await browse(w.as.student, a1)).json().space.name).toBe('Classe Seconde A1');
  });

  test('a share, its revocation elsewhere; a student leaving the class; a guardian whose child leaves', async () => {
    const personal = (await spacesOf(w.as.teacher, S)).personal!.id;
    const bytes = pdfBytes('Corrigé');
    const doc = await put(w.as.teacher, personal, 'Corrigé.pdf', bytes);
    const url = `/api/documents/files/${doc.id}/content`;
    expect((await w.as.classmate.get(url)).statusCode).toBe(404);
    const share = await w.as.teacher.post('/api/documents/shares', {
      documentId: doc.id,
      grantee: { kind: 'user', userId: w.people.classmate.id },
      right: 'read',
    });
    expect(share.statusCode, share.body).toBe(201);
    const got = await w.as.classmate.get(url);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(bytes)).toBe(true);
    expect((await w.as.classmate.get(url)).rawPayload.equals(bytes)).toBe(true); // from memory
    expect((await w.as.classmate.get(url, { range: 'bytes=0-3' })).body).toBe('%PDF');
    await db.deleteFrom('document_share').where('document_id', '=', doc.id).execute();
    expect((await w.as.classmate.get(url)).statusCode).toBe(404);

    // the class's file: the student reads it while in the class, not once moved out (their places are kept too)
    const lesson = await put(w.as.teacher, a1, 'Leçon.pdf');
    expect((await w.as.classmate.get(`/api/documents/files/${lesson.id}/content`)).statusCode).toBe(200);
    await db
      .deleteFrom('enrolment')
      .where('student_id', '=', w.people.classmate.id)
      .where('class_id', '=', w.a1.id)
      .execute();
    expect((await w.as.classmate.get(`/api/documents/files/${lesson.id}/content`)).statusCode).toBe(404);
    expect((await browse(w.as.classmate, a1)).statusCode).toBe(404);

    // the guardian reads the open folder through their child: not once the child has left the class
    expect((await browse(w.as.guardian, a1)).statusCode).toBe(200);
    await db
      .deleteFrom('enrolment')
      .where('student_id', '=', w.people.student.id)
      .where('class_id', '=', w.a1.id)
      .execute();
    expect((await browse(w.as.guardian, a1)).statusCode).toBe(404);
  });
});

describe('what migration 0101 announces', () => {
  const announced = announcements(
    () => db,
    (n) => n.startsWith('ds:'),
  );

  test('a document, a folder or a share: its space only; a share whose document went with it: nothing more', async () => {
    const b1 = (await spacesOf(w.as.teacherB, S)).ofClass(w.b1.id)!.id;
    const doc = await put(w.as.teacherB, b1, 'Fiche B1.pdf');
    expect(
      await announced(() => db.updateTable('document').set({ name: 'Fiche.pdf' }).where('id', '=', doc.id).execute()),
    ).toEqual([`ds:${b1}`]);
    expect(
      await announced(() =>
        db
          .insertInto('document_share')
          .values({
            establishment_id: S,
            document_id: doc.id,
            grantee_kind: 'profile',
            grantee_profile: 'teacher',
            right: 'read',
          })
          .execute(),
      ),
    ).toEqual([`ds:${b1}`]);
    expect(await announced(() => db.deleteFrom('document').where('id', '=', doc.id).execute())).toEqual(
      [`ds:`, `ds:${b1}`].sort(),
    );
  });
});
