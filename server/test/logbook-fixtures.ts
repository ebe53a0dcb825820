import type { Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';
import type { App } from '../src/platform/module.ts';
import { makeClass, makeGroup, subject } from './directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser } from './helpers.ts';

type Profile = NonNullable<NonNullable<Parameters<typeof makeUser>[1]>['profiles']>[number];

/** The logbook tests' school: maths and Spanish LV2, the class 2NDE1 and the group ESP2-A (the class's students). */
export async function schoolWithClassAndGroup(db: Kysely<Database>) {
  const school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '030602', 'Espagnol LV2');
  const c = await makeClass(db, school, '2NDE1');
  const g = await makeGroup(db, school, 'ESP2-A');
  return { school, classId: c.id, groupId: g.id };
}

/** People of the school, one profile and a first name each, logged in: their ids and agents by key. */
export async function people<K extends string>(
  app: App,
  db: Kysely<Database>,
  establishmentId: string,
  list: readonly (readonly [K, Profile, string])[],
): Promise<{ ids: Record<K, string>; as: Record<K, Agent> }> {
  const ids = {} as Record<K, string>;
  const as = {} as Record<K, Agent>;
  for (const [key, profile, firstName] of list) {
    const u = await makeUser(db, { establishmentId, profiles: [profile], firstName });
    ids[key] = u.id;
    as[key] = await loginAs(app, u.login);
  }
  return { ids, as };
}
