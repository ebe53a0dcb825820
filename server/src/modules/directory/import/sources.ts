/**
 * Where an import reads its files from: a file on disk (CLI), chunks stored in PostgreSQL (uploads, see
 * ADR 0006) or bytes in memory (tests). Each source can be opened several times (the scope check reads the
 * uploads before the job does).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Db } from '../../../platform/db/schema.ts';
import { importChunks } from './import.repository.ts';

export interface ImportSource {
  /** The file name as uploaded (no directory part): AAF file names carry the type and full/delta. */
  name: string;
  size: number;
  open: () => AsyncIterable<Uint8Array>;
}

export async function readAll(source: ImportSource): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source.open()) parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return Buffer.concat(parts);
}

export function memorySource(name: string, bytes: Uint8Array | string): ImportSource {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  return {
    name,
    size: buf.length,
    open: async function* () {
      for (let i = 0; i < buf.length; i += 1 << 20) yield buf.subarray(i, i + (1 << 20));
    },
  };
}

export async function diskSource(path: string): Promise<ImportSource> {
  const { size } = await stat(path);
  return {
    name: basename(path),
    size,
    open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}

/** Uploads are kept as 1 MiB chunks in `import_file_chunk` until their job has run. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Store one uploaded stream as chunks, as it arrives (one chunk in memory at a time); `tee` sees every byte
 * too (the upload inspector). Returns the size, the SHA-256 and the first bytes (content check).
 */
export async function storeUpload(
  db: Db,
  jobId: string,
  fileNo: number,
  stream: AsyncIterable<Uint8Array>,
  tee?: (chunk: Uint8Array) => Promise<void>,
): Promise<{ size: number; sha256: string; head: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let head: Buffer | null = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await importChunks.insert(db, { job_id: jobId, file_no: fileNo, seq: seq++, data });
  };
  for await (const c of stream) {
    const b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    if (tee) await tee(b);
    hash.update(b);
    size += b.length;
    if (!head) head = Buffer.from(b.subarray(0, 4096));
    else if (head.length < 4096) head = Buffer.concat([head, b.subarray(0, 4096 - head.length)]);
    pending.push(b);
    pendingBytes += b.length;
    if (pendingBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  return { size, sha256: hash.digest('hex'), head: head ?? Buffer.alloc(0) };
}

/** A stored upload, read back a few chunks at a time. */
export function storedSource(db: Db, jobId: string, fileNo: number, name: string, size: number): ImportSource {
  return {
    name,
    size,
    open: async function* () {
      for (let from = 0; ; from += 4) {
        const rows = await importChunks.read(db, jobId, fileNo, from, 4);
        for (const data of rows) yield data;
        if (rows.length < 4) return;
      }
    },
  };
}

export async function deleteStoredFiles(db: Db, jobId: string): Promise<void> {
  await importChunks.deleteOf(db, jobId);
}

/** The first bytes of a stream (at least `n` unless it is shorter), and the whole stream again. */
export async function withHead(
  stream: AsyncIterable<Uint8Array>,
  n = 4096,
): Promise<{ head: Buffer; chunks: AsyncIterable<Uint8Array> }> {
  const it = stream[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    first.push(r.value);
    size += r.value.byteLength;
  }
  const head = Buffer.concat(first).subarray(0, n);
  async function* chunks() {
    yield* first;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, chunks: chunks() };
}

/** What a file is, by its content (never by its name alone). */
export type ContentKind = 'aaf' | 'csv' | 'binary';

export function contentKind(name: string, head: Buffer): ContentKind {
  let h = head;
  if (h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) h = h.subarray(3);
  const utf16 = (h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff);
  if (utf16) {
    const text = (h[0] === 0xff ? h.subarray(2).toString('utf16le') : '').trimStart();
    return text.startsWith('<') || h[0] === 0xfe ? 'aaf' : 'binary';
  }
  const text = h.toString('latin1');
  if (/^\s*</.test(text)) return 'aaf';
  // A file named .xml that is not XML is a broken AAF file: the job reports it (NOT_XML).
  if (/\.xml$/i.test(name)) return 'aaf';
  // NUL and most C0 controls never appear in a text export.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content
  if (/[\x00-\x08\x0e-\x1a\x1c-\x1f]/.test(text)) return 'binary';
  return 'csv';
}
