import { cached, defineCache } from '../cache.ts';
import type { Db } from '../db/schema.ts';

/**
 * Per person, from memory: the establishments where someone is a student — the first check of a family's daily
 * pages (is this a student of the establishment? else 404). Topic `u` (migration 0040): a person's memberships
 * announce `u:<their id>`. The check itself stays in each module's access rules and runs on every request; a
 * guardian's guardianships are kept by `relations` (relations.repository.ts). Inside a transaction, the database.
 */
const STUDENT_OF = defineCache<ReadonlySet<string>>({
  name: 'student-establishments',
  topic: 'u',
  max: 100_000,
  ttlMs: 120_000,
});

/** Whether this person is a student of the establishment (as `relations.membersOf(…, ['student'])`). */
export async function isStudentOf(db: Db, establishmentId: string, userId: string): Promise<boolean> {
  const of = await cached(db, STUDENT_OF, userId, async () => {
    const rows = await db
      .selectFrom('membership')
      .select('establishment_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('profile', '=', 'student')
      .execute();
    return new Set(rows.map((r) => r.establishment_id));
  });
  return of.has(establishmentId);
}
