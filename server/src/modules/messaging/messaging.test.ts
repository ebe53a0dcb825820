import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { countRows, flushUsage, loginAs, makeEstablishment, makeUser, testApp, urlOf } from '../../../test/helpers.ts';
import { messagingWorld } from '../../../test/messaging-fixtures.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';

/**
 * Messaging through HTTP: the contract of issue 12 (recipients, send, inbox, message), mailboxes (drafts, trash,
 * folders, threads, search), recall, the direction's defences (caps, rate, alerts, the suspension switch, purges),
 * and bad input refused in French with nothing written.
 */
const { app, db } = await testApp();

// The same app on a logged database: the fan-out test counts the statements that write recipients.
const statements: string[] = [];
const loggedPool = new pg.Pool({ connectionString: urlOf(db), max: 3 });
loggedPool.on('error', () => {});
const logged = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: loggedPool }),
  log: (e) => {
    if (e.level === 'query') statements.push(e.query.sql);
  },
});
const app2 = await buildApp({ config: testConfig('unused'), db: logged });
await app2.ready();
afterAll(async () => {
  await app2.close();
  await logged.destroy();
});
const w = await messagingWorld(db, app);
const { S1, S2, S3, G1, G3, T1, L, P } = w.people;
const a = w.agents;
const est = w.school.id;

const send = (agent: (typeof a)['T1'], body: Record<string, unknown>) =>
  agent.post('/api/messaging/messages', { establishmentId: est, subject: 'Objet', body: '<p>Bonjour.</p>', ...body });

/** Rows a refused send must not have written. */
const snapshot = async () => ({
  message: await countRows(db, 'message'),
  recipients: await countRows(db, 'message_recipient'),
  notifications: await countRows(db, 'notification'),
  mails: await countRows(db, 'mail_outbox'),
});

describe('the contract of issue 12', () => {
  test('a teacher writes to "parents de 3B": 201 with the count; the parent finds it unread, opens it; others 404', async () => {
    const book = (await a.T1.get(`/api/messaging/recipients?establishment=${est}&q=3B`)).json();
    const list = book.items.find((i: { id: string }) => i.id === `class.${w.c1.id}.guardians`);
    expect(list).toEqual({ kind: 'list', id: `class.${w.c1.id}.guardians`, label: 'parents de 3B', count: 1 });
    const audience = (await a.T1.get(`/api/messaging/audience?establishment=${est}&to=${list.id},${L.id}`)).json();
    expect(audience).toEqual({ total: 2, byProfile: { guardian: 1, staff: 1 }, refused: [], cap: 1000 });

    const res = await send(a.T1, {
      to: [list.id],
      subject: 'Sortie au musée',
      body: '<p>La sortie aura lieu <strong>jeudi</strong>.</p>',
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id, recipientCount } = res.json();
    expect(recipientCount).toBe(1);

    const inbox = (await a.G1.get(`/api/messaging/inbox?establishment=${est}`)).json();
    expect(inbox.unread).toBe(1);
    expect(inbox.items[0]).toMatchObject({
      id,
      subject: 'Sortie au musée',
      from: { id: T1.id, displayName: 'DURAND Claire' },
      unread: true,
      toLabel: 'parents de 3B',
      preview: 'La sortie aura lieu jeudi.',
    });
    // the timeline told them, linking to the message
    const feed = (await a.G1.get('/api/timeline')).json();
    expect(feed.items[0]).toMatchObject({
      kind: 'messaging.message.new',
      link: `/messaging/messages/${id}`,
      read: false,
    });

    const open = await a.G1.get(`/api/messaging/messages/${id}`);
    expect(open.statusCode).toBe(200);
    expect(open.json()).toMatchObject({
      body: '<p>La sortie aura lieu <strong>jeudi</strong>.</p>',
      can: { reply: true },
    });
    expect((await a.G1.get(`/api/messaging/inbox?establishment=${est}`)).json().unread).toBe(0);
    expect((await a.G1.get('/api/timeline')).json().items[0].read).toBe(true);
    // the sender sees who read it
    expect((await a.T1.get(`/api/messaging/messages/${id}`)).json()).toMatchObject({
      readCount: 1,
      mine: { role: 'sender' },
    });

    for (const other of [a.G3, a.S1, a.P])
      expect((await other.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    const outsider = await loginAs(
      app,
      (await makeUser(db, { establishmentId: (await makeEstablishment(db)).id, profiles: ['principal'] })).login,
    );
    expect((await outsider.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/messaging/inbox?establishment=${est}`)).statusCode).toBe(404);
  });

  test('any recipient outside the rules: 403 RECIPIENT_NOT_ALLOWED with the refused ids, nothing sent', async () => {
    const before = await snapshot();
    // a student writing to a student of another class, the principal and a classmate
    const res = await send(a.S1, { to: [S3.id, P.id, S2.id] });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('RECIPIENT_NOT_ALLOWED');
    expect(body.refused.sort()).toEqual([S3.id, P.id].sort());
    expect(body.detail).toContain('règles de communication');
    expect(await snapshot()).toEqual(before);
    // an id that is nobody, a list of another establishment's class: refused the same way
    const other = await makeEstablishment(db);
    const foreign = await send(a.T1, { to: [crypto.randomUUID(), `class.${other.id}.students`] });
    expect(foreign.json().refused).toHaveLength(2);
    expect(await snapshot()).toEqual(before);
  });

  test('a student cannot find a student of another class in the address book', async () => {
    const book = (await a.S1.get(`/api/messaging/recipients?establishment=${est}&q=petit`)).json();
    expect(book.items).toEqual([]);
    const mates = (await a.S1.get(`/api/messaging/recipients?establishment=${est}&q=bernard`)).json();
    expect(mates.items).toEqual([
      { kind: 'person', id: S2.id, label: 'BERNARD Hugo', detail: 'Élève de 3B', profiles: ['student'] },
    ]);
  });

  test('positions in the address book: the head teacher with the subject taught, the CPE, a parent', async () => {
    const book = (await a.G1.get(`/api/messaging/recipients?establishment=${est}`)).json();
    const byId = new Map(book.items.map((i: { id: string }) => [i.id, i]));
    expect(byId.get(T1.id)).toMatchObject({ detail: 'Professeur principal de 3B — Mathématiques' });
    expect(byId.get(L.id)).toMatchObject({ detail: 'Vie scolaire' });
    expect(byId.get(P.id)).toMatchObject({ detail: 'Direction' });
    const teacher = (await a.T1.get(`/api/messaging/recipients?establishment=${est}&q=martin`)).json();
    expect(teacher.items.find((i: { id: string }) => i.id === G1.id)).toMatchObject({ detail: 'Parent de Léa (3B)' });
  });
});

describe('bad input: a clear 4xx in French, nothing written', () => {
  test('a script in the body is refused whole (UNSAFE_CONTENT)', async () => {
    const before = await snapshot();
    for (const body of [
      '<p>Bonjour</p><script>alert(1)</script>',
      '<p onclick="steal()">Bonjour</p>',
      '<a href="javascript:alert(1)">lien</a>',
      '<a href="&#106;avascript:alert(1)">lien</a>',
      '<iframe src="https://evil.example"></iframe>',
    ]) {
      const res = await send(a.T1, { to: [S1.id], body });
      expect(res.statusCode, body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'UNSAFE_CONTENT', errors: [{ path: 'body.body' }] });
      expect(res.json().detail).toContain('contenu actif');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('harmless formatting outside the editor is cleaned, links made safe', async () => {
    const res = await send(a.T1, {
      to: [S1.id],
      body: '<p style="color:red" class="x">Voir <a href="https://eduscol.education.fr">Éduscol</a> <span>et</span> <img src="x.png"></p>',
    });
    expect(res.statusCode).toBe(201);
    const m = (await a.S1.get(`/api/messaging/messages/${res.json().id}`)).json();
    expect(m.body).toBe(
      '<p>Voir <a href="https://eduscol.education.fr" rel="noopener noreferrer nofollow" target="_blank">Éduscol</a> et </p>',
    );
  });

  test('an oversized body: 400 MESSAGE_TOO_LONG past 100,000 characters, 413 past 1 MiB', async () => {
    const before = await snapshot();
    const long = await send(a.T1, { to: [S1.id], body: `<p>${'a'.repeat(100_001)}</p>` });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({
      code: 'MESSAGE_TOO_LONG',
      detail: 'Le message est trop long : 100 000 caractères au plus. Joignez plutôt un document.',
    });
    const huge = await send(a.T1, { to: [S1.id], body: 'a'.repeat(1_100_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().detail).toBe('Le contenu envoyé est trop volumineux.');
    expect(await snapshot()).toEqual(before);
  });

  test('no subject, no recipient, a malformed list: 400 with the fields named', async () => {
    const before = await snapshot();
    const res = await a.T1.post('/api/messaging/messages', { establishmentId: est, to: [], subject: '', body: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION');
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.to', 'body.subject']));
    expect((await send(a.T1, { to: ['class.nope.students'] })).statusCode).toBe(400);
    const empty = await send(a.T1, {
      to: [
        `group.${(await db.insertInto('teaching_group').values({ establishment_id: est, school_year_id: w.school.schoolYearId, code: 'VIDE', label: 'Vide' }).returning('id').executeTakeFirstOrThrow()).id}.students`,
      ],
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('NO_RECIPIENT');
    expect(await snapshot()).toEqual(before);
  });
});

describe('mailboxes', () => {
  test('drafts saved as one types, then sent: the draft leaves the drafts', async () => {
    const d = await a.T1.post('/api/messaging/drafts', { establishmentId: est, to: [S1.id], subject: 'Brou' });
    expect(d.statusCode).toBe(201);
    const id = d.json().id;
    const again = await a.T1.put(`/api/messaging/drafts/${id}`, {
      establishmentId: est,
      to: [S1.id, S2.id],
      subject: 'Brouillon de devoir',
      body: '<p>Exercices 1 à 3</p>',
    });
    expect(again.statusCode).toBe(200);
    const drafts = (await a.T1.get(`/api/messaging/inbox?establishment=${est}&folder=drafts`)).json();
    expect(drafts.items.map((i: { id: string }) => i.id)).toContain(id);
    const view = (await a.T1.get(`/api/messaging/messages/${id}`)).json();
    expect(view).toMatchObject({ status: 'draft', subject: 'Brouillon de devoir' });
    expect(view.draft.to.map((t: { label: string }) => t.label)).toEqual(['MARTIN Léa', 'BERNARD Hugo']);
    expect((await a.S1.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    const sent = await send(a.T1, { to: [S1.id, S2.id], subject: 'Devoir', draftId: id });
    expect(sent.statusCode).toBe(201);
    expect(
      (await a.T1.get(`/api/messaging/inbox?establishment=${est}&folder=drafts`))
        .json()
        .items.map((i: { id: string }) => i.id),
    ).not.toContain(id);
    expect((await a.T1.put(`/api/messaging/drafts/${sent.json().id}`, { establishmentId: est })).statusCode).toBe(409);
  });

  test('trash and restore, folders, read and unread, delete for good', async () => {
    const { id } = (await send(a.T1, { to: [S2.id], subject: 'À ranger' })).json();
    const trash = await a.S2.patch(`/api/messaging/messages/${id}`, { folder: 'trash' });
    expect(trash.json()).toEqual({ id, folder: 'trash', read: false });
    expect(
      (await a.S2.get(`/api/messaging/inbox?establishment=${est}`)).json().items.map((i: { id: string }) => i.id),
    ).not.toContain(id);
    expect((await a.S2.get(`/api/messaging/inbox?establishment=${est}&folder=trash`)).json().items[0].id).toBe(id);
    expect((await a.S2.patch(`/api/messaging/messages/${id}`, { folder: 'inbox' })).json().folder).toBe('inbox');
    const folder = (await a.S2.post('/api/messaging/folders', { establishmentId: est, name: 'Maths' })).json();
    expect((await a.S2.post('/api/messaging/folders', { establishmentId: est, name: 'maths' })).statusCode).toBe(409);
    await a.S2.patch(`/api/messaging/messages/${id}`, { folder: folder.id, read: true });
    const folders = (await a.S2.get(`/api/messaging/folders?establishment=${est}`)).json();
    expect(folders.folders).toEqual([{ id: folder.id, name: 'Maths', count: 1, unread: 0 }]);
    await a.S2.patch(`/api/messaging/messages/${id}`, { read: false });
    expect(
      (await a.S2.get(`/api/messaging/inbox?establishment=${est}&folder=${folder.id}`)).json().items[0].unread,
    ).toBe(true);
    // someone else's folder is nobody's business
    expect((await a.S1.get(`/api/messaging/inbox?establishment=${est}&folder=${folder.id}`)).statusCode).toBe(404);
    expect((await a.S1.patch(`/api/messaging/folders/${folder.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await a.S2.delete(`/api/messaging/messages/${id}`)).statusCode).toBe(404); // not in the trash
    await a.S2.delete(`/api/messaging/folders/${folder.id}`);
    expect((await a.S2.get(`/api/messaging/messages/${id}`)).json().mine.folder).toBe('inbox');
    await a.S2.patch(`/api/messaging/messages/${id}`, { folder: 'trash' });
    expect((await a.S2.delete(`/api/messaging/messages/${id}`)).statusCode).toBe(204);
    expect((await a.S2.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    // the sender still has it
    expect((await a.T1.get(`/api/messaging/messages/${id}`)).statusCode).toBe(200);
  });

  test('threads: a reply joins the thread; reply-all lists whom the replier may write to', async () => {
    const first = (await send(a.T1, { to: [S1.id, S2.id, G1.id], subject: 'Projet de classe' })).json();
    const view = (await a.S1.get(`/api/messaging/messages/${first.id}`)).json();
    // S1 may answer T1 and S2, not G1 (a student does not write to parents)
    expect(view.replyAll.map((r: { id: string }) => r.id)).toEqual([T1.id, S2.id]);
    const reply = await send(a.S1, { to: [T1.id], subject: 'RE: Projet de classe', replyTo: first.id });
    expect(reply.statusCode).toBe(201);
    const thread = (await a.T1.get(`/api/messaging/messages/${reply.json().id}`)).json();
    expect(thread.threadId).toBe(first.id);
    expect(thread.thread.map((t: { id: string }) => t.id)).toEqual([first.id]);
  });

  test('the sender of a message may be answered outside the rules, unless it was "sans réponse possible"', async () => {
    // O (secretariat) writes to a parent; parents may not write to the secretariat, but may answer
    const m = (await send(a.O, { to: [G3.id], subject: 'Dossier de bourse' })).json();
    expect((await send(a.G3, { to: [w.people.O.id] })).statusCode).toBe(403);
    expect((await send(a.G3, { to: [w.people.O.id], replyTo: m.id, subject: 'RE: Dossier' })).statusCode).toBe(201);
    const announce = await send(a.P, { to: ['all.guardians'], subject: 'Réunion', noReply: true });
    expect(announce.statusCode).toBe(201);
    const before = await snapshot();
    const res = await send(a.G3, { to: [P.id], replyTo: announce.json().id });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('REPLY_NOT_ALLOWED');
    expect(await snapshot()).toEqual(before);
    expect((await a.G3.get(`/api/messaging/messages/${announce.json().id}`)).json().can).toMatchObject({
      reply: false,
      replyAll: false,
    });
    // "sans réponse possible" is the direction's
    expect((await send(a.T1, { to: [S1.id], noReply: true })).statusCode).toBe(403);
  });

  test('French full-text search in subject and body', async () => {
    await send(a.T1, { to: [S2.id], subject: 'Cantine', body: '<p>Les élèves mangeront à la cantine jeudi.</p>' });
    await send(a.T1, { to: [S2.id], subject: 'Piscine', body: '<p>Apportez un maillot.</p>' });
    const hit = (await a.S2.get(`/api/messaging/inbox?establishment=${est}&q=manger`)).json();
    expect(hit.items.map((i: { subject: string }) => i.subject)).toEqual(['Cantine']);
    const subj = (await a.S2.get(`/api/messaging/inbox?establishment=${est}&q=piscine`)).json();
    expect(subj.items.map((i: { subject: string }) => i.subject)).toEqual(['Piscine']);
    const sent = (await a.T1.get(`/api/messaging/inbox?establishment=${est}&folder=sent&q=maillot`)).json();
    expect(sent.items.map((i: { subject: string }) => i.subject)).toEqual(['Piscine']);
  });

  test('pages by keyset, newest first', async () => {
    const u = await makeUser(db, { establishmentId: est, profiles: ['teacher'] });
    const agent = await loginAs(app, u.login);
    for (let i = 0; i < 5; i++) await send(a.P, { to: [u.id], subject: `Note ${i}` });
    const first = (await agent.get(`/api/messaging/inbox?establishment=${est}&limit=3`)).json();
    expect(first.items.map((i: { subject: string }) => i.subject)).toEqual(['Note 4', 'Note 3', 'Note 2']);
    const second = (await agent.get(`/api/messaging/inbox?establishment=${est}&limit=3&before=${first.next}`)).json();
    expect(second.items.map((i: { subject: string }) => i.subject)).toEqual(['Note 1', 'Note 0']);
    expect(second.next).toBeUndefined();
  });
});

describe('recall and purge', () => {
  test('recall takes the message back where it is unread; once all have read it, nothing to recall', async () => {
    const { id } = (await send(a.T1, { to: [S1.id, S2.id], subject: 'Erreur de date' })).json();
    await a.S1.get(`/api/messaging/messages/${id}`);
    const r = await a.T1.post(`/api/messaging/messages/${id}/recall`);
    expect(r.json()).toEqual({ recalled: 1, alreadyRead: 1 });
    expect((await a.S2.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    expect((await a.S1.get(`/api/messaging/messages/${id}`)).statusCode).toBe(200);
    const again = await a.T1.post(`/api/messaging/messages/${id}/recall`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('NOTHING_TO_RECALL');
    expect((await a.S1.post(`/api/messaging/messages/${id}/recall`)).statusCode).toBe(404);
  });

  test('the direction purges a message from every mailbox: notices withdrawn, audited with the reason', async () => {
    const { id } = (
      await send(a.T1, { to: [`class.${w.c1.id}.students`, `class.${w.c1.id}.guardians`], subject: 'Propos déplacés' })
    ).json();
    expect((await a.S2.get('/api/timeline')).json().items.some((n: { link: string }) => n.link.endsWith(id))).toBe(
      true,
    );
    const res = await a.P.post(`/api/messaging/messages/${id}/purge`, { reason: 'Propos injurieux signalés' });
    expect(res.json()).toEqual({ id, removedFrom: 3 });
    for (const who of [a.S1, a.S2, a.G1]) expect((await who.get(`/api/messaging/messages/${id}`)).statusCode).toBe(404);
    expect((await a.S2.get('/api/timeline')).json().items.some((n: { link: string }) => n.link.endsWith(id))).toBe(
      false,
    );
    const row = await db
      .selectFrom('message')
      .select(['status', 'body_text', 'subject'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'purged', body_text: '', subject: '[Message retiré par la direction]' });
    const trail = await db
      .selectFrom('audit_event')
      .select(['actor_id', 'details'])
      .where('action', '=', 'messaging.message.purge')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(trail.actor_id).toBe(P.id);
    expect(trail.details).toMatchObject({
      reason: 'Propos injurieux signalés',
      subject: 'Propos déplacés',
      removedFrom: 3,
    });
    expect((await a.T1.post(`/api/messaging/messages/${id}/purge`, { reason: 'pour voir' })).statusCode).toBe(403);
  });
});

describe('abuse defences', () => {
  test('students: few recipients per message (TOO_MANY_RECIPIENTS), nothing written', async () => {
    const mates = await Promise.all(
      Array.from({ length: 11 }, async () => {
        const u = await makeUser(db, { establishmentId: est, profiles: ['student'] });
        await db
          .insertInto('enrolment')
          .values({ establishment_id: est, school_year_id: w.school.schoolYearId, student_id: u.id, class_id: w.c1.id })
          .execute();
        return u;
      }),
    );
    const before = await snapshot();
    const res = await send(a.S1, { to: mates.map((m) => m.id) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'TOO_MANY_RECIPIENTS',
      detail: 'Trop de destinataires : 11 pour 10 au plus par message. Rien n’a été envoyé.',
    });
    expect(await snapshot()).toEqual(before);
  });

  test('few messages an hour (429 with Retry-After), and the direction is alerted on the timeline', async () => {
    const s = await makeUser(db, { establishmentId: est, profiles: ['student'] });
    await db
      .insertInto('enrolment')
      .values({ establishment_id: est, school_year_id: w.school.schoolYearId, student_id: s.id, class_id: w.c1.id })
      .execute();
    const agent = await loginAs(app, s.login);
    for (let i = 0; i < 10; i++)
      expect((await send(agent, { to: [L.id], subject: `Message ${i}` })).statusCode).toBe(201);
    const before = await snapshot();
    const res = await send(agent, { to: [L.id] });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(3000);
    expect(res.json().code).toBe('SEND_RATE_LIMITED');
    expect((await snapshot()).message).toBe(before.message);
    const alert = (await a.P.get('/api/timeline'))
      .json()
      .items.find((n: { kind: string }) => n.kind === 'messaging.abuse.alert');
    expect(alert.text).toContain('limite de messages par heure atteinte');
    const mod = (await a.P.get(`/api/messaging/moderation?establishment=${est}&sender=${s.id}`)).json();
    expect(mod.alerts.find((x: { sender: { id: string } }) => x.sender.id === s.id)).toMatchObject({
      messages: 10,
      profile: 'student',
    });
    expect(mod.messages).toHaveLength(10);
  });

  test('unusual mass sending (recipients in an hour) alerts the direction once', async () => {
    const g = await makeUser(db, { establishmentId: est, profiles: ['guardian'] });
    const agent = await loginAs(app, g.login);
    await a.P.put('/api/messaging/settings', {
      establishmentId: est,
      caps: { guardian: { recipientsPerMessage: 20, messagesPerHour: 20, alertRecipientsPerHour: 3 } },
    });
    for (let i = 0; i < 3; i++) await send(agent, { to: [L.id] });
    await send(agent, { to: [L.id] });
    const alerts = await db.selectFrom('messaging_alert').selectAll().where('sender_id', '=', g.id).execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.reason).toBe('3 destinataires en une heure');
  });

  test('the suspension switch stops a profile at once; reading goes on; audited', async () => {
    const res = await a.P.put('/api/messaging/settings', { establishmentId: est, suspendedProfiles: ['student'] });
    expect(res.json().suspendedProfiles).toEqual(['student']);
    try {
      const before = await snapshot();
      const refused = await send(a.S1, { to: [T1.id] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'SENDING_SUSPENDED' });
      expect((await a.S1.get(`/api/messaging/recipients?establishment=${est}`)).json().code).toBe('SENDING_SUSPENDED');
      expect((await a.S1.get(`/api/messaging/inbox?establishment=${est}`)).statusCode).toBe(200);
      expect(await snapshot()).toEqual(before);
      expect((await send(a.T1, { to: [S1.id] })).statusCode).toBe(201);
      const trail = await db
        .selectFrom('audit_event')
        .select('details')
        .where('action', '=', 'messaging.sending.suspend')
        .execute();
      expect(trail.at(-1)!.details).toMatchObject({ suspended: ['student'] });
    } finally {
      await a.P.put('/api/messaging/settings', { establishmentId: est, suspendedProfiles: [] });
    }
    expect((await send(a.S1, { to: [T1.id] })).statusCode).toBe(201);
  });

  test('a blocked membership stops sending at once, in the session already open', async () => {
    const s = await makeUser(db, { establishmentId: est, profiles: ['student'] });
    const agent = await loginAs(app, s.login);
    expect((await send(agent, { to: [L.id] })).statusCode).toBe(201);
    const block = await a.P.patch(`/api/establishments/${est}/users/${s.id}`, { status: 'blocked' });
    expect(block.statusCode).toBe(200);
    const before = await snapshot();
    const res = await send(agent, { to: [L.id] });
    expect([401, 404]).toContain(res.statusCode);
    expect(await snapshot()).toEqual(before);
  });
});

describe('fan-out', () => {
  test('a message to a whole establishment is one message row and one insert of 2,000 recipients', async () => {
    const school = await makeEstablishment(db);
    const principal = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
    const users = await db
      .insertInto('app_user')
      .values(
        Array.from({ length: 2000 }, (_, i) => ({
          login: `fan.${i}.${Date.now()}`,
          first_name: 'Élève',
          last_name: `N${i}`,
          display_name: `N${i} Élève`,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('membership')
      .values(users.map((u) => ({ establishment_id: school.id, user_id: u.id, profile: 'student' })))
      .execute();
    const agent = await loginAs(app2, principal.login);
    statements.length = 0;
    const t = performance.now();
    const res = await agent.post('/api/messaging/messages', {
      establishmentId: school.id,
      to: ['all.students'],
      subject: 'Journée portes ouvertes',
      body: '<p>Samedi 14 mars.</p>',
    });
    const ms = performance.now() - t;
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().recipientCount).toBe(2000);
    expect(statements.filter((s) => /INSERT INTO message_recipient/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /insert into "?message"?\b|INSERT INTO message \(/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /INSERT INTO notification_recipient/i.test(s))).toHaveLength(1);
    const rows = await db
      .selectFrom('message_recipient')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message_id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(2000);
    expect(ms).toBeLessThan(5000);
  });
});

describe('usage events and the personal-data export', () => {
  test('sending and reading are recorded; the export holds the person’s messages', async () => {
    await flushUsage(app);
    const events = await db
      .selectFrom('usage_event')
      .select(['action', 'profile'])
      .where('service', '=', 'messaging')
      .execute();
    const actions = new Set(events.map((e) => e.action));
    for (const a of [
      'message.send',
      'message.read',
      'message.reply',
      'mailbox.view',
      'mailbox.search',
      'recipients.search',
      'message.recall',
      'message.purge',
      'settings.update',
      'draft.create',
      'message.trash',
      'folder.create',
    ]) {
      expect(actions, a).toContain(a);
    }
    const data = (await a.G1.get('/api/privacy/my-data')).json();
    expect(data.modules.messaging.messages.some((m: { subject: string }) => m.subject === 'Sortie au musée')).toBe(
      true,
    );
  });
});
