import type { StorageConfig } from '../config.ts';
import { localStorage } from './local.ts';
import { s3Storage } from './s3.ts';
import type { BlobStorage } from './storage.ts';

export { localStorage } from './local.ts';
export { s3Storage } from './s3.ts';
export { type BlobStorage, HEAD_BYTES, StorageLimitError, type TempBlob } from './storage.ts';

/** The storage the settings name: local disk (default, under DATA_DIR) or an S3-compatible bucket. */
export function createStorage(config: StorageConfig): BlobStorage {
  return config.driver === 'local' ? localStorage(config.root) : s3Storage(config);
}
