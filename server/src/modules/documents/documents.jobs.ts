import type { Kysely } from 'kysely';
import { trustedDb } from '../../platform/access/authorize.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { JobDeps } from '../../platform/module.ts';
import type { BlobStorage } from '../../platform/storage/index.ts';
import { blobs, purge } from './documents.repository.ts';
import { TRASH_DAYS } from './documents.service.ts';

/** Blobs no version names are kept this long (an upload between its storage and its rows is never hurt). */
const BLOB_GRACE_MS = 3_600_000;
/** Temporary objects of uploads older than this belong to a process that died mid-upload. */
const TEMP_GRACE_MS = 86_400_000;

/**
 * The documents purge, hourly: the trash emptied of what has been there 30 days (files still attached
 * elsewhere kept hidden until their last reference goes), then the bytes no version names any more, then the
 * temporary uploads of dead processes. Idempotent, safe on several instances (pg-boss runs it once; blob rows
 * are locked with SKIP LOCKED).
 */
export async function purgeDocuments(db: Kysely<Database>, storage: BlobStorage, now = new Date()) {
  const tdb = trustedDb(db, 'documents purge job: scheduled maintenance, acts for nobody');
  const trash = await tdb
    .transaction()
    .execute((trx) =>
      purge.trash(
        trustedDb(trx as unknown as Kysely<Database>, 'same job'),
        new Date(now.getTime() - TRASH_DAYS * 86_400_000),
      ),
    );
  let bytes = 0;
  for (;;) {
    const n = await tdb.transaction().execute(async (trx) => {
      const handle = trustedDb(trx as unknown as Kysely<Database>, 'same job');
      const shas = await blobs.lockUnreferenced(handle, new Date(now.getTime() - BLOB_GRACE_MS), 500);
      if (shas.length === 0) return 0;
      // Bytes first, under the rows' locks: an upload of the same content waits, then writes them again.
      await storage.delete(shas);
      await blobs.delete(handle, shas);
      return shas.length;
    });
    bytes += n;
    if (n < 500) break;
  }
  const temps = await storage.sweepTemp(new Date(now.getTime() - TEMP_GRACE_MS));
  return { ...trash, blobs: bytes, temps };
}

export async function documentsJobs({ boss, db, storage, log }: JobDeps): Promise<void> {
  await boss.createQueue('documents.purge');
  await boss.work('documents.purge', async () => {
    const done = await purgeDocuments(db, storage);
    log.info({ purge: done }, 'documents purge');
  });
  await boss.schedule('documents.purge', '40 * * * *', null, { tz: 'Europe/Paris' });
}
