import { describe, expect, test } from 'vitest';
import { pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { messagingWorld } from '../../../test/messaging-fixtures.ts';

/**
 * A message's attachments (issues 11 and 12): documents attached by reference on send, draft, reply and forward,
 * listed with the message and downloaded by its sender and recipients through the documents module's reference
 * read — never through the document's own spaces; refused whole (nothing written) when the sender may not read
 * one; detached when the message is recalled, purged or the draft discarded.
 */
const { app, db } = await testApp();
const w = await messagingWorld(db, app);
const { S2, G1, T1, L } = w.people;
const a = w.agents;
const est = w.school.id;

type AgentOf = (typeof a)['T1'];
/** The bytes uploaded, by document id. */
const bytes = new Map<string, Buffer>();
/** A file in the agent's personal space ("Mes documents"): its id. */
async function myFile(agent: AgentOf, name: string, text = name): Promise<string> {
  const space = (await spacesOf(agent, est)).personal;
  const content = pdfBytes(text);
  const res = await upload(app, agent, `/api/documents/spaces/${space.id}/files`, { name, content });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  bytes.set(res.json().id, content);
  return res.json().id;
}

const send = (agent: AgentOf, body: Record<string, unknown>) =>
  agent.post('/api/messaging/messages', { establishmentId: est, subject: 'Objet', body: '<p>Bonjour.</p>', ...body });

const refsOf = async (messageId: string) =>
  Number(
    (
      await db
        .selectFrom('document_reference')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('holder_module', '=', 'messaging')
        .where('holder_id', '=', messageId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const snapshot = async () => ({
  message: await countRows(db, 'message'),
  recipients: await countRows(db, 'message_recipient'),
  notifications: await countRows(db, 'notification'),
  references: await countRows(db, 'document_reference'),
});

describe('attachments of a message', () => {
  test('the recipients read them through the reference, the others 404; no byte is copied', async () => {
    const doc = await myFile(a.T1, 'Sortie au musée.pdf');
    const blobs = await countRows(db, 'document_blob');
    const res = await send(a.T1, {
      to: [G1.id, S2.id],
      subject: 'Sortie',
      attachments: [{ documentId: doc, version: 'latest' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json();
    expect(await countRows(db, 'document_blob')).toBe(blobs);

    const inbox = (await a.G1.get(`/api/messaging/inbox?establishment=${est}`)).json();
    expect(inbox.items.find((i: { id: string }) => i.id === id).hasAttachments).toBe(true);
    const view = (await a.G1.get(`/api/messaging/messages/${id}`)).json();
    expect(view.attachments).toHaveLength(1);
    const [att] = view.attachments;
    expect(att).toMatchObject({
      documentId: doc,
      name: 'Sortie au musée.pdf',
      mime: 'application/pdf',
      version: 'latest',
      url: `/api/documents/references/${att.id}/content`,
    });
    expect(att.size).toBe(bytes.get(doc)!.length);

    // The recipients and the sender download it; the parent has no right on the teacher's own space.
    for (const reader of [a.G1, a.S2, a.T1]) {
      const got = await reader.get(att.url);
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(bytes.get(doc)!)).toBe(true);
    }
    expect((await a.G1.get(`/api/documents/files/${doc}/content`)).statusCode).toBe(404);
    // Not a recipient: 404, in the establishment or outside it.
    for (const other of [a.S1, a.G3, a.L, a.P]) expect((await other.get(att.url)).statusCode).toBe(404);
    const outsider = await loginAs(
      app,
      (await makeUser(db, { establishmentId: (await makeEstablishment(db)).id, profiles: ['principal'] })).login,
    );
    expect((await outsider.get(att.url)).statusCode).toBe(404);
    expect((await outsider.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
  });

  test('a plain id is the latest version; `this` keeps the version sent', async () => {
    const doc = await myFile(a.T1, 'Planning.pdf', 'version 1');
    const v1 = bytes.get(doc)!;
    const v2 = pdfBytes('version 2');
    const latest = (await send(a.T1, { to: [G1.id], attachments: [doc] })).json().id;
    const pinned = (await send(a.T1, { to: [G1.id], attachments: [{ documentId: doc, version: 'this' }] })).json().id;
    const replaced = await upload(
      app,
      a.T1,
      `/api/documents/files/${doc}/content`,
      { name: 'Planning.pdf', content: v2 },
      {},
      { method: 'PUT' },
    );
    expect(replaced.statusCode, replaced.body).toBeLessThan(300);
    const urlOf = async (id: string) => (await a.G1.get(`/api/messaging/messages/${id}`)).json().attachments[0];
    const l = await urlOf(latest);
    const p = await urlOf(pinned);
    expect(l.version).toBe('latest');
    expect(p.version).toBe('this');
    expect((await a.G1.get(l.url)).rawPayload.equals(v2)).toBe(true);
    expect((await a.G1.get(p.url)).rawPayload.equals(v1)).toBe(true);
  });

  test("someone else's private document: 403 ATTACHMENT_NOT_ALLOWED in French, nothing written", async () => {
    const private_ = await myFile(a.S1, 'Mon brouillon.pdf');
    const mine = await myFile(a.T1, 'Fiche.pdf');
    const unknown = crypto.randomUUID();
    const before = await snapshot();
    const res = await send(a.T1, { to: [G1.id], attachments: [mine, private_, unknown] });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('ATTACHMENT_NOT_ALLOWED');
    expect(res.json().detail).toBe("Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.");
    expect(
      res
        .json()
        .errors.map((e: { message: string }) => e.message)
        .sort(),
    ).toEqual([private_, unknown].sort());
    expect(await snapshot()).toEqual(before);
    // A draft is refused the same way, and no draft is left.
    const draft = await a.T1.post('/api/messaging/drafts', { establishmentId: est, attachments: [private_] });
    expect(draft.statusCode).toBe(403);
    expect(draft.json().code).toBe('ATTACHMENT_NOT_ALLOWED');
    expect(await snapshot()).toEqual(before);
    // A malformed attachment: 400 with the field, nothing written.
    const bad = await send(a.T1, { to: [G1.id], attachments: [{ documentId: mine, version: 'v1' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toContain('attachments');
    expect(await snapshot()).toEqual(before);
  });

  test('the owner trashes then deletes the file: its recipients still read it through the reference', async () => {
    const doc = await myFile(a.T1, 'Circulaire.pdf');
    const id = (await send(a.T1, { to: [G1.id], attachments: [doc] })).json().id;
    const { url } = (await a.G1.get(`/api/messaging/messages/${id}`)).json().attachments[0];
    expect((await a.T1.patch(`/api/documents/files/${doc}`, { trashed: true })).statusCode).toBe(200);
    expect((await a.G1.get(url)).statusCode).toBe(200);
    expect((await a.T1.delete(`/api/documents/files/${doc}`)).statusCode).toBe(204);
    const got = await a.G1.get(url);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(bytes.get(doc)!)).toBe(true);
    // gone from the owner's documents, still listed with the message
    expect((await a.T1.get(`/api/documents/files/${doc}`)).statusCode).toBe(404);
    expect((await a.G1.get(`/api/messaging/messages/${id}`)).json().attachments[0].name).toBe('Circulaire.pdf');
    // A trashed file cannot be attached again.
    const again = await myFile(a.T1, 'Corbeille.pdf');
    await a.T1.patch(`/api/documents/files/${again}`, { trashed: true });
    expect((await send(a.T1, { to: [G1.id], attachments: [again] })).statusCode).toBe(403);
  });

  test('a reply carries its own attachments; a forward keeps the forwarded ones', async () => {
    const doc = await myFile(a.T1, 'Autorisation.pdf');
    const first = (await send(a.T1, { to: [G1.id], subject: 'Autorisation', attachments: [doc] })).json().id;
    // The parent replies with the signed form from their own documents.
    const signed = await myFile(a.G1, 'Autorisation signée.pdf');
    const reply = await send(a.G1, { to: [T1.id], subject: 'RE: Autorisation', replyTo: first, attachments: [signed] });
    expect(reply.statusCode, reply.body).toBe(201);
    const r = (await a.T1.get(`/api/messaging/messages/${reply.json().id}`)).json();
    expect(r.attachments.map((x: { name: string }) => x.name)).toEqual(['Autorisation signée.pdf']);
    expect((await a.T1.get(r.attachments[0].url)).statusCode).toBe(200);
    // The parent forwards the teacher's message to the school life: the attachment comes along, although the
    // parent has no right on the teacher's document itself; adding one of theirs keeps both, in order.
    const extra = await myFile(a.G1, 'Certificat.pdf');
    const fwd = await send(a.G1, {
      to: [L.id],
      subject: 'TR: Autorisation',
      forwardOf: first,
      attachments: [extra],
    });
    expect(fwd.statusCode, fwd.body).toBe(201);
    const f = (await a.L.get(`/api/messaging/messages/${fwd.json().id}`)).json();
    expect(f.attachments.map((x: { name: string }) => x.name)).toEqual(['Autorisation.pdf', 'Certificat.pdf']);
    for (const x of f.attachments) expect((await a.L.get(x.url)).statusCode).toBe(200);
    // The school life reads the forward, not the first message.
    const original = (await a.G1.get(`/api/messaging/messages/${first}`)).json().attachments[0];
    expect((await a.L.get(original.url)).statusCode).toBe(404);
    // Forwarding a message one never received: 404, nothing written.
    const before = await snapshot();
    expect((await send(a.S2, { to: [T1.id], forwardOf: first })).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('a draft keeps its attachments as references; sending it moves them to the message', async () => {
    const doc = await myFile(a.T1, 'Exercices.pdf');
    const other = await myFile(a.T1, 'Corrigé.pdf');
    const saved = await a.T1.post('/api/messaging/drafts', {
      establishmentId: est,
      to: [S2.id],
      subject: 'Exercices',
      attachments: [doc, { documentId: other, version: 'this' }],
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const draftId = saved.json().id;
    const view = (await a.T1.get(`/api/messaging/messages/${draftId}`)).json();
    expect(view.draft.attachments).toEqual([
      { documentId: doc, version: 'latest' },
      { documentId: other, version: 'this' },
    ]);
    expect(view.attachments.map((x: { name: string }) => x.name)).toEqual(['Exercices.pdf', 'Corrigé.pdf']);
    // Saved again without the correction: one reference left; nobody but the sender reads a draft's.
    expect(
      (await a.T1.put(`/api/messaging/drafts/${draftId}`, { establishmentId: est, to: [S2.id], attachments: [doc] }))
        .statusCode,
    ).toBe(200);
    expect(await refsOf(draftId)).toBe(1);
    const draftRef = (await a.T1.get(`/api/messaging/messages/${draftId}`)).json().attachments[0];
    expect((await a.S2.get(draftRef.url)).statusCode).toBe(404);

    const sent = await send(a.T1, { to: [S2.id], subject: 'Exercices', draftId, attachments: [doc] });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(await refsOf(draftId)).toBe(0);
    const msg = (await a.S2.get(`/api/messaging/messages/${sent.json().id}`)).json();
    expect(msg.attachments.map((x: { name: string }) => x.name)).toEqual(['Exercices.pdf']);
    expect((await a.S2.get(msg.attachments[0].url)).statusCode).toBe(200);

    // A discarded draft leaves no reference.
    const d2 = (await a.T1.post('/api/messaging/drafts', { establishmentId: est, attachments: [doc] })).json().id;
    expect(await refsOf(d2)).toBe(1);
    expect((await a.T1.delete(`/api/messaging/drafts/${d2}`)).statusCode).toBe(204);
    expect(await refsOf(d2)).toBe(0);
  });

  test('a recalled or purged message detaches its documents: their links answer 404', async () => {
    const doc = await myFile(a.T1, 'Erreur.pdf');
    const id = (await send(a.T1, { to: [G1.id, S2.id], attachments: [doc] })).json().id;
    const { url } = (await a.T1.get(`/api/messaging/messages/${id}`)).json().attachments[0];
    expect((await a.G1.get(url)).statusCode).toBe(200); // reading the file does not open the message
    expect((await a.T1.post(`/api/messaging/messages/${id}/recall`)).statusCode).toBe(200);
    expect(await refsOf(id)).toBe(0);
    expect((await a.T1.get(url)).statusCode).toBe(404);
    expect((await a.T1.get(`/api/messaging/messages/${id}`)).json().attachments).toEqual([]);
    // The document itself stays in its owner's space.
    expect((await a.T1.get(`/api/documents/files/${doc}/content`)).statusCode).toBe(200);

    const id2 = (await send(a.T1, { to: [G1.id], attachments: [doc] })).json().id;
    const url2 = (await a.G1.get(`/api/messaging/messages/${id2}`)).json().attachments[0].url;
    const purged = await a.P.post(`/api/messaging/messages/${id2}/purge`, { reason: 'Document erroné' });
    expect(purged.statusCode, purged.body).toBe(200);
    expect(await refsOf(id2)).toBe(0);
    expect((await a.G1.get(url2)).statusCode).toBe(404);
  });

  test('a recipient who deleted their copy for good no longer reads its attachments', async () => {
    const doc = await myFile(a.T1, 'Note.pdf');
    const id = (await send(a.T1, { to: [G1.id, S2.id], attachments: [doc] })).json().id;
    const { url } = (await a.S2.get(`/api/messaging/messages/${id}`)).json().attachments[0];
    expect((await a.S2.patch(`/api/messaging/messages/${id}`, { folder: 'trash' })).statusCode).toBe(200);
    expect((await a.S2.get(url)).statusCode).toBe(200); // still in their trash
    expect((await a.S2.delete(`/api/messaging/messages/${id}`)).statusCode).toBe(204);
    expect((await a.S2.get(url)).statusCode).toBe(404);
    expect((await a.G1.get(url)).statusCode).toBe(200);
  });
});
