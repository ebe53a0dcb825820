import { relations } from '../../platform/access/relations.repository.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { BlobStorage } from '../../platform/storage/index.ts';
import type { FolderLite, KeptShare, SpaceRow } from './documents.access.ts';
import {
  type DocumentRow,
  documents,
  type FolderRow,
  folders,
  type SpaceListRow,
  sharesOn,
  spaces,
  structureLabel,
  versions,
} from './documents.repository.ts';

/**
 * What the documents' daily reads (a folder's listing, a download) keep in memory, the same for every viewer:
 * the rights are worked out per request on top of it (`rightsOn` with the kept shares), never kept. Every change
 * announces its space (`ds:<space id>`, migration 0101), so a listing or a document is dropped when anything of its
 * space changes; a class or group renamed announces its id (the space's name).
 */

export type ShareLite = KeptShare;

const SPACES = defineCache<SpaceRow | undefined>({
  name: 'documents-spaces',
  topic: 'ds',
  max: 50_000,
  ttlMs: 600_000,
});
const STRUCTURES = defineCache<{ label: string | null; code: string | null } | null>({
  name: 'documents-structure-labels',
  topic: 'ds',
  max: 50_000,
  ttlMs: 600_000,
});

/** A space with what names it (its class's or group's label, its owner's name); undefined when it does not exist. */
export async function spaceWithLabels(db: Db, id: string): Promise<SpaceListRow | undefined> {
  const space = await cached(db, SPACES, id, () => spaces.byId(db, id));
  if (!space) return undefined;
  const structure = space.class_id ?? space.group_id;
  const [labels, owner] = await Promise.all([
    structure ? cached(db, STRUCTURES, structure, () => structureLabel(db, structure)) : null,
    space.owner_id ? relations.displayNames(db, [space.owner_id]) : null,
  ]);
  return {
    ...space,
    class_label: space.class_id ? (labels?.label ?? null) : null,
    class_code: space.class_id ? (labels?.code ?? null) : null,
    group_label: space.group_id ? (labels?.label ?? null) : null,
    owner_name: space.owner_id ? (owner?.get(space.owner_id) ?? null) : null,
  };
}

/** A folder of a space (or its top) as listed: the folder and the path down to it, what is right in it, the shares. */
export interface Listing {
  folder: FolderRow | null;
  /** From the space's top down to the folder (included). */
  path: FolderRow[];
  subFolders: FolderRow[];
  files: DocumentRow[];
  /** Every share on the path, the sub-folders and the files. */
  shares: ShareLite[];
}

const LISTINGS = defineCache<Listing | undefined>({
  name: 'documents-listings',
  topic: 'ds',
  max: 20_000,
  ttlMs: 600_000,
});

/** The listing of a folder of the space (null: its top); null when the folder is not in the space. */
export async function listingOf(db: Db, spaceId: string, folderId: string | null): Promise<Listing | null> {
  const listing = await cached(
    db,
    LISTINGS,
    `${spaceId}/${folderId ?? ''}`,
    async () => {
      let folder: FolderRow | null = null;
      let path: FolderRow[] = [];
      if (folderId) {
        folder = (await folders.byId(db, folderId)) ?? null;
        if (!folder || folder.space_id !== spaceId) return undefined; // not kept
        const order = [...folder.ancestors, folder.id];
        path = (await folders.byIds(db, order)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
      }
      const [subFolders, files] = await Promise.all([
        folders.children(db as never, spaceId, folderId),
        documents.inFolder(db as never, spaceId, folderId),
      ]);
      const shares = await sharesOn(
        db,
        files.map((d) => d.id),
        [...path, ...subFolders].map((f) => f.id),
      );
      return { folder, path, subFolders, files, shares };
    },
    [spaceId],
  );
  return listing ?? null;
}

/** A document as a download needs it: the row, its space, the folders above it, the shares, its current version. */
export interface DocEntry {
  doc: DocumentRow;
  space: SpaceRow;
  path: FolderLite[];
  shares: ShareLite[];
  current: { no: number; sha256: string; size: string; mime: string } | null;
}

const DOCS = defineCache<DocEntry | undefined>({ name: 'documents-files', topic: 'ds', max: 50_000, ttlMs: 600_000 });

/**
 * A live document by id, from memory: kept under its id, tagged with its space (whose notifications drop it). Null
 * when there is no such live document.
 */
export async function documentEntry(db: Db, id: string): Promise<DocEntry | null> {
  const entry = await cached(
    db,
    DOCS,
    id,
    async () => {
      const doc = await documents.byId(db, id);
      return doc ? loadEntry(db, doc) : undefined; // undefined: not kept
    },
    (e) => (e ? [e.doc.space_id] : []),
  );
  return entry ?? null;
}

async function loadEntry(db: Db, doc: DocumentRow): Promise<DocEntry | undefined> {
  const space = await spaces.byId(db, doc.space_id);
  if (!space) return undefined;
  const folder = doc.folder_id ? await folders.byId(db, doc.folder_id) : undefined;
  const order = folder ? [...folder.ancestors, folder.id] : [];
  const path = folder ? (await folders.byIds(db, order)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)) : [];
  const [shares, current] = await Promise.all([
    sharesOn(
      db,
      [doc.id],
      path.map((f) => f.id),
    ),
    versions.one(db, doc.id, doc.version),
  ]);
  return { doc, space, path, shares, current: current ?? null };
}

/** Fill in the authors' names of kept rows (a rename is not a change of the space). */
export async function withAuthorNames(db: Db, rows: readonly DocumentRow[]): Promise<DocumentRow[]> {
  const names = await relations.displayNames(
    db,
    rows.flatMap((d) => (d.created_by ? [d.created_by] : [])),
  );
  return rows.map((d) => (d.created_by ? { ...d, created_by_name: names.get(d.created_by) ?? null } : d));
}

/**
 * Small files' bytes by content hash, in memory: a hash names its bytes forever (content-addressed storage), so
 * nothing ever invalidates them; a file is served from here only after the caller's right was checked. Files up to
 * 512 KiB, 64 MiB in all per process, the least recently served go first.
 */
export const CONTENT_FILE_MAX = 512 * 1024;
const CONTENT_TOTAL_MAX = 64 * 1024 * 1024;
const contents = new Map<string, Buffer>();
const reading = new Map<string, Promise<Buffer>>();
let contentBytes = 0;

export async function smallContent(storage: BlobStorage, sha256: string, size: number): Promise<Buffer> {
  const hit = contents.get(sha256);
  if (hit) {
    contents.delete(sha256); // most recently served last
    contents.set(sha256, hit);
    return hit;
  }
  const pending = reading.get(sha256);
  if (pending) return pending;
  const p = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of await storage.read(sha256)) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    const bytes = Buffer.concat(chunks);
    if (bytes.length === size && !contents.has(sha256)) {
      contents.set(sha256, bytes);
      contentBytes += bytes.length;
      for (const [k, v] of contents) {
        if (contentBytes <= CONTENT_TOTAL_MAX) break;
        contents.delete(k);
        contentBytes -= v.length;
      }
    }
    return bytes;
  })().finally(() => reading.delete(sha256));
  reading.set(sha256, p);
  return p;
}
