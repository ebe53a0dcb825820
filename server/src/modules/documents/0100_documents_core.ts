import { type Kysely, sql } from 'kysely';

/**
 * Documents: spaces (personal, class, group, administrative per establishment; the library per académie),
 * folders (with their ancestors, so a whole subtree is one indexed lookup), documents and their versions, blobs
 * (the bytes' SHA-256, shared by identical uploads), shares, references held by other modules, quotas per
 * profile and the people the direction names (administrative contributors, resource persons).
 * The library's rows have no establishment (they belong to an académie); every other row carries its
 * establishment_id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE document_space (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      academy_id uuid REFERENCES academy(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('personal', 'class', 'group', 'admin', 'library')),
      owner_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
      class_id uuid REFERENCES class(id) ON DELETE CASCADE,
      group_id uuid REFERENCES teaching_group(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'library') = (establishment_id IS NULL)),
      CHECK ((kind = 'library') = (academy_id IS NOT NULL)),
      CHECK ((kind = 'personal') = (owner_id IS NOT NULL)),
      CHECK ((kind = 'class') = (class_id IS NOT NULL)),
      CHECK ((kind = 'group') = (group_id IS NOT NULL))
    );
    CREATE UNIQUE INDEX document_space_personal ON document_space (establishment_id, owner_id) WHERE kind = 'personal';
    CREATE UNIQUE INDEX document_space_class ON document_space (class_id) WHERE kind = 'class';
    CREATE UNIQUE INDEX document_space_group ON document_space (group_id) WHERE kind = 'group';
    CREATE UNIQUE INDEX document_space_admin ON document_space (establishment_id) WHERE kind = 'admin';
    CREATE UNIQUE INDEX document_space_library ON document_space (academy_id) WHERE kind = 'library';

    CREATE TABLE document_folder (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      space_id uuid NOT NULL REFERENCES document_space(id) ON DELETE CASCADE,
      parent_id uuid REFERENCES document_folder(id) ON DELETE CASCADE,
      -- the folders above, the space's top first, the parent last
      ancestors uuid[] NOT NULL DEFAULT '{}',
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      guardians_can_read boolean NOT NULL DEFAULT false,
      audience text[],
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      trashed_at timestamptz,
      trashed_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    );
    CREATE INDEX document_folder_parent ON document_folder (space_id, parent_id);
    CREATE INDEX document_folder_ancestors ON document_folder USING gin (ancestors);
    CREATE INDEX document_folder_trash ON document_folder (trashed_at) WHERE trashed_at IS NOT NULL;

    CREATE TABLE document_blob (
      sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      size bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE document (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      space_id uuid NOT NULL REFERENCES document_space(id) ON DELETE CASCADE,
      folder_id uuid REFERENCES document_folder(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      -- the current version, copied for lists
      version integer NOT NULL DEFAULT 1,
      size bigint NOT NULL,
      mime text NOT NULL,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      trashed_at timestamptz,
      trashed_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      -- deleted for good by its owner, but kept (hidden) while another module still references it
      deleted_at timestamptz,
      -- library resources and their copies: discipline, level, author, licence, attribution
      library jsonb,
      published_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      published_from uuid REFERENCES establishment(id) ON DELETE SET NULL,
      copied_from uuid REFERENCES document(id) ON DELETE SET NULL
    );
    CREATE INDEX document_folder_list ON document (space_id, folder_id) WHERE deleted_at IS NULL;
    CREATE INDEX document_trash ON document (trashed_at) WHERE trashed_at IS NOT NULL;
    CREATE INDEX document_deleted ON document (deleted_at) WHERE deleted_at IS NOT NULL;

    CREATE TABLE document_version (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL REFERENCES document(id) ON DELETE CASCADE,
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      no integer NOT NULL,
      sha256 text NOT NULL REFERENCES document_blob(sha256),
      size bigint NOT NULL,
      mime text NOT NULL,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (document_id, no)
    );
    -- quotas: the bytes a person put in an establishment
    CREATE INDEX document_version_quota ON document_version (establishment_id, created_by) INCLUDE (size, document_id);
    CREATE INDEX document_version_blob ON document_version (sha256);

    CREATE TABLE document_share (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      document_id uuid REFERENCES document(id) ON DELETE CASCADE,
      folder_id uuid REFERENCES document_folder(id) ON DELETE CASCADE,
      grantee_kind text NOT NULL CHECK (grantee_kind IN ('user', 'class', 'group', 'profile')),
      grantee_id uuid,
      grantee_profile text,
      "right" text NOT NULL CHECK ("right" IN ('read', 'contribute', 'manage')),
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((document_id IS NULL) <> (folder_id IS NULL)),
      CHECK ((grantee_kind = 'profile') = (grantee_id IS NULL)),
      CHECK ((grantee_kind = 'user') = (grantee_profile IS NULL))
    );
    CREATE UNIQUE INDEX document_share_once ON document_share
      (COALESCE(document_id, folder_id), grantee_kind, COALESCE(grantee_id, '00000000-0000-0000-0000-000000000000'), COALESCE(grantee_profile, ''));
    CREATE INDEX document_share_grantee ON document_share (establishment_id, grantee_kind, grantee_id);
    CREATE INDEX document_share_document ON document_share (document_id) WHERE document_id IS NOT NULL;
    CREATE INDEX document_share_folder ON document_share (folder_id) WHERE folder_id IS NOT NULL;

    CREATE TABLE document_reference (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      document_id uuid NOT NULL REFERENCES document(id) ON DELETE CASCADE,
      -- pinned to this version; null: the latest
      version_id uuid REFERENCES document_version(id) ON DELETE RESTRICT,
      holder_module text NOT NULL,
      holder_type text NOT NULL,
      holder_id uuid NOT NULL,
      -- the order of attaching (several documents attached at once)
      position integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (holder_module, holder_type, holder_id, document_id)
    );
    CREATE INDEX document_reference_document ON document_reference (document_id);

    CREATE TABLE document_quota (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      profile text NOT NULL,
      bytes bigint NOT NULL CHECK (bytes >= 0),
      PRIMARY KEY (establishment_id, profile)
    );

    CREATE TABLE document_delegate (
      establishment_id uuid NOT NULL REFERENCES establishment(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('admin_contributor', 'resource_person')),
      granted_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (establishment_id, user_id, role)
    );
  `.execute(db);
}
