import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import { assign, enrol, guard, makeClass, makeGroup, subject } from './directory-fixtures.ts';
import { makeEstablishment, makeUser } from './helpers.ts';

/**
 * The authorization matrix's world and row types. Each module keeps its rows next to its code, in
 * `src/modules/<module>/<module>.matrix.ts` (`export const matrix: ModuleMatrix`); test/authorization-matrix.test.ts
 * gathers them and fails on any route without a row, and on any row without a route.
 */

export const PERSONAS = [
  'anonymous',
  'student',
  'guardian',
  'teacher',
  'staff',
  'principal',
  'local_admin',
  'platform_admin',
  'other_establishment',
] as const;
export type Persona = (typeof PERSONAS)[number];

/**
 * A world of its own for each row: establishment A with one person per profile — the student in class A1 (and
 * group G1), the guardian theirs, the teacher teaching A1 and G1 in maths — and establishment B whose principal
 * is the `other_establishment` persona.
 */
export async function makeWorld(db: Kysely<Database>) {
  const a = await makeEstablishment(db);
  const b = await makeEstablishment(db);
  const people: Record<Exclude<Persona, 'anonymous'>, { id: string; login: string }> = {
    student: await makeUser(db, { establishmentId: a.id, profiles: ['student'] }),
    guardian: await makeUser(db, { establishmentId: a.id, profiles: ['guardian'] }),
    teacher: await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] }),
    staff: await makeUser(db, { establishmentId: a.id, profiles: ['staff'] }),
    principal: await makeUser(db, { establishmentId: a.id, profiles: ['principal'] }),
    local_admin: await makeUser(db, { establishmentId: a.id, profiles: ['local_admin'] }),
    platform_admin: await makeUser(db, { platformAdmin: true }),
    other_establishment: await makeUser(db, { establishmentId: b.id, profiles: ['principal'] }),
  };
  const pending = await makeUser(db, { establishmentId: a.id, profiles: ['guardian'], status: 'pending_activation' });
  const target = await makeUser(db, { establishmentId: a.id, profiles: ['student'] });
  const klass = await makeClass(db, a, 'A1');
  const group = await makeGroup(db, a, 'G1');
  const subjectCode = await subject(db);
  await enrol(db, a, people.student.id, { classId: klass.id });
  await enrol(db, a, people.student.id, { groupId: group.id });
  await guard(db, a, people.guardian.id, people.student.id);
  await assign(db, a, people.teacher.id, { classId: klass.id }, subjectCode);
  await assign(db, a, people.teacher.id, { groupId: group.id }, subjectCode);
  return { db, a, b, people, pending, target, class: klass, group, subjectCode };
}
export type World = Awaited<ReturnType<typeof makeWorld>>;

export interface Call {
  url: string;
  body?: unknown;
  /** Extra request headers (a multipart upload's content type). */
  headers?: Record<string, string>;
}

/** [request builder, expected status per persona in PERSONAS order] */
export type Row = [(w: World, p: Persona) => Call | Promise<Call>, number[]];

/** A module's rows, keyed `METHOD /api/path/:param` as the route is registered. */
export type ModuleMatrix = Record<string, Row>;

//                                        anon stud guar teac staf prin ladm padm other
export const ALL_MEMBERS = (ok: number) => [401, ok, ok, ok, ok, ok, ok, ok, ok];
export const ADMINS = (ok: number) => [401, 403, 403, 403, 403, ok, ok, ok, 404];
export const ONLY_PLATFORM = (ok: number) => [401, 403, 403, 403, 403, 403, 403, ok, 403];
/** Members of establishment A (and a platform admin) get `ok`; the other establishment's principal 404. */
export const MEMBERS_OF_A = (ok: number) => [401, ok, ok, ok, ok, ok, ok, ok, 404];
