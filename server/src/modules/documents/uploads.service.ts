import type { Uploaded } from '@preau/contracts';
import type { FastifyRequest } from 'fastify';
import type { Authorized, AuthorizedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { StorageLimitError, type TempBlob } from '../../platform/storage/index.ts';
import { recordUsage } from '../../platform/usage.ts';
import { notify } from '../timeline/index.ts';
import { atLeast, type FolderLite, rightsOn, type SpaceRow, type Viewer } from './documents.access.ts';
import {
  enter,
  formatBytes,
  limitOf,
  quotaExceeded,
  rootRight,
  spaceName,
  spaceOr404,
  spaceVisible,
} from './documents.common.ts';
import { cleanName, typeOf } from './documents.files.ts';
import { blobs, documents, folders, quotas, spaces, versions } from './documents.repository.ts';
import { openDocument } from './documents.service.ts';

/**
 * Uploads. The body is read as it arrives: fields, then one `file` part streamed into a temporary blob (hashed,
 * counted, capped at the smaller of the file limit and what is left of the quota), never held whole in memory.
 * Then the checks that need the bytes (empty, type by magic bytes), then one transaction: the person's uploads
 * are serialised, the quota checked again, the blob recorded and locked, the rows written, and the blob
 * committed last. Whatever fails, the temporary blob is discarded: a refused or cut upload leaves nothing.
 */

const MULTIPART_LIMITS = { files: 1, fields: 5, parts: 6, fieldSize: 1024, headerPairs: 20, headerSize: 16 * 1024 };
/** Room for the multipart envelope (boundaries, part headers, fields) around the file's bytes. */
const ENVELOPE = 64 * 1024;

interface Allowance {
  maxBytes: number;
  tooLarge: () => AppError;
}

interface Received {
  temp: TempBlob;
  filename: string;
  fields: Record<string, string>;
}

const incomplete = () => new AppError(400, 'DOCUMENT_UPLOAD_INCOMPLETE');
const fileMissing = () =>
  new AppError(400, 'DOCUMENT_FILE_MISSING', { errors: [{ path: 'body.file', message: 'one file is required' }] });

/** Errors of the multipart reader, as problems. */
function multipartProblem(e: unknown): unknown {
  if (e instanceof AppError) return e;
  const code = (e as { code?: string }).code ?? '';
  const message = (e as { message?: string }).message ?? '';
  if (code === 'FST_FILES_LIMIT') {
    return new AppError(400, 'VALIDATION', { errors: [{ path: 'body.file', message: 'one file per upload' }] });
  }
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') {
    return new AppError(400, 'VALIDATION', { errors: [{ path: 'body', message: 'too many fields' }] });
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
  if (
    code === 'FST_MP_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNRESET' ||
    /Unexpected end|Malformed|aborted|premature/i.test(message)
  ) {
    return incomplete();
  }
  return e;
}

/**
 * Reads a multipart body holding one `file` (and a few fields), streaming the file into a temporary blob once
 * `allow` (given the fields read so far and the file's name) has said how many bytes it may have.
 */
async function receive(
  ctx: RequestContext,
  req: FastifyRequest,
  allow: (fields: Record<string, string>, filename: string) => Promise<Allowance>,
): Promise<Received> {
  if (!req.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ctx.config.maxFileBytes + ENVELOPE) {
    throw new AppError(413, 'DOCUMENT_TOO_LARGE', { vars: { max: formatBytes(ctx.config.maxFileBytes, ctx.lang) } });
  }
  let temp: TempBlob | null = null;
  let filename = '';
  const fields: Record<string, string> = {};
  try {
    // preservePath: a name holding a path is refused (cleanName), not silently cut to its last segment.
    const parts = req.parts({
      preservePath: true,
      limits: { ...MULTIPART_LIMITS, fileSize: ctx.config.maxFileBytes + 1 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value ?? '');
        continue;
      }
      if (part.fieldname !== 'file' || temp) throw fileMissing();
      filename = part.filename ?? '';
      const allowance = await allow(fields, filename);
      try {
        temp = await ctx.storage.writeTemp(part.file, { maxBytes: allowance.maxBytes });
      } catch (e) {
        if (e instanceof StorageLimitError) throw allowance.tooLarge();
        throw multipartProblem(e) === e ? incomplete() : multipartProblem(e);
      }
      if (part.file.truncated) throw allowance.tooLarge();
    }
  } catch (e) {
    if (temp) await ctx.storage.discard(temp).catch(() => {});
    throw multipartProblem(e);
  }
  if (!temp) throw fileMissing();
  return { temp, filename, fields };
}

/** How many bytes the viewer may still put in the establishment, and the problem past it. */
async function allowance(db: AuthorizedDb, ctx: RequestContext, v: Viewer): Promise<Allowance & { limit: number }> {
  const [limit, used] = await Promise.all([limitOf(db, v), quotas.used(db, v.establishmentId, v.userId)]);
  if (used >= limit) throw quotaExceeded(used, limit, ctx.lang);
  const remaining = limit - used;
  const max = ctx.config.maxFileBytes;
  return {
    limit,
    maxBytes: Math.min(max, remaining),
    tooLarge: () =>
      remaining < max
        ? quotaExceeded(used, limit, ctx.lang)
        : new AppError(413, 'DOCUMENT_TOO_LARGE', { vars: { max: formatBytes(max, ctx.lang) } }),
  };
}

/**
 * The transaction that keeps an upload: the person's uploads one at a time, the quota checked on what is really
 * stored, the blob's row written and locked (the purge skips it), the rows, then the blob committed.
 */
async function keep<T>(
  auth: Authorized,
  temp: TempBlob,
  limit: number,
  write: (trx: AuthorizedDb) => Promise<T>,
): Promise<T> {
  return auth.transaction(async (trx) => {
    await quotas.lockPerson(trx, auth.establishmentId, auth.user.id);
    const used = await quotas.used(trx, auth.establishmentId, auth.user.id);
    if (used + temp.size > limit) throw quotaExceeded(used, limit, auth.ctx.lang);
    await blobs.touch(trx, temp.sha256, temp.size);
    const result = await write(trx);
    await auth.ctx.storage.commit(temp);
    return result;
  });
}

/** Where an upload goes: the space's top or a folder of it, where the viewer contributes. */
async function targetFolder(
  auth: Authorized,
  v: Viewer,
  space: SpaceRow,
  folderId: string | undefined,
): Promise<{ id: string | null; path: FolderLite[] }> {
  if (!folderId) {
    if (!atLeast(rootRight(space, v), 'contribute')) {
      if (!spaceVisible(space, v)) throw notFound();
      throw forbidden();
    }
    return { id: null, path: [] };
  }
  if (!/^[0-9a-f-]{36}$/i.test(folderId)) {
    throw new AppError(400, 'VALIDATION', { errors: [{ path: 'body.folderId', message: 'a folder id' }] });
  }
  const folder = await folders.byId(auth.db, folderId);
  if (!folder || folder.space_id !== space.id) throw notFound();
  const r = await rightsOn(auth.db, v, new Map([[space.id, space]]), { folders: [folder] });
  const mine = r.folders.get(folder.id)!;
  if (!mine.right || mine.trashed) throw notFound();
  if (!atLeast(mine.right, 'contribute')) throw forbidden();
  return { id: folder.id, path: [...folder.ancestors.map((a) => r.known.get(a)!).filter(Boolean), folder] };
}

/** `POST /api/documents/spaces/:spaceId/files`. */
export async function uploadFile(ctx: RequestContext, req: FastifyRequest, spaceId: string): Promise<Uploaded> {
  const space = await spaceOr404(ctx, spaceId);
  if (!space.establishment_id) {
    // The library takes resources through publication (with their licence), not plain uploads.
    throw notFound();
  }
  const { auth, viewer } = await enter(ctx, space.establishment_id, 'documents.write');
  if (!spaceVisible(space, viewer) && !(await anyShareInSpace(auth, viewer, space))) throw notFound();
  const state = { target: { id: null as string | null, path: [] as FolderLite[] }, name: '', limit: 0 };
  const received = await receive(ctx, req, async (fields, filename) => {
    state.name = cleanName(filename);
    state.target = await targetFolder(auth, viewer, space, fields.folderId);
    const a = await allowance(auth.db, ctx, viewer);
    state.limit = a.limit;
    return a;
  });
  const { temp } = received;
  const { name, limit } = state;
  let kept = false;
  try {
    // A folderId sent after the file: checked now, before anything is kept.
    if (received.fields.folderId !== undefined && state.target.id !== received.fields.folderId) {
      state.target = await targetFolder(auth, viewer, space, received.fields.folderId);
    }
    if (temp.size === 0) throw new AppError(400, 'DOCUMENT_EMPTY', { vars: { name: name.slice(0, 80) } });
    const mime = await typeOf(name, temp.head);
    const folder = state.target;
    const created = await keep(auth, temp, limit, async (trx) => {
      const doc = await documents.insert(trx, {
        establishment_id: space.establishment_id,
        space_id: space.id,
        folder_id: folder.id,
        name,
        size: temp.size,
        mime,
        created_by: viewer.userId,
      });
      await versions.insert(trx, {
        document_id: doc.id,
        establishment_id: space.establishment_id,
        no: 1,
        sha256: temp.sha256,
        size: temp.size,
        mime,
        created_by: viewer.userId,
      });
      await announce(trx, auth, viewer, space, folder.path, { id: doc.id, name });
      return doc;
    });
    kept = true;
    recordUsage(ctx, auth.establishmentId, 'documents', 'file.upload');
    return { id: created.id, name, size: temp.size, version: 1 };
  } finally {
    if (!kept) await ctx.storage.discard(temp).catch(() => {});
  }
}

/** Someone without a right on the space's top may still contribute to a folder shared with them. */
async function anyShareInSpace(auth: Authorized, v: Viewer, space: SpaceRow): Promise<boolean> {
  const rows = await folders.ofSpace(auth.db, space.id);
  if (rows.length === 0) return false;
  const r = await rightsOn(auth.db, v, new Map([[space.id, space]]), { folders: rows });
  return [...r.folders.values()].some((x) => x.right !== null);
}

/**
 * A new file in a class or group space is announced on the timeline of its students (and of its guardians when
 * it lands in a folder opened to them), in the upload's transaction.
 */
async function announce(
  trx: AuthorizedDb,
  auth: Authorized,
  v: Viewer,
  space: SpaceRow,
  path: FolderLite[],
  doc: { id: string; name: string },
) {
  if (space.kind !== 'class' && space.kind !== 'group') return;
  const id = (space.class_id ?? space.group_id) as string;
  const students =
    (
      await (space.kind === 'class' ? relations.studentsOfClasses(trx, [id]) : relations.studentsOfGroups(trx, [id]))
    ).get(id) ?? new Set<string>();
  const recipients = new Set(students);
  if (path.some((f) => f.guardians_can_read)) {
    for (const g of (await relations.guardiansOf(trx, students)).values()) for (const p of g) recipients.add(p);
  }
  const [row] = await spaces.labels(trx, [space.id]);
  const where = { fr: spaceName(row!, 'fr', v.userId), en: spaceName(row!, 'en', v.userId) };
  await notify(trx, {
    establishmentId: auth.establishmentId,
    kind: 'documents.added',
    recipients,
    text: {
      fr: `${auth.user.displayName} a ajouté « ${doc.name} » dans l'espace ${where.fr}.`,
      en: `${auth.user.displayName} added “${doc.name}” to the space ${where.en}.`,
    },
    link: `/documents/files/${doc.id}`,
    actorId: v.userId,
    source: { type: 'document', id: doc.id },
  });
}

/** `PUT /api/documents/files/:id/content`: a new version; the document's name says which type it must be. */
export async function replaceFile(ctx: RequestContext, req: FastifyRequest, id: string): Promise<Uploaded> {
  const { doc, auth, viewer, right } = await openDocument(ctx, id, 'documents.write');
  if (!atLeast(right, 'contribute') || doc.establishment_id === null) throw forbidden();
  const state = { limit: 0 };
  const { temp } = await receive(ctx, req, async (_fields, filename) => {
    if (filename) cleanName(filename);
    const a = await allowance(auth.db, ctx, viewer);
    state.limit = a.limit;
    return a;
  });
  const { limit } = state;
  let kept = false;
  try {
    if (temp.size === 0) throw new AppError(400, 'DOCUMENT_EMPTY', { vars: { name: doc.name.slice(0, 80) } });
    const mime = await typeOf(doc.name, temp.head);
    const no = await keep(auth, temp, limit, async (trx) => {
      const locked = await documents.lock(trx, doc.id);
      const next = locked.version + 1;
      await versions.insert(trx, {
        document_id: doc.id,
        establishment_id: doc.establishment_id,
        no: next,
        sha256: temp.sha256,
        size: temp.size,
        mime,
        created_by: viewer.userId,
      });
      await documents.setCurrent(trx, doc.id, { no: next, size: temp.size, mime });
      return next;
    });
    kept = true;
    recordUsage(ctx, auth.establishmentId, 'documents', 'file.replace');
    return { id: doc.id, name: doc.name, size: temp.size, version: no };
  } finally {
    if (!kept) await ctx.storage.discard(temp).catch(() => {});
  }
}

/** `POST /api/documents/files/:id/versions`: a previous version becomes the current one (a new version). */
export async function restoreVersion(ctx: RequestContext, id: string, from: number): Promise<Uploaded> {
  const { doc, auth, viewer, right } = await openDocument(ctx, id, 'documents.write');
  if (!atLeast(right, 'contribute') || doc.establishment_id === null) throw forbidden();
  const old = await versions.one(auth.db, doc.id, from);
  if (!old) throw notFound();
  const size = Number(old.size);
  const limit = await limitOf(auth.db, viewer);
  const no = await auth.transaction(async (trx) => {
    await quotas.lockPerson(trx, auth.establishmentId, viewer.userId);
    const used = await quotas.used(trx, auth.establishmentId, viewer.userId);
    if (used + size > limit) throw quotaExceeded(used, limit, ctx.lang);
    await blobs.touch(trx, old.sha256, size);
    const locked = await documents.lock(trx, doc.id);
    const next = locked.version + 1;
    await versions.insert(trx, {
      document_id: doc.id,
      establishment_id: doc.establishment_id,
      no: next,
      sha256: old.sha256,
      size,
      mime: old.mime,
      created_by: viewer.userId,
    });
    await documents.setCurrent(trx, doc.id, { no: next, size, mime: old.mime });
    return next;
  });
  recordUsage(ctx, auth.establishmentId, 'documents', 'version.restore');
  return { id: doc.id, name: doc.name, size, version: no };
}
