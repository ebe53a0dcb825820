import { multipartBody, pdfBytes, seedDoc, seedFolder, seedSpace } from '../../../test/documents.ts';
import type { Call, ModuleMatrix, Persona, World } from '../../../test/matrix.ts';

/**
 * Every route of the documents module × every persona. The world's class A1 has a space holding a file at its
 * top (readable by its students and teachers, not by its guardians) and a folder opened to the guardians with a
 * file in it; the teacher of A1 wrote both. Rows that change or delete something build a fresh object for each
 * persona, so each persona is judged on the same state. The other establishment's principal gets 404 everywhere.
 */

//                    anon stud guar teac staf prin ladm padm other
const MEMBERS = (ok: number) => [401, ok, ok, ok, ok, ok, ok, ok, 404];
/** The A1 class space: its teachers and the direction; students read; guardians read the open folders. */
const CLASS_READ = (ok: number) => [401, ok, 404, ok, 404, ok, 404, 404, 404];
const CLASS_READ_ALL = (ok: number) => [401, ok, ok, ok, 404, ok, 404, 404, 404];
const CLASS_WRITE = (ok: number) => [401, 403, 403, ok, 404, ok, 404, 404, 404];
const CLASS_MANAGE_ROOT_FILE = (ok: number) => [401, 403, 404, ok, 404, ok, 404, 404, 404];

const cache = new WeakMap<World, Promise<Seeded>>();
interface Seeded {
  space: string;
  file: string;
  folder: string;
  inFolder: string;
  resource: string;
}

/** The class space of A1, a file at its top and a folder opened to guardians with a file (once per world). */
function seeded(w: World): Promise<Seeded> {
  let s = cache.get(w);
  if (!s) {
    s = (async () => {
      const by = w.people.teacher.id;
      const space = await seedSpace(w.db, { kind: 'class', establishmentId: w.a.id, classId: w.class.id });
      const file = await seedDoc(w.db, { spaceId: space, establishmentId: w.a.id, createdBy: by, name: 'Fiche 1.pdf' });
      const folder = await seedFolder(w.db, {
        spaceId: space,
        establishmentId: w.a.id,
        createdBy: by,
        guardians: true,
      });
      const inFolder = await seedDoc(w.db, {
        spaceId: space,
        establishmentId: w.a.id,
        folderId: folder.id,
        createdBy: by,
        name: 'Sortie.pdf',
      });
      // The académie's library, a resource the teacher published; the teacher is a resource person.
      await w.db
        .insertInto('document_delegate')
        .values({ establishment_id: w.a.id, user_id: by, role: 'resource_person' })
        .execute();
      const lib = await w.db
        .insertInto('document_space')
        .values({ kind: 'library', academy_id: w.a.academy_id })
        .returning('id')
        .executeTakeFirstOrThrow();
      const resource = await seedDoc(w.db, {
        spaceId: lib.id,
        establishmentId: null,
        createdBy: by,
        name: 'Tutoriel.pdf',
        publishedFrom: w.a.id,
        library: { discipline: null, level: 'all', author: 'Équipe', licence: 'CC-BY', attribution: '' },
      });
      return { space, file, folder: folder.id, inFolder, resource };
    })();
    cache.set(w, s);
  }
  return s;
}

const file = (name = 'Devoir.pdf') => {
  const m = multipartBody({ name, content: pdfBytes(name) });
  return { body: m.body, headers: { 'content-type': m.contentType } };
};

/** A fresh file of the teacher's at the top of A1's space (for rows that change or delete it). */
async function freshFile(w: World, opts: { trashed?: boolean } = {}) {
  const s = await seeded(w);
  return seedDoc(w.db, { spaceId: s.space, establishmentId: w.a.id, createdBy: w.people.teacher.id, ...opts });
}

const rows = (build: (w: World, p: Persona) => Promise<Call> | Call, expected: number[]) =>
  [build, expected] as ModuleMatrix[string];

export const matrix: ModuleMatrix = {
  'GET /api/documents/spaces': rows((w) => ({ url: `/api/documents/spaces?establishment=${w.a.id}` }), MEMBERS(200)),
  'GET /api/documents/spaces/:spaceId/files': rows(
    async (w) => ({ url: `/api/documents/spaces/${(await seeded(w)).space}/files` }),
    CLASS_READ_ALL(200),
  ),
  'POST /api/documents/spaces/:spaceId/files': rows(
    async (w) => ({ url: `/api/documents/spaces/${(await seeded(w)).space}/files`, ...file() }),
    CLASS_WRITE(201),
  ),
  'GET /api/documents/spaces/:spaceId/browse': rows(
    async (w) => ({ url: `/api/documents/spaces/${(await seeded(w)).space}/browse` }),
    CLASS_READ_ALL(200),
  ),
  'POST /api/documents/spaces/:spaceId/folders': rows(
    async (w) => ({ url: `/api/documents/spaces/${(await seeded(w)).space}/folders`, body: { name: 'Chapitre 4' } }),
    CLASS_WRITE(201),
  ),
  'PATCH /api/documents/folders/:id': rows(
    async (w) => ({ url: `/api/documents/folders/${(await seeded(w)).folder}`, body: { name: 'Informations' } }),
    CLASS_WRITE(200),
  ),
  'DELETE /api/documents/folders/:id': rows(async (w) => {
    const s = await seeded(w);
    const f = await seedFolder(w.db, {
      spaceId: s.space,
      establishmentId: w.a.id,
      createdBy: w.people.teacher.id,
      guardians: true,
      trashed: true,
    });
    return { url: `/api/documents/folders/${f.id}` };
  }, CLASS_WRITE(204)),
  'GET /api/documents/files/:id': rows(
    async (w) => ({ url: `/api/documents/files/${(await seeded(w)).file}` }),
    CLASS_READ(200),
  ),
  'GET /api/documents/files/:id/content': rows(
    async (w) => ({ url: `/api/documents/files/${(await seeded(w)).inFolder}/content` }),
    CLASS_READ_ALL(200),
  ),
  'PUT /api/documents/files/:id/content': rows(
    async (w) => ({ url: `/api/documents/files/${await freshFile(w)}/content`, ...file('Fiche.pdf') }),
    CLASS_MANAGE_ROOT_FILE(200),
  ),
  'POST /api/documents/files/:id/versions': rows(
    async (w) => ({ url: `/api/documents/files/${await freshFile(w)}/versions`, body: { from: 1 } }),
    CLASS_MANAGE_ROOT_FILE(201),
  ),
  'PATCH /api/documents/files/:id': rows(
    async (w) => ({ url: `/api/documents/files/${await freshFile(w)}`, body: { name: 'Renommé.pdf' } }),
    CLASS_MANAGE_ROOT_FILE(200),
  ),
  // A trashed file: only who manages it may know it is there.
  'DELETE /api/documents/files/:id': rows(
    async (w) => ({ url: `/api/documents/files/${await freshFile(w, { trashed: true })}` }),
    [401, 404, 404, 204, 404, 204, 404, 404, 404],
  ),
  'GET /api/documents/trash': rows((w) => ({ url: `/api/documents/trash?establishment=${w.a.id}` }), MEMBERS(200)),
  'GET /api/documents/search': rows(
    (w) => ({ url: `/api/documents/search?establishment=${w.a.id}&q=fiche` }),
    MEMBERS(200),
  ),
  'GET /api/documents/shared': rows((w) => ({ url: `/api/documents/shared?establishment=${w.a.id}` }), MEMBERS(200)),
  'GET /api/documents/shares': rows(
    async (w) => ({ url: `/api/documents/shares?document=${(await seeded(w)).file}` }),
    CLASS_MANAGE_ROOT_FILE(200),
  ),
  'POST /api/documents/shares': rows(
    async (w) => ({
      url: '/api/documents/shares',
      body: {
        documentId: (await seeded(w)).file,
        grantee: { kind: 'class', classId: w.class.id, profile: 'guardian' },
        right: 'read',
      },
    }),
    CLASS_MANAGE_ROOT_FILE(201),
  ),
  'DELETE /api/documents/shares/:id': rows(async (w) => {
    const doc = await freshFile(w);
    const share = await w.db
      .insertInto('document_share')
      .values({
        establishment_id: w.a.id,
        document_id: doc,
        grantee_kind: 'user',
        grantee_id: w.people.teacher.id,
        right: 'read',
        created_by: w.people.teacher.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { url: `/api/documents/shares/${share.id}` };
  }, CLASS_MANAGE_ROOT_FILE(204)),
  'GET /api/documents/share-targets': rows(
    (w) => ({ url: `/api/documents/share-targets?establishment=${w.a.id}&q=a1` }),
    MEMBERS(200),
  ),
  'GET /api/documents/quota': rows((w) => ({ url: `/api/documents/quota?establishment=${w.a.id}` }), MEMBERS(200)),
  'GET /api/documents/settings': rows(
    (w) => ({ url: `/api/documents/settings?establishment=${w.a.id}` }),
    [401, 403, 403, 403, 403, 200, 200, 200, 404],
  ),
  'PUT /api/documents/settings': rows(
    (w) => ({ url: '/api/documents/settings', body: { establishment: w.a.id, quotas: { student: 100_000_000 } } }),
    [401, 403, 403, 403, 403, 200, 200, 200, 404],
  ),
  // The library is for the staff of the académie's establishments.
  'GET /api/documents/library': rows(
    async (w) => {
      await seeded(w);
      return { url: `/api/documents/library?establishment=${w.a.id}` };
    },
    [401, 403, 403, 200, 200, 200, 200, 403, 404],
  ),
  // Only a resource person publishes (the teacher here), a file of their own.
  'POST /api/documents/library': rows(
    async (w) => {
      await seeded(w);
      const space = await seedSpace(w.db, { kind: 'personal', establishmentId: w.a.id, ownerId: w.people.teacher.id });
      const doc = await seedDoc(w.db, { spaceId: space, establishmentId: w.a.id, createdBy: w.people.teacher.id });
      return {
        url: '/api/documents/library',
        body: {
          establishment: w.a.id,
          documentId: doc,
          discipline: null,
          level: 'all',
          author: 'Paul Prof',
          licence: 'CC-BY-SA',
          attribution: '',
        },
      };
    },
    [401, 403, 403, 201, 403, 403, 403, 403, 404],
  ),
  // Its publisher withdraws it; so may the platform.
  'DELETE /api/documents/library/:id': rows(
    async (w) => {
      const s = await seeded(w);
      const lib = await w.db
        .selectFrom('document')
        .select('space_id')
        .where('id', '=', s.resource)
        .executeTakeFirstOrThrow();
      const doc = await seedDoc(w.db, {
        spaceId: lib.space_id,
        establishmentId: null,
        createdBy: w.people.teacher.id,
        publishedFrom: w.a.id,
        library: { discipline: null, level: 'all', author: 'Équipe', licence: 'CC-BY', attribution: '' },
      });
      return { url: `/api/documents/library/${doc}` };
    },
    [401, 403, 403, 204, 403, 403, 403, 204, 404],
  ),
  'POST /api/documents/library/:id/copies': rows(
    async (w) => ({
      url: `/api/documents/library/${(await seeded(w)).resource}/copies`,
      body: { establishment: w.a.id },
    }),
    [401, 403, 403, 201, 201, 201, 201, 403, 404],
  ),
  // No module of the list holds references yet: nobody reads through one (the probe module of
  // references.test.ts shows the allowed path).
  'GET /api/documents/references/:id/content': rows(
    async (w) => {
      const s = await seeded(w);
      const ref = await w.db
        .insertInto('document_reference')
        .values({
          establishment_id: w.a.id,
          document_id: s.file,
          holder_module: 'messaging',
          holder_type: 'message',
          holder_id: crypto.randomUUID(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { url: `/api/documents/references/${ref.id}/content` };
    },
    [401, 404, 404, 404, 404, 404, 404, 404, 404],
  ),
};
