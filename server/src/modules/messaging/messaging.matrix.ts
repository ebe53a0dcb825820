import type { Kysely } from 'kysely';
import { MEMBERS_OF_A, type ModuleMatrix, type World } from '../../../test/matrix.ts';
import type { Database } from '../../platform/db/schema.ts';

/**
 * Messaging's routes × personas. World A: the student (class A1) and their guardian, the teacher of A1, a staff
 * member without function, the principal, a local admin; a platform admin who is no member; B's principal.
 * A message belongs to its sender and recipients only (others 404); the rules, settings and moderation are the
 * direction's (403 to the others, 404 to another establishment).
 */
//                          anon stud guar teac staf prin ladm padm other
const SENDER_AND_RECIPIENT = [401, 200, 404, 200, 404, 404, 404, 404, 404];
const TEACHER_ONLY = (ok: number) => [401, 404, 404, ok, 404, 404, 404, 404, 404];
const DIRECTION = (ok: number) => [401, 403, 403, 403, 403, ok, 403, ok, 404];

/** A message of the teacher to the student, written straight into the tables. */
async function message(w: World, o: { trash?: boolean; status?: 'sent' | 'draft' } = {}) {
  const db = w.db as Kysely<Database>;
  const status = o.status ?? 'sent';
  const m = await db
    .insertInto('message')
    .values({
      establishment_id: w.a.id,
      thread_id: crypto.randomUUID(),
      parent_id: null,
      forward_of: null,
      sender_id: w.people.teacher.id,
      subject: 'Devoir de mathématiques',
      body_html: '<p>Pour jeudi.</p>',
      body_text: 'Pour jeudi.',
      status,
      to_spec: JSON.stringify([{ id: w.people.student.id, label: 'Élève' }]),
      recipient_count: status === 'draft' ? 0 : 1,
      sender_folder: o.trash ? 'trash' : 'sent',
      sent_at: status === 'draft' ? null : new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (status === 'sent') {
    await db
      .insertInto('message_recipient')
      .values({
        message_id: m.id,
        user_id: w.people.student.id,
        establishment_id: w.a.id,
        folder: o.trash ? 'trash' : 'inbox',
        sent_at: new Date(),
      })
      .execute();
  }
  return m.id;
}

async function folderOfTeacher(w: World) {
  const db = w.db as Kysely<Database>;
  const f = await db
    .insertInto('message_folder')
    .values({ establishment_id: w.a.id, user_id: w.people.teacher.id, name: `Classe ${crypto.randomUUID()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return f.id;
}

export const matrix: ModuleMatrix = {
  'GET /api/messaging/recipients': [
    (w) => ({ url: `/api/messaging/recipients?establishment=${w.a.id}` }),
    MEMBERS_OF_A(200),
  ],
  'GET /api/messaging/audience': [
    (w) => ({ url: `/api/messaging/audience?establishment=${w.a.id}&to=${w.people.teacher.id}` }),
    MEMBERS_OF_A(200),
  ],
  'POST /api/messaging/messages': [
    // everyone writes to the teacher (the teacher to the principal); a platform admin who is no member reaches nobody
    (w, p) => ({
      url: '/api/messaging/messages',
      body: {
        establishmentId: w.a.id,
        to: [p === 'teacher' ? w.people.principal.id : w.people.teacher.id],
        subject: 'Bonjour',
        body: '<p>Un message.</p>',
      },
    }),
    [401, 201, 201, 201, 201, 201, 201, 403, 404],
  ],
  'GET /api/messaging/inbox': [(w) => ({ url: `/api/messaging/inbox?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'GET /api/messaging/messages/:id': [
    async (w) => ({ url: `/api/messaging/messages/${await message(w)}` }),
    SENDER_AND_RECIPIENT,
  ],
  'PATCH /api/messaging/messages/:id': [
    async (w) => ({ url: `/api/messaging/messages/${await message(w)}`, body: { read: true } }),
    SENDER_AND_RECIPIENT,
  ],
  'DELETE /api/messaging/messages/:id': [
    async (w) => ({ url: `/api/messaging/messages/${await message(w, { trash: true })}` }),
    [401, 204, 404, 204, 404, 404, 404, 404, 404],
  ],
  'POST /api/messaging/messages/:id/recall': [
    async (w) => ({ url: `/api/messaging/messages/${await message(w)}/recall` }),
    TEACHER_ONLY(200),
  ],
  'POST /api/messaging/drafts': [
    (w) => ({ url: '/api/messaging/drafts', body: { establishmentId: w.a.id, subject: 'Brouillon' } }),
    MEMBERS_OF_A(201),
  ],
  'PUT /api/messaging/drafts/:id': [
    async (w) => ({
      url: `/api/messaging/drafts/${await message(w, { status: 'draft' })}`,
      body: { establishmentId: w.a.id, subject: 'Brouillon repris' },
    }),
    TEACHER_ONLY(200),
  ],
  'DELETE /api/messaging/drafts/:id': [
    async (w) => ({ url: `/api/messaging/drafts/${await message(w, { status: 'draft' })}` }),
    TEACHER_ONLY(204),
  ],
  'GET /api/messaging/folders': [(w) => ({ url: `/api/messaging/folders?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'POST /api/messaging/folders': [
    (w) => ({ url: '/api/messaging/folders', body: { establishmentId: w.a.id, name: 'Sorties' } }),
    MEMBERS_OF_A(201),
  ],
  'PATCH /api/messaging/folders/:id': [
    async (w) => ({ url: `/api/messaging/folders/${await folderOfTeacher(w)}`, body: { name: 'Réunions' } }),
    TEACHER_ONLY(200),
  ],
  'DELETE /api/messaging/folders/:id': [
    async (w) => ({ url: `/api/messaging/folders/${await folderOfTeacher(w)}` }),
    TEACHER_ONLY(204),
  ],
  'GET /api/messaging/rules': [(w) => ({ url: `/api/messaging/rules?establishment=${w.a.id}` }), DIRECTION(200)],
  'PUT /api/messaging/rules': [
    (w) => ({ url: '/api/messaging/rules', body: { establishmentId: w.a.id, levels: [] } }),
    DIRECTION(200),
  ],
  'GET /api/messaging/settings': [(w) => ({ url: `/api/messaging/settings?establishment=${w.a.id}` }), DIRECTION(200)],
  'PUT /api/messaging/settings': [
    (w) => ({ url: '/api/messaging/settings', body: { establishmentId: w.a.id, suspendedProfiles: [] } }),
    DIRECTION(200),
  ],
  'GET /api/messaging/moderation': [
    (w) => ({ url: `/api/messaging/moderation?establishment=${w.a.id}` }),
    DIRECTION(200),
  ],
  'POST /api/messaging/messages/:id/purge': [
    async (w) => ({ url: `/api/messaging/messages/${await message(w)}/purge`, body: { reason: 'Message injurieux' } }),
    DIRECTION(200),
  ],
};
