import { z } from 'zod';
import { defineApi } from './api.ts';
import { EstablishmentProfile, IdParams } from './common.ts';

/**
 * Documents (espace documentaire): personal, class, group and administrative spaces of an establishment, the
 * académie's shared library, shares, versions, and references that other modules store (a message's
 * attachment) instead of copying bytes.
 */

export const SPACE_KINDS = ['personal', 'class', 'group', 'admin', 'library'] as const;
export const SpaceKind = z.enum(SPACE_KINDS);
export type SpaceKind = z.infer<typeof SpaceKind>;

/** read < contribute (add, replace) < manage (rename, move, trash, share). */
export const DOCUMENT_RIGHTS = ['read', 'contribute', 'manage'] as const;
export const DocumentRight = z.enum(DOCUMENT_RIGHTS);
export type DocumentRight = z.infer<typeof DocumentRight>;

/**
 * A document attached by reference to another module's object (a message, a lesson, a homework): the document's id,
 * or `{ documentId, version }` where `version` is `latest` (default: the reference follows the document's new
 * versions) or `this` (the version current when attaching, kept whatever replaces it later).
 */
export const AttachmentInput = z.union([
  z.uuid().transform((documentId) => ({ documentId, version: 'latest' as const })),
  z.strictObject({ documentId: z.uuid(), version: z.enum(['latest', 'this']).default('latest') }),
]);
export type AttachmentInput = z.output<typeof AttachmentInput>;
/** At most this many documents on one object. */
export const MAX_ATTACHMENTS = 20;
export const AttachmentInputs = z.array(AttachmentInput).max(MAX_ATTACHMENTS);

/**
 * A document attached by reference, as the holder's readers see it: `url` serves its bytes through the reference
 * (`GET /api/documents/references/:id/content`), checked against the holder's audience.
 */
export const AttachedDocument = z.object({
  /** The reference's id. */
  id: z.uuid(),
  documentId: z.uuid(),
  name: z.string(),
  size: z.number(),
  mime: z.string(),
  version: z.enum(['latest', 'this']),
  url: z.string(),
});
export type AttachedDocument = z.infer<typeof AttachedDocument>;

/** Levels of the library's resources (collège, lycée, and whole cycles). */
export const LIBRARY_LEVELS = [
  'cycle3',
  'cycle4',
  '6e',
  '5e',
  '4e',
  '3e',
  '2nde',
  '1re',
  'terminale',
  'lycee',
  'all',
] as const;
export const LibraryLevel = z.enum(LIBRARY_LEVELS);
export type LibraryLevel = z.infer<typeof LibraryLevel>;

export const LICENCES = [
  'CC-BY',
  'CC-BY-SA',
  'CC-BY-NC',
  'CC-BY-NC-SA',
  'CC-BY-ND',
  'CC-BY-NC-ND',
  'CC0',
  'LO-2.0',
  'all-rights-reserved',
] as const;
export const Licence = z.enum(LICENCES);
export type Licence = z.infer<typeof Licence>;

const Person = z.object({ id: z.uuid(), displayName: z.string() });
const Name = z.string().trim().min(1).max(200);

export const Space = z.object({
  id: z.uuid(),
  kind: SpaceKind,
  name: z.string(),
  classId: z.uuid().optional(),
  groupId: z.uuid().optional(),
  /** The caller may add files (contribute or manage). */
  canWrite: z.boolean(),
  right: DocumentRight,
});
export type Space = z.infer<typeof Space>;
export const SpaceList = z.object({ items: z.array(Space) });
export const SpacesQuery = z.strictObject({ establishment: z.uuid() });
export const SpaceParams = z.strictObject({ spaceId: z.uuid() });

/** The contract's answer to an upload, a new version, a restore or a copy. */
export const Uploaded = z.object({ id: z.uuid(), name: z.string(), size: z.number().int(), version: z.number().int() });
export type Uploaded = z.infer<typeof Uploaded>;

export const FilesQuery = z.strictObject({
  /** A folder, or `root`; absent: every file of the space the caller sees. */
  folderId: z.union([z.uuid(), z.literal('root')]).optional(),
});
export const FileItem = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string(),
  mime: z.string(),
  folderId: z.uuid().nullable(),
});
export const FileList = z.object({ items: z.array(FileItem) });

export const ItemCan = z.object({
  /** Add files, create folders, replace (contribute). */
  write: z.boolean(),
  /** Rename, move, trash, set folder options. */
  manage: z.boolean(),
  share: z.boolean(),
});

export const FileEntry = FileItem.extend({
  author: Person.nullable(),
  right: DocumentRight,
  can: ItemCan,
  /** Shown in the browser (images, PDF); anything else downloads. */
  previewable: z.boolean(),
  shared: z.boolean(),
});
export type FileEntry = z.infer<typeof FileEntry>;

export const FolderEntry = z.object({
  id: z.uuid(),
  name: z.string(),
  parentId: z.uuid().nullable(),
  updatedAt: z.string(),
  /** Class and group spaces: the class's guardians may read this folder. */
  guardiansCanRead: z.boolean(),
  /** Administrative space: the profiles that read this folder (null: all staff, teachers included). */
  audience: z.array(EstablishmentProfile).nullable(),
  right: DocumentRight,
  can: ItemCan,
  shared: z.boolean(),
});
export type FolderEntry = z.infer<typeof FolderEntry>;

export const BrowseQuery = z.strictObject({ folderId: z.uuid().optional() });
export const Browse = z.object({
  space: Space,
  folder: FolderEntry.nullable(),
  /** From the space's root to the folder shown (the folder included). */
  breadcrumb: z.array(z.object({ id: z.uuid(), name: z.string() })),
  folders: z.array(FolderEntry),
  files: z.array(FileEntry),
  /** In the folder shown: the caller may add files and folders. */
  canWrite: z.boolean(),
});
export type Browse = z.infer<typeof Browse>;

export const LibraryMeta = z.object({
  discipline: z.object({ code: z.string(), label: z.string() }).nullable(),
  level: LibraryLevel,
  author: z.string(),
  licence: Licence,
  attribution: z.string(),
});
export type LibraryMeta = z.infer<typeof LibraryMeta>;

export const FileVersion = z.object({
  no: z.number().int(),
  size: z.number().int(),
  mime: z.string(),
  createdAt: z.string(),
  author: Person.nullable(),
  current: z.boolean(),
});

export const FileDetail = FileEntry.extend({
  space: z.object({ id: z.uuid(), kind: SpaceKind, name: z.string() }),
  breadcrumb: z.array(z.object({ id: z.uuid(), name: z.string() })),
  versions: z.array(FileVersion),
  trashedAt: z.string().nullable(),
  /** Library resources and copies of them keep their metadata and attribution. */
  library: LibraryMeta.nullable(),
  /** Copied from a library resource. */
  copiedFrom: z.uuid().nullable(),
});
export type FileDetail = z.infer<typeof FileDetail>;

export const ContentQuery = z.strictObject({
  /** A previous version; default the current one. */
  version: z.coerce.number().int().min(1).optional(),
  /** `inline`: shown in the browser when the type allows it (images, PDF); anything else is an attachment. */
  disposition: z.enum(['inline', 'attachment']).optional(),
  /** For the académie's library: the establishment the caller reads it from (default: their first). */
  establishment: z.uuid().optional(),
});

export const UpdateFileBody = z
  .strictObject({
    name: Name.optional(),
    /** Move to this folder of the same space (`null`: the space's root). */
    folderId: z.uuid().nullable().optional(),
    trashed: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

export const RestoreVersionBody = z.strictObject({ from: z.number().int().min(1) });

export const CreateFolderBody = z.strictObject({ name: Name, parentId: z.uuid().nullable().optional() });
export const UpdateFolderBody = z
  .strictObject({
    name: Name.optional(),
    parentId: z.uuid().nullable().optional(),
    trashed: z.boolean().optional(),
    guardiansCanRead: z.boolean().optional(),
    audience: z
      .array(z.enum(['teacher', 'staff']))
      .min(1)
      .max(2)
      .nullable()
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

const EstablishmentQuery = z.strictObject({ establishment: z.uuid() });

export const TrashItem = z.object({
  type: z.enum(['file', 'folder']),
  id: z.uuid(),
  name: z.string(),
  size: z.number().int().nullable(),
  space: z.object({ id: z.uuid(), kind: SpaceKind, name: z.string() }),
  trashedAt: z.string(),
  /** The day it is deleted for good (30 days after). */
  purgeOn: z.string(),
});
export const TrashList = z.object({ items: z.array(TrashItem) });

export const SearchQuery = z.strictObject({ establishment: z.uuid(), q: z.string().trim().min(2).max(100) });
export const SearchHit = FileEntry.extend({
  space: z.object({ id: z.uuid(), kind: SpaceKind, name: z.string() }),
});
export const SearchResult = z.object({ items: z.array(SearchHit) });

/** Who a document or folder is shared with. */
export const Grantee = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), userId: z.uuid() }),
  /** The class's students, their guardians ("parents de 3B") or its teachers. */
  z.strictObject({ kind: z.literal('class'), classId: z.uuid(), profile: z.enum(['student', 'guardian', 'teacher']) }),
  z.strictObject({ kind: z.literal('group'), groupId: z.uuid(), profile: z.enum(['student', 'guardian', 'teacher']) }),
  /** Everyone holding the profile in the establishment ("tous les enseignants"). */
  z.strictObject({ kind: z.literal('profile'), profile: EstablishmentProfile }),
]);
export type Grantee = z.infer<typeof Grantee>;

export const Share = z.object({
  id: z.uuid(),
  grantee: Grantee,
  /** The grantee in words ("Parents de 3B", "DUPONT Marie"). */
  label: z.string(),
  right: DocumentRight,
  createdAt: z.string(),
  createdBy: Person.nullable(),
});
export type Share = z.infer<typeof Share>;
export const ShareList = z.object({ items: z.array(Share) });
const exactlyOne = (b: { documentId?: string; folderId?: string; document?: string; folder?: string }) =>
  [b.documentId ?? b.document, b.folderId ?? b.folder].filter(Boolean).length === 1;
export const SharesQuery = z
  .strictObject({ document: z.uuid().optional(), folder: z.uuid().optional() })
  .refine(exactlyOne, { message: 'a document or a folder' });
export const CreateShareBody = z
  .strictObject({
    documentId: z.uuid().optional(),
    folderId: z.uuid().optional(),
    grantee: Grantee,
    right: DocumentRight,
  })
  .refine(exactlyOne, { message: 'a document or a folder' });

export const SharedItem = z.object({
  type: z.enum(['file', 'folder']),
  id: z.uuid(),
  name: z.string(),
  size: z.number().int().nullable(),
  mime: z.string().nullable(),
  spaceId: z.uuid(),
  right: DocumentRight,
  sharedBy: Person.nullable(),
  sharedAt: z.string(),
});
export const SharedList = z.object({ items: z.array(SharedItem) });

export const ShareTargetsQuery = z.strictObject({ establishment: z.uuid(), q: z.string().trim().max(100).optional() });
export const ShareTargets = z.object({ items: z.array(z.object({ grantee: Grantee, label: z.string() })) });

export const QuotaQuery = z.strictObject({ establishment: z.uuid().optional() });
export const Quota = z.object({ used: z.number().int(), limit: z.number().int() });

export const DocumentSettings = z.object({
  /** Bytes per profile; a person's limit is the largest of their profiles'. */
  quotas: z.record(EstablishmentProfile, z.number().int()),
  maxFileBytes: z.number().int(),
  /** Staff named by the direction to contribute to the administrative space. */
  adminContributors: z.array(Person),
  /** Resource persons, who publish to the académie's library. */
  resourcePersons: z.array(Person),
});
export const UpdateDocumentSettingsBody = z
  .strictObject({
    establishment: z.uuid(),
    quotas: z
      .partialRecord(
        EstablishmentProfile,
        z
          .number()
          .int()
          .min(0)
          .max(1024 ** 4),
      )
      .optional(),
    adminContributors: z.array(z.uuid()).max(200).optional(),
    resourcePersons: z.array(z.uuid()).max(200).optional(),
  })
  .refine((b) => Object.keys(b).length > 1, { message: 'at least one setting' });

export const LibraryQuery = z.strictObject({
  establishment: z.uuid(),
  q: z.string().trim().max(100).optional(),
  discipline: z.string().max(6).optional(),
  level: LibraryLevel.optional(),
});
export const LibraryItem = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number().int(),
  mime: z.string(),
  previewable: z.boolean(),
  publishedAt: z.string(),
  publishedBy: Person.nullable(),
  establishmentName: z.string().nullable(),
  meta: LibraryMeta,
  canRemove: z.boolean(),
});
export const LibraryList = z.object({
  items: z.array(LibraryItem),
  canPublish: z.boolean(),
  disciplines: z.array(z.object({ code: z.string(), label: z.string() })),
});
export const PublishBody = z.strictObject({
  establishment: z.uuid(),
  documentId: z.uuid(),
  discipline: z.string().min(1).max(6).nullable(),
  level: LibraryLevel,
  author: z.string().trim().min(1).max(200),
  licence: Licence,
  attribution: z.string().trim().max(500).default(''),
});
export const CopyBody = z.strictObject({ establishment: z.uuid(), folderId: z.uuid().nullable().optional() });

export const documentsApi = defineApi({
  module: 'documents',
  permissions: ['documents.read', 'documents.write', 'documents.share', 'documents.manage'],
  errors: [
    'QUOTA_EXCEEDED',
    'DOCUMENT_TOO_LARGE',
    'DOCUMENT_EMPTY',
    'DOCUMENT_TYPE_REFUSED',
    'DOCUMENT_TYPE_MISMATCH',
    'DOCUMENT_NAME_INVALID',
    'DOCUMENT_UPLOAD_INCOMPLETE',
    'DOCUMENT_FILE_MISSING',
    'DOCUMENT_MOVE_INVALID',
    'DOCUMENT_NOT_IN_TRASH',
    'SHARE_NOT_ALLOWED',
    'ATTACHMENT_NOT_ALLOWED',
  ],
  endpoints: {
    'GET /api/documents/spaces': {
      summary: 'The spaces the caller sees in an establishment: personal, classes, groups, administrative, library',
      access: { permission: 'documents.read' },
      establishment: { query: 'establishment' },
      query: SpacesQuery,
      response: SpaceList,
      errors: [],
    },
    'GET /api/documents/spaces/:spaceId/files': {
      summary: 'Files of a space the caller sees (of one folder, or `root`, or all)',
      access: { permission: 'documents.read' },
      establishment: 'object',
      params: SpaceParams,
      query: FilesQuery,
      response: FileList,
      errors: [],
    },
    'POST /api/documents/spaces/:spaceId/files': {
      summary: 'Upload a file (multipart: `file`, optional `folderId`); streamed, typed by content, within quota',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: SpaceParams,
      multipart: true,
      status: 201,
      response: Uploaded,
      errors: [
        'QUOTA_EXCEEDED',
        'DOCUMENT_TOO_LARGE',
        'DOCUMENT_EMPTY',
        'DOCUMENT_TYPE_REFUSED',
        'DOCUMENT_TYPE_MISMATCH',
        'DOCUMENT_NAME_INVALID',
        'DOCUMENT_UPLOAD_INCOMPLETE',
        'DOCUMENT_FILE_MISSING',
        'PAYLOAD_TOO_LARGE',
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    },
    'GET /api/documents/spaces/:spaceId/browse': {
      summary: 'One folder of a space (or its root): breadcrumb, sub-folders, files, what the caller may do',
      access: { permission: 'documents.read' },
      establishment: 'object',
      params: SpaceParams,
      query: BrowseQuery,
      response: Browse,
      errors: [],
    },
    'POST /api/documents/spaces/:spaceId/folders': {
      summary: 'Create a folder',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: SpaceParams,
      body: CreateFolderBody,
      status: 201,
      response: FolderEntry,
      errors: ['DOCUMENT_NAME_INVALID'],
    },
    'PATCH /api/documents/folders/:id': {
      summary: 'Rename, move, trash or restore a folder; who may read it (guardians, audience)',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      body: UpdateFolderBody,
      response: FolderEntry,
      errors: ['DOCUMENT_NAME_INVALID', 'DOCUMENT_MOVE_INVALID'],
    },
    'DELETE /api/documents/folders/:id': {
      summary: 'Delete a trashed folder and its content for good',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: ['DOCUMENT_NOT_IN_TRASH'],
    },
    'GET /api/documents/files/:id': {
      summary: 'A file: metadata, versions, where it is, what the caller may do',
      access: { permission: 'documents.read' },
      establishment: 'object',
      params: IdParams,
      response: FileDetail,
      errors: [],
    },
    'GET /api/documents/files/:id/content': {
      summary: 'The bytes of a file (latest version, or `version`); images and PDF may be shown inline',
      access: { permission: 'documents.read' },
      establishment: 'object',
      params: IdParams,
      query: ContentQuery,
      binary: 'application/octet-stream',
      errors: [],
    },
    'PUT /api/documents/files/:id/content': {
      summary: 'Replace a file (multipart `file`): a new version, the previous ones kept',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      multipart: true,
      response: Uploaded,
      errors: [
        'QUOTA_EXCEEDED',
        'DOCUMENT_TOO_LARGE',
        'DOCUMENT_EMPTY',
        'DOCUMENT_TYPE_REFUSED',
        'DOCUMENT_TYPE_MISMATCH',
        'DOCUMENT_NAME_INVALID',
        'DOCUMENT_UPLOAD_INCOMPLETE',
        'DOCUMENT_FILE_MISSING',
        'PAYLOAD_TOO_LARGE',
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    },
    'POST /api/documents/files/:id/versions': {
      summary: 'Restore a previous version: it becomes a new current version (nothing is lost)',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      body: RestoreVersionBody,
      status: 201,
      response: Uploaded,
      errors: ['QUOTA_EXCEEDED'],
    },
    'PATCH /api/documents/files/:id': {
      summary: 'Rename, move, trash or restore a file',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      body: UpdateFileBody,
      response: FileEntry,
      errors: ['DOCUMENT_NAME_INVALID', 'DOCUMENT_MOVE_INVALID'],
    },
    'DELETE /api/documents/files/:id': {
      summary: 'Delete a trashed file for good',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: ['DOCUMENT_NOT_IN_TRASH'],
    },
    'GET /api/documents/trash': {
      summary: "The caller's trash in an establishment (deleted for good after 30 days)",
      access: { permission: 'documents.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: TrashList,
      errors: [],
    },
    'GET /api/documents/search': {
      summary: 'Files whose name contains the words, in every space the caller sees and what is shared with them',
      access: { permission: 'documents.read' },
      establishment: { query: 'establishment' },
      query: SearchQuery,
      response: SearchResult,
      errors: [],
    },
    'GET /api/documents/shared': {
      summary: '"Partagés avec moi": what people shared with the caller, their classes, groups or profile',
      access: { permission: 'documents.read' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: SharedList,
      errors: [],
    },
    'GET /api/documents/shares': {
      summary: 'The shares of a document or folder the caller manages',
      access: { permission: 'documents.share' },
      establishment: 'object',
      query: SharesQuery,
      response: ShareList,
      errors: [],
    },
    'POST /api/documents/shares': {
      summary: 'Share a document or folder with a person, a class, a group or a profile (audited, notified)',
      access: { permission: 'documents.share' },
      establishment: 'object',
      body: CreateShareBody,
      status: 201,
      response: Share,
      errors: ['SHARE_NOT_ALLOWED'],
    },
    'DELETE /api/documents/shares/:id': {
      summary: 'Revoke a share, at once (audited)',
      access: { permission: 'documents.share' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: [],
    },
    'GET /api/documents/share-targets': {
      summary: 'People, classes, groups and profiles the caller may share with',
      access: { permission: 'documents.share' },
      establishment: { query: 'establishment' },
      query: ShareTargetsQuery,
      response: ShareTargets,
      errors: [],
    },
    'GET /api/documents/quota': {
      summary: "The caller's used and allowed bytes (in an establishment; default: their first)",
      access: { permission: 'documents.read' },
      establishment: 'object',
      query: QuotaQuery,
      response: Quota,
      errors: [],
    },
    'GET /api/documents/settings': {
      summary: "The establishment's quotas per profile, administrative contributors and resource persons",
      access: { permission: 'documents.manage' },
      establishment: { query: 'establishment' },
      query: EstablishmentQuery,
      response: DocumentSettings,
      errors: [],
    },
    'PUT /api/documents/settings': {
      summary: 'Change quotas, administrative contributors or resource persons (audited)',
      access: { permission: 'documents.manage' },
      establishment: { body: 'establishment' },
      body: UpdateDocumentSettingsBody,
      response: DocumentSettings,
      errors: [],
    },
    'GET /api/documents/library': {
      summary: "The académie's shared library: search by words, discipline and level",
      access: { permission: 'documents.read' },
      establishment: { query: 'establishment' },
      query: LibraryQuery,
      response: LibraryList,
      errors: [],
    },
    'POST /api/documents/library': {
      summary: 'Publish one of the caller’s files to the library (resource persons), with its licence and author',
      access: { permission: 'documents.write' },
      establishment: { body: 'establishment' },
      body: PublishBody,
      status: 201,
      response: LibraryItem,
      errors: [],
    },
    'DELETE /api/documents/library/:id': {
      summary: 'Withdraw a resource from the library (its publisher, the platform)',
      access: { permission: 'documents.write' },
      establishment: 'object',
      params: IdParams,
      status: 204,
      errors: [],
    },
    'POST /api/documents/library/:id/copies': {
      summary: 'Copy a library resource into the caller’s documents; author, licence and attribution kept',
      access: { permission: 'documents.write' },
      establishment: { body: 'establishment' },
      params: IdParams,
      body: CopyBody,
      status: 201,
      response: Uploaded,
      errors: ['QUOTA_EXCEEDED'],
    },
    'GET /api/documents/references/:id/content': {
      summary: 'A file attached by reference to another module’s object, for a reader of that object',
      access: { permission: 'documents.read' },
      establishment: 'object',
      params: IdParams,
      query: z.strictObject({ disposition: z.enum(['inline', 'attachment']).optional() }),
      binary: 'application/octet-stream',
      errors: [],
    },
  },
});
