import type { EstablishmentProfile, LibraryLevel, Licence, Uploaded } from '@preau/contracts';
import { authorize } from '../../platform/access/authorize.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { atLeast, rightsOn, type Viewer } from './documents.access.ts';
import { enter, limitOf, quotaExceeded, spaceOr404 } from './documents.common.ts';
import { PREVIEWABLE } from './documents.files.ts';
import {
  blobs,
  type DocumentRow,
  documents,
  folders,
  library,
  quotas,
  spaces,
  versions,
} from './documents.repository.ts';
import type { LibraryMetaColumn } from './documents.tables.ts';

/**
 * The académie's shared library: help documents, tutorials and teaching resources that its establishments pool.
 * Resource persons (named by their direction) publish one of their files with its discipline, level, author,
 * licence and attribution; the staff of every establishment of the académie search and read it, and copy it
 * into their own documents — the copy keeps the metadata and points back to the resource. Bytes are never
 * copied: the resource and its copies share the blob.
 */

const READERS: EstablishmentProfile[] = ['teacher', 'staff', 'principal', 'local_admin'];
const readsLibrary = (v: Viewer) => READERS.some((p) => v.profiles.has(p));

type LibraryRow = Awaited<ReturnType<typeof library.search>>[number];

function present(d: LibraryRow, v: Viewer | null, platformAdmin: boolean) {
  const meta = d.library as LibraryMetaColumn;
  return {
    id: d.id,
    name: d.name,
    size: Number(d.size),
    mime: d.mime,
    previewable: PREVIEWABLE.has(d.mime),
    publishedAt: new Date(d.created_at).toISOString(),
    publishedBy:
      d.published_by && d.published_by_name ? { id: d.published_by, displayName: d.published_by_name } : null,
    establishmentName: d.published_from_name,
    meta: {
      discipline: meta.discipline && d.discipline_label ? { code: meta.discipline, label: d.discipline_label } : null,
      level: meta.level as LibraryLevel,
      author: meta.author,
      licence: meta.licence as Licence,
      attribution: meta.attribution,
    },
    canRemove: platformAdmin || (v !== null && d.published_by === v.userId),
  };
}

async function librarySpace(
  ctx: RequestContext,
  establishmentId: string,
  permission: 'documents.read' | 'documents.write',
) {
  const { auth, viewer } = await enter(ctx, establishmentId, permission);
  if (!readsLibrary(viewer) || !viewer.academyId) throw forbidden();
  const space = await spaces.ensureLibrary(auth.db, viewer.academyId);
  return { auth, viewer, space };
}

export async function searchLibrary(
  ctx: RequestContext,
  q: { establishment: string; q?: string; discipline?: string; level?: LibraryLevel },
) {
  const { auth, viewer, space } = await librarySpace(ctx, q.establishment, 'documents.read');
  const words = (q.q ?? '')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 5);
  const [rows, disciplines] = await Promise.all([
    library.search(auth.db, space.id, { words, discipline: q.discipline, level: q.level }),
    library.disciplines(auth.db, space.id),
  ]);
  recordUsage(ctx, q.establishment, 'documents', 'library.search');
  return {
    items: rows.map((r) => present(r, viewer, auth.user.platformAdmin)),
    canPublish: viewer.resourcePerson,
    disciplines,
  };
}

export async function publish(
  ctx: RequestContext,
  body: {
    establishment: string;
    documentId: string;
    discipline: string | null;
    level: LibraryLevel;
    author: string;
    licence: Licence;
    attribution: string;
  },
) {
  const { auth, viewer, space } = await librarySpace(ctx, body.establishment, 'documents.write');
  if (!viewer.resourcePerson) throw forbidden();
  const doc = await documents.byId(auth.db, body.documentId);
  if (!doc || doc.establishment_id !== body.establishment) throw notFound();
  const own = await spaceOr404(ctx, doc.space_id);
  const r = await rightsOn(auth.db, viewer, new Map([[own.id, own]]), { documents: [doc] });
  const mine = r.documents.get(doc.id)!;
  if (!mine.right || mine.trashed) throw notFound();
  if (mine.right !== 'manage') throw forbidden();
  if (body.discipline && !(await library.subjectExists(auth.db, body.discipline))) {
    throw new AppError(400, 'VALIDATION', { errors: [{ path: 'body.discipline', message: 'unknown subject code' }] });
  }
  const current = (await versions.one(auth.db, doc.id, doc.version))!;
  const meta: LibraryMetaColumn = {
    discipline: body.discipline,
    level: body.level,
    author: body.author,
    licence: body.licence,
    attribution: body.attribution,
  };
  const created = await auth.transaction(async (trx) => {
    await blobs.touch(trx, current.sha256, Number(current.size));
    const row = await documents.insert(trx, {
      establishment_id: null,
      space_id: space.id,
      folder_id: null,
      name: doc.name,
      size: Number(current.size),
      mime: current.mime,
      created_by: viewer.userId,
      library: JSON.stringify(meta),
      published_by: viewer.userId,
      published_from: body.establishment,
    });
    await versions.insert(trx, {
      document_id: row.id,
      establishment_id: null,
      no: 1,
      sha256: current.sha256,
      size: Number(current.size),
      mime: current.mime,
      created_by: viewer.userId,
    });
    return row;
  });
  recordUsage(ctx, body.establishment, 'documents', 'library.publish');
  const [row] = await library
    .search(auth.db, space.id, { words: [] })
    .then((all) => all.filter((x) => x.id === created.id));
  return present(row!, viewer, auth.user.platformAdmin);
}

/** A library resource, gated in the establishment of its publisher (the platform may always withdraw). */
async function openResource(ctx: RequestContext, id: string): Promise<DocumentRow & { library: LibraryMetaColumn }> {
  const doc = await documents.byId(ctx.db, id);
  if (!doc || doc.library === null || doc.establishment_id !== null) throw notFound();
  return doc as DocumentRow & { library: LibraryMetaColumn };
}

export async function withdrawResource(ctx: RequestContext, id: string): Promise<void> {
  const doc = await openResource(ctx, id);
  const space = await spaceOr404(ctx, doc.space_id);
  const user = ctx.user;
  if (!user) throw notFound();
  // The publisher, in the establishment they published from; a platform administrator anywhere.
  const where = doc.published_from ?? user.memberships[0]?.establishmentId;
  if (!where) throw notFound();
  const auth = await authorize(ctx, { establishmentId: where, permission: 'documents.write', service: null });
  const academy = await spaces.academyOf(auth.db, where);
  if (academy !== space.academy_id) throw notFound();
  if (!auth.user.platformAdmin && doc.published_by !== auth.user.id) throw forbidden();
  await auth.transaction((trx) => documents.deleteForGood(trx, doc.id));
  recordUsage(ctx, where, 'documents', 'library.withdraw');
}

/** Copies a resource into the caller's documents (top, or one of their folders): metadata and attribution kept. */
export async function copyResource(
  ctx: RequestContext,
  id: string,
  body: { establishment: string; folderId?: string | null },
): Promise<Uploaded> {
  const doc = await openResource(ctx, id);
  const { auth, viewer, space: lib } = await librarySpace(ctx, body.establishment, 'documents.write');
  if (doc.space_id !== lib.id) throw notFound();
  const personal = await spaces.ensurePersonal(auth.db, body.establishment, viewer.userId);
  let folderId: string | null = null;
  if (body.folderId) {
    const folder = await folders.byId(auth.db, body.folderId);
    if (!folder || folder.space_id !== personal.id) throw notFound();
    const r = await rightsOn(auth.db, viewer, new Map([[personal.id, personal]]), { folders: [folder] });
    const fr = r.folders.get(folder.id)!;
    if (!fr.right || fr.trashed) throw notFound();
    if (!atLeast(fr.right, 'contribute')) throw forbidden();
    folderId = folder.id;
  }
  const current = (await versions.one(auth.db, doc.id, doc.version))!;
  const size = Number(current.size);
  const limit = await limitOf(auth.db, viewer);
  const copy = await auth.transaction(async (trx) => {
    await quotas.lockPerson(trx, body.establishment, viewer.userId);
    const used = await quotas.used(trx, body.establishment, viewer.userId);
    if (used + size > limit) throw quotaExceeded(used, limit, ctx.lang);
    await blobs.touch(trx, current.sha256, size);
    const row = await documents.insert(trx, {
      establishment_id: body.establishment,
      space_id: personal.id,
      folder_id: folderId,
      name: doc.name,
      size,
      mime: current.mime,
      created_by: viewer.userId,
      library: JSON.stringify(doc.library),
      copied_from: doc.id,
    });
    await versions.insert(trx, {
      document_id: row.id,
      establishment_id: body.establishment,
      no: 1,
      sha256: current.sha256,
      size,
      mime: current.mime,
      created_by: viewer.userId,
    });
    return row;
  });
  recordUsage(ctx, body.establishment, 'documents', 'library.copy');
  return { id: copy.id, name: doc.name, size, version: 1 };
}
