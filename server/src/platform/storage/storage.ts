import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * File bytes, addressed by their content: a blob's key is the SHA-256 of its bytes, so identical uploads share
 * one stored copy. An upload goes first to a temporary object (hashed and counted as it streams, never
 * buffered whole), then `commit` makes it the blob of its hash — or drops it when that blob already exists.
 * The metadata (who, which document, which version) lives in PostgreSQL; this interface knows only bytes.
 */
export interface BlobStorage {
  readonly driver: 'local' | 's3';
  /**
   * Streams `source` into a new temporary object, hashing and counting it. Past `maxBytes` it fails with a
   * `StorageLimitError`; on any failure (a cut connection, the limit) the temporary object is removed.
   */
  writeTemp(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<TempBlob>;
  /** Makes the temporary object the blob `sha256` (kept once); the temporary object is gone afterwards. */
  commit(temp: TempBlob): Promise<void>;
  /** Removes a temporary object (a refused upload). Removing a missing one is not an error. */
  discard(temp: TempBlob): Promise<void>;
  /** The bytes of a blob, whole or a byte range (both ends inclusive, as HTTP ranges). */
  read(sha256: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
  exists(sha256: string): Promise<boolean>;
  /** Removes blobs; missing ones are not an error. */
  delete(sha256s: readonly string[]): Promise<void>;
  /** Removes temporary objects older than `before` (uploads of a process that died); returns how many. */
  sweepTemp(before: Date): Promise<number>;
}

export interface TempBlob {
  /** Driver-specific key of the temporary object. */
  key: string;
  sha256: string;
  size: number;
  /** The first bytes (up to 4,100), for checking the type by content (magic bytes). */
  head: Buffer;
}

/** The stream went past the size it was allowed. */
export class StorageLimitError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`more than ${limit} bytes`);
    this.limit = limit;
  }
}

export const HEAD_BYTES = 4100;

const SHA256 = /^[0-9a-f]{64}$/;
/** Blob keys are hashes only: nothing a caller sends can become a path or a key. */
export function checkSha(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return sha256;
}

/**
 * A pass-through that hashes, counts and keeps the first bytes of what flows through it, and fails once more
 * than `maxBytes` went by (the writer then removes what it wrote).
 */
export class Meter extends Transform {
  private readonly hash = createHash('sha256');
  private readonly maxBytes: number;
  private headParts: Buffer[] = [];
  private headLength = 0;
  size = 0;

  constructor(maxBytes: number) {
    super();
    this.maxBytes = maxBytes;
  }

  /** Counts, hashes and keeps the head of one chunk; throws `StorageLimitError` past the limit. */
  measure(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new StorageLimitError(this.maxBytes);
    if (this.headLength < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headLength);
      this.headParts.push(Buffer.from(part));
      this.headLength += part.length;
    }
    this.hash.update(chunk);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.measure(chunk);
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, chunk);
  }

  result(): { sha256: string; size: number; head: Buffer } {
    return { sha256: this.hash.digest('hex'), size: this.size, head: Buffer.concat(this.headParts) };
  }
}
