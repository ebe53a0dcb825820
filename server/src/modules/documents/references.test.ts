import { defineApi } from '@preau/contracts';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { makeSchool, pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { countRows, freshDatabase } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import { AppError } from '../../platform/errors.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import { defineModule } from '../../platform/module.ts';
import { modules } from '../index.ts';
import { attachDocuments, detachDocuments, referencesOf } from './index.ts';

/**
 * Attachments by reference, as messaging will use them: a probe module holds "notes" with recipients, attaches
 * documents to them through the documents module's exported functions, and declares who may read a note
 * (`documentHolders`). Reading through a reference follows the note's audience, never the document's spaces.
 */
const recipients = new Map<string, Set<string>>(); // note id → who may read it

const probeApi = defineApi({
  module: 'probe',
  permissions: [],
  errors: [],
  endpoints: {
    'POST /api/probe/notes': {
      summary: 'a note with attachments',
      access: { auth: 'session' },
      body: z.strictObject({
        establishmentId: z.uuid(),
        to: z.array(z.uuid()),
        documentIds: z.array(z.uuid()),
        pin: z.boolean().optional(),
      }),
      status: 201,
      response: z.object({
        id: z.uuid(),
        attachments: z.array(
          z.object({ id: z.uuid(), documentId: z.uuid(), name: z.string(), size: z.number(), mime: z.string() }),
        ),
      }),
      errors: ['FORBIDDEN'],
    },
  },
});

const probe = defineModule({
  name: 'probe',
  prefix: '/api/probe',
  api: probeApi,
  permissions: {},
  documentHolders: {
    note: async (_db, userId, ids) => new Set(ids.filter((id) => recipients.get(id)?.has(userId))),
  },
  plugin: async (app) =>
    registerEndpoints(app, '/api/probe', probeApi, {
      'POST /api/probe/notes': async ({ req, body }) => {
        const id = crypto.randomUUID();
        const attachments = await req.ctx.db.transaction().execute((trx) =>
          attachDocuments(trx, {
            establishmentId: body.establishmentId,
            holder: { module: 'probe', type: 'note', id },
            documentIds: body.documentIds,
            userId: req.ctx.user!.id,
            pin: body.pin,
          }),
        );
        recipients.set(id, new Set([req.ctx.user!.id, ...body.to]));
        return { id, attachments };
      },
    }),
});

const db = await freshDatabase();
const app = await buildApp({ config: testConfig('unused'), db, modules: [...modules, probe] });
await app.ready();
afterAll(() => app.close());
const w = await makeSchool(db, app);
const S = w.school.id;
const space = (await spacesOf(w.as.teacher, S)).ofClass(w.a1.id)!;
const put = async (name: string, bytes = pdfBytes(name)) =>
  (await upload(app, w.as.teacher, `/api/documents/spaces/${space.id}/files`, { name, content: bytes })).json()
    .id as string;

describe('attachments by reference', () => {
  test('a note’s recipients read its attachments, nobody else; no byte is copied', async () => {
    const doc = await put('Convocation.pdf');
    const blobs = await countRows(db, 'document_blob');
    const res = await w.as.teacher.post('/api/probe/notes', {
      establishmentId: S,
      to: [w.people.guardian.id, w.people.studentB.id],
      documentIds: [doc],
    });
    expect(res.statusCode, res.body).toBe(201);
    const [att] = res.json().attachments;
    expect(att).toMatchObject({ documentId: doc, name: 'Convocation.pdf', mime: 'application/pdf' });
    expect(await countRows(db, 'document_blob')).toBe(blobs);
    const url = `/api/documents/references/${att.id}/content`;
    // The guardian and the other class's student cannot reach the class space, but may read the note.
    expect((await w.as.guardian.get(`/api/documents/files/${doc}/content`)).statusCode).toBe(404);
    expect((await w.as.guardian.get(url)).statusCode).toBe(200);
    expect((await w.as.studentB.get(url)).statusCode).toBe(200);
    // A student of the class reads the document in its space, but is not a recipient of the note.
    expect((await w.as.classmate.get(url)).statusCode).toBe(404);
    expect((await w.as.outsider.get(url)).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await w.as.guardian.get(`/api/documents/references/${crypto.randomUUID()}/content`)).statusCode).toBe(404);
  });

  test('a document the sender may not read: 403 ATTACHMENT_NOT_ALLOWED with the refused ids, nothing written', async () => {
    const mine = (await spacesOf(w.as.student, S)).personal;
    const theirs = (
      await upload(app, w.as.student, `/api/documents/spaces/${mine.id}/files`, {
        name: 'Perso.pdf',
        content: pdfBytes('p'),
      })
    ).json().id;
    const ok = await put('Visible.pdf');
    const before = await countRows(db, 'document_reference');
    const unknown = crypto.randomUUID();
    const res = await w.as.teacher.post('/api/probe/notes', {
      establishmentId: S,
      to: [w.people.guardian.id],
      documentIds: [ok, theirs, unknown],
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('ATTACHMENT_NOT_ALLOWED');
    expect(res.json().detail).toBe("Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.");
    expect(
      res
        .json()
        .errors.map((e: { message: string }) => e.message)
        .sort(),
    ).toEqual([theirs, unknown].sort());
    expect(await countRows(db, 'document_reference')).toBe(before);
    // Nor through a share-less class of another establishment.
    const res2 = await w.as.outsider.post('/api/probe/notes', {
      establishmentId: w.other.id,
      to: [],
      documentIds: [ok],
    });
    expect(res2.statusCode).toBe(403);
  });

  test('latest or pinned: a pinned reference keeps the version of the moment', async () => {
    const doc = await put('Planning.pdf', pdfBytes('v1'));
    const latest = (
      await w.as.teacher.post('/api/probe/notes', {
        establishmentId: S,
        to: [w.people.guardian.id],
        documentIds: [doc],
      })
    ).json().attachments[0].id;
    const pinned = (
      await w.as.teacher.post('/api/probe/notes', {
        establishmentId: S,
        to: [w.people.guardian.id],
        documentIds: [doc],
        pin: true,
      })
    ).json().attachments[0].id;
    const v2 = pdfBytes('v2, plus longue');
    await upload(
      app,
      w.as.teacher,
      `/api/documents/files/${doc}/content`,
      { name: 'p.pdf', content: v2 },
      {},
      { method: 'PUT' },
    );
    expect((await w.as.guardian.get(`/api/documents/references/${latest}/content`)).rawPayload.equals(v2)).toBe(true);
    expect(
      (await w.as.guardian.get(`/api/documents/references/${pinned}/content`)).rawPayload.toString('latin1'),
    ).toContain('v1');
  });

  test('referencesOf: many holders in one query; detach removes a holder’s references only', async () => {
    const [a, b] = [await put('Un.pdf'), await put('Deux.pdf')];
    const n1 = (await w.as.teacher.post('/api/probe/notes', { establishmentId: S, to: [], documentIds: [a, b] })).json()
      .id;
    const n2 = (await w.as.teacher.post('/api/probe/notes', { establishmentId: S, to: [], documentIds: [b] })).json()
      .id;
    const n3 = crypto.randomUUID();
    const holders = [n1, n2, n3].map((id) => ({ module: 'probe', type: 'note', id }));
    let queries = 0;
    const counted = db.withPlugin({
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const refs = await referencesOf(counted, holders);
    expect(queries).toBe(1);
    expect(refs.get(n1)?.map((r) => r.name)).toEqual(['Un.pdf', 'Deux.pdf']);
    expect(refs.get(n2)?.map((r) => r.name)).toEqual(['Deux.pdf']);
    expect(refs.get(n3)).toEqual([]);
    expect(await detachDocuments(db, { module: 'probe', type: 'note', id: n1 })).toBe(2);
    const after = await referencesOf(db, holders);
    expect(after.get(n1)).toEqual([]);
    expect(after.get(n2)).toHaveLength(1);
  });

  test('attaching is refused with an AppError the caller can let through', async () => {
    await expect(
      db.transaction().execute((trx) =>
        attachDocuments(trx, {
          establishmentId: S,
          holder: { module: 'probe', type: 'note', id: crypto.randomUUID() },
          documentIds: [crypto.randomUUID()],
          userId: w.people.teacher.id,
        }),
      ),
    ).rejects.toBeInstanceOf(AppError);
  });
});
