import { randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type BlobStorage, checkSha, Meter, type TempBlob } from './storage.ts';

export interface S3Settings {
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
  prefix: string;
}

/** Parts of a multipart upload (S3's minimum is 5 MiB): one in memory at a time per upload. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Blobs in an S3-compatible bucket (AWS, MinIO, Garage, Ceph, Scaleway, OVH…): `<prefix>blobs/<sha256>`, uploads
 * in progress under `<prefix>tmp/<uuid>` (streamed as a multipart upload, aborted on failure), committed by a
 * server-side copy. A bucket lifecycle rule should also abort incomplete multipart uploads after a day
 * (docs/OPERATIONS.md): a process killed mid-upload cannot abort its own.
 */
export function s3Storage(s: S3Settings, client?: S3Client): BlobStorage {
  const s3 =
    client ??
    new S3Client({
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.accessKeyId && s.secretAccessKey
        ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
        : {}),
    });
  const Bucket = s.bucket;
  const blobKey = (sha: string) => `${s.prefix}blobs/${checkSha(sha)}`;
  const tempKey = (key: string) => {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`not a temporary key: ${key}`);
    return `${s.prefix}tmp/${key}`;
  };

  async function exists(Key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket, Key }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      await s3.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
      );
    }
  }

  return {
    driver: 's3',

    async writeTemp(source, { maxBytes }) {
      const key = randomUUID();
      const Key = tempKey(key);
      const meter = new Meter(maxBytes);
      let uploadId: string | undefined;
      const parts: { PartNumber: number; ETag: string }[] = [];
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const take = (n: number): Buffer => {
        const all = Buffer.concat(pending);
        pending = all.length > n ? [all.subarray(n)] : [];
        pendingBytes = all.length - Math.min(n, all.length);
        return all.subarray(0, n);
      };
      const sendPart = async (Body: Buffer) => {
        uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId;
        const PartNumber = parts.length + 1;
        const res = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body }));
        if (!res.ETag) throw new Error(`S3 gave no ETag for part ${PartNumber}`);
        parts.push({ PartNumber, ETag: res.ETag });
      };
      try {
        // One part in memory at a time: the source is not read while a part is being sent (back-pressure).
        for await (const c of source) {
          const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
          meter.measure(chunk);
          pending.push(chunk);
          pendingBytes += chunk.length;
          while (pendingBytes >= PART_SIZE) await sendPart(take(PART_SIZE));
        }
        if (uploadId === undefined) {
          await s3.send(new PutObjectCommand({ Bucket, Key, Body: take(pendingBytes) }));
        } else {
          if (pendingBytes > 0) await sendPart(take(pendingBytes));
          await s3.send(
            new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
          );
        }
      } catch (e) {
        pending = [];
        if (uploadId) {
          await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
        }
        await s3.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => {});
        throw e;
      }
      return { key, ...meter.result() };
    },

    async commit(temp: TempBlob) {
      const target = blobKey(temp.sha256);
      if (!(await exists(target))) {
        await s3.send(
          new CopyObjectCommand({ Bucket, Key: target, CopySource: `${Bucket}/${encodeURI(tempKey(temp.key))}` }),
        );
      }
      await s3.send(new DeleteObjectCommand({ Bucket, Key: tempKey(temp.key) }));
    },

    async discard(temp: TempBlob) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: tempKey(temp.key) }));
    },

    async read(sha256, range) {
      const res = await s3.send(
        new GetObjectCommand({
          Bucket,
          Key: blobKey(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return res.Body as NodeJS.ReadableStream;
    },

    exists: async (sha256) => exists(blobKey(sha256)),

    delete: async (sha256s) => deleteKeys(sha256s.map(blobKey)),

    async sweepTemp(before) {
      const old: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket, Prefix: `${s.prefix}tmp/`, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key && o.LastModified && o.LastModified < before) old.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await deleteKeys(old);
      return old.length;
    },
  };
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}
