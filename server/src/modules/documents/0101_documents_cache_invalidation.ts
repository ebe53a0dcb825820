import type { Kysely } from 'kysely';
import { createCacheTriggers } from '../../platform/db/cache-triggers.ts';

/**
 * What the documents' caches in memory (`documents.cache.ts`) depend on, announced on `preau_cache`
 * (platform/cache.ts):
 *
 * | topic | key       | announced by                                                                                |
 * |-------|-----------|---------------------------------------------------------------------------------------------|
 * | `ds`  | space id  | its documents, folders, shares (on a document or a folder of it), the space row itself       |
 * | `ds`  | class id, group id | a class or group changed (the name of its space)                                    |
 * | `u`   | user id   | their head-teacher rows and their delegations (administrative contributor, resource person): the documents viewer's places, kept with the user's other entries |
 *
 * A folder listing is the same for every viewer of the space (rights are worked out per request), so one key per
 * space: a teacher adding a file to 2NDE1 drops 2NDE1's listings only. A share whose document or folder has just
 * been deleted announces nothing itself (`ds:`): the deletion announced the space.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createCacheTriggers(db, 'document', 'documents_cache', [['ds', 'space_id']]);
  await createCacheTriggers(db, 'document_folder', 'documents_cache', [['ds', 'space_id']]);
  await createCacheTriggers(db, 'document_space', 'documents_cache', [['ds', 'id']], { skipInsert: true });
  await createCacheTriggers(db, 'document_share', 'documents_cache', [
    [
      'ds',
      `COALESCE((SELECT d.space_id::text FROM document d WHERE d.id = document_id),
                (SELECT f.space_id::text FROM document_folder f WHERE f.id = folder_id), '')`,
    ],
  ]);
  await createCacheTriggers(db, 'class', 'documents_cache', [['ds', 'id']], { skipInsert: true });
  await createCacheTriggers(db, 'teaching_group', 'documents_cache', [['ds', 'id']], { skipInsert: true });
  await createCacheTriggers(db, 'head_teacher', 'documents_cache', [['u', 'teacher_id']]);
  await createCacheTriggers(db, 'document_delegate', 'documents_cache', [['u', 'user_id']]);
}
