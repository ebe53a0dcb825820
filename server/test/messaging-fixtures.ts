import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import type { App } from '../src/platform/module.ts';
import { assign, enrol, guard, headTeacher, makeClass, makeGroup, subject } from './directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser } from './helpers.ts';

/**
 * An establishment with one person of each kind the communication rules speak of:
 * students S1 and S2 in class C1, S3 in class C2, S1 and S3 also in group G; guardians G1 (of S1) and G3 (of S3);
 * teachers T1 (maths in C1, head teacher of C1) and T3 (in C2 and the group G); school-life staff L (CPE: EDU),
 * another staff member O (secretariat: ADF), the principal P and a local admin A.
 */
export async function messagingWorld(db: Kysely<Database>, app: App) {
  const school = await makeEstablishment(db);
  const c1 = await makeClass(db, school, '3B');
  const c2 = await makeClass(db, school, '3C');
  const g = await makeGroup(db, school, 'LATIN');
  const maths = await subject(db, '061300', 'Mathématiques');
  const english = await subject(db, '030201', 'Anglais');
  const person = async (
    profile: 'student' | 'guardian' | 'teacher' | 'staff' | 'principal' | 'local_admin',
    first: string,
    last: string,
  ) => makeUser(db, { establishmentId: school.id, profiles: [profile], firstName: first, lastName: last });
  const S1 = await person('student', 'Léa', 'Martin');
  const S2 = await person('student', 'Hugo', 'Bernard');
  const S3 = await person('student', 'Inès', 'Petit');
  const G1 = await person('guardian', 'Sophie', 'Martin');
  const G3 = await person('guardian', 'Karim', 'Petit');
  const T1 = await person('teacher', 'Claire', 'Durand');
  const T3 = await person('teacher', 'Marc', 'Leroy');
  const L = await person('staff', 'Nadia', 'Moreau');
  const O = await person('staff', 'Paul', 'Roux');
  const P = await person('principal', 'Anne', 'Fournier');
  const A = await person('local_admin', 'Luc', 'Girard');
  await db
    .updateTable('membership')
    .set({ functions: ['EDU'] })
    .where('user_id', '=', L.id)
    .execute();
  await db
    .updateTable('membership')
    .set({ functions: ['ADF'] })
    .where('user_id', '=', O.id)
    .execute();
  await enrol(db, school, S1.id, { classId: c1.id });
  await enrol(db, school, S2.id, { classId: c1.id });
  await enrol(db, school, S3.id, { classId: c2.id });
  await enrol(db, school, S1.id, { groupId: g.id });
  await enrol(db, school, S3.id, { groupId: g.id });
  await guard(db, school, G1.id, S1.id);
  await guard(db, school, G3.id, S3.id);
  await assign(db, school, T1.id, { classId: c1.id }, maths);
  await headTeacher(db, school, T1.id, c1.id);
  await assign(db, school, T3.id, { classId: c2.id }, english);
  await assign(db, school, T3.id, { groupId: g.id }, english);
  const people = { S1, S2, S3, G1, G3, T1, T3, L, O, P, A };
  const agents = {} as Record<keyof typeof people, Agent>;
  for (const [k, u] of Object.entries(people)) agents[k as keyof typeof people] = await loginAs(app, u.login);
  return { school, c1, c2, g, people, agents };
}
export type MessagingWorld = Awaited<ReturnType<typeof messagingWorld>>;
