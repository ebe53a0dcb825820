import { describe, expect, test } from 'vitest';
import { makeSchool, PNG, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import type { Agent } from '../../../test/helpers.ts';
import { countRows, flushUsage, makeUser, testApp } from '../../../test/helpers.ts';
import { documentsModule } from './index.ts';

/**
 * Who sees what through each kind of space and share (issue 11's sharing matrix), folders, trash, search,
 * revocation, audit and timeline. One school: class A1 (teacher, two students, a guardian), class B1 (another
 * teacher, a student and their guardian), group G1, the direction, staff, a local admin, and an outsider.
 */
const { app, db } = await testApp();
const w = await makeSchool(db, app);
const S = w.school.id;

const status = async (a: Agent, url: string) => (await a.get(url)).statusCode;
const names = (items: { name: string }[]) => items.map((i) => i.name).sort();
async function put(
  a: Agent,
  spaceId: string,
  name: string,
  content: Buffer | string = pdfBytes(name),
  folderId?: string,
) {
  const res = await upload(
    app,
    a,
    `/api/documents/spaces/${spaceId}/files`,
    { name, content },
    folderId ? { folderId } : {},
  );
  if (res.statusCode !== 201) throw new Error(`upload ${name}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; name: string };
}
async function folder(a: Agent, spaceId: string, name: string, parentId?: string) {
  const res = await a.post(`/api/documents/spaces/${spaceId}/folders`, { name, ...(parentId ? { parentId } : {}) });
  if (res.statusCode !== 201) throw new Error(`folder ${name}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; name: string };
}
const auditCount = (action: string) =>
  db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
const timeline = async (a: Agent) =>
  (await a.get(`/api/timeline?establishment=${S}`)).json().items as { kind: string; text: string; link: string }[];

describe('spaces, per persona', () => {
  test('the contract: { items: [{ id, kind, name, classId?, canWrite }] }; each persona their own spaces', async () => {
    const t = await spacesOf(w.as.teacher, S);
    expect(t.items.map((s) => s.kind)).toEqual(['personal', 'class', 'group', 'admin', 'library']);
    expect(t.ofClass(w.a1.id)).toMatchObject({ kind: 'class', name: 'Classe A1', classId: w.a1.id, canWrite: true });
    expect(t.ofGroup(w.g1.id)).toMatchObject({ kind: 'group', name: 'Groupe G1', canWrite: true });
    expect(t.admin?.canWrite).toBe(false);
    expect(t.library?.canWrite).toBe(false);
    expect(t.personal).toMatchObject({ name: 'Mes documents', canWrite: true });

    const s = await spacesOf(w.as.student, S);
    expect(s.items.map((x) => `${x.kind}:${x.canWrite}`)).toEqual(['personal:true', 'class:false', 'group:false']);
    const g = await spacesOf(w.as.guardian, S);
    expect(g.items.map((x) => x.kind)).toEqual(['personal', 'class', 'group']);
    expect(g.ofClass(w.a1.id)?.canWrite).toBe(false);
    const st = await spacesOf(w.as.staff, S);
    expect(st.items.map((x) => x.kind)).toEqual(['personal', 'admin', 'library']);
    const p = await spacesOf(w.as.principal, S);
    expect(p.items.filter((x) => x.kind === 'class').map((x) => x.classId)).toEqual(
      expect.arrayContaining([w.a1.id, w.b1.id]),
    );
    expect(p.admin?.canWrite).toBe(true);
    expect(await status(w.as.outsider, `/api/documents/spaces?establishment=${S}`)).toBe(404);
    expect(
      (await w.as.teacher.get(`/api/documents/spaces?establishment=${S}`, { 'accept-language': 'en' })).json().items[0]
        .name,
    ).toBe('My documents');
  });

  test('personal spaces are their owner’s alone', async () => {
    const mine = (await spacesOf(w.as.student, S)).personal;
    const doc = await put(w.as.student, mine.id, 'Exposé.pdf');
    for (const a of [w.as.teacher, w.as.classmate, w.as.guardian, w.as.principal, w.as.outsider]) {
      expect(await status(a, `/api/documents/spaces/${mine.id}/files`)).toBe(404);
      expect(await status(a, `/api/documents/files/${doc.id}/content`)).toBe(404);
    }
    expect(await status(w.as.student, `/api/documents/files/${doc.id}/content`)).toBe(200);
  });
});

describe('class and group spaces', () => {
  test('teachers contribute, students read, guardians read the folders the teacher opens to them', async () => {
    const space = (await spacesOf(w.as.teacher, S)).ofClass(w.a1.id)!;
    const top = await put(w.as.teacher, space.id, 'Exercices.pdf');
    const families = await folder(w.as.teacher, space.id, 'Pour les familles');
    const letter = await put(w.as.teacher, space.id, 'Sortie.pdf', pdfBytes('sortie'), families.id);
    const file = (id: string) => `/api/documents/files/${id}/content`;

    expect(await status(w.as.student, file(top.id))).toBe(200);
    expect(await status(w.as.student, file(letter.id))).toBe(200);
    expect(await status(w.as.guardian, file(top.id))).toBe(404);
    expect(await status(w.as.guardian, file(letter.id))).toBe(404);
    for (const a of [w.as.studentB, w.as.guardianB, w.as.teacherB, w.as.staff, w.as.localAdmin, w.as.outsider]) {
      expect(await status(a, file(top.id))).toBe(404);
      expect(await status(a, `/api/documents/spaces/${space.id}/browse`)).toBe(404);
    }

    // A student of the class reads but does not write; a guardian sees the space but writes nothing either.
    expect(
      (await upload(app, w.as.student, `/api/documents/spaces/${space.id}/files`, { name: 'x.txt', content: 'x' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await upload(app, w.as.guardian, `/api/documents/spaces/${space.id}/files`, { name: 'x.txt', content: 'x' }))
        .statusCode,
    ).toBe(403);
    expect((await w.as.student.patch(`/api/documents/files/${top.id}`, { name: 'Renommé.pdf' })).statusCode).toBe(403);

    // The teacher opens the folder to the families: audited, and the guardian reads it at once.
    const before = await auditCount('documents.folder.audience');
    const opened = await w.as.teacher.patch(`/api/documents/folders/${families.id}`, { guardiansCanRead: true });
    expect(opened.statusCode).toBe(200);
    expect(opened.json().guardiansCanRead).toBe(true);
    expect(await auditCount('documents.folder.audience')).toBe(before + 1);
    expect(await status(w.as.guardian, file(letter.id))).toBe(200);
    expect(await status(w.as.guardian, file(top.id))).toBe(404);
    const seen = (await w.as.guardian.get(`/api/documents/spaces/${space.id}/browse`)).json();
    expect(names(seen.folders)).toEqual(['Pour les familles']);
    expect(seen.files).toEqual([]);
    expect(seen.canWrite).toBe(false);
    expect(await status(w.as.guardianB, file(letter.id))).toBe(404);

    // The students were told on their timeline, in the upload's transaction.
    expect(
      (await timeline(w.as.student)).some((n) => n.kind === 'documents.added' && n.text.includes('Exercices.pdf')),
    ).toBe(true);
    expect((await timeline(w.as.studentB)).some((n) => n.text.includes('Exercices.pdf'))).toBe(false);
  });

  test('contributors manage what they put there; the direction manages everything', async () => {
    const space = (await spacesOf(w.as.teacher, S)).ofClass(w.a1.id)!;
    const byPrincipal = await put(w.as.principal, space.id, 'Consignes de la direction.pdf');
    const byTeacher = await put(w.as.teacher, space.id, 'Du professeur.pdf');
    expect((await w.as.teacher.patch(`/api/documents/files/${byPrincipal.id}`, { name: 'x.pdf' })).statusCode).toBe(
      403,
    );
    expect((await w.as.teacher.patch(`/api/documents/files/${byTeacher.id}`, { name: 'Du prof.pdf' })).statusCode).toBe(
      200,
    );
    expect((await w.as.principal.patch(`/api/documents/files/${byTeacher.id}`, { name: 'Vu.pdf' })).statusCode).toBe(
      200,
    );
    // A teacher may still replace a colleague's file (contribute: add and replace).
    const rep = await upload(
      app,
      w.as.teacher,
      `/api/documents/files/${byPrincipal.id}/content`,
      {
        name: 'a.pdf',
        content: pdfBytes('remplacé'),
      },
      {},
      { method: 'PUT' },
    );
    expect(rep.statusCode).toBe(200);
  });

  test('group spaces: its teachers and students only', async () => {
    const space = (await spacesOf(w.as.teacher, S)).ofGroup(w.g1.id)!;
    const doc = await put(w.as.teacher, space.id, 'Groupe.pdf');
    expect(await status(w.as.student, `/api/documents/files/${doc.id}/content`)).toBe(200);
    expect(await status(w.as.classmate, `/api/documents/files/${doc.id}/content`)).toBe(404);
  });
});

describe('the administrative space', () => {
  test('the direction and the staff it names contribute; per-folder audience', async () => {
    const admin = (await spacesOf(w.as.principal, S)).admin!;
    const all = await put(w.as.principal, admin.id, 'Calendrier.pdf');
    const teachers = await folder(w.as.principal, admin.id, 'Conseils pédagogiques');
    const staffOnly = await folder(w.as.principal, admin.id, 'Vie scolaire');
    expect(
      (await w.as.principal.patch(`/api/documents/folders/${teachers.id}`, { audience: ['teacher'] })).statusCode,
    ).toBe(200);
    expect(
      (await w.as.principal.patch(`/api/documents/folders/${staffOnly.id}`, { audience: ['staff'] })).statusCode,
    ).toBe(200);
    const t = await put(w.as.principal, admin.id, 'CR conseil.pdf', pdfBytes('cr'), teachers.id);
    const v = await put(w.as.principal, admin.id, 'Protocole retards.pdf', pdfBytes('pr'), staffOnly.id);
    const can = (a: Agent, id: string) => status(a, `/api/documents/files/${id}/content`);
    expect([await can(w.as.teacher, all.id), await can(w.as.teacher, t.id), await can(w.as.teacher, v.id)]).toEqual([
      200, 200, 404,
    ]);
    expect([await can(w.as.staff, all.id), await can(w.as.staff, t.id), await can(w.as.staff, v.id)]).toEqual([
      200, 404, 200,
    ]);
    expect([await can(w.as.student, all.id), await can(w.as.guardian, all.id)]).toEqual([404, 404]);
    const url = `/api/documents/spaces/${admin.id}/files`;
    expect((await upload(app, w.as.staff, url, { name: 'a.txt', content: 'a' })).statusCode).toBe(403);
    expect((await upload(app, w.as.student, url, { name: 'a.txt', content: 'a' })).statusCode).toBe(404);

    // The direction names the staff member: they contribute, and see every folder. Audited.
    const before = await auditCount('documents.settings.update');
    const named = await w.as.principal.put('/api/documents/settings', {
      establishment: S,
      adminContributors: [w.people.staff.id],
    });
    expect(named.statusCode).toBe(200);
    expect(named.json().adminContributors).toEqual([{ id: w.people.staff.id, displayName: 'CPE Karim' }]);
    expect(await auditCount('documents.settings.update')).toBe(before + 1);
    expect((await upload(app, w.as.staff, url, { name: 'Note.txt', content: 'note' })).statusCode).toBe(201);
    expect(await can(w.as.staff, t.id)).toBe(200);
    // Only staff may be named; a student, or someone of another school, is refused and nothing changes.
    for (const id of [w.people.student.id, w.people.outsider.id]) {
      const res = await w.as.principal.put('/api/documents/settings', { establishment: S, adminContributors: [id] });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].path).toBe('body.adminContributors.0');
    }
    expect(
      (await w.as.principal.get(`/api/documents/settings?establishment=${S}`)).json().adminContributors,
    ).toHaveLength(1);
  });
});

describe('shares', () => {
  test('a student shares with a teacher or a classmate, not with anyone', async () => {
    const mine = (await spacesOf(w.as.student, S)).personal;
    const doc = await put(w.as.student, mine.id, 'Mon exposé.pdf');
    const share = (grantee: unknown) =>
      w.as.student.post('/api/documents/shares', { documentId: doc.id, grantee, right: 'read' });
    expect((await share({ kind: 'user', userId: w.people.teacher.id })).statusCode).toBe(201);
    expect((await share({ kind: 'user', userId: w.people.classmate.id })).statusCode).toBe(201);
    const refused = await share({ kind: 'user', userId: w.people.studentB.id });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('SHARE_NOT_ALLOWED');
    expect((await share({ kind: 'profile', profile: 'teacher' })).json().code).toBe('SHARE_NOT_ALLOWED');
    expect((await share({ kind: 'class', classId: w.a1.id, profile: 'student' })).json().code).toBe(
      'SHARE_NOT_ALLOWED',
    );
    expect((await share({ kind: 'user', userId: w.people.outsider.id })).statusCode).toBe(404);
    expect((await share({ kind: 'user', userId: crypto.randomUUID() })).statusCode).toBe(404);
    // The teacher finds it in "Partagés avec moi" and reads it; the classmate too; not the other class.
    const shared = (await w.as.teacher.get(`/api/documents/shared?establishment=${S}`)).json().items;
    expect(shared.find((i: { id: string }) => i.id === doc.id)).toMatchObject({
      type: 'file',
      name: 'Mon exposé.pdf',
      right: 'read',
      sharedBy: { displayName: 'ELEVE Emma' },
    });
    expect(await status(w.as.teacher, `/api/documents/files/${doc.id}/content`)).toBe(200);
    expect(await status(w.as.classmate, `/api/documents/files/${doc.id}/content`)).toBe(200);
    expect(await status(w.as.studentB, `/api/documents/files/${doc.id}/content`)).toBe(404);
    // Read only: no renaming, no sharing on.
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { name: 'x.pdf' })).statusCode).toBe(403);
    expect(
      (
        await w.as.teacher.post('/api/documents/shares', {
          documentId: doc.id,
          grantee: { kind: 'profile', profile: 'teacher' },
          right: 'read',
        })
      ).statusCode,
    ).toBe(403);
  });

  test('a folder shared with a class, contribute: its students add files; revoking takes effect at once', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const box = await folder(w.as.teacher, mine.id, 'Dépôt des devoirs');
    const grants = await auditCount('documents.share.grant');
    const res = await w.as.teacher.post('/api/documents/shares', {
      folderId: box.id,
      grantee: { kind: 'class', classId: w.a1.id, profile: 'student' },
      right: 'contribute',
    });
    expect(res.statusCode).toBe(201);
    const share = res.json();
    expect(share).toMatchObject({ label: 'Élèves de Classe A1', right: 'contribute' });
    expect(await auditCount('documents.share.grant')).toBe(grants + 1);
    const told = (await timeline(w.as.student)).find(
      (n) => n.kind === 'documents.shared' && n.text.includes('Dépôt des devoirs'),
    );
    expect(told?.text).toBe('PROF Paul a partagé « Dépôt des devoirs » avec votre classe.');

    const item = (await w.as.student.get(`/api/documents/shared?establishment=${S}`))
      .json()
      .items.find((i: { id: string }) => i.id === box.id);
    expect(item).toMatchObject({ type: 'folder', right: 'contribute', spaceId: mine.id });
    const browse = await w.as.student.get(`/api/documents/spaces/${mine.id}/browse?folderId=${box.id}`);
    expect(browse.statusCode).toBe(200);
    expect(browse.json().canWrite).toBe(true);
    expect(browse.json().breadcrumb).toEqual([{ id: box.id, name: 'Dépôt des devoirs' }]);
    const homework = await put(w.as.student, mine.id, 'Devoir Emma.pdf', pdfBytes('emma'), box.id);
    expect(await status(w.as.teacher, `/api/documents/files/${homework.id}/content`)).toBe(200);
    // The students do not manage the folder, nor see the rest of the teacher's space.
    expect((await w.as.student.patch(`/api/documents/folders/${box.id}`, { name: 'x' })).statusCode).toBe(403);
    expect(await status(w.as.student, `/api/documents/spaces/${mine.id}/browse`)).toBe(404);
    expect(await status(w.as.studentB, `/api/documents/spaces/${mine.id}/browse?folderId=${box.id}`)).toBe(404);
    expect((await w.as.teacher.get(`/api/documents/shares?folder=${box.id}`)).json().items).toHaveLength(1);

    // Revoke: audited, the notice withdrawn, and the folder gone for the class at the next request.
    const revokes = await auditCount('documents.share.revoke');
    expect((await w.as.student.delete(`/api/documents/shares/${share.id}`)).statusCode).toBe(403);
    expect((await w.as.teacher.delete(`/api/documents/shares/${share.id}`)).statusCode).toBe(204);
    expect(await auditCount('documents.share.revoke')).toBe(revokes + 1);
    expect(await status(w.as.student, `/api/documents/spaces/${mine.id}/browse?folderId=${box.id}`)).toBe(404);
    expect(await status(w.as.student, `/api/documents/files/${homework.id}/content`)).toBe(404);
    expect((await timeline(w.as.student)).some((n) => n.text.includes('Dépôt des devoirs'))).toBe(false);
    expect((await w.as.teacher.delete(`/api/documents/shares/${share.id}`)).statusCode).toBe(404);
  });

  test('"parents de A1": the class’s guardians only; a teacher shares with the classes they teach', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const doc = await put(w.as.teacher, mine.id, 'Réunion parents.pdf');
    const share = (grantee: unknown, a = w.as.teacher) =>
      a.post('/api/documents/shares', { documentId: doc.id, grantee, right: 'read' });
    expect((await share({ kind: 'class', classId: w.a1.id, profile: 'guardian' })).statusCode).toBe(201);
    expect(await status(w.as.guardian, `/api/documents/files/${doc.id}/content`)).toBe(200);
    expect(await status(w.as.guardianB, `/api/documents/files/${doc.id}/content`)).toBe(404);
    expect(await status(w.as.student, `/api/documents/files/${doc.id}/content`)).toBe(404);
    expect((await share({ kind: 'class', classId: w.b1.id, profile: 'guardian' })).json().code).toBe(
      'SHARE_NOT_ALLOWED',
    );
    expect((await share({ kind: 'class', classId: crypto.randomUUID(), profile: 'guardian' })).statusCode).toBe(404);
    // Sharing again changes the right; the list shows one share.
    expect((await share({ kind: 'class', classId: w.a1.id, profile: 'guardian' })).statusCode).toBe(201);
    expect((await w.as.teacher.get(`/api/documents/shares?document=${doc.id}`)).json().items).toHaveLength(1);
    // The direction shares with any profile ("tous les enseignants").
    const note = await put(w.as.principal, (await spacesOf(w.as.principal, S)).personal.id, 'Note de service.pdf');
    const res = await w.as.principal.post('/api/documents/shares', {
      documentId: note.id,
      grantee: { kind: 'profile', profile: 'teacher' },
      right: 'read',
    });
    expect(res.json().label).toBe('Tous les enseignants');
    expect(await status(w.as.teacherB, `/api/documents/files/${note.id}/content`)).toBe(200);
    expect(await status(w.as.staff, `/api/documents/files/${note.id}/content`)).toBe(404);
  });

  test('share targets: what the caller may pick', async () => {
    const t = (await w.as.teacher.get(`/api/documents/share-targets?establishment=${S}&q=parents`)).json().items;
    expect(t.map((x: { label: string }) => x.label)).toEqual(['Parents de Classe A1', 'Parents de Groupe G1']);
    const p = (await w.as.student.get(`/api/documents/share-targets?establishment=${S}&q=prof`)).json().items;
    expect(p).toEqual([{ grantee: { kind: 'user', userId: w.people.teacher.id }, label: 'PROF Paul' }]);
    expect((await w.as.student.get(`/api/documents/share-targets?establishment=${S}&q=ailleurs`)).json().items).toEqual(
      [],
    );
  });
});

describe('folders, trash, search', () => {
  test('rename, move, trash and restore; moving a folder into itself is refused', async () => {
    const mine = (await spacesOf(w.as.teacher, S)).personal;
    const a = await folder(w.as.teacher, mine.id, 'Année');
    const b = await folder(w.as.teacher, mine.id, 'Trimestre 1', a.id);
    const doc = await put(w.as.teacher, mine.id, 'Évaluation.pdf');
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { folderId: b.id })).json().folderId).toBe(b.id);
    const inB = (await w.as.teacher.get(`/api/documents/spaces/${mine.id}/browse?folderId=${b.id}`)).json();
    expect(inB.breadcrumb.map((c: { name: string }) => c.name)).toEqual(['Année', 'Trimestre 1']);
    expect(names(inB.files)).toEqual(['Évaluation.pdf']);
    const loop = await w.as.teacher.patch(`/api/documents/folders/${a.id}`, { parentId: b.id });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().code).toBe('DOCUMENT_MOVE_INVALID');
    const bad = await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { name: 'a/b.pdf' });
    expect(bad.statusCode).toBe(400);
    expect((await w.as.teacher.get(`/api/documents/files/${doc.id}`)).json().name).toBe('Évaluation.pdf');
    // Moving to a folder of another space.
    const classSpace = (await spacesOf(w.as.teacher, S)).ofClass(w.a1.id)!;
    const other = await folder(w.as.teacher, classSpace.id, 'Ailleurs');
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { folderId: other.id })).json().code).toBe(
      'DOCUMENT_MOVE_INVALID',
    );
    // Move the subtree: b's descendants follow.
    const c = await folder(w.as.teacher, mine.id, 'Archives');
    expect((await w.as.teacher.patch(`/api/documents/folders/${a.id}`, { parentId: c.id })).statusCode).toBe(200);
    const moved = (await w.as.teacher.get(`/api/documents/spaces/${mine.id}/browse?folderId=${b.id}`)).json();
    expect(moved.breadcrumb.map((x: { name: string }) => x.name)).toEqual(['Archives', 'Année', 'Trimestre 1']);

    // Trash the folder: its content goes with it, and comes back with it.
    expect((await w.as.teacher.patch(`/api/documents/folders/${a.id}`, { trashed: true })).statusCode).toBe(200);
    expect(await status(w.as.teacher, `/api/documents/files/${doc.id}/content`)).toBe(404);
    const trash = (await w.as.teacher.get(`/api/documents/trash?establishment=${S}`)).json().items;
    const entry = trash.find((i: { id: string }) => i.id === a.id);
    expect(entry.type).toBe('folder');
    expect(Date.parse(entry.purgeOn) - Date.parse(entry.trashedAt.slice(0, 10))).toBe(30 * 86_400_000);
    expect((await w.as.teacher.patch(`/api/documents/folders/${a.id}`, { trashed: false })).statusCode).toBe(200);
    expect(await status(w.as.teacher, `/api/documents/files/${doc.id}/content`)).toBe(200);
    const live = await w.as.teacher.delete(`/api/documents/files/${doc.id}`);
    expect(live.statusCode).toBe(409);
    expect(live.json().code).toBe('DOCUMENT_NOT_IN_TRASH');
    // A file trashed alone, then restored.
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { trashed: true })).statusCode).toBe(200);
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { name: 'x.pdf' })).statusCode).toBe(404);
    expect((await w.as.teacher.patch(`/api/documents/files/${doc.id}`, { trashed: false })).json().folderId).toBe(b.id);
  });

  test('search by name, accents and case ignored, across spaces and shares, never beyond', async () => {
    const classSpace = (await spacesOf(w.as.teacherB, S)).ofClass(w.b1.id)!;
    await put(w.as.teacherB, classSpace.id, 'Géométrie B1.pdf');
    const found = (await w.as.student.get(`/api/documents/search?establishment=${S}&q=EXERCICE`)).json().items;
    expect(found.map((f: { name: string; space: { kind: string } }) => [f.name, f.space.kind])).toContainEqual([
      'Exercices.pdf',
      'class',
    ]);
    expect((await w.as.student.get(`/api/documents/search?establishment=${S}&q=geometrie`)).json().items).toEqual([]);
    expect(
      names((await w.as.studentB.get(`/api/documents/search?establishment=${S}&q=geometrie`)).json().items),
    ).toEqual(['Géométrie B1.pdf']);
    expect((await w.as.student.get(`/api/documents/search?establishment=${S}&q=a`)).statusCode).toBe(400);
  });
});

describe('usage, indicators, personal data, service gate', () => {
  test('usage events of the meaningful actions', async () => {
    await flushUsage(app);
    const actions = (
      await db.selectFrom('usage_event').select('action').distinct().where('service', '=', 'documents').execute()
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['file.upload', 'file.download', 'share.create', 'share.revoke', 'spaces.view', 'search']),
    );
  });

  test('indicators: shares per week, share of teachers who shared with a class', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const weekAgo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(
      new Date(Date.now() - 6 * 86_400_000),
    );
    const [perWeek, teachers] = documentsModule.indicators!;
    const shares = await countRows(db, 'document_share');
    expect(await perWeek!.compute(db, S, { from: weekAgo, to: today })).toMatchObject({
      value: shares,
      numerator: shares,
    });
    // Two teachers: both put files in their class spaces this week.
    expect(await teachers!.compute(db, S, { from: weekAgo, to: today })).toEqual({
      value: 1,
      numerator: 2,
      denominator: 2,
    });
  });

  test('the export of a person’s data lists their files', async () => {
    const out = await documentsModule.personalData!.exportFor!(db, w.people.student.id);
    expect((out.files as { name: string }[]).map((f) => f.name)).toContain('Mon exposé.pdf');
  });

  test('a closed service: 403 SERVICE_CLOSED, on a named establishment and on an object', async () => {
    const s = await makeSchool(db, app);
    const space = (await spacesOf(s.as.teacher, s.school.id)).ofClass(s.a1.id)!;
    const doc = await put(s.as.teacher, space.id, 'Avant fermeture.pdf');
    expect(
      (await s.as.principal.patch(`/api/establishments/${s.school.id}/services/documents`, { status: 'closed' }))
        .statusCode,
    ).toBe(200);
    for (const res of [
      await s.as.student.get(`/api/documents/spaces?establishment=${s.school.id}`),
      await s.as.student.get(`/api/documents/files/${doc.id}/content`),
      await upload(app, s.as.teacher, `/api/documents/spaces/${space.id}/files`, { name: 'a.png', content: PNG }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('SERVICE_CLOSED');
    }
    // Another school's ids are 404 whatever its settings.
    expect(await status(w.as.teacher, `/api/documents/files/${doc.id}/content`)).toBe(404);
    expect(await status(w.as.teacher, `/api/documents/spaces/${space.id}/files`)).toBe(404);
  });

  test('a platform administrator who is not a member gets no personal space there', async () => {
    const admin = await makeUser(db, { platformAdmin: true });
    const { loginAs } = await import('../../../test/helpers.ts');
    const a = await loginAs(app, admin.login);
    const res = await a.get(`/api/documents/spaces?establishment=${S}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([]);
  });
});
