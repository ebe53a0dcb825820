import type { Browse, FileDetail, FileEntry, FolderEntry, LibraryMeta, Space, SpaceKind } from '@preau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { permissionsIn } from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { AuthedContext, RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import {
  atLeast,
  type DocLite,
  type FolderLite,
  type Right,
  rightsOn,
  type SpaceRow,
  sharedWithViewer,
  type Viewer,
} from './documents.access.ts';
import {
  CONTENT_FILE_MAX,
  documentEntry,
  listingOf,
  smallContent,
  spaceWithLabels,
  withAuthorNames,
} from './documents.cache.ts';
import {
  enter,
  establishmentOfSpace,
  limitOf,
  pathTo,
  presentFile,
  presentFolder,
  presentSpace,
  rootRight,
  spaceName,
  spaceOr404,
  spaceVisible,
} from './documents.common.ts';
import { cleanName, contentHeaders, parseRange } from './documents.files.ts';
import {
  type DocumentRow,
  documents,
  type FolderRow,
  folders,
  library,
  quotas,
  type SpaceListRow,
  spaces,
  trash,
  versions,
} from './documents.repository.ts';

const STAFF = ['teacher', 'staff', 'principal', 'local_admin'] as const;
export const TRASH_DAYS = 30;

/** Whether the caller may share in this establishment (the permission may be revoked for a profile). */
async function canShareIn(ctx: AuthedContext, establishmentId: string): Promise<boolean> {
  return (await permissionsIn(ctx.db, ctx.user, establishmentId, ['documents.share'])).length > 0;
}

/** The spaces the viewer should see in the establishment (created from the directory on first look). */
async function viewerSpaces(auth: { db: Parameters<typeof spaces.ensureAndList>[0] }, v: Viewer) {
  const has = (p: (typeof STAFF)[number] | 'student' | 'guardian') => v.profiles.has(p);
  let classIds = new Set<string>();
  let groupIds = new Set<string>();
  if (has('principal')) {
    const all = await spaces.currentClassesAndGroups(auth.db, v.establishmentId);
    classIds = new Set(all.classIds);
    groupIds = new Set(all.groupIds);
  }
  for (const role of ['teacher', 'student', 'guardian'] as const) {
    if (!has(role)) continue;
    for (const c of v.places[role].classes) classIds.add(c);
    for (const g of v.places[role].groups) groupIds.add(g);
  }
  const staff = STAFF.some(has);
  return spaces.ensureAndList(auth.db, {
    establishmentId: v.establishmentId,
    ownerId: v.profiles.size > 0 ? v.userId : null,
    classIds: [...classIds],
    groupIds: [...groupIds],
    admin: staff,
    academyId: staff ? v.academyId : null,
  });
}

const KIND_ORDER: Record<SpaceKind, number> = { personal: 0, class: 1, group: 2, admin: 3, library: 4 };

export async function listSpaces(ctx: RequestContext, establishmentId: string): Promise<{ items: Space[] }> {
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const rows = await viewerSpaces(auth, viewer);
  const items = rows
    .map((r) => presentSpace(r, viewer, ctx.lang))
    .filter((s): s is Space => s !== null)
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name, 'fr', { numeric: true }));
  recordUsage(ctx, establishmentId, 'documents', 'spaces.view');
  return { items };
}

/** A space, the viewer, and what they may do on its top level; 404 when they may see nothing of it. */
async function openSpace(ctx: RequestContext, spaceId: string, permission: 'documents.read' | 'documents.write') {
  // With its labels (class, group, owner), from memory (documents.cache.ts).
  const space = await spaceWithLabels(ctx.db, spaceId);
  if (!space) throw notFound();
  const establishmentId = await establishmentOfSpace(ctx, space);
  const { auth, viewer } = await enter(ctx, establishmentId, permission);
  return { space, auth, viewer, establishmentId, root: rootRight(space, viewer) };
}

async function spaceInfo(ctx: RequestContext, space: SpaceRow, v: Viewer) {
  const [row] = 'class_label' in space ? [space as SpaceListRow] : await spaces.labels(ctx.db, [space.id]);
  return {
    row: row!,
    present: presentSpace(row!, v, ctx.lang) ?? {
      id: space.id,
      kind: space.kind,
      name: spaceName(row!, ctx.lang, v.userId),
      canWrite: false,
      right: 'read' as const,
    },
  };
}

/** `GET …/spaces/:id/files`: the files the caller sees in a space (a folder, the top, or all). */
export async function listFiles(ctx: RequestContext, spaceId: string, folderId: string | undefined) {
  const { space, auth, viewer, root } = await openSpace(ctx, spaceId, 'documents.read');
  let rows: DocumentRow[];
  if (folderId === undefined) rows = await documents.ofSpace(auth.db, space.id);
  else if (folderId === 'root') rows = await documents.inFolder(auth.db, space.id, null);
  else {
    const folder = await folders.byId(auth.db, folderId);
    if (!folder || folder.space_id !== space.id) throw notFound();
    rows = await documents.inFolder(auth.db, space.id, folder.id);
  }
  const rights = await rightsOn(auth.db, viewer, new Map([[space.id, space]]), { documents: rows });
  const items = rows
    .filter((d) => {
      const r = rights.documents.get(d.id);
      return r?.right && !r.trashed;
    })
    .map((d) => ({
      id: d.id,
      name: d.name,
      size: Number(d.size),
      version: d.version,
      updatedAt: new Date(d.updated_at).toISOString(),
      mime: d.mime,
      folderId: d.folder_id,
    }));
  if (root === null && items.length === 0) throw notFound();
  return { items };
}

/** One folder of a space (or its top): breadcrumb, sub-folders, files, and what the caller may do. */
export async function browse(ctx: RequestContext, spaceId: string, folderId: string | undefined): Promise<Browse> {
  const { space, auth, viewer, root } = await openSpace(ctx, spaceId, 'documents.read');
  const spaceMap = new Map([[space.id, space]]);
  // The folder's listing and every share on it, the same for everyone, from memory; the rights are the viewer's.
  const listing = await listingOf(auth.db, space.id, folderId ?? null);
  if (!listing) throw notFound();
  const folder = listing.folder ?? undefined;
  let here: Right | null = root;
  const known = new Map<string, FolderLite>();
  const path = listing.path;
  let pathRights = new Map<string, { right: Right | null; trashed: boolean; shared: boolean }>();
  if (folder) {
    for (const f of path) known.set(f.id, f);
    const r = await rightsOn(auth.db, viewer, spaceMap, { folders: path }, known, listing.shares);
    pathRights = r.folders;
    const mine = r.folders.get(folder.id);
    if (!mine?.right || mine.trashed) throw notFound();
    here = mine.right;
  } else if (root === null && spaceGrantOnlyGuardian(space, viewer) === false) {
    throw notFound();
  }
  const subFolders = listing.subFolders;
  const files = await withAuthorNames(auth.db, listing.files);
  const rights = await rightsOn(
    auth.db,
    viewer,
    spaceMap,
    { folders: subFolders, documents: files },
    known,
    listing.shares,
  );
  // Whether sharing is allowed matters only to who manages something here (not to the students reading).
  const manages =
    here === 'manage' || [...rights.folders.values(), ...rights.documents.values()].some((r) => r.right === 'manage');
  const share = manages && (await canShareIn(auth.ctx, auth.establishmentId));
  const folderEntries: FolderEntry[] = [];
  for (const f of subFolders) {
    const r = rights.folders.get(f.id);
    if (r?.right && !r.trashed) folderEntries.push(presentFolder(f, r.right, r.shared, share));
  }
  const fileEntries: FileEntry[] = [];
  for (const d of files) {
    const r = rights.documents.get(d.id);
    if (r?.right && !r.trashed) fileEntries.push(presentFile(d, r.right, r.shared, share));
  }
  // At the top of a class space, a guardian sees only the folders opened to them.
  if (!folder && root === null && folderEntries.length === 0) throw notFound();
  const info = await spaceInfo(ctx, space, viewer);
  const firstReadable = path.findIndex((f) => pathRights.get(f.id)?.right);
  const crumbs = (root !== null ? path : path.slice(Math.max(0, firstReadable))).map((f) => ({
    id: f.id,
    name: f.name,
  }));
  recordUsage(ctx, auth.establishmentId, 'documents', 'folder.view');
  return {
    space: info.present,
    folder: folder ? presentFolder(folder, here as Right, pathRights.get(folder.id)?.shared ?? false, share) : null,
    breadcrumb: crumbs,
    folders: folderEntries,
    files: fileEntries,
    canWrite: space.kind !== 'library' && atLeast(here, 'contribute'),
  };
}

/** A guardian of the class reads the open folders at its top: the top is browsable, with those only. */
function spaceGrantOnlyGuardian(space: SpaceRow, v: Viewer): boolean {
  if (space.kind !== 'class' && space.kind !== 'group') return false;
  const id = (space.kind === 'class' ? space.class_id : space.group_id) as string;
  return v.profiles.has('guardian') && v.places.guardian[space.kind === 'class' ? 'classes' : 'groups'].has(id);
}

/** A document, the viewer and their right on it; 404 when they may not know it. */
export async function openDocument(
  ctx: RequestContext,
  id: string,
  permission: 'documents.read' | 'documents.write' | 'documents.share',
  opts: { establishment?: string; allowTrashed?: boolean } = {},
) {
  const doc = await documents.byId(ctx.db, id);
  if (!doc) throw notFound();
  const space = await spaceOr404(ctx, doc.space_id);
  const establishmentId = await establishmentOfSpace(ctx, space, opts.establishment);
  const { auth, viewer } = await enter(ctx, establishmentId, permission);
  const rights = await rightsOn(auth.db, viewer, new Map([[space.id, space]]), { documents: [doc] });
  const r = rights.documents.get(doc.id)!;
  if (!r.right) throw notFound();
  if (r.trashed && !(opts.allowTrashed && r.right === 'manage')) throw notFound();
  return { doc, space, auth, viewer, right: r.right, shared: r.shared, trashed: r.trashed, known: rights.known };
}

export async function fileDetail(ctx: RequestContext, id: string): Promise<FileDetail> {
  const { doc, space, auth, viewer, right, shared, known } = await openDocument(ctx, id, 'documents.read', {
    allowTrashed: true,
  });
  const [history, share, info] = await Promise.all([
    versions.ofDocument(auth.db, doc.id),
    canShareIn(auth.ctx, auth.establishmentId),
    spaceInfo(ctx, space, viewer),
  ]);
  const lite = doc.folder_id ? known.get(doc.folder_id) : undefined;
  const path = lite
    ? await folders.byIds(
        auth.db,
        pathTo(lite, known).map((f) => f.id),
      )
    : [];
  const byId = new Map(path.map((f) => [f.id, f]));
  const meta = doc.library;
  const subject = meta?.discipline != null ? ((await library.subjects(auth.db, [meta.discipline]))[0] ?? null) : null;
  return {
    ...presentFile(doc, right, shared, share),
    space: { id: space.id, kind: space.kind, name: info.present.name },
    breadcrumb: pathTo(lite, known)
      .map((f) => byId.get(f.id))
      .filter((f): f is FolderRow => !!f)
      .map((f) => ({ id: f.id, name: f.name })),
    versions: history.map((v) => ({
      no: v.no,
      size: Number(v.size),
      mime: v.mime,
      createdAt: new Date(v.created_at).toISOString(),
      author: v.created_by && v.display_name ? { id: v.created_by, displayName: v.display_name } : null,
      current: v.no === doc.version,
    })),
    trashedAt: doc.trashed_at ? new Date(doc.trashed_at).toISOString() : null,
    library: meta
      ? {
          discipline: subject ? { code: subject.code, label: subject.label } : null,
          level: meta.level as LibraryMeta['level'],
          author: meta.author,
          licence: meta.licence as LibraryMeta['licence'],
          attribution: meta.attribution,
        }
      : null,
    copiedFrom: doc.copied_from,
  };
}

/** Streams a version's bytes with safe headers; a single byte range is honoured (206). */
export async function sendBytes(
  ctx: RequestContext,
  req: FastifyRequest,
  reply: FastifyReply,
  file: { name: string; sha256: string; size: number; mime: string },
  disposition: 'inline' | 'attachment' | undefined,
): Promise<FastifyReply> {
  const headers = contentHeaders(file.name, file.mime, disposition);
  const range = parseRange(req.headers.range, file.size);
  reply.headers({ ...headers, etag: `"${file.sha256}"` });
  if (req.headers['if-none-match'] === `"${file.sha256}"`) return reply.code(304).send();
  if (range === 'invalid') {
    return reply.code(416).header('content-range', `bytes */${file.size}`).send();
  }
  if (!range && file.size <= CONTENT_FILE_MAX) {
    // A small file from memory: one write, no file opened (the bytes of a hash never change).
    const bytes = await smallContent(ctx.storage, file.sha256, file.size);
    return reply.code(200).header('content-length', String(bytes.length)).send(bytes);
  }
  const stream = await ctx.storage.read(file.sha256, range ?? undefined);
  if (range) {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${file.size}`)
      .header('content-length', String(range.end - range.start + 1));
  } else {
    reply.code(200).header('content-length', String(file.size));
  }
  return reply.send(stream);
}

export async function fileContent(
  ctx: RequestContext,
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
  q: { version?: number; disposition?: 'inline' | 'attachment'; establishment?: string },
) {
  // The document, its space, the folders above it, its shares and its current version from memory; the right is
  // the caller's, worked out now.
  const entry = await documentEntry(ctx.db, id);
  if (!entry) throw notFound();
  const { doc, space } = entry;
  const establishmentId = await establishmentOfSpace(ctx, space, q.establishment);
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const known = new Map(entry.path.map((f) => [f.id, f]));
  const rights = await rightsOn(
    auth.db,
    viewer,
    new Map([[space.id, space]]),
    { documents: [doc] },
    known,
    entry.shares,
  );
  const r = rights.documents.get(doc.id)!;
  if (!r.right || r.trashed) throw notFound();
  const wanted = q.version ?? doc.version;
  const v = wanted === doc.version && entry.current ? entry.current : await versions.one(auth.db, doc.id, wanted);
  if (!v) throw notFound();
  recordUsage(ctx, auth.establishmentId, 'documents', 'file.download');
  return sendBytes(
    ctx,
    req,
    reply,
    { name: doc.name, sha256: v.sha256, size: Number(v.size), mime: v.mime },
    q.disposition,
  );
}

/** Rename, move, trash or restore a file. */
export async function updateFile(
  ctx: RequestContext,
  id: string,
  body: { name?: string; folderId?: string | null; trashed?: boolean },
): Promise<FileEntry> {
  const { doc, space, auth, viewer, right, trashed } = await openDocument(ctx, id, 'documents.write', {
    allowTrashed: true,
  });
  if (right !== 'manage') throw forbidden();
  if (trashed && body.trashed !== false) throw notFound();
  const set: Parameters<typeof documents.update>[2] = {};
  if (body.name !== undefined) set.name = cleanName(body.name);
  if (body.folderId !== undefined) {
    set.folder_id = await checkTarget(auth.db, viewer, space, body.folderId);
  }
  if (body.trashed === true) {
    set.trashed_at = new Date();
    set.trashed_by = viewer.userId;
  } else if (body.trashed === false) {
    set.trashed_at = null;
    set.trashed_by = null;
    // Back to its folder if it still exists and is not in the trash; else to the top of its space.
    if (doc.folder_id && set.folder_id === undefined) {
      const path = await folders.byIds(auth.db, [doc.folder_id]);
      const f = path[0];
      if (!f) set.folder_id = null;
      else {
        const all = await folders.byIds(auth.db, [...f.ancestors, f.id]);
        if (all.some((x) => x.trashed_at !== null)) set.folder_id = null;
      }
    }
  }
  await auth.transaction((trx) => documents.update(trx, doc.id, set));
  recordUsage(
    ctx,
    auth.establishmentId,
    'documents',
    body.trashed === true
      ? 'file.trash'
      : body.trashed === false
        ? 'file.restore'
        : body.folderId !== undefined
          ? 'file.move'
          : 'file.rename',
  );
  const fresh = (await documents.byId(auth.db, doc.id))!;
  return presentFile(fresh, right, fresh.shared, await canShareIn(auth.ctx, auth.establishmentId));
}

/**
 * A folder to move into (null: the top of the space): in the same space, live, where the viewer contributes.
 * Returns the folder id.
 */
async function checkTarget(
  db: Parameters<typeof folders.byId>[0],
  v: Viewer,
  space: SpaceRow,
  folderId: string | null,
): Promise<string | null> {
  if (folderId === null) {
    if (!atLeast(rootRight(space, v), 'contribute')) {
      if (!spaceVisible(space, v)) throw notFound();
      throw forbidden();
    }
    return null;
  }
  const target = await folders.byId(db, folderId);
  if (!target) throw notFound();
  if (target.space_id !== space.id) throw new AppError(400, 'DOCUMENT_MOVE_INVALID');
  const r = await rightsOn(db, v, new Map([[space.id, space]]), { folders: [target] });
  const tr = r.folders.get(target.id)!;
  if (!tr.right || tr.trashed) throw notFound();
  if (!atLeast(tr.right, 'contribute')) throw forbidden();
  return target.id;
}

export async function deleteFile(ctx: RequestContext, id: string): Promise<void> {
  const { doc, auth, right, trashed } = await openDocument(ctx, id, 'documents.write', { allowTrashed: true });
  if (right !== 'manage') throw forbidden();
  if (!trashed) throw new AppError(409, 'DOCUMENT_NOT_IN_TRASH');
  await auth.transaction((trx) => documents.deleteForGood(trx, doc.id));
  recordUsage(ctx, auth.establishmentId, 'documents', 'file.delete');
}

async function openFolder(ctx: RequestContext, id: string, permission: 'documents.write' | 'documents.share') {
  const folder = await folders.byId(ctx.db, id);
  if (!folder) throw notFound();
  const space = await spaceOr404(ctx, folder.space_id);
  const establishmentId = await establishmentOfSpace(ctx, space);
  const { auth, viewer } = await enter(ctx, establishmentId, permission);
  const r = await rightsOn(auth.db, viewer, new Map([[space.id, space]]), { folders: [folder] });
  const mine = r.folders.get(folder.id)!;
  if (!mine.right) throw notFound();
  return { folder, space, auth, viewer, right: mine.right, trashed: mine.trashed, shared: mine.shared, known: r.known };
}

export async function createFolder(
  ctx: RequestContext,
  spaceId: string,
  body: { name: string; parentId?: string | null },
): Promise<FolderEntry> {
  const { space, auth, viewer } = await openSpace(ctx, spaceId, 'documents.write');
  if (space.kind === 'library') throw forbidden();
  const name = cleanName(body.name);
  let ancestors: string[] = [];
  const parentId = body.parentId ?? null;
  if (parentId) {
    await checkTarget(auth.db, viewer, space, parentId);
    const parent = (await folders.byId(auth.db, parentId))!;
    ancestors = [...parent.ancestors, parent.id];
  } else if (!atLeast(rootRight(space, viewer), 'contribute')) {
    if (!spaceVisible(space, viewer)) throw notFound();
    throw forbidden();
  }
  const created = await auth.transaction((trx) =>
    folders.insert(trx, {
      establishment_id: space.establishment_id,
      space_id: space.id,
      parent_id: parentId,
      ancestors,
      name,
      created_by: viewer.userId,
    }),
  );
  recordUsage(ctx, auth.establishmentId, 'documents', 'folder.create');
  const row = (await folders.byId(auth.db, created.id))!;
  const r = await rightsOn(auth.db, viewer, new Map([[space.id, space]]), { folders: [row] });
  return presentFolder(
    row,
    r.folders.get(row.id)!.right ?? 'manage',
    false,
    await canShareIn(auth.ctx, auth.establishmentId),
  );
}

export async function updateFolder(
  ctx: RequestContext,
  id: string,
  body: {
    name?: string;
    parentId?: string | null;
    trashed?: boolean;
    guardiansCanRead?: boolean;
    audience?: ('teacher' | 'staff')[] | null;
  },
): Promise<FolderEntry> {
  const { folder, space, auth, viewer, right, trashed } = await openFolder(ctx, id, 'documents.write');
  if (right !== 'manage') throw forbidden();
  if (trashed && body.trashed !== false) throw notFound();
  if (body.guardiansCanRead !== undefined && space.kind !== 'class' && space.kind !== 'group') {
    throw new AppError(400, 'VALIDATION', {
      errors: [{ path: 'body.guardiansCanRead', message: 'only in class and group spaces' }],
    });
  }
  if (body.audience !== undefined && space.kind !== 'admin') {
    throw new AppError(400, 'VALIDATION', {
      errors: [{ path: 'body.audience', message: 'only in the administrative space' }],
    });
  }
  const name = body.name !== undefined ? cleanName(body.name) : undefined;
  let move: { parentId: string | null; ancestors: string[] } | null = null;
  if (body.parentId !== undefined) {
    if (body.parentId === folder.id) throw new AppError(400, 'DOCUMENT_MOVE_INVALID');
    await checkTarget(auth.db, viewer, space, body.parentId);
    if (body.parentId) {
      const parent = (await folders.byId(auth.db, body.parentId))!;
      if (parent.ancestors.includes(folder.id)) throw new AppError(400, 'DOCUMENT_MOVE_INVALID');
      move = { parentId: parent.id, ancestors: [...parent.ancestors, parent.id] };
    } else move = { parentId: null, ancestors: [] };
  }
  await auth.transaction(async (trx) => {
    const set: Parameters<typeof folders.update>[2] = {};
    if (name !== undefined) set.name = name;
    if (body.guardiansCanRead !== undefined) set.guardians_can_read = body.guardiansCanRead;
    if (body.audience !== undefined) set.audience = body.audience;
    if (body.trashed === true) {
      set.trashed_at = new Date();
      set.trashed_by = viewer.userId;
    } else if (body.trashed === false) {
      set.trashed_at = null;
      set.trashed_by = null;
    }
    await folders.update(trx, folder.id, set);
    if (move) await folders.move(trx, folder.id, move.parentId, move.ancestors);
    if (body.guardiansCanRead !== undefined || body.audience !== undefined) {
      await audit(trx, ctx, {
        action: 'documents.folder.audience',
        establishmentId: auth.establishmentId,
        targetType: 'document_folder',
        targetId: folder.id,
        details: {
          ...(body.guardiansCanRead !== undefined ? { guardiansCanRead: body.guardiansCanRead } : {}),
          ...(body.audience !== undefined ? { audience: body.audience } : {}),
        },
      });
    }
  });
  recordUsage(
    ctx,
    auth.establishmentId,
    'documents',
    body.trashed === true ? 'folder.trash' : body.trashed === false ? 'folder.restore' : 'folder.update',
  );
  const fresh = (await folders.byId(auth.db, folder.id))!;
  return presentFolder(fresh, right, fresh.shared, await canShareIn(auth.ctx, auth.establishmentId));
}

export async function deleteFolder(ctx: RequestContext, id: string): Promise<void> {
  const { folder, auth, right } = await openFolder(ctx, id, 'documents.write');
  if (right !== 'manage') throw forbidden();
  if (folder.trashed_at === null) throw new AppError(409, 'DOCUMENT_NOT_IN_TRASH');
  await auth.transaction((trx) => folders.deleteForGood(trx, folder.id));
  recordUsage(ctx, auth.establishmentId, 'documents', 'folder.delete');
}

export async function trashOf(ctx: RequestContext, establishmentId: string) {
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const personal = await spaces.personalOf(auth.db, establishmentId, viewer.userId);
  const { files, dirs } = await trash.of(auth.db, establishmentId, viewer.userId, personal?.id ?? null);
  const spaceMap = await spaces.byIds(auth.db, [...files.map((f) => f.space_id), ...dirs.map((d) => d.space_id)]);
  const rights = await rightsOn(auth.db, viewer, spaceMap, {
    documents: files as DocLite[],
    folders: dirs as FolderLite[],
  });
  const labels = new Map((await spaces.labels(auth.db, [...spaceMap.keys()])).map((s) => [s.id, s]));
  const spaceOf = (id: string) => {
    const s = labels.get(id)!;
    return { id, kind: s.kind, name: spaceName(s, ctx.lang, viewer.userId) };
  };
  const purgeOn = (d: Date) => new Date(new Date(d).getTime() + TRASH_DAYS * 86_400_000).toISOString().slice(0, 10);
  const items = [
    ...dirs
      .filter((d) => rights.folders.get(d.id)?.right === 'manage')
      .map((d) => ({
        type: 'folder' as const,
        id: d.id,
        name: d.name,
        size: null,
        space: spaceOf(d.space_id),
        trashedAt: new Date(d.trashed_at!).toISOString(),
        purgeOn: purgeOn(d.trashed_at!),
      })),
    ...files
      .filter((f) => rights.documents.get(f.id)?.right === 'manage')
      .map((f) => ({
        type: 'file' as const,
        id: f.id,
        name: f.name,
        size: Number(f.size),
        space: spaceOf(f.space_id),
        trashedAt: new Date(f.trashed_at!).toISOString(),
        purgeOn: purgeOn(f.trashed_at!),
      })),
  ].sort((a, b) => b.trashedAt.localeCompare(a.trashedAt));
  return { items };
}

/** Files the viewer sees whose name holds every word: their spaces, and what is shared with them. */
export async function search(ctx: RequestContext, establishmentId: string, q: string) {
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const words = q
    .normalize('NFC')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 5);
  const visible = await viewerSpaces(auth, viewer);
  const shared = await sharedWithViewer(auth.db, viewer);
  const sharedFolders = shared.map((s) => s.folder_id).filter((x): x is string => !!x);
  const underShared = await documents.under(auth.db, sharedFolders);
  const extra = [...shared.map((s) => s.document_id).filter((x): x is string => !!x), ...underShared.map((d) => d.id)];
  const rows = await documents.search(
    auth.db,
    visible.filter((s) => s.kind !== 'library').map((s) => s.id),
    extra,
    words,
  );
  const spaceMap = await spaces.byIds(
    auth.db,
    rows.map((r) => r.space_id),
  );
  const rights = await rightsOn(auth.db, viewer, spaceMap, { documents: rows });
  const labels = new Map((await spaces.labels(auth.db, [...spaceMap.keys()])).map((s) => [s.id, s]));
  const share = await canShareIn(auth.ctx, establishmentId);
  const items = rows
    .filter((d) => {
      const r = rights.documents.get(d.id);
      return r?.right && !r.trashed;
    })
    .slice(0, 50)
    .map((d) => {
      const r = rights.documents.get(d.id)!;
      const s = labels.get(d.space_id)!;
      return {
        ...presentFile(d, r.right as Right, r.shared, share),
        space: { id: s.id, kind: s.kind, name: spaceName(s, ctx.lang, viewer.userId) },
      };
    });
  recordUsage(ctx, establishmentId, 'documents', 'search');
  return { items };
}

/** "Partagés avec moi": the documents and folders shared with the viewer, their classes, groups or profile. */
export async function sharedWithMe(ctx: RequestContext, establishmentId: string) {
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const rows = await sharedWithViewer(auth.db, viewer);
  const docIds = [...new Set(rows.map((r) => r.document_id).filter((x): x is string => !!x))];
  const folderIds = [...new Set(rows.map((r) => r.folder_id).filter((x): x is string => !!x))];
  const [docs, dirs] = await Promise.all([documents.byIds(auth.db, docIds), folders.byIds(auth.db, folderIds)]);
  const spaceMap = await spaces.byIds(auth.db, [...docs.map((d) => d.space_id), ...dirs.map((f) => f.space_id)]);
  const rights = await rightsOn(auth.db, viewer, spaceMap, { documents: docs, folders: dirs });
  const firstShare = (key: 'document_id' | 'folder_id', id: string) => rows.find((r) => r[key] === id)!;
  const items = [
    ...dirs
      .filter((f) => {
        const r = rights.folders.get(f.id);
        return r?.right && !r.trashed && spaceMap.get(f.space_id)?.owner_id !== viewer.userId;
      })
      .map((f) => {
        const s = firstShare('folder_id', f.id);
        return {
          type: 'folder' as const,
          id: f.id,
          name: f.name,
          size: null,
          mime: null,
          spaceId: f.space_id,
          right: rights.folders.get(f.id)!.right as Right,
          sharedBy: s.created_by && s.created_by_name ? { id: s.created_by, displayName: s.created_by_name } : null,
          sharedAt: new Date(s.created_at).toISOString(),
        };
      }),
    ...docs
      .filter((d) => {
        const r = rights.documents.get(d.id);
        return r?.right && !r.trashed && spaceMap.get(d.space_id)?.owner_id !== viewer.userId;
      })
      .map((d) => {
        const s = firstShare('document_id', d.id);
        return {
          type: 'file' as const,
          id: d.id,
          name: d.name,
          size: Number(d.size),
          mime: d.mime,
          spaceId: d.space_id,
          right: rights.documents.get(d.id)!.right as Right,
          sharedBy: s.created_by && s.created_by_name ? { id: s.created_by, displayName: s.created_by_name } : null,
          sharedAt: new Date(s.created_at).toISOString(),
        };
      }),
  ].sort((a, b) => b.sharedAt.localeCompare(a.sharedAt));
  recordUsage(ctx, establishmentId, 'documents', 'shared.view');
  return { items };
}

/** Used and allowed bytes, in an establishment (default: the caller's first). */
export async function quota(ctx: RequestContext, establishment: string | undefined) {
  const establishmentId = establishment ?? ctx.user?.memberships[0]?.establishmentId;
  if (!establishmentId) throw notFound();
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.read');
  const [used, limit] = await Promise.all([
    quotas.used(auth.db, establishmentId, viewer.userId),
    limitOf(auth.db, viewer),
  ]);
  return { used, limit };
}
