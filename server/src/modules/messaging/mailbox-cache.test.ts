import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { testApp } from '../../../test/helpers.ts';
import { messagingWorld } from '../../../test/messaging-fixtures.ts';
import { cachesOf } from '../../platform/cache.ts';

/**
 * The first page of an inbox is kept in memory per person (`MAILBOX`, topic `mb`, migration 0201): every change of a
 * mailbox — through the API on this instance, or written straight into the database as another instance would — is
 * on the next page read, and a message to a whole establishment drops that establishment's mailboxes, not all.
 */
const { app, db } = await testApp();
const w = await messagingWorld(db, app);
const { S1, G1, T1 } = w.people;
const a = w.agents;
const est = w.school.id;

const inbox = async (agent: (typeof a)['G1'], limit?: number) => {
  const res = await agent.get(`/api/messaging/inbox?establishment=${est}${limit ? `&limit=${limit}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    unread: number;
    items: { id: string; unread: boolean; from: { id: string; displayName: string }; recalled?: boolean }[];
    next?: string;
  };
};
const stats = () => cachesOf(db)!.stats()['messaging-inbox'] ?? { size: 0, hits: 0, misses: 0 };
const send = async (to: string[], subject: string) => {
  const res = await a.T1.post('/api/messaging/messages', {
    establishmentId: est,
    to,
    subject,
    body: '<p>Bonjour.</p>',
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
};

describe('the inbox kept in memory', () => {
  test('a message sent, opened, marked unread, trashed through the API: on the next page read', async () => {
    const before = await inbox(a.G1);
    const misses = stats().misses;
    expect((await inbox(a.G1)).items).toEqual(before.items); // from memory
    expect(stats().misses).toBe(misses);

    const id = await send([G1.id], 'Réunion parents-professeurs');
    let box = await inbox(a.G1);
    expect(box.unread).toBe(before.unread + 1);
    expect(box.items[0]).toMatchObject({ id, unread: true, from: { id: T1.id, displayName: 'DURAND Claire' } });
    // the home widget reads the same entry (its first three)
    expect((await inbox(a.G1, 3)).items.map((i) => i.id)).toEqual(box.items.slice(0, 3).map((i) => i.id));

    expect((await a.G1.get(`/api/messaging/messages/${id}`)).statusCode).toBe(200); // opening marks it read
    box = await inbox(a.G1);
    expect(box.unread).toBe(before.unread);
    expect(box.items[0]).toMatchObject({ id, unread: false });

    expect((await a.G1.patch(`/api/messaging/messages/${id}`, { read: false })).statusCode).toBe(200);
    expect((await inbox(a.G1)).items[0]).toMatchObject({ id, unread: true });
    expect((await a.G1.patch(`/api/messaging/messages/${id}`, { folder: 'trash' })).statusCode).toBe(200);
    box = await inbox(a.G1);
    expect(box.items.map((i) => i.id)).not.toContain(id);
    expect(box.unread).toBe(before.unread);
  });

  test('a recall: gone from the inbox of who had not read it, shown recalled to who had', async () => {
    const id = await send([G1.id, S1.id], 'Sortie annulée');
    expect((await inbox(a.S1)).items[0]).toMatchObject({ id, unread: true });
    expect((await a.G1.get(`/api/messaging/messages/${id}`)).statusCode).toBe(200);
    expect((await inbox(a.G1)).items[0]).toMatchObject({ id, unread: false });
    expect((await inbox(a.G1)).items[0]?.recalled).toBeUndefined();

    expect((await a.T1.post(`/api/messaging/messages/${id}/recall`, {})).statusCode).toBe(200);
    expect((await inbox(a.S1)).items.map((i) => i.id)).not.toContain(id);
    expect((await inbox(a.G1)).items[0]).toMatchObject({ id, recalled: true });
  });

  test('changes written straight into the database (another instance): on the next read once announced', async () => {
    const id = await send([G1.id], 'Cantine');
    expect((await inbox(a.G1)).items[0]).toMatchObject({ id, unread: true });

    await db.updateTable('message_recipient').set({ read_at: new Date() }).where('user_id', '=', G1.id).execute();
    const box = await inbox(a.G1);
    expect(box.unread).toBe(0);
    expect(box.items[0]).toMatchObject({ id, unread: false });

    // a message delivered by another instance
    const m = await sql<{ id: string }>`
      INSERT INTO message (establishment_id, thread_id, sender_id, subject, body_html, body_text, status, recipient_count, sent_at)
      VALUES (${est}, gen_random_uuid(), ${T1.id}, 'Photo de classe', '<p>Lundi.</p>', 'Lundi.', 'sent', 1, now())
      RETURNING id`.execute(db);
    const other = m.rows[0]!.id;
    await sql`INSERT INTO message_recipient (message_id, user_id, establishment_id, sent_at)
              VALUES (${other}, ${G1.id}, ${est}, now())`.execute(db);
    expect((await inbox(a.G1)).items[0]).toMatchObject({ id: other, unread: true });

    // the sender renamed: the name is not kept with the page
    await db.updateTable('app_user').set({ display_name: 'DURAND-LEBLANC Claire' }).where('id', '=', T1.id).execute();
    expect((await inbox(a.G1)).items[0]?.from).toEqual({ id: T1.id, displayName: 'DURAND-LEBLANC Claire' });
    await db.updateTable('app_user').set({ display_name: 'DURAND Claire' }).where('id', '=', T1.id).execute();

    // purged by the direction elsewhere: the copies go
    await db.deleteFrom('message_recipient').where('message_id', '=', other).execute();
    expect((await inbox(a.G1)).items.map((i) => i.id)).not.toContain(other);
  });

  test('another person reads only their own inbox; a foreign establishment is 404', async () => {
    const id = await send([G1.id], 'Pour Sophie seulement');
    expect((await inbox(a.G1)).items[0]?.id).toBe(id);
    expect((await inbox(a.S1)).items.map((i) => i.id)).not.toContain(id);
    const res = await a.G1.get(`/api/messaging/inbox?establishment=00000000-0000-4000-8000-000000000000`);
    expect(res.statusCode).toBe(404);
  });
});

describe('what migration 0201 announces', () => {
  const announced = announcements(
    () => db,
    (n) => n.startsWith('mb:'),
  );

  test('a copy read: its owner; a message to 501 people, and its recall: their establishment, not every mailbox', async () => {
    const id = await send([G1.id, S1.id], 'Deux destinataires');
    expect(
      await announced(() =>
        db.updateTable('message_recipient').set({ read_at: new Date() }).where('user_id', '=', G1.id).execute(),
      ),
    ).toEqual([`mb:${G1.id}`]);
    expect(await announced(() => db.deleteFrom('message_recipient').where('message_id', '=', id).execute())).toEqual(
      [`mb:${G1.id}`, `mb:${S1.id}`].sort(),
    );

    const people = await sql<{ id: string }>`
      INSERT INTO app_user (login, first_name, last_name, display_name, status)
      SELECT 'bulk.mb.' || g, 'Prénom', 'Nom', 'NOM Prénom', 'active' FROM generate_series(1, 501) g
      RETURNING id`.execute(db);
    const m = await sql<{ id: string }>`
      INSERT INTO message (establishment_id, thread_id, sender_id, subject, body_html, body_text, status, recipient_count, sent_at)
      VALUES (${est}, gen_random_uuid(), ${T1.id}, 'À tous', '', '', 'sent', 501, now()) RETURNING id`.execute(db);
    const big = m.rows[0]!.id;
    const ids = people.rows.map((r) => r.id);
    expect(
      await announced(() =>
        sql`INSERT INTO message_recipient (message_id, user_id, establishment_id, sent_at)
            SELECT ${big}::uuid, u, ${est}::uuid, now() FROM unnest(${ids}::uuid[]) u`.execute(db),
      ),
    ).toEqual([`mb:e${est}`]);
    // one of them reads it: their mailbox only
    expect(
      await announced(() =>
        db.updateTable('message_recipient').set({ read_at: new Date() }).where('user_id', '=', ids[0]!).execute(),
      ),
    ).toEqual([`mb:${ids[0]}`]);
    expect(await announced(() => db.deleteFrom('message_recipient').where('message_id', '=', big).execute())).toEqual([
      `mb:e${est}`,
    ]);
  });
});
