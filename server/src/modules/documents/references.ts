import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { loadViewerFromDb, rightsOn } from './documents.access.ts';
import { documents, type Holder, references, spaces, versions } from './documents.repository.ts';
import { sendBytes } from './documents.service.ts';

/**
 * Documents attached by reference (issue 11): another module — messaging, the logbook, school life — stores a
 * reference to a document (its latest version, or the version current at attaching time when pinned) on one of
 * its objects, the holder. Bytes are never copied. Reading through a reference is checked against the holder's
 * audience by the holder's own module (`documentHolders` in its defineModule), never against the document's
 * spaces: a message's recipients read its attachments, and nobody else through it.
 */

export type { Holder };

export interface AttachedDocument {
  /** The reference's id: `GET /api/documents/references/:id/content` serves its bytes. */
  id: string;
  documentId: string;
  name: string;
  size: number;
  mime: string;
}

/**
 * Attaches documents to a holder, in the caller's transaction: the user must be able to read every one of them
 * in the establishment (else 403 `ATTACHMENT_NOT_ALLOWED`, the refused ids in `errors`, nothing written).
 * Attaching again the same document to the same holder keeps one reference (its pin updated).
 */
export async function attachDocuments(
  trx: Db,
  input: {
    establishmentId: string;
    holder: Holder;
    documentIds: readonly string[];
    userId: string;
    /** Keep the version current now, whatever replaces it later (default: always the latest). */
    pin?: boolean;
  },
): Promise<AttachedDocument[]> {
  const ids = [...new Set(input.documentIds)];
  if (ids.length === 0) return [];
  const viewer = await loadViewerFromDb(trx, input.userId, input.establishmentId);
  const docs = await documents.byIds(trx, ids);
  const spaceMap = await spaces.byIds(
    trx,
    docs.map((d) => d.space_id),
  );
  const rights = await rightsOn(trx, viewer, spaceMap, { documents: docs });
  const readable = new Set(
    docs
      .filter((d) => {
        const r = rights.documents.get(d.id);
        return r?.right && !r.trashed;
      })
      .map((d) => d.id),
  );
  const refused = ids.filter((id) => !readable.has(id));
  if (refused.length > 0) {
    throw new AppError(403, 'ATTACHMENT_NOT_ALLOWED', {
      errors: refused.map((id) => ({ path: 'documentIds', message: id })),
    });
  }
  const byId = new Map(docs.map((d) => [d.id, d]));
  const pinned = input.pin ? await versions.currentOf(trx, ids) : new Map<string, string>();
  const rows = await references.insert(
    trx,
    ids.map((documentId, position) => ({
      establishment_id: input.establishmentId,
      document_id: documentId,
      version_id: pinned.get(documentId) ?? null,
      holder_module: input.holder.module,
      holder_type: input.holder.type,
      holder_id: input.holder.id,
      created_by: input.userId,
      position,
    })),
  );
  const refs = new Map(rows.map((r) => [r.document_id, r.id]));
  return ids.map((documentId) => {
    const d = byId.get(documentId)!;
    return { id: refs.get(documentId)!, documentId, name: d.name, size: Number(d.size), mime: d.mime };
  });
}

/**
 * The references of many holders in one query, for display (a page of messages with their attachments):
 * holder id → its documents, in attaching order. Name is the document's current name; size and type are those
 * of the version the reference points to.
 */
export async function referencesOf(db: Db, holders: readonly Holder[]): Promise<Map<string, AttachedDocument[]>> {
  const rows = await references.ofHolders(db, holders);
  const out = new Map<string, AttachedDocument[]>();
  for (const h of holders) out.set(h.id, []);
  for (const r of rows) {
    out.get(r.holder_id)?.push({
      id: r.id,
      documentId: r.document_id,
      name: r.name,
      size: Number(r.size),
      mime: r.mime,
    });
  }
  return out;
}

/** Removes every reference a holder has (a deleted message): the documents stay where they are. */
export async function detachDocuments(trx: Db, holder: Holder): Promise<number> {
  const res = await references.deleteOf(trx, holder);
  return Number(res.numDeletedRows ?? 0);
}

/**
 * `GET /api/documents/references/:id/content`: the bytes, for a member of the reference's establishment whom the
 * holder's module lets read the holder. Anything else — no such reference, no holder check declared, a reader
 * the holder's module refuses — is 404.
 */
export async function referenceContent(
  ctx: RequestContext,
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
  disposition: 'inline' | 'attachment' | undefined,
) {
  const ref = await references.byId(ctx.db, id);
  if (!ref) throw notFound();
  const auth = await authorize(ctx, {
    establishmentId: ref.establishment_id,
    permission: 'documents.read',
    service: null,
  });
  const check = moduleRegistry().documentHolders.get(`${ref.holder_module}.${ref.holder_type}`);
  if (!check) throw notFound();
  const allowed = await check(auth.db, auth.user.id, [ref.holder_id]);
  if (!allowed.has(ref.holder_id)) throw notFound();
  recordUsage(ctx, ref.establishment_id, 'documents', 'reference.read');
  return sendBytes(
    ctx,
    req,
    reply,
    { name: ref.name, sha256: ref.sha256, size: Number(ref.size), mime: ref.mime },
    disposition,
  );
}
