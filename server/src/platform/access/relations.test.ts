import { describe, expect, it } from 'vitest';
import { guard } from '../../../test/directory-fixtures.ts';
import { makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { cachesOf, caughtUp } from '../cache.ts';
import { relations } from './relations.repository.ts';

/** The relations read from memory (a guardian's guardianships, people's names) follow every change at once. */
describe('relations from memory', async () => {
  const { db } = await testApp();
  const stats = (name: string) => cachesOf(db)!.stats()[name] ?? { hits: 0, misses: 0, size: 0 };

  it("a guardian's children: kept, and a guardianship added, changed or removed is seen", async () => {
    const school = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    const parent = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'] });
    const [a, b] = await Promise.all([1, 2].map(() => makeUser(db, { establishmentId: school.id })));
    const c = await makeUser(db, { establishmentId: other.id });
    await guard(db, school, parent.id, a!.id);
    await caughtUp(db);
    expect(await relations.childrenOf(db, parent.id, [a!.id, b!.id, c.id])).toEqual(new Set([a!.id]));
    const hits = stats('guardianships').hits;
    expect(await relations.childrenWithGradesOf(db, parent.id, [a!.id])).toEqual(new Set([a!.id]));
    expect(stats('guardianships').hits).toBeGreaterThan(hits);

    await guard(db, school, parent.id, b!.id);
    await db
      .insertInto('guardianship')
      .values({ establishment_id: other.id, guardian_id: parent.id, student_id: c.id, level: 'legal' })
      .execute();
    await caughtUp(db);
    expect(await relations.childrenOf(db, parent.id, [a!.id, b!.id, c.id])).toEqual(new Set([a!.id, b!.id, c.id]));

    await db.updateTable('guardianship').set({ sees_grades: false }).where('student_id', '=', a!.id).execute();
    await caughtUp(db);
    expect(await relations.childrenWithGradesOf(db, parent.id, [a!.id, b!.id])).toEqual(new Set([b!.id]));

    await db.deleteFrom('guardianship').where('student_id', '=', b!.id).execute();
    await caughtUp(db);
    expect(await relations.childrenOf(db, parent.id, [a!.id, b!.id, c.id])).toEqual(new Set([a!.id, c.id]));
    // Inside a transaction, the database itself.
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('guardianship').where('student_id', '=', a!.id).execute();
      expect(await relations.childrenOf(trx, parent.id, [a!.id, c.id])).toEqual(new Set([c.id]));
    });
    await caughtUp(db);
    expect(await relations.childrenOf(db, parent.id, [a!.id, c.id])).toEqual(new Set([c.id]));
  });

  it('names: kept, and a rename is seen', async () => {
    const school = await makeEstablishment(db);
    const u = await makeUser(db, { establishmentId: school.id, firstName: 'Léa', lastName: 'Martin' });
    // A load that overlaps an invalidation (these inserts' own notifications) is answered but not kept.
    await caughtUp(db);
    expect(await relations.displayNames(db, [u.id])).toEqual(new Map([[u.id, 'MARTIN Léa']]));
    const hits = stats('display-names').hits;
    expect(await relations.displayNames(db, [u.id, '00000000-0000-4000-8000-000000000000'])).toEqual(
      new Map([[u.id, 'MARTIN Léa']]),
    );
    expect(stats('display-names').hits).toBe(hits + 1);
    await db.updateTable('app_user').set({ display_name: 'MARTIN-DURAND Léa' }).where('id', '=', u.id).execute();
    await caughtUp(db);
    expect(await relations.displayNames(db, [u.id])).toEqual(new Map([[u.id, 'MARTIN-DURAND Léa']]));
  });
});
