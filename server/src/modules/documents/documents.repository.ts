import { type Expression, type ExpressionBuilder, sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { anyOf } from '../../platform/db/database.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import type { FolderLite, KeptShare, SpaceRow } from './documents.access.ts';
import type { LibraryMetaColumn, RightValue } from './documents.tables.ts';
import './documents.tables.ts';

/** All SQL of the documents module. Functions take the handle `authorize()` gave (or `trustedDb` in jobs). */
type ADb = AuthorizedDb;

const ACCENTED = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const PLAIN = [...ACCENTED].map((c) => c.normalize('NFD')[0]).join('');
/** Case- and accent-folded text. */
const fold = (e: Expression<string | null> | ReturnType<typeof sql>) =>
  sql<string>`lower(translate(${e}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))`;
/** A word as `fold` sees it, inside a LIKE pattern. */
export const foldWord = (w: string) =>
  `%${w
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\\%_]/g, '\\$&')}%`;

const SPACE_COLUMNS = ['id', 'establishment_id', 'academy_id', 'kind', 'owner_id', 'class_id', 'group_id'] as const;

export interface SpaceListRow extends SpaceRow {
  class_label: string | null;
  class_code: string | null;
  group_label: string | null;
  owner_name: string | null;
}

export interface SpaceWant {
  establishmentId: string;
  /** Whose personal space; null for someone with no profile there (a platform administrator). */
  ownerId: string | null;
  classIds: string[];
  groupIds: string[];
  admin: boolean;
  academyId: string | null;
}

const spaceListSelect = (db: Db) =>
  db
    .selectFrom('document_space as s')
    .leftJoin('class as c', 'c.id', 's.class_id')
    .leftJoin('teaching_group as g', 'g.id', 's.group_id')
    .leftJoin('app_user as u', 'u.id', 's.owner_id')
    .select([
      's.id',
      's.establishment_id',
      's.academy_id',
      's.kind',
      's.owner_id',
      's.class_id',
      's.group_id',
      'c.label as class_label',
      'c.code as class_code',
      'g.label as group_label',
      'u.display_name as owner_name',
    ]);

function listSpaces(db: Db, want: SpaceWant): Promise<SpaceListRow[]> {
  const e = want.establishmentId;
  return spaceListSelect(db)
    .where((eb) =>
      eb.or([
        ...(want.ownerId
          ? [
              eb.and([
                eb('s.establishment_id', '=', e),
                eb('s.kind', '=', 'personal'),
                eb('s.owner_id', '=', want.ownerId),
              ]),
            ]
          : []),
        ...(want.classIds.length ? [eb.and([eb('s.kind', '=', 'class'), eb('s.class_id', 'in', want.classIds)])] : []),
        ...(want.groupIds.length ? [eb.and([eb('s.kind', '=', 'group'), eb('s.group_id', 'in', want.groupIds)])] : []),
        ...(want.admin ? [eb.and([eb('s.establishment_id', '=', e), eb('s.kind', '=', 'admin')])] : []),
        ...(want.academyId ? [eb.and([eb('s.kind', '=', 'library'), eb('s.academy_id', '=', want.academyId)])] : []),
      ]),
    )
    .execute();
}

export const spaces = {
  byId: (db: Db, id: string): Promise<SpaceRow | undefined> =>
    db.selectFrom('document_space').select(SPACE_COLUMNS).where('id', '=', id).executeTakeFirst(),

  byIds: async (db: Db, ids: Iterable<string>): Promise<Map<string, SpaceRow>> => {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map();
    const rows = await db.selectFrom('document_space').select(SPACE_COLUMNS).where('id', 'in', list).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  /**
   * The spaces the viewer should see — personal, class and group spaces from the directory, the administrative
   * space, the académie's library — creating those that do not exist yet (one statement, only when some are
   * missing: the usual request is one select).
   */
  async ensureAndList(db: ADb, want: SpaceWant): Promise<SpaceListRow[]> {
    const rows = await listSpaces(db, want);
    const has = (kind: string, id?: string | null) =>
      rows.some((r) => r.kind === kind && (id === undefined || r.class_id === id || r.group_id === id));
    const missing =
      (want.ownerId !== null && !has('personal')) ||
      want.classIds.some((c) => !has('class', c)) ||
      want.groupIds.some((g) => !has('group', g)) ||
      (want.admin && !has('admin')) ||
      (want.academyId !== null && !has('library'));
    if (!missing) return rows;
    const e = want.establishmentId;
    await sql`
      INSERT INTO document_space (establishment_id, academy_id, kind, owner_id, class_id, group_id)
      SELECT ${e}::uuid, NULL::uuid, 'personal'::text, ${want.ownerId}::uuid, NULL::uuid, NULL::uuid
       WHERE ${want.ownerId}::uuid IS NOT NULL
      UNION ALL SELECT ${e}::uuid, NULL, 'class', NULL, c, NULL FROM unnest(${want.classIds}::uuid[]) c
      UNION ALL SELECT ${e}::uuid, NULL, 'group', NULL, NULL, g FROM unnest(${want.groupIds}::uuid[]) g
      UNION ALL SELECT ${e}::uuid, NULL, 'admin', NULL, NULL, NULL WHERE ${want.admin}
      UNION ALL SELECT NULL, ${want.academyId}::uuid, 'library', NULL, NULL, NULL WHERE ${want.academyId}::uuid IS NOT NULL
      ON CONFLICT DO NOTHING`.execute(db);
    return listSpaces(db, want);
  },

  /** Names for spaces read elsewhere (search hits, trash, shares): class and group labels, owners. */
  labels: (db: Db, ids: string[]): Promise<SpaceListRow[]> =>
    ids.length === 0
      ? Promise.resolve([])
      : spaceListSelect(db)
          .where('s.id', 'in', [...new Set(ids)])
          .execute(),

  /** Every class and group of the establishment's current year (the direction sees their spaces). */
  currentClassesAndGroups: async (db: Db, establishmentId: string) => {
    const [classes, groups] = await Promise.all([
      db
        .selectFrom('class')
        .innerJoin('school_year as y', 'y.id', 'class.school_year_id')
        .select('class.id')
        .where('class.establishment_id', '=', establishmentId)
        .where('y.status', '=', 'current')
        .execute(),
      db
        .selectFrom('teaching_group')
        .innerJoin('school_year as y', 'y.id', 'teaching_group.school_year_id')
        .select('teaching_group.id')
        .where('teaching_group.establishment_id', '=', establishmentId)
        .where('y.status', '=', 'current')
        .execute(),
    ]);
    return { classIds: classes.map((c) => c.id), groupIds: groups.map((g) => g.id) };
  },

  personalOf: (db: Db, establishmentId: string, userId: string) =>
    db
      .selectFrom('document_space')
      .select(SPACE_COLUMNS)
      .where('establishment_id', '=', establishmentId)
      .where('kind', '=', 'personal')
      .where('owner_id', '=', userId)
      .executeTakeFirst(),

  ensurePersonal: async (db: Db, establishmentId: string, userId: string): Promise<SpaceRow> => {
    await db
      .insertInto('document_space')
      .values({ establishment_id: establishmentId, kind: 'personal', owner_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return db
      .selectFrom('document_space')
      .select(SPACE_COLUMNS)
      .where('establishment_id', '=', establishmentId)
      .where('kind', '=', 'personal')
      .where('owner_id', '=', userId)
      .executeTakeFirstOrThrow();
  },

  /** The académie's library space (created on first use). */
  ensureLibrary: async (db: Db, academyId: string): Promise<SpaceRow> => {
    await db
      .insertInto('document_space')
      .values({ academy_id: academyId, kind: 'library' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return db
      .selectFrom('document_space')
      .select(SPACE_COLUMNS)
      .where('academy_id', '=', academyId)
      .where('kind', '=', 'library')
      .executeTakeFirstOrThrow();
  },

  /** Of these establishments, those of the académie. */
  establishmentsInAcademy: async (db: Db, academyId: string, ids: string[]) =>
    ids.length === 0
      ? []
      : (
          await db
            .selectFrom('establishment')
            .select('id')
            .where('academy_id', '=', academyId)
            .where('id', 'in', ids)
            .execute()
        ).map((r) => r.id),

  /** The establishment of a space's class or group is the space's; the académie of an establishment. */
  academyOf: async (db: Db, establishmentId: string) =>
    (await db.selectFrom('establishment').select('academy_id').where('id', '=', establishmentId).executeTakeFirst())
      ?.academy_id ?? null,
};

export interface DocumentRow {
  id: string;
  establishment_id: string | null;
  space_id: string;
  folder_id: string | null;
  name: string;
  version: number;
  size: string;
  mime: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
  trashed_at: Date | null;
  trashed_by: string | null;
  deleted_at: Date | null;
  library: LibraryMetaColumn | null;
  published_by: string | null;
  published_from: string | null;
  copied_from: string | null;
  shared: boolean;
}

const documentSelect = (db: Db) =>
  db
    .selectFrom('document as d')
    .leftJoin('app_user as u', 'u.id', 'd.created_by')
    .select([
      'd.id',
      'd.establishment_id',
      'd.space_id',
      'd.folder_id',
      'd.name',
      'd.version',
      'd.size',
      'd.mime',
      'd.created_by',
      'u.display_name as created_by_name',
      'd.created_at',
      'd.updated_at',
      'd.trashed_at',
      'd.trashed_by',
      'd.deleted_at',
      'd.library',
      'd.published_by',
      'd.published_from',
      'd.copied_from',
      sql<boolean>`EXISTS (SELECT 1 FROM document_share s WHERE s.document_id = d.id)`.as('shared'),
    ]);

export interface FolderRow extends FolderLite {
  establishment_id: string | null;
  name: string;
  updated_at: Date;
  trashed_by: string | null;
  shared: boolean;
}

const folderSelect = (db: Db) =>
  db
    .selectFrom('document_folder as f')
    .select([
      'f.id',
      'f.establishment_id',
      'f.space_id',
      'f.parent_id',
      'f.ancestors',
      'f.name',
      'f.created_by',
      'f.guardians_can_read',
      'f.audience',
      'f.updated_at',
      'f.trashed_at',
      'f.trashed_by',
      sql<boolean>`EXISTS (SELECT 1 FROM document_share s WHERE s.folder_id = f.id)`.as('shared'),
    ]);

export const folders = {
  byId: (db: Db, id: string): Promise<FolderRow | undefined> =>
    folderSelect(db).where('f.id', '=', id).executeTakeFirst(),

  byIds: (db: Db, ids: string[]): Promise<FolderRow[]> =>
    ids.length === 0 ? Promise.resolve([]) : folderSelect(db).where('f.id', 'in', ids).execute(),

  /** The live (untrashed) folders right under `parentId` (null: the space's top). */
  children: (db: ADb, spaceId: string, parentId: string | null) => {
    let q = folderSelect(db).where('f.space_id', '=', spaceId).where('f.trashed_at', 'is', null);
    q = parentId ? q.where('f.parent_id', '=', parentId) : q.where('f.parent_id', 'is', null);
    return q.orderBy('f.name').execute();
  },

  ofSpace: (db: ADb, spaceId: string): Promise<FolderRow[]> =>
    folderSelect(db).where('f.space_id', '=', spaceId).execute(),

  insert: (
    db: ADb,
    row: {
      establishment_id: string | null;
      space_id: string;
      parent_id: string | null;
      ancestors: string[];
      name: string;
      created_by: string;
    },
  ) => db.insertInto('document_folder').values(row).returning('id').executeTakeFirstOrThrow(),

  update: (
    db: ADb,
    id: string,
    set: Partial<{
      name: string;
      guardians_can_read: boolean;
      audience: string[] | null;
      trashed_at: Date | null;
      trashed_by: string | null;
    }>,
  ) =>
    db
      .updateTable('document_folder')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  /** Moves a folder under another (or to the top): its own ancestors, and every folder below it, in one statement. */
  move: async (db: ADb, id: string, parentId: string | null, ancestors: string[]) => {
    const old = await db
      .selectFrom('document_folder')
      .select('ancestors')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const depth = old.ancestors.length;
    await sql`
      UPDATE document_folder SET
        ancestors = CASE WHEN id = ${id}::uuid THEN ${ancestors}::uuid[]
                         ELSE ${ancestors}::uuid[] || ${id}::uuid || ancestors[${depth + 2}:] END,
        parent_id = CASE WHEN id = ${id}::uuid THEN ${parentId}::uuid ELSE parent_id END,
        updated_at = CASE WHEN id = ${id}::uuid THEN now() ELSE updated_at END
      WHERE id = ${id}::uuid OR ancestors @> ARRAY[${id}::uuid]`.execute(db);
  },

  /** Deletes a folder for good: what it holds goes with it (documents still referenced elsewhere are kept). */
  deleteForGood: async (db: ADb, id: string) => {
    const under = sql`(SELECT id FROM document_folder WHERE id = ${id}::uuid OR ancestors @> ARRAY[${id}::uuid])`;
    await sql`
      UPDATE document SET deleted_at = now(), folder_id = NULL
      WHERE folder_id IN ${under} AND EXISTS (SELECT 1 FROM document_reference r WHERE r.document_id = document.id)`.execute(
      db,
    );
    await db.deleteFrom('document_folder').where('id', '=', id).execute();
  },
};

export const documents = {
  byId: (db: Db, id: string): Promise<DocumentRow | undefined> =>
    documentSelect(db).where('d.id', '=', id).where('d.deleted_at', 'is', null).executeTakeFirst(),

  byIds: (db: Db, ids: string[]): Promise<DocumentRow[]> =>
    ids.length === 0
      ? Promise.resolve([])
      : documentSelect(db).where('d.id', 'in', ids).where('d.deleted_at', 'is', null).execute(),

  /** The live files right in a folder (null: the space's top). */
  inFolder: (db: ADb, spaceId: string, folderId: string | null) => {
    let q = documentSelect(db)
      .where('d.space_id', '=', spaceId)
      .where('d.deleted_at', 'is', null)
      .where('d.trashed_at', 'is', null);
    q = folderId ? q.where('d.folder_id', '=', folderId) : q.where('d.folder_id', 'is', null);
    return q.orderBy('d.name').execute();
  },

  /** Every live file of a space. */
  ofSpace: (db: ADb, spaceId: string) =>
    documentSelect(db)
      .where('d.space_id', '=', spaceId)
      .where('d.deleted_at', 'is', null)
      .where('d.trashed_at', 'is', null)
      .orderBy('d.name')
      .limit(5000)
      .execute(),

  /** Files whose name contains every word (accents and case ignored), in these spaces or these ids. */
  search: (db: ADb, spaceIds: string[], extraIds: string[], words: string[]) =>
    spaceIds.length === 0 && extraIds.length === 0
      ? Promise.resolve([] as DocumentRow[])
      : documentSelect(db)
          .where('d.deleted_at', 'is', null)
          .where('d.trashed_at', 'is', null)
          .where((eb) =>
            eb.or([
              ...(spaceIds.length ? [eb('d.space_id', 'in', spaceIds)] : []),
              ...(extraIds.length ? [eb('d.id', 'in', extraIds)] : []),
            ]),
          )
          .where((eb) => eb.and(words.map((w) => eb(fold(sql.ref('d.name')), 'like', foldWord(w)))))
          .orderBy('d.updated_at', 'desc')
          .limit(200)
          .execute(),

  /** Live files inside any of these folders, at any depth (shared folders' content for search). */
  under: (db: ADb, folderIds: string[]) =>
    folderIds.length === 0
      ? Promise.resolve([] as { id: string }[])
      : db
          .selectFrom('document as d')
          .innerJoin('document_folder as f', 'f.id', 'd.folder_id')
          .select('d.id')
          .where('d.deleted_at', 'is', null)
          .where((eb) => eb.or([eb('f.id', 'in', folderIds), eb(sql`f.ancestors`, '&&', sql`${folderIds}::uuid[]`)]))
          .limit(5000)
          .execute(),

  insert: (
    db: ADb,
    row: {
      establishment_id: string | null;
      space_id: string;
      folder_id: string | null;
      name: string;
      size: number;
      mime: string;
      created_by: string;
      library?: string | null;
      published_by?: string | null;
      published_from?: string | null;
      copied_from?: string | null;
    },
  ) => db.insertInto('document').values(row).returning(['id', 'version']).executeTakeFirstOrThrow(),

  update: (
    db: ADb,
    id: string,
    set: Partial<{
      name: string;
      folder_id: string | null;
      space_id: string;
      trashed_at: Date | null;
      trashed_by: string | null;
    }>,
  ) =>
    db
      .updateTable('document')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  /** Makes a version the current one (its size and type copied for lists). */
  setCurrent: (db: ADb, id: string, v: { no: number; size: number; mime: string }) =>
    db
      .updateTable('document')
      .set({ version: v.no, size: v.size, mime: v.mime, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),

  /** Deletes a file for good; kept hidden while another module references it. */
  deleteForGood: async (db: ADb, id: string) => {
    const referenced = await db
      .selectFrom('document_reference')
      .select('id')
      .where('document_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (referenced) {
      await db.updateTable('document').set({ deleted_at: new Date(), folder_id: null }).where('id', '=', id).execute();
    } else {
      await db.deleteFrom('document').where('id', '=', id).execute();
    }
  },

  /** A file of an establishment's spaces by its name (the demo seeds of other modules). */
  namedIn: (db: Db, establishmentId: string, name: string) =>
    db
      .selectFrom('document as d')
      .innerJoin('document_space as s', 's.id', 'd.space_id')
      .select('d.id')
      .where('s.establishment_id', '=', establishmentId)
      .where('d.name', '=', name)
      .where('d.deleted_at', 'is', null)
      .orderBy('d.created_at')
      .limit(1)
      .executeTakeFirst(),

  /** Locks a document's row for a change of version (two replacements never get the same number). */
  lock: (db: ADb, id: string) =>
    db.selectFrom('document').select(['id', 'version']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow(),
};

export const versions = {
  insert: (
    db: ADb,
    row: {
      document_id: string;
      establishment_id: string | null;
      no: number;
      sha256: string;
      size: number;
      mime: string;
      created_by: string;
    },
  ) => db.insertInto('document_version').values(row).returning('id').executeTakeFirstOrThrow(),

  ofDocument: (db: ADb, documentId: string) =>
    db
      .selectFrom('document_version as v')
      .leftJoin('app_user as u', 'u.id', 'v.created_by')
      .select(['v.id', 'v.no', 'v.size', 'v.mime', 'v.sha256', 'v.created_at', 'v.created_by', 'u.display_name'])
      .where('v.document_id', '=', documentId)
      .orderBy('v.no', 'desc')
      .execute(),

  one: (db: Db, documentId: string, no: number) =>
    db
      .selectFrom('document_version')
      .select(['id', 'no', 'sha256', 'size', 'mime'])
      .where('document_id', '=', documentId)
      .where('no', '=', no)
      .executeTakeFirst(),

  /** The current version of each document: document id → version id (one query). */
  currentOf: async (db: Db, documentIds: string[]) =>
    new Map(
      (
        await db
          .selectFrom('document_version as v')
          .innerJoin('document as d', (j) => j.onRef('d.id', '=', 'v.document_id').onRef('d.version', '=', 'v.no'))
          .select(['v.id', 'v.document_id'])
          .where('d.id', 'in', documentIds)
          .execute()
      ).map((r) => [r.document_id, r.id]),
    ),

  byId: (db: Db, id: string) =>
    db
      .selectFrom('document_version')
      .select(['id', 'no', 'sha256', 'size', 'mime'])
      .where('id', '=', id)
      .executeTakeFirst(),
};

export const blobs = {
  /**
   * Records a blob (or marks it used again) and locks its row until the transaction ends: the purge job skips
   * locked rows, so bytes being committed are never deleted under an upload.
   */
  touch: (db: ADb, sha256: string, size: number) =>
    sql`
      INSERT INTO document_blob (sha256, size) VALUES (${sha256}, ${size})
      ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()`.execute(db),

  /** Blobs no version names any more, unused since `before`, locked for deletion (others skipped). */
  lockUnreferenced: async (db: ADb, before: Date, limit: number) =>
    (
      await sql<{ sha256: string }>`
        SELECT b.sha256 FROM document_blob b
        WHERE b.last_used_at < ${before}
          AND NOT EXISTS (SELECT 1 FROM document_version v WHERE v.sha256 = b.sha256)
        ORDER BY b.last_used_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`.execute(db)
    ).rows.map((r) => r.sha256),

  delete: (db: ADb, shas: string[]) =>
    shas.length === 0 ? Promise.resolve() : db.deleteFrom('document_blob').where('sha256', 'in', shas).execute(),

  count: async (db: Db) =>
    Number(
      (
        await db
          .selectFrom('document_blob')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

export interface ShareRow {
  id: string;
  establishment_id: string;
  document_id: string | null;
  folder_id: string | null;
  grantee_kind: 'user' | 'class' | 'group' | 'profile';
  grantee_id: string | null;
  grantee_profile: string | null;
  right: RightValue;
  created_at: Date;
  created_by: string | null;
  created_by_name: string | null;
  user_name: string | null;
  class_label: string | null;
  group_label: string | null;
}

const shareSelect = (db: Db) =>
  db
    .selectFrom('document_share as s')
    .leftJoin('app_user as c', 'c.id', 's.created_by')
    .leftJoin('app_user as gu', (j) => j.onRef('gu.id', '=', 's.grantee_id').on('s.grantee_kind', '=', 'user'))
    .leftJoin('class as cl', (j) => j.onRef('cl.id', '=', 's.grantee_id').on('s.grantee_kind', '=', 'class'))
    .leftJoin('teaching_group as tg', (j) => j.onRef('tg.id', '=', 's.grantee_id').on('s.grantee_kind', '=', 'group'))
    .select([
      's.id',
      's.establishment_id',
      's.document_id',
      's.folder_id',
      's.grantee_kind',
      's.grantee_id',
      's.grantee_profile',
      's.right',
      's.created_at',
      's.created_by',
      'c.display_name as created_by_name',
      'gu.display_name as user_name',
      'cl.label as class_label',
      'tg.label as group_label',
    ]);

export const shares = {
  of: (db: ADb, target: { documentId?: string; folderId?: string }): Promise<ShareRow[]> => {
    const q = shareSelect(db);
    return (
      target.documentId
        ? q.where('s.document_id', '=', target.documentId)
        : q.where('s.folder_id', '=', target.folderId!)
    )
      .orderBy('s.created_at')
      .execute();
  },

  byId: (db: Db, id: string): Promise<ShareRow | undefined> =>
    shareSelect(db).where('s.id', '=', id).executeTakeFirst(),

  /** One share per target and grantee: sharing again changes the right. */
  upsert: async (
    db: ADb,
    row: {
      establishment_id: string;
      document_id: string | null;
      folder_id: string | null;
      grantee_kind: 'user' | 'class' | 'group' | 'profile';
      grantee_id: string | null;
      grantee_profile: string | null;
      right: RightValue;
      created_by: string;
    },
  ) =>
    (
      await sql<{ id: string; inserted: boolean }>`
        INSERT INTO document_share
          (establishment_id, document_id, folder_id, grantee_kind, grantee_id, grantee_profile, "right", created_by)
        VALUES (${row.establishment_id}, ${row.document_id}, ${row.folder_id}, ${row.grantee_kind}, ${row.grantee_id},
                ${row.grantee_profile}, ${row.right}, ${row.created_by})
        ON CONFLICT (COALESCE(document_id, folder_id), grantee_kind,
                     COALESCE(grantee_id, '00000000-0000-0000-0000-000000000000'), COALESCE(grantee_profile, ''))
        DO UPDATE SET "right" = EXCLUDED."right"
        RETURNING id, (xmax = 0) AS inserted`.execute(db)
    ).rows[0]!,

  delete: (db: ADb, id: string) => db.deleteFrom('document_share').where('id', '=', id).execute(),
};

export interface Holder {
  module: string;
  type: string;
  id: string;
}

/** Holders grouped by module and type: kind → ids. */
function byKind(holders: readonly Holder[]) {
  const out = new Map<string, { kind: { module: string; type: string }; ids: string[] }>();
  for (const h of holders) {
    const key = `${h.module}.${h.type}`;
    const entry = out.get(key) ?? { kind: { module: h.module, type: h.type }, ids: [] };
    entry.ids.push(h.id);
    out.set(key, entry);
  }
  return [...out.values()].map((e) => [e.kind, e.ids] as const);
}

export const references = {
  insert: (
    db: Db,
    rows: {
      establishment_id: string;
      document_id: string;
      version_id: string | null;
      holder_module: string;
      holder_type: string;
      holder_id: string;
      created_by: string;
      position: number;
    }[],
  ) =>
    db
      .insertInto('document_reference')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['holder_module', 'holder_type', 'holder_id', 'document_id'])
          .doUpdateSet((eb) => ({ version_id: eb.ref('excluded.version_id') })),
      )
      .returning(['id', 'document_id'])
      .execute(),

  /** The references of many holders at once, with the name, size and type of the version each points to. */
  ofHolders: (db: Db, holders: readonly Holder[]) =>
    holders.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('document_reference as r')
          .innerJoin('document as d', 'd.id', 'r.document_id')
          .leftJoin('document_version as pv', 'pv.id', 'r.version_id')
          .select([
            'r.id',
            'r.document_id',
            'r.holder_module',
            'r.holder_type',
            'r.holder_id',
            'r.version_id',
            'd.name',
            sql<string>`COALESCE(pv.size, d.size)`.as('size'),
            sql<string>`COALESCE(pv.mime, d.mime)`.as('mime'),
            'r.created_at',
          ])
          // One condition per kind of holder, its ids in a list: a page of lessons and homework is two index scans.
          // The ids as one array parameter (anyOf): prepared once whatever the page's length.
          .where((eb) =>
            eb.or(
              [...byKind(holders)].map(([kind, ids]) =>
                eb.and([
                  eb('r.holder_module', '=', kind.module),
                  eb('r.holder_type', '=', kind.type),
                  eb('r.holder_id', '=', anyOf(ids)),
                ]),
              ),
            ),
          )
          .orderBy('r.created_at')
          .orderBy('r.position')
          .execute(),

  byId: (db: Db, id: string) =>
    db
      .selectFrom('document_reference as r')
      .innerJoin('document as d', 'd.id', 'r.document_id')
      .innerJoin('document_version as v', (j) =>
        j.on((eb) =>
          eb.or([
            eb('v.id', '=', eb.ref('r.version_id')),
            eb.and([
              eb('r.version_id', 'is', null),
              eb('v.document_id', '=', eb.ref('d.id')),
              eb('v.no', '=', eb.ref('d.version')),
            ]),
          ]),
        ),
      )
      .select([
        'r.id',
        'r.establishment_id',
        'r.holder_module',
        'r.holder_type',
        'r.holder_id',
        'd.name',
        'v.sha256',
        'v.size',
        'v.mime',
        'v.no',
      ])
      .where('r.id', '=', id)
      .executeTakeFirst(),

  deleteOf: (db: Db, holders: readonly Holder[]) =>
    db
      .deleteFrom('document_reference')
      .where((eb) =>
        eb.or(
          holders.map((h) =>
            eb.and([eb('holder_module', '=', h.module), eb('holder_type', '=', h.type), eb('holder_id', '=', h.id)]),
          ),
        ),
      )
      .executeTakeFirst(),

  deleteDocumentsOf: (db: Db, holder: Holder, documentIds: readonly string[]) =>
    db
      .deleteFrom('document_reference')
      .where('holder_module', '=', holder.module)
      .where('holder_type', '=', holder.type)
      .where('holder_id', '=', holder.id)
      .where('document_id', 'in', [...documentIds])
      .executeTakeFirst(),

  /** The position after a holder's last reference (new ones come after those it has). */
  nextPosition: async (db: Db, holder: Holder) => {
    const row = await db
      .selectFrom('document_reference')
      .select(sql<number>`COALESCE(max(position) + 1, 0)::int`.as('next'))
      .where('holder_module', '=', holder.module)
      .where('holder_type', '=', holder.type)
      .where('holder_id', '=', holder.id)
      .executeTakeFirstOrThrow();
    return Number(row.next);
  },
};

export const quotas = {
  of: (db: Db, establishmentId: string) =>
    db
      .selectFrom('document_quota')
      .select(['profile', 'bytes'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  set: (db: ADb, establishmentId: string, values: Record<string, number>) =>
    Object.keys(values).length === 0
      ? Promise.resolve()
      : db
          .insertInto('document_quota')
          .values(
            Object.entries(values).map(([profile, bytes]) => ({ establishment_id: establishmentId, profile, bytes })),
          )
          .onConflict((oc) =>
            oc.columns(['establishment_id', 'profile']).doUpdateSet((eb) => ({ bytes: eb.ref('excluded.bytes') })),
          )
          .execute(),

  /** Used bytes of a person in an establishment: every version they put there, not yet deleted for good. */
  used: async (db: Db, establishmentId: string, userId: string): Promise<number> => {
    const row = await db
      .selectFrom('document_version as v')
      .innerJoin('document as d', 'd.id', 'v.document_id')
      .select(sql<string>`COALESCE(sum(v.size), 0)`.as('used'))
      .where('v.establishment_id', '=', establishmentId)
      .where('v.created_by', '=', userId)
      .where('d.deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.used);
  },

  /** Serialises the uploads of one person in one establishment until the transaction ends (quota checks). */
  lockPerson: (db: ADb, establishmentId: string, userId: string) =>
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`documents:${establishmentId}:${userId}`}, 0))`.execute(db),
};

export const directory = {
  /** Members of the establishment whose name matches (all words), optionally among some people only. */
  people: (db: Db, establishmentId: string, words: string[], among: Set<string> | null, limit = 20) => {
    if (among && among.size === 0)
      return Promise.resolve([] as { id: string; display_name: string; profiles: string[] }[]);
    let q = db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.display_name', sql<string[]>`array_agg(DISTINCT m.profile)`.as('profiles')])
      .where('m.establishment_id', '=', establishmentId)
      .where('u.status', '=', 'active')
      .groupBy(['u.id', 'u.display_name']);
    if (among) q = q.where('u.id', 'in', [...among]);
    for (const w of words) q = q.where(fold(sql.ref('u.display_name')), 'like', foldWord(w));
    return q.orderBy('u.display_name').limit(limit).execute();
  },

  /** Members of these people holding one of the profiles (checks of named delegates). */
  membersWith: async (db: Db, establishmentId: string, userIds: string[], profiles: string[]) =>
    userIds.length === 0
      ? new Set<string>()
      : new Set(
          (
            await db
              .selectFrom('membership')
              .select('user_id')
              .where('establishment_id', '=', establishmentId)
              .where('user_id', 'in', userIds)
              .where('profile', 'in', profiles)
              .execute()
          ).map((r) => r.user_id),
        ),

  /** Current classes and groups of the establishment, with their labels (among some ids, when given). */
  classesAndGroups: async (db: Db, establishmentId: string, among?: { classes: string[]; groups: string[] }) => {
    const [classes, groups] = await Promise.all([
      among && among.classes.length === 0
        ? []
        : (() => {
            let q = db
              .selectFrom('class')
              .innerJoin('school_year as y', 'y.id', 'class.school_year_id')
              .select(['class.id', 'class.label', 'class.code'])
              .where('class.establishment_id', '=', establishmentId)
              .where('y.status', '=', 'current');
            if (among) q = q.where('class.id', 'in', among.classes);
            return q.orderBy('class.code').execute();
          })(),
      among && among.groups.length === 0
        ? []
        : (() => {
            let q = db
              .selectFrom('teaching_group')
              .innerJoin('school_year as y', 'y.id', 'teaching_group.school_year_id')
              .select(['teaching_group.id', 'teaching_group.label', 'teaching_group.code'])
              .where('teaching_group.establishment_id', '=', establishmentId)
              .where('y.status', '=', 'current');
            if (among) q = q.where('teaching_group.id', 'in', among.groups);
            return q.orderBy('teaching_group.code').execute();
          })(),
    ]);
    return { classes, groups };
  },

  names: (db: Db, ids: readonly string[]) => relations.displayNames(db, ids),
};

export const delegates = {
  of: (db: Db, establishmentId: string) =>
    db
      .selectFrom('document_delegate as d')
      .innerJoin('app_user as u', 'u.id', 'd.user_id')
      .select(['d.user_id', 'd.role', 'u.display_name'])
      .where('d.establishment_id', '=', establishmentId)
      .orderBy('u.display_name')
      .execute(),

  replace: async (
    db: ADb,
    establishmentId: string,
    role: 'admin_contributor' | 'resource_person',
    userIds: string[],
    grantedBy: string,
  ) => {
    await db
      .deleteFrom('document_delegate')
      .where('establishment_id', '=', establishmentId)
      .where('role', '=', role)
      .where((eb) => (userIds.length ? eb('user_id', 'not in', userIds) : eb.lit(true)))
      .execute();
    if (userIds.length) {
      await db
        .insertInto('document_delegate')
        .values(userIds.map((user_id) => ({ establishment_id: establishmentId, user_id, role, granted_by: grantedBy })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};

export const trash = {
  /** Trashed files and folders of the establishment that the person trashed, or that lie in their own space. */
  of: async (db: ADb, establishmentId: string, userId: string, personalSpaceId: string | null) => {
    const mine = <T extends 'document' | 'document_folder'>(eb: ExpressionBuilder<Database, T>) =>
      eb.or([
        eb.eb(sql.ref('trashed_by'), '=', userId),
        ...(personalSpaceId ? [eb.eb(sql.ref('space_id'), '=', personalSpaceId)] : []),
      ]);
    const [files, dirs] = await Promise.all([
      db
        .selectFrom('document')
        .select(['id', 'name', 'size', 'space_id', 'folder_id', 'created_by', 'trashed_at'])
        .where('establishment_id', '=', establishmentId)
        .where('trashed_at', 'is not', null)
        .where('deleted_at', 'is', null)
        .where(mine)
        .orderBy('trashed_at', 'desc')
        .limit(500)
        .execute(),
      db
        .selectFrom('document_folder')
        .select([
          'id',
          'name',
          'space_id',
          'parent_id',
          'ancestors',
          'created_by',
          'guardians_can_read',
          'audience',
          'trashed_at',
        ])
        .where('establishment_id', '=', establishmentId)
        .where('trashed_at', 'is not', null)
        .where(mine)
        .orderBy('trashed_at', 'desc')
        .limit(500)
        .execute(),
    ]);
    return { files, dirs };
  },
};

export const purge = {
  /**
   * Empties the trash of what was trashed before `before`: folders (with what they hold) and files. Files still
   * referenced by another module are kept, hidden, until the last reference goes; so are those already hidden
   * whose references are gone, deleted now. Returns the counts.
   */
  async trash(db: ADb, before: Date) {
    const oldFolders = sql`(SELECT id FROM document_folder WHERE trashed_at < ${before})`;
    const inOld = sql`(SELECT f.id FROM document_folder f WHERE f.id IN ${oldFolders} OR f.ancestors && ARRAY(SELECT id FROM document_folder WHERE trashed_at < ${before}))`;
    const kept = await sql`
      UPDATE document SET deleted_at = now(), folder_id = NULL
      WHERE deleted_at IS NULL
        AND (trashed_at < ${before} OR folder_id IN ${inOld})
        AND EXISTS (SELECT 1 FROM document_reference r WHERE r.document_id = document.id)`.execute(db);
    const files = await sql`
      DELETE FROM document
      WHERE (trashed_at < ${before} OR folder_id IN ${inOld} OR deleted_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM document_reference r WHERE r.document_id = document.id)`.execute(db);
    const dirs = await sql`DELETE FROM document_folder WHERE trashed_at < ${before}`.execute(db);
    return {
      files: Number(files.numAffectedRows ?? 0),
      folders: Number(dirs.numAffectedRows ?? 0),
      keptForReferences: Number(kept.numAffectedRows ?? 0),
    };
  },
};

export const library = {
  search: (db: ADb, spaceId: string, q: { words: string[]; discipline?: string; level?: string }) => {
    let query = documentSelect(db)
      .leftJoin('subject as sj', (j) => j.on(sql`sj.code`, '=', sql`d.library->>'discipline'`))
      .leftJoin('app_user as pub', 'pub.id', 'd.published_by')
      .leftJoin('establishment as est', 'est.id', 'd.published_from')
      .select([
        'sj.label as discipline_label',
        'pub.display_name as published_by_name',
        'est.name as published_from_name',
      ])
      .where('d.space_id', '=', spaceId)
      .where('d.deleted_at', 'is', null)
      .where('d.trashed_at', 'is', null);
    if (q.discipline) query = query.where(sql`d.library->>'discipline'`, '=', q.discipline);
    if (q.level) query = query.where(sql`d.library->>'level'`, '=', q.level);
    for (const w of q.words) {
      const like = foldWord(w);
      query = query.where((eb) =>
        eb.or([
          eb(fold(sql.ref('d.name')), 'like', like),
          eb(fold(sql`d.library->>'author'`), 'like', like),
          eb(fold(sql`COALESCE(sj.label, '')`), 'like', like),
        ]),
      );
    }
    return query.orderBy('d.created_at', 'desc').limit(200).execute();
  },

  subjects: (db: Db, codes: string[]) =>
    codes.length === 0
      ? Promise.resolve([] as { code: string; label: string }[])
      : db.selectFrom('subject').select(['code', 'label']).where('code', 'in', codes).orderBy('label').execute(),

  /** The disciplines the library holds resources in. */
  disciplines: (db: ADb, spaceId: string) =>
    db
      .selectFrom('document as d')
      .innerJoin('subject as sj', (j) => j.on(sql`sj.code`, '=', sql`d.library->>'discipline'`))
      .select(['sj.code', 'sj.label'])
      .distinct()
      .where('d.space_id', '=', spaceId)
      .where('d.deleted_at', 'is', null)
      .orderBy('sj.label')
      .execute(),

  subjectExists: async (db: Db, code: string) =>
    !!(await db.selectFrom('subject').select('code').where('code', '=', code).executeTakeFirst()),
};

/** A Paris calendar day's first instant, and the one after the last day of a period (both as SQL). */
const dayStart = (day: string) => sql<Date>`(${day}::date::timestamp AT TIME ZONE 'Europe/Paris')`;
const dayAfter = (day: string) => sql<Date>`((${day}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`;

export const indicators = {
  /** Shares made in the establishment over Paris days `from`..`to` (inclusive). */
  sharesBetween: async (db: Db, establishmentId: string, from: string, to: string) =>
    Number(
      (
        await db
          .selectFrom('document_share')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('created_at', '>=', dayStart(from))
          .where('created_at', '<', dayAfter(to))
          .executeTakeFirstOrThrow()
      ).n,
    ),

  /**
   * Teachers of the establishment, and those of them who shared at least one document with a class or group
   * (a share to the class or group, or a file put in its space) over the period.
   */
  teachersSharing: async (db: Db, establishmentId: string, from: string, to: string) => {
    const row = await sql<{ teachers: string; sharing: string }>`
      WITH teachers AS (
        SELECT DISTINCT user_id FROM membership WHERE establishment_id = ${establishmentId} AND profile = 'teacher'
      ), sharing AS (
        SELECT s.created_by AS user_id FROM document_share s
         WHERE s.establishment_id = ${establishmentId} AND s.grantee_kind IN ('class', 'group')
           AND s.created_at >= ${dayStart(from)} AND s.created_at < ${dayAfter(to)}
        UNION
        SELECT d.created_by FROM document d JOIN document_space sp ON sp.id = d.space_id
         WHERE d.establishment_id = ${establishmentId} AND sp.kind IN ('class', 'group')
           AND d.created_at >= ${dayStart(from)} AND d.created_at < ${dayAfter(to)}
      )
      SELECT (SELECT count(*) FROM teachers) AS teachers,
             (SELECT count(*) FROM teachers t WHERE t.user_id IN (SELECT user_id FROM sharing)) AS sharing`.execute(db);
    const r = row.rows[0]!;
    return { teachers: Number(r.teachers), sharing: Number(r.sharing) };
  },
};

export const personal = {
  /** A person's files (names, sizes, places, dates) and the shares they made, for the export of their data. */
  of: async (db: Db, userId: string) => {
    const [files, made] = await Promise.all([
      db
        .selectFrom('document as d')
        .innerJoin('document_space as s', 's.id', 'd.space_id')
        .select(['d.name', 'd.size', 'd.mime', 'd.version', 'd.created_at', 'd.updated_at', 'd.trashed_at', 's.kind'])
        .where('d.created_by', '=', userId)
        .where('d.deleted_at', 'is', null)
        .orderBy('d.created_at')
        .limit(10_000)
        .execute(),
      db
        .selectFrom('document_share as sh')
        .leftJoin('document as d', 'd.id', 'sh.document_id')
        .leftJoin('document_folder as f', 'f.id', 'sh.folder_id')
        .select([
          'sh.grantee_kind',
          'sh.grantee_profile',
          'sh.right',
          'sh.created_at',
          'd.name as document',
          'f.name as folder',
        ])
        .where('sh.created_by', '=', userId)
        .orderBy('sh.created_at')
        .limit(10_000)
        .execute(),
    ]);
    return { files, made };
  },
};

export type { FolderLite, SpaceRow };

/** Every share on these documents and folders, whoever it reaches (kept in memory with a listing): one query. */
export async function sharesOn(db: Db, documentIds: readonly string[], folderIds: readonly string[]) {
  if (documentIds.length === 0 && folderIds.length === 0) return [];
  const res = await sql<KeptShare>`
    SELECT establishment_id, document_id, folder_id, grantee_kind, grantee_id, grantee_profile, "right"
    FROM document_share WHERE document_id = ${anyOf(documentIds)} OR folder_id = ${anyOf(folderIds)}`.execute(db);
  return res.rows;
}

/** A class's label and code, or a group's label; null when there is neither. */
export async function structureLabel(db: Db, id: string) {
  const res = await sql<{ label: string | null; code: string | null }>`
    SELECT label, code FROM class WHERE id = ${id}
    UNION ALL SELECT label, NULL FROM teaching_group WHERE id = ${id}`.execute(db);
  return res.rows[0] ?? null;
}
