/**
 * What an import upload may be, and the archives académies deliver their AAF exports in (issue 9): dozens of
 * split files, or one `.zip` / `.tar.gz` of them. Archives are expanded as the upload is received, each entry
 * becoming a file of the upload, under limits that each name themselves when they refuse: number of files,
 * size of a file, size of the whole upload, number of entries and expanded size of an archive, compression ratio
 * of an entry (a "zip bomb"), and no entry outside the archive (absolute paths, `..`) nor any link.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';
import yauzl from 'yauzl';
import { AppError } from '../../../platform/errors.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The limits of one upload (`POST /api/imports`): the multipart ones are given to @fastify/multipart. */
export const UPLOAD_LIMITS = {
  /** Files per upload, archive entries included. */
  files: 2000,
  /** Bytes of one file, or of one entry once expanded. */
  fileBytes: 200 * MiB,
  /** Bytes of the whole upload, archives expanded. */
  totalBytes: 4096 * MiB,
  /** Entries of one archive. */
  archiveEntries: 2000,
  /** Bytes of one archive once expanded. */
  archiveBytes: 4096 * MiB,
  /** Expanded size over compressed size, for an entry (zip) or the stream (tar.gz) past its first MiB. */
  ratio: 200,
  fields: 10,
  fieldBytes: 600_000,
};

export type ArchiveKind = 'zip' | 'tar.gz';

/** An archive, by its first bytes (zip: `PK\x03\x04`, or `PK\x05\x06` when empty; gzip: `1f 8b`). */
export function archiveKind(head: Uint8Array): ArchiveKind | null {
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6))
    return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  return null;
}

const refuse = (code: Parameters<typeof limitError>[0], vars: Record<string, string | number>) =>
  limitError(code, vars);

export function limitError(
  code:
    | 'IMPORT_TOO_MANY_FILES'
    | 'IMPORT_FILE_TOO_LARGE'
    | 'IMPORT_UPLOAD_TOO_LARGE'
    | 'IMPORT_TOO_MANY_FIELDS'
    | 'IMPORT_ARCHIVE_TOO_MANY_ENTRIES'
    | 'IMPORT_ARCHIVE_TOO_LARGE'
    | 'IMPORT_ARCHIVE_RATIO'
    | 'IMPORT_ARCHIVE_UNSAFE_PATH'
    | 'IMPORT_ARCHIVE_LINK'
    | 'IMPORT_ARCHIVE_INVALID',
  vars: Record<string, string | number>,
): AppError {
  const status =
    code === 'IMPORT_ARCHIVE_INVALID' || code === 'IMPORT_ARCHIVE_UNSAFE_PATH' || code === 'IMPORT_ARCHIVE_LINK'
      ? 400
      : 413;
  return new AppError(status, code, { vars, errors: [{ path: 'body.files', message: code }] });
}

/** A path inside an archive that would land outside it, or anywhere absolute. */
function unsafePath(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return true;
  return path.split(/[\\/]/).some((segment) => segment === '..');
}

/** Entries that are no files of the export: folders, macOS resource forks, hidden files. */
function ignored(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  return path.endsWith('/') || path.startsWith('__MACOSX/') || base === '' || base.startsWith('.');
}

export interface ArchiveEntry {
  /** The entry's file name, without its folders. */
  name: string;
  stream: AsyncIterable<Uint8Array>;
}

/**
 * The files of an archive, one at a time (the caller reads each entry whole before asking for the next). The
 * archive is spooled to a temporary file first (a zip is read from its end), deleted afterwards.
 * @throws AppError naming the limit an archive breaks, or IMPORT_ARCHIVE_INVALID when it cannot be read.
 */
export async function* expandArchive(
  kind: ArchiveKind,
  file: string,
  bytes: AsyncIterable<Uint8Array>,
  limits = UPLOAD_LIMITS,
): AsyncGenerator<ArchiveEntry> {
  const dir = await mkdtemp(join(tmpdir(), 'preau-archive-'));
  const path = join(dir, 'upload');
  try {
    await pipeline(bytes, createWriteStream(path));
    yield* kind === 'zip' ? zipEntries(path, file, limits) : tarGzEntries(path, file, limits);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* zipEntries(path: string, file: string, limits: typeof UPLOAD_LIMITS): AsyncGenerator<ArchiveEntry> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((ok, ko) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false }, (e, z) => (e ? ko(e) : ok(z))),
    );
  } catch (e) {
    throw zipError(e as Error, file);
  }
  try {
    if (zip.entryCount > limits.archiveEntries)
      throw refuse('IMPORT_ARCHIVE_TOO_MANY_ENTRIES', { file, max: limits.archiveEntries });
    let expanded = 0;
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((ok, ko) => {
        const cleanup = () => zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
        zip.once('entry', (e: yauzl.Entry) => (cleanup(), ok(e)));
        zip.once('end', () => (cleanup(), ok(null)));
        zip.once('error', (e: Error) => (cleanup(), ko(zipError(e, file))));
        zip.readEntry();
      });
      if (!entry) return;
      const name = entry.fileName;
      if (unsafePath(name)) throw refuse('IMPORT_ARCHIVE_UNSAFE_PATH', { file, entry: name });
      // The file type in the upper 16 bits of the external attributes (Unix): a symbolic link is 0o120000.
      if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000)
        throw refuse('IMPORT_ARCHIVE_LINK', { file, entry: name });
      if (ignored(name)) continue;
      if (entry.uncompressedSize > limits.fileBytes)
        throw refuse('IMPORT_FILE_TOO_LARGE', { file: `${file} › ${name}`, max: limits.fileBytes / MiB });
      if (entry.uncompressedSize > MiB && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.ratio)
        throw refuse('IMPORT_ARCHIVE_RATIO', { file, entry: name, max: limits.ratio });
      expanded += entry.uncompressedSize;
      if (expanded > limits.archiveBytes)
        throw refuse('IMPORT_ARCHIVE_TOO_LARGE', { file, max: limits.archiveBytes / GiB });
      // yauzl checks that the bytes expanded are exactly the size the archive declares.
      const stream = await new Promise<NodeJS.ReadableStream>((ok, ko) =>
        zip.openReadStream(entry, (e, s) => (e ? ko(zipError(e, file)) : ok(s))),
      );
      yield { name: name.split(/[\\/]/).pop()!, stream: guarded(stream as AsyncIterable<Uint8Array>, file) };
    }
  } finally {
    zip.close();
  }
}

function zipError(e: Error, file: string): AppError {
  const m = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(e.message);
  if (m) return refuse('IMPORT_ARCHIVE_UNSAFE_PATH', { file, entry: m[1]! });
  return refuse('IMPORT_ARCHIVE_INVALID', { file });
}

/** Read errors of an entry (a truncated or lying archive) become IMPORT_ARCHIVE_INVALID. */
async function* guarded(stream: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  try {
    yield* stream;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw refuse('IMPORT_ARCHIVE_INVALID', { file });
  }
}

async function* tarGzEntries(path: string, file: string, limits: typeof UPLOAD_LIMITS): AsyncGenerator<ArchiveEntry> {
  let compressed = 0;
  let expanded = 0;
  let failure: AppError | null = null;
  const source = createReadStream(path, { highWaterMark: MiB });
  source.on('data', (c) => {
    compressed += c.length;
  });
  const gunzip = createGunzip();
  // The whole stream's ratio, checked as it expands (a tar.gz is one compressed stream).
  gunzip.on('data', (c: Buffer) => {
    expanded += c.length;
    if (expanded > limits.archiveBytes)
      failure ??= refuse('IMPORT_ARCHIVE_TOO_LARGE', { file, max: limits.archiveBytes / GiB });
    else if (expanded > MiB && expanded / Math.max(1, compressed) > limits.ratio)
      failure ??= refuse('IMPORT_ARCHIVE_RATIO', { file, entry: '', max: limits.ratio });
    if (failure) gunzip.destroy(failure);
  });
  const extract = tarStream.extract();
  source.pipe(gunzip).pipe(extract);
  const fail = (e: Error) => extract.destroy(failure ?? e);
  source.on('error', fail);
  gunzip.on('error', fail);
  let entries = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (unsafePath(h.name)) throw refuse('IMPORT_ARCHIVE_UNSAFE_PATH', { file, entry: h.name });
      if (h.type === 'symlink' || h.type === 'link') throw refuse('IMPORT_ARCHIVE_LINK', { file, entry: h.name });
      if (h.type !== 'file' || ignored(h.name)) {
        entry.resume();
        continue;
      }
      if (++entries > limits.archiveEntries)
        throw refuse('IMPORT_ARCHIVE_TOO_MANY_ENTRIES', { file, max: limits.archiveEntries });
      if ((h.size ?? 0) > limits.fileBytes)
        throw refuse('IMPORT_FILE_TOO_LARGE', { file: `${file} › ${h.name}`, max: limits.fileBytes / MiB });
      yield { name: h.name.split(/[\\/]/).pop()!, stream: guarded(entry as AsyncIterable<Uint8Array>, file) };
      // The caller has read the entry; make sure of it before the next header.
      entry.resume();
    }
  } catch (e) {
    if (failure) throw failure;
    if (e instanceof AppError) throw e;
    throw refuse('IMPORT_ARCHIVE_INVALID', { file });
  } finally {
    source.destroy();
  }
  if (failure) throw failure;
}
