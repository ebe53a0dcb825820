import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import type { App } from '../src/platform/module.ts';
import { localStorage } from '../src/platform/storage/index.ts';
import { assign, enrol, guard, headTeacher, makeClass, makeGroup, subject } from './directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser, type Profile } from './helpers.ts';

/** Test helpers of the documents module: a school with its people, real small files, multipart uploads. */

/** A minimal, valid one-page PDF. */
export function pdfBytes(text = 'Fiche'): Buffer {
  const body = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% ${text} ${randomBytes(4).toString('hex')}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db40000000049454e44ae426082',
  'hex',
);

/** The start of a Windows program (MZ header, PE signature): an executable by its bytes. */
export function exeBytes(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

export interface Part {
  name: string;
  content: Buffer | string;
  type?: string;
}

/** A multipart body: fields first (in order), the `file` part, then fields sent after it. */
export function multipartBody(
  file: Part | null,
  fields: Record<string, string> = {},
  after: Record<string, string> = {},
  fileField = 'file',
) {
  const boundary = `----preau${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [k, v] of Object.entries(fields)) field(k, v);
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${file.name}"\r\n` +
          `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
        'utf8',
      ),
    );
    parts.push(typeof file.content === 'string' ? Buffer.from(file.content) : file.content);
    parts.push(Buffer.from('\r\n'));
  }
  for (const [k, v] of Object.entries(after)) field(k, v);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}`, boundary };
}

export function upload(
  app: App,
  as: Agent,
  url: string,
  file: Part | null,
  fields: Record<string, string> = {},
  opts: { method?: 'POST' | 'PUT'; after?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const m = multipartBody(file, fields, opts.after ?? {});
  return app.inject({
    method: opts.method ?? 'POST',
    url,
    headers: { cookie: as.cookie, 'x-csrf-token': as.csrfToken, 'content-type': m.contentType },
    payload: m.body,
  });
}

/**
 * A school: class A1 (teacher, head teacher, two students, a guardian), class B1 (another teacher, a student),
 * group G1 (the first student; taught by the first teacher), the direction, staff, a local admin; and another
 * school whose principal is `outsider`.
 */
export async function makeSchool(db: Kysely<Database>, app: App) {
  const school = await makeEstablishment(db);
  const other = await makeEstablishment(db);
  const person = (profiles: Profile[], first = 'Camille', last = 'Testeur', est = school.id) =>
    makeUser(db, { establishmentId: est, profiles, firstName: first, lastName: last });
  const a1 = await makeClass(db, school, 'A1');
  const b1 = await makeClass(db, school, 'B1');
  const g1 = await makeGroup(db, school, 'G1');
  const code = await subject(db);
  const people = {
    teacher: await person(['teacher'], 'Paul', 'Prof'),
    teacherB: await person(['teacher'], 'Bea', 'Autre'),
    student: await person(['student'], 'Emma', 'Eleve'),
    classmate: await person(['student'], 'Lou', 'Camarade'),
    studentB: await person(['student'], 'Noe', 'Ailleurs'),
    guardian: await person(['guardian'], 'Nadia', 'Parent'),
    guardianB: await person(['guardian'], 'Marc', 'Parentb'),
    principal: await person(['principal'], 'Claire', 'Direction'),
    staff: await person(['staff'], 'Karim', 'Cpe'),
    localAdmin: await person(['local_admin'], 'Anne', 'Admin'),
    outsider: await person(['principal'], 'Olga', 'Dehors', other.id),
  };
  await enrol(db, school, people.student.id, { classId: a1.id });
  await enrol(db, school, people.classmate.id, { classId: a1.id });
  await enrol(db, school, people.student.id, { groupId: g1.id });
  await enrol(db, school, people.studentB.id, { classId: b1.id });
  await guard(db, school, people.guardian.id, people.student.id);
  await guard(db, school, people.guardianB.id, people.studentB.id);
  await assign(db, school, people.teacher.id, { classId: a1.id }, code);
  await assign(db, school, people.teacher.id, { groupId: g1.id }, code);
  await assign(db, school, people.teacherB.id, { classId: b1.id }, code);
  await headTeacher(db, school, people.teacherB.id, b1.id);
  const agents = Object.fromEntries(
    await Promise.all(Object.entries(people).map(async ([k, u]) => [k, await loginAs(app, u.login)] as const)),
  ) as Record<keyof typeof people, Agent>;
  return { school, other, a1, b1, g1, subjectCode: code, people, as: agents };
}
export type SchoolWorld = Awaited<ReturnType<typeof makeSchool>>;

/** The caller's spaces in an establishment, by kind (and class/group id). */
export async function spacesOf(as: Agent, establishmentId: string) {
  const res = await as.get(`/api/documents/spaces?establishment=${establishmentId}`);
  if (res.statusCode !== 200) throw new Error(`spaces: ${res.statusCode} ${res.body}`);
  const items = res.json().items as {
    id: string;
    kind: string;
    classId?: string;
    groupId?: string;
    canWrite: boolean;
  }[];
  return {
    items,
    personal: items.find((s) => s.kind === 'personal')!,
    admin: items.find((s) => s.kind === 'admin'),
    library: items.find((s) => s.kind === 'library'),
    ofClass: (id: string) => items.find((s) => s.classId === id),
    ofGroup: (id: string) => items.find((s) => s.groupId === id),
  };
}

/** Files (recursively) under a storage folder: nothing left behind after a refusal. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
  } catch {
    return [];
  }
}

/** Where the test configuration keeps files (testConfig). */
export const TEST_STORAGE_ROOT = join(tmpdir(), 'preau-test-files');
const storage = localStorage(TEST_STORAGE_ROOT);

type SpaceSeed =
  | { kind: 'personal'; establishmentId: string; ownerId: string }
  | { kind: 'class'; establishmentId: string; classId: string }
  | { kind: 'group'; establishmentId: string; groupId: string }
  | { kind: 'admin'; establishmentId: string };

/** A space as the module would create it (idempotent). */
export async function seedSpace(db: Kysely<Database>, s: SpaceSeed): Promise<string> {
  await db
    .insertInto('document_space')
    .values({
      establishment_id: s.establishmentId,
      kind: s.kind,
      owner_id: s.kind === 'personal' ? s.ownerId : null,
      class_id: s.kind === 'class' ? s.classId : null,
      group_id: s.kind === 'group' ? s.groupId : null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  let q = db
    .selectFrom('document_space')
    .select('id')
    .where('establishment_id', '=', s.establishmentId)
    .where('kind', '=', s.kind);
  if (s.kind === 'personal') q = q.where('owner_id', '=', s.ownerId);
  if (s.kind === 'class') q = q.where('class_id', '=', s.classId);
  if (s.kind === 'group') q = q.where('group_id', '=', s.groupId);
  return (await q.executeTakeFirstOrThrow()).id;
}

export async function seedFolder(
  db: Kysely<Database>,
  f: {
    spaceId: string;
    establishmentId: string;
    name?: string;
    createdBy: string;
    parent?: { id: string; ancestors: string[] };
    guardians?: boolean;
    audience?: string[];
    trashed?: boolean;
  },
): Promise<{ id: string; ancestors: string[] }> {
  const ancestors = f.parent ? [...f.parent.ancestors, f.parent.id] : [];
  const row = await db
    .insertInto('document_folder')
    .values({
      establishment_id: f.establishmentId,
      space_id: f.spaceId,
      parent_id: f.parent?.id ?? null,
      ancestors,
      name: f.name ?? `Dossier ${randomBytes(2).toString('hex')}`,
      created_by: f.createdBy,
      guardians_can_read: f.guardians ?? false,
      audience: f.audience ?? null,
      trashed_at: f.trashed ? new Date() : null,
      trashed_by: f.trashed ? f.createdBy : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, ancestors };
}

/** A document with one version whose bytes are really stored (the content route can serve them). */
export async function seedDoc(
  db: Kysely<Database>,
  d: {
    spaceId: string;
    establishmentId: string | null;
    folderId?: string | null;
    name?: string;
    createdBy: string;
    bytes?: Buffer;
    mime?: string;
    trashed?: boolean;
    library?: Record<string, unknown>;
    publishedFrom?: string;
  },
): Promise<string> {
  const bytes = d.bytes ?? pdfBytes(d.name ?? 'doc');
  const temp = await storage.writeTemp(Readable.from([bytes]), { maxBytes: bytes.length });
  await db
    .insertInto('document_blob')
    .values({ sha256: temp.sha256, size: temp.size })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await storage.commit(temp);
  const doc = await db
    .insertInto('document')
    .values({
      establishment_id: d.establishmentId,
      space_id: d.spaceId,
      folder_id: d.folderId ?? null,
      name: d.name ?? 'Fiche.pdf',
      size: temp.size,
      mime: d.mime ?? 'application/pdf',
      created_by: d.createdBy,
      trashed_at: d.trashed ? new Date() : null,
      trashed_by: d.trashed ? d.createdBy : null,
      library: d.library ? JSON.stringify(d.library) : null,
      published_by: d.library ? d.createdBy : null,
      published_from: d.publishedFrom ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('document_version')
    .values({
      document_id: doc.id,
      establishment_id: d.establishmentId,
      no: 1,
      sha256: temp.sha256,
      size: temp.size,
      mime: d.mime ?? 'application/pdf',
      created_by: d.createdBy,
    })
    .execute();
  return doc.id;
}
