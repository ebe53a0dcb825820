import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, test } from 'vitest';
import {
  exeBytes,
  filesUnder,
  makeSchool,
  multipartBody,
  PNG,
  pdfBytes,
  spacesOf,
  upload,
} from '../../../test/documents.ts';
import { countRows, testApp } from '../../../test/helpers.ts';

/**
 * Uploads and the bad inputs of issue 11: each refusal is a clear 4xx problem+json in French, and leaves
 * nothing behind — no row, no stored byte, no temporary file.
 */
const root = mkdtempSync(join(tmpdir(), 'preau-uploads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MAX = 2 * 1024 * 1024;
const { app, db } = await testApp({ storage: { driver: 'local', root }, maxFileBytes: MAX });
const w = await makeSchool(db, app);
const teacherSpaces = await spacesOf(w.as.teacher, w.school.id);
const classSpace = teacherSpaces.ofClass(w.a1.id)!;
const url = `/api/documents/spaces/${classSpace.id}/files`;

async function state() {
  return {
    documents: await countRows(db, 'document'),
    versions: await countRows(db, 'document_version'),
    blobs: await countRows(db, 'document_blob'),
    stored: filesUnder(join(root, 'blobs')).length,
    temp: filesUnder(join(root, 'tmp')).length,
  };
}

/** A refusal: the status, problem+json with a French detail, and the state unchanged. */
async function refused(send: () => Promise<LightMyRequestResponse>, status: number, code: string) {
  const before = await state();
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.code).toBe(code);
  expect(body.detail).toMatch(/[a-zà-ÿ]/);
  expect(body.detail).not.toMatch(/^[A-Z_]+$/);
  // Nothing left behind: the temporary file of a refused upload is removed once the answer has gone, so give it up to
  // 2 s (a fixed 20 ms failed when the machine was busy with other test files).
  const same = async () => JSON.stringify(await state()) === JSON.stringify(before);
  for (let i = 0; i < 100 && !(await same()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await state()).toEqual(before);
  return body;
}

describe('an upload', () => {
  test('201 with the contract’s answer; typed by content; identical bytes stored once', async () => {
    const bytes = pdfBytes('identique');
    const before = await state();
    const a = await upload(app, w.as.teacher, url, { name: 'Fiche.pdf', content: bytes, type: 'image/png' });
    expect(a.statusCode, a.body).toBe(201);
    expect(Object.keys(a.json()).sort()).toEqual(['id', 'name', 'size', 'version']);
    const b = await upload(app, w.as.teacher, url, { name: 'Copie de la fiche.pdf', content: bytes });
    expect(b.statusCode).toBe(201);
    const after = await state();
    expect(after.documents).toBe(before.documents + 2);
    expect(after.blobs).toBe(before.blobs + 1);
    expect(after.stored).toBe(before.stored + 1);
    expect(after.temp).toBe(0);
    // The browser's type (image/png) was ignored: the bytes say PDF.
    const detail = (await w.as.teacher.get(`/api/documents/files/${a.json().id}`)).json();
    expect(detail.mime).toBe('application/pdf');
    const stored = filesUnder(join(root, 'blobs')).map((p) => p.split('/').pop());
    expect(stored).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  test('into a folder (folderId before or after the file), text and images by content', async () => {
    const folder = await w.as.teacher.post(`/api/documents/spaces/${classSpace.id}/folders`, { name: 'Chapitre 1' });
    expect(folder.statusCode).toBe(201);
    const f = folder.json().id;
    const txt = await upload(
      app,
      w.as.teacher,
      url,
      { name: 'consignes.txt', content: 'Lire le chapitre 1.\n' },
      {
        folderId: f,
      },
    );
    expect(txt.statusCode).toBe(201);
    const png = await upload(
      app,
      w.as.teacher,
      url,
      { name: 'schéma.png', content: PNG },
      {},
      { after: { folderId: f } },
    );
    expect(png.statusCode).toBe(201);
    const list = (await w.as.teacher.get(`/api/documents/spaces/${classSpace.id}/files?folderId=${f}`)).json().items;
    expect(list.map((x: { name: string }) => x.name).sort()).toEqual(['consignes.txt', 'schéma.png']);
    expect(list.find((x: { name: string }) => x.name === 'schéma.png').mime).toBe('image/png');
    expect(list.find((x: { name: string }) => x.name === 'consignes.txt').mime).toBe('text/plain; charset=utf-8');
  });

  test('no right to write: 403; a space one cannot see: 404; another school: 404', async () => {
    await refused(() => upload(app, w.as.student, url, { name: 'a.pdf', content: pdfBytes() }), 403, 'FORBIDDEN');
    await refused(() => upload(app, w.as.studentB, url, { name: 'a.pdf', content: pdfBytes() }), 404, 'NOT_FOUND');
    await refused(() => upload(app, w.as.outsider, url, { name: 'a.pdf', content: pdfBytes() }), 404, 'NOT_FOUND');
    await refused(
      () =>
        upload(app, w.as.teacher, `/api/documents/spaces/${crypto.randomUUID()}/files`, {
          name: 'a.pdf',
          content: pdfBytes(),
        }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('bad inputs: a clear 4xx, nothing left behind', () => {
  test('an empty file', async () => {
    const p = await refused(
      () => upload(app, w.as.teacher, url, { name: 'vide.pdf', content: '' }),
      400,
      'DOCUMENT_EMPTY',
    );
    expect(p.detail).toBe('Le fichier « vide.pdf » est vide.');
  });

  test('a file over the size limit (streamed: refused once past the limit)', async () => {
    const big = Buffer.alloc(MAX + 1, 0x41);
    const p = await refused(
      () => upload(app, w.as.teacher, url, { name: 'gros.txt', content: big }),
      413,
      'DOCUMENT_TOO_LARGE',
    );
    expect(p.detail).toBe('Le fichier dépasse la taille maximale autorisée (2 Mo).');
  });

  test('a declared length over the limit is refused before any byte is read', async () => {
    const m = multipartBody({ name: 'a.pdf', content: pdfBytes() });
    await refused(
      () =>
        app.inject({
          method: 'POST',
          url,
          headers: {
            cookie: w.as.teacher.cookie,
            'x-csrf-token': w.as.teacher.csrfToken,
            'content-type': m.contentType,
            'content-length': String(MAX * 10),
          },
          payload: m.body,
        }),
      413,
      'DOCUMENT_TOO_LARGE',
    );
  });

  test('an executable named .pdf, and a program by its name', async () => {
    const p = await refused(
      () => upload(app, w.as.teacher, url, { name: 'corrigé.pdf', content: exeBytes() }),
      415,
      'DOCUMENT_TYPE_REFUSED',
    );
    expect(p.detail).toContain('« corrigé.pdf » est un programme');
    await refused(
      () => upload(app, w.as.teacher, url, { name: 'lancer.bat', content: 'echo bonjour\r\n' }),
      415,
      'DOCUMENT_TYPE_REFUSED',
    );
  });

  test('content that does not match its extension', async () => {
    const p = await refused(
      () => upload(app, w.as.teacher, url, { name: 'photo.png', content: pdfBytes() }),
      415,
      'DOCUMENT_TYPE_MISMATCH',
    );
    expect(p.detail).toBe(
      "Le contenu du fichier « photo.png » ne correspond pas à son extension .png : il n'est pas accepté.",
    );
  });

  test('../ and control characters in names', async () => {
    const p = await refused(
      () => upload(app, w.as.teacher, url, { name: '../../etc/passwd.txt', content: 'x' }),
      400,
      'DOCUMENT_NAME_INVALID',
    );
    expect(p.detail).toContain('barre oblique');
    await refused(
      () => upload(app, w.as.teacher, url, { name: '..\\..\\boot.txt', content: 'x' }),
      400,
      'DOCUMENT_NAME_INVALID',
    );
    const c = await refused(
      () => upload(app, w.as.teacher, url, { name: 'devoir\u0007.txt', content: 'x' }),
      400,
      'DOCUMENT_NAME_INVALID',
    );
    expect(c.detail).toContain('caractère de contrôle');
    // The right-to-left override that shows "fdp.exe" as "exe.pdf".
    await refused(
      () => upload(app, w.as.teacher, url, { name: 'devoir\u202Efdp.exe', content: 'x' }),
      400,
      'DOCUMENT_NAME_INVALID',
    );
    await refused(() => upload(app, w.as.teacher, url, { name: '..', content: 'x' }), 400, 'DOCUMENT_NAME_INVALID');
  });

  test('names are normalised: spaces collapsed, trimmed, NFC', async () => {
    const res = await upload(app, w.as.teacher, url, { name: '  Fiche   n°2  e\u0301te\u0301.txt ', content: 'ok' });
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe('Fiche n°2 été.txt');
  });

  test('huge multipart headers', async () => {
    const name = `${'a'.repeat(100_000)}.txt`;
    const p = await refused(() => upload(app, w.as.teacher, url, { name, content: 'x' }), 400, 'DOCUMENT_NAME_INVALID');
    expect(p.detail).toContain('200 caractères');
    // Many header lines in a part.
    const boundary = 'XyZ';
    const headers = Array.from({ length: 5000 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(20)}`).join('\r\n');
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n${headers}\r\n\r\nbonjour\r\n--${boundary}--\r\n`,
    );
    const res = await app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: w.as.teacher.cookie,
        'x-csrf-token': w.as.teacher.csrfToken,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: body,
    });
    // Busboy keeps the first 16 KiB of a part's headers; what it kept still has to make sense, or it is refused.
    expect([201, 400]).toContain(res.statusCode);
  });

  test('an upload cut in the middle (the multipart body ends without its closing boundary)', async () => {
    const m = multipartBody({ name: 'coupé.pdf', content: pdfBytes() });
    const cut = m.body.subarray(0, m.body.length - 60);
    const p = await refused(
      () =>
        app.inject({
          method: 'POST',
          url,
          headers: {
            cookie: w.as.teacher.cookie,
            'x-csrf-token': w.as.teacher.csrfToken,
            'content-type': m.contentType,
          },
          payload: cut,
        }),
      400,
      'DOCUMENT_UPLOAD_INCOMPLETE',
    );
    expect(p.detail).toContain("rien n'a été enregistré");
  });

  test('a connection dropped mid-upload: nothing left once the server notices', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    const before = await state();
    const m = multipartBody({ name: 'long.txt', content: Buffer.alloc(MAX - 1000, 0x42) });
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${w.as.teacher.cookie}\r\nX-CSRF-Token: ${w.as.teacher.csrfToken}\r\n` +
            `Content-Type: ${m.contentType}\r\nContent-Length: ${m.body.length}\r\n\r\n`,
        );
        socket.write(m.body.subarray(0, Math.floor(m.body.length / 2)), () => {
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
      socket.on('error', () => resolve());
    });
    // The server sees the close and discards the temporary file.
    for (let i = 0; i < 50 && (await state()).temp > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await state()).toEqual(before);
  });

  test('not multipart, no file, two files, the file in another field', async () => {
    await refused(() => w.as.teacher.post(url, { file: 'x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(() => upload(app, w.as.teacher, url, null, { folderId: 'x' }), 400, 'DOCUMENT_FILE_MISSING');
    const boundary = 'TwoFiles';
    const part = (n: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${n}"\r\n\r\nbonjour\r\n`;
    await refused(
      () =>
        app.inject({
          method: 'POST',
          url,
          headers: {
            cookie: w.as.teacher.cookie,
            'x-csrf-token': w.as.teacher.csrfToken,
            'content-type': `multipart/form-data; boundary=${boundary}`,
          },
          payload: `${part('a.txt')}${part('b.txt')}--${boundary}--\r\n`,
        }),
      400,
      'VALIDATION',
    );
    const m = multipartBody({ name: 'a.txt', content: 'x' }, {}, {}, 'document');
    await refused(
      () =>
        app.inject({
          method: 'POST',
          url,
          headers: {
            cookie: w.as.teacher.cookie,
            'x-csrf-token': w.as.teacher.csrfToken,
            'content-type': m.contentType,
          },
          payload: m.body,
        }),
      400,
      'DOCUMENT_FILE_MISSING',
    );
  });

  test('a folder of another space, a folder that is not an id', async () => {
    const mine = await spacesOf(w.as.teacher, w.school.id);
    const folder = (
      await w.as.teacher.post(`/api/documents/spaces/${mine.personal.id}/folders`, { name: 'Perso' })
    ).json();
    await refused(
      () => upload(app, w.as.teacher, url, { name: 'a.txt', content: 'x' }, { folderId: folder.id }),
      404,
      'NOT_FOUND',
    );
    await refused(
      () => upload(app, w.as.teacher, url, { name: 'a.txt', content: 'x' }, { folderId: 'pas-un-id' }),
      400,
      'VALIDATION',
    );
  });

  test('without CSRF token: 403 before the body is read', async () => {
    const m = multipartBody({ name: 'a.txt', content: 'x' });
    await refused(
      () =>
        app.inject({
          method: 'POST',
          url,
          headers: { cookie: w.as.teacher.cookie, 'content-type': m.contentType },
          payload: m.body,
        }),
      403,
      'CSRF',
    );
  });
});

describe('quota', () => {
  test('used and remaining; past the quota: 413 QUOTA_EXCEEDED, nothing kept; concurrent uploads cannot overshoot', async () => {
    const p = w.as.principal;
    expect(
      (await p.put('/api/documents/settings', { establishment: w.school.id, quotas: { student: 10_000 } })).statusCode,
    ).toBe(200);
    const student = await spacesOf(w.as.classmate, w.school.id);
    const sUrl = `/api/documents/spaces/${student.personal.id}/files`;
    expect((await w.as.classmate.get(`/api/documents/quota?establishment=${w.school.id}`)).json()).toEqual({
      used: 0,
      limit: 10_000,
    });
    const ok = await upload(app, w.as.classmate, sUrl, { name: 'a.txt', content: 'a'.repeat(6000) });
    expect(ok.statusCode).toBe(201);
    expect((await w.as.classmate.get(`/api/documents/quota?establishment=${w.school.id}`)).json()).toEqual({
      used: 6000,
      limit: 10_000,
    });
    const q = await refused(
      () => upload(app, w.as.classmate, sUrl, { name: 'b.txt', content: 'b'.repeat(5000) }),
      413,
      'QUOTA_EXCEEDED',
    );
    expect(q.detail).toMatch(/^Votre espace est plein : 5,9 Ko utilisés sur 9,8 Ko\./);
    // Four uploads of 1,500 bytes at once with 4,000 left: only two fit, whatever the interleaving.
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => upload(app, w.as.classmate, sUrl, { name: `c${i}.txt`, content: `${i}`.repeat(1500) })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 201, 413, 413]);
    const used = (await w.as.classmate.get(`/api/documents/quota?establishment=${w.school.id}`)).json().used;
    expect(used).toBe(9000);
    expect(filesUnder(join(root, 'tmp'))).toEqual([]);
  });

  test('the trash counts until emptied; a file deleted for good frees its bytes', async () => {
    const student = await spacesOf(w.as.classmate, w.school.id);
    const quota = async () =>
      (await w.as.classmate.get(`/api/documents/quota?establishment=${w.school.id}`)).json().used;
    const before = await quota();
    const list = (await w.as.classmate.get(`/api/documents/spaces/${student.personal.id}/files`)).json().items;
    const a = list.find((f: { name: string }) => f.name === 'a.txt');
    expect((await w.as.classmate.patch(`/api/documents/files/${a.id}`, { trashed: true })).statusCode).toBe(200);
    expect(await quota()).toBe(before);
    expect((await w.as.classmate.delete(`/api/documents/files/${a.id}`)).statusCode).toBe(204);
    expect(await quota()).toBe(before - 6000);
  });
});

describe('replacing and versions', () => {
  test('a new version keeps the previous ones (who, when, size); any can be restored', async () => {
    const first = pdfBytes('v1');
    const up = (await upload(app, w.as.teacher, url, { name: 'Devoir 3.pdf', content: first })).json();
    const second = pdfBytes('v2 plus longue');
    const rep = await upload(
      app,
      w.as.teacher,
      `/api/documents/files/${up.id}/content`,
      { name: 'autre nom.pdf', content: second },
      {},
      {
        method: 'PUT',
      },
    );
    expect(rep.statusCode, rep.body).toBe(200);
    expect(rep.json()).toEqual({ id: up.id, name: 'Devoir 3.pdf', size: second.length, version: 2 });
    const detail = (await w.as.student.get(`/api/documents/files/${up.id}`)).json();
    expect(detail.version).toBe(2);
    expect(
      detail.versions.map((v: { no: number; size: number; current: boolean }) => [v.no, v.size, v.current]),
    ).toEqual([
      [2, second.length, true],
      [1, first.length, false],
    ]);
    expect(detail.versions[1].author.displayName).toBe('PROF Paul');
    expect((await w.as.student.get(`/api/documents/files/${up.id}/content`)).rawPayload.equals(second)).toBe(true);
    expect((await w.as.student.get(`/api/documents/files/${up.id}/content?version=1`)).rawPayload.equals(first)).toBe(
      true,
    );
    // A student reads but cannot restore.
    expect((await w.as.student.post(`/api/documents/files/${up.id}/versions`, { from: 1 })).statusCode).toBe(403);
    const restored = await w.as.teacher.post(`/api/documents/files/${up.id}/versions`, { from: 1 });
    expect(restored.statusCode).toBe(201);
    expect(restored.json()).toEqual({ id: up.id, name: 'Devoir 3.pdf', size: first.length, version: 3 });
    expect((await w.as.student.get(`/api/documents/files/${up.id}/content`)).rawPayload.equals(first)).toBe(true);
    expect((await w.as.teacher.post(`/api/documents/files/${up.id}/versions`, { from: 9 })).statusCode).toBe(404);
  });

  test('a replacement whose bytes are not what the name promises is refused, the document unchanged', async () => {
    const up = (await upload(app, w.as.teacher, url, { name: 'Plan.pdf', content: pdfBytes('plan') })).json();
    await refused(
      () =>
        upload(
          app,
          w.as.teacher,
          `/api/documents/files/${up.id}/content`,
          { name: 'x.pdf', content: PNG },
          {},
          { method: 'PUT' },
        ),
      415,
      'DOCUMENT_TYPE_MISMATCH',
    );
    expect((await w.as.teacher.get(`/api/documents/files/${up.id}`)).json().version).toBe(1);
  });

  test('concurrent replacements get distinct version numbers', async () => {
    const up = (await upload(app, w.as.teacher, url, { name: 'Notes.txt', content: 'v1' })).json();
    const res = await Promise.all(
      [2, 3, 4].map((i) =>
        upload(
          app,
          w.as.teacher,
          `/api/documents/files/${up.id}/content`,
          { name: 'n.txt', content: `v${i}` },
          {},
          { method: 'PUT' },
        ),
      ),
    );
    expect(res.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(res.map((r) => r.json().version).sort()).toEqual([2, 3, 4]);
  });
});

describe('serving files', () => {
  test('images and PDF inline when asked, anything else as a safe attachment; ranges', async () => {
    const pdf = (
      await upload(app, w.as.teacher, url, { name: 'Aperçu; test.pdf', content: pdfBytes('inline') })
    ).json();
    const inline = await w.as.student.get(`/api/documents/files/${pdf.id}/content?disposition=inline`);
    expect(inline.headers['content-disposition']).toBe(
      `inline; filename="Apercu_ test.pdf"; filename*=UTF-8''Aper%C3%A7u%3B%20test.pdf`,
    );
    expect(inline.headers['content-type']).toBe('application/pdf');
    expect(inline.headers['x-content-type-options']).toBe('nosniff');
    const txt = (
      await upload(app, w.as.teacher, url, { name: 'page.html', content: '<script>alert(1)</script>' })
    ).json();
    const res = await w.as.student.get(`/api/documents/files/${txt.id}/content?disposition=inline`);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="page.html"/);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    const range = await w.as.student.get(`/api/documents/files/${txt.id}/content`, { range: 'bytes=0-7' });
    expect(range.statusCode).toBe(206);
    expect(range.body).toBe('<script>');
    expect(range.headers['content-range']).toBe('bytes 0-7/25');
    expect((await w.as.student.get(`/api/documents/files/${txt.id}/content`, { range: 'bytes=900-' })).statusCode).toBe(
      416,
    );
  });
});
