/** Test helpers for the directory import: multipart bodies, uploads and waiting for the job. */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ImportJob } from '@preau/contracts';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Agent } from './helpers.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface UploadFile {
  name: string;
  content: Buffer | string;
  type?: string;
}

export function fixture(path: string): UploadFile {
  return { name: path.split('/').pop()!, content: readFileSync(join(FIXTURES, path)) };
}

/** Every file of a fixture folder (e.g. `aaf/full`). */
export function fixtureDir(dir: string): UploadFile[] {
  return readdirSync(join(FIXTURES, dir))
    .sort()
    .map((f) => fixture(`${dir}/${f}`));
}

/** A multipart/form-data body with files and fields. */
export function multipart(files: UploadFile[], fields: Record<string, string> = {}) {
  const boundary = `----preau${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\n` +
          `Content-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    parts.push(typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The same body as a stream of 64 KB chunks, as a browser sends it (the server never sees it whole). */
export function multipartStream(files: UploadFile[], fields: Record<string, string> = {}) {
  const { body, contentType } = multipart(files, fields);
  return {
    body: Readable.from(
      (function* () {
        for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536);
      })(),
    ),
    contentType,
  };
}

export async function upload(
  as: Agent,
  files: UploadFile[],
  fields: Record<string, string> = {},
  url = '/api/imports',
): Promise<LightMyRequestResponse> {
  const { body, contentType } = multipart(files, fields);
  return as.post(url, body, { 'content-type': contentType });
}

/** Poll the job until it has finished. */
export async function waitForImport(as: Agent, id: string, timeoutMs = 90_000): Promise<ImportJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await as.get(`/api/imports/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json() as ImportJob;
    if (job.status === 'done' || job.status === 'failed' || job.status === 'interrupted') return job;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${job.status} (${job.phase})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Upload, expect 202, wait for the end of the job. */
export async function importFiles(as: Agent, files: UploadFile[], fields: Record<string, string> = {}) {
  const res = await upload(as, files, fields);
  expect(res.statusCode, res.body).toBe(202);
  return waitForImport(as, res.json().id);
}

export const zero = { created: 0, updated: 0, detached: 0 };
