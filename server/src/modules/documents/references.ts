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
  /** The reference's id. */
  id: string;
  documentId: string;
  name: string;
  size: number;
  mime: string;
  /** `this`: pinned to the version current when attached; `latest`: follows the document's new versions. */
  version: 'latest' | 'this';
  /** Where its readers download it: `GET /api/documents/references/:id/content`. */
  url: string;
}

/** The download address of a reference (the holder's audience is checked there). */
export const referenceUrl = (id: string) => `/api/documents/references/${id}/content`;

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
    /**
     * Keep the version current now, whatever replaces it later (default: always the latest): `true` for all of
     * them, or the ids of the documents to pin.
     */
    pin?: boolean | readonly string[];
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
  const pin = input.pin;
  const toPin = pin === true ? ids : Array.isArray(pin) ? ids.filter((id) => pin.includes(id)) : [];
  const pinned = toPin.length > 0 ? await versions.currentOf(trx, toPin) : new Map<string, string>();
  const first = await references.nextPosition(trx, input.holder);
  const rows = await references.insert(
    trx,
    ids.map((documentId, i) => ({
      establishment_id: input.establishmentId,
      document_id: documentId,
      version_id: pinned.get(documentId) ?? null,
      holder_module: input.holder.module,
      holder_type: input.holder.type,
      holder_id: input.holder.id,
      created_by: input.userId,
      position: first + i,
    })),
  );
  const refs = new Map(rows.map((r) => [r.document_id, r.id]));
  return ids.map((documentId) => {
    const d = byId.get(documentId)!;
    const id = refs.get(documentId)!;
    return {
      id,
      documentId,
      name: d.name,
      size: Number(d.size),
      mime: d.mime,
      version: pinned.has(documentId) ? 'this' : 'latest',
      url: referenceUrl(id),
    };
  });
}

/**
 * Sets a holder's attachments to exactly this list, in the caller's transaction (an edited lesson, a draft saved
 * again): references left out are removed, those kept unchanged (same document, same `version`) are not checked
 * again — a co-teacher keeps a colleague's attachment they cannot read themselves — and new or changed ones go
 * through `attachDocuments` (403 `ATTACHMENT_NOT_ALLOWED`). Returns the holder's attachments after the change.
 */
export async function replaceAttachments(
  trx: Db,
  input: {
    establishmentId: string;
    holder: Holder;
    attachments: readonly { documentId: string; version: 'latest' | 'this' }[];
    userId: string;
  },
): Promise<AttachedDocument[]> {
  const current = (await referencesOf(trx, [input.holder])).get(input.holder.id) ?? [];
  const wanted = new Map(input.attachments.map((a) => [a.documentId, a.version]));
  const unchanged = new Set(current.filter((c) => wanted.get(c.documentId) === c.version).map((c) => c.documentId));
  const removed = current.filter((c) => !wanted.has(c.documentId)).map((c) => c.documentId);
  if (removed.length > 0) await references.deleteDocumentsOf(trx, input.holder, removed);
  const added = [...wanted].filter(([id]) => !unchanged.has(id));
  if (added.length > 0) {
    await attachDocuments(trx, {
      establishmentId: input.establishmentId,
      holder: input.holder,
      documentIds: added.map(([id]) => id),
      userId: input.userId,
      pin: added.filter(([, v]) => v === 'this').map(([id]) => id),
    });
  }
  return (await referencesOf(trx, [input.holder])).get(input.holder.id) ?? [];
}

/**
 * Copies a holder's references to another holder (a forwarded message's attachments), pins kept, in the caller's
 * transaction. No right on the documents is checked: the caller has checked that the user reads `from` — which
 * is what lets them read its attachments. Returns how many were copied.
 */
export async function copyReferences(
  trx: Db,
  input: { establishmentId: string; from: Holder; to: Holder; userId: string },
): Promise<number> {
  const rows = await references.ofHolders(trx, [input.from]);
  if (rows.length === 0) return 0;
  const first = await references.nextPosition(trx, input.to);
  const inserted = await references.insert(
    trx,
    rows.map((r, i) => ({
      establishment_id: input.establishmentId,
      document_id: r.document_id,
      version_id: r.version_id,
      holder_module: input.to.module,
      holder_type: input.to.type,
      holder_id: input.to.id,
      created_by: input.userId,
      position: first + i,
    })),
  );
  return inserted.length;
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
      version: r.version_id ? 'this' : 'latest',
      url: referenceUrl(r.id),
    });
  }
  return out;
}

/**
 * Removes every reference a holder has (a deleted message), or many holders have (one statement): the documents
 * stay where they are.
 */
export async function detachDocuments(trx: Db, holder: Holder | readonly Holder[]): Promise<number> {
  const holders: readonly Holder[] = Array.isArray(holder) ? holder : [holder as Holder];
  if (holders.length === 0) return 0;
  const res = await references.deleteOf(trx, holders);
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

/**
 * For other modules' demo seeds (the documents demo runs before them): the id of a file of an establishment's
 * spaces by its name, or null.
 */
export async function demoDocumentNamed(db: Db, establishmentId: string, name: string): Promise<string | null> {
  return (await documents.namedIn(db, establishmentId, name))?.id ?? null;
}
