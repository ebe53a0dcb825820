import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** bigint columns: pg returns them as strings. */
type BigInt = ColumnType<string, number | string, number | string>;

export type SpaceKindValue = 'personal' | 'class' | 'group' | 'admin' | 'library';
export type RightValue = 'read' | 'contribute' | 'manage';

export interface LibraryMetaColumn {
  discipline: string | null;
  level: string;
  author: string;
  licence: string;
  attribution: string;
}

export interface DocumentSpaceTable {
  id: Generated<string>;
  establishment_id: string | null;
  academy_id: string | null;
  kind: SpaceKindValue;
  owner_id: string | null;
  class_id: string | null;
  group_id: string | null;
  created_at: Timestamp;
}

export interface DocumentFolderTable {
  id: Generated<string>;
  establishment_id: string | null;
  space_id: string;
  parent_id: string | null;
  ancestors: ColumnType<string[], string[] | undefined, string[]>;
  name: string;
  guardians_can_read: Generated<boolean>;
  audience: string[] | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  trashed_at: NullableTimestamp;
  trashed_by: string | null;
}

export interface DocumentBlobTable {
  sha256: string;
  size: BigInt;
  created_at: Timestamp;
  last_used_at: Timestamp;
}

export interface DocumentTable {
  id: Generated<string>;
  establishment_id: string | null;
  space_id: string;
  folder_id: string | null;
  name: string;
  version: Generated<number>;
  size: BigInt;
  mime: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  trashed_at: NullableTimestamp;
  trashed_by: string | null;
  deleted_at: NullableTimestamp;
  library: ColumnType<LibraryMetaColumn | null, string | null | undefined, string | null>;
  published_by: string | null;
  published_from: string | null;
  copied_from: string | null;
}

export interface DocumentVersionTable {
  id: Generated<string>;
  document_id: string;
  establishment_id: string | null;
  no: number;
  sha256: string;
  size: BigInt;
  mime: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface DocumentShareTable {
  id: Generated<string>;
  establishment_id: string;
  document_id: string | null;
  folder_id: string | null;
  grantee_kind: 'user' | 'class' | 'group' | 'profile';
  grantee_id: string | null;
  grantee_profile: string | null;
  right: RightValue;
  created_by: string | null;
  created_at: Timestamp;
}

export interface DocumentReferenceTable {
  id: Generated<string>;
  establishment_id: string;
  document_id: string;
  version_id: string | null;
  holder_module: string;
  holder_type: string;
  holder_id: string;
  position: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
}

export interface DocumentQuotaTable {
  establishment_id: string;
  profile: string;
  bytes: BigInt;
}

export interface DocumentDelegateTable {
  establishment_id: string;
  user_id: string;
  role: 'admin_contributor' | 'resource_person';
  granted_by: string | null;
  created_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    document_space: DocumentSpaceTable;
    document_folder: DocumentFolderTable;
    document_blob: DocumentBlobTable;
    document: DocumentTable;
    document_version: DocumentVersionTable;
    document_share: DocumentShareTable;
    document_reference: DocumentReferenceTable;
    document_quota: DocumentQuotaTable;
    document_delegate: DocumentDelegateTable;
  }
}
