import { cached, defineCache } from '../cache.ts';
import type { Db } from '../db/schema.ts';

/**
 * Per person, from memory: the facts a family's daily pages check before anything else (is this a student of the
 * establishment, is the caller their guardian and do they see the grades). Topic `u` (migration 0040): a
 * person's memberships and the guardianships of a guardian announce `u:<their id>`. The checks themselves stay in
 * each module's access rules and run on every request; only these facts about one person are kept, and each
 * entry is read for that person's checks only. Inside a transaction they are read from the database.
 */
const STUDENT_OF = defineCache<ReadonlySet<string>>({
  name: 'student-establishments',
  topic: 'u',
  max: 100_000,
  ttlMs: 120_000,
});

export interface Guardianship {
  studentId: string;
  establishmentId: string;
  seesGrades: boolean;
}

const GUARDIANSHIPS = defineCache<readonly Guardianship[]>({
  name: 'guardianships',
  topic: 'u',
  max: 100_000,
  ttlMs: 120_000,
});

/** The establishments where this person holds a `student` membership. */
export const studentEstablishmentsOf = (db: Db, userId: string): Promise<ReadonlySet<string>> =>
  cached(db, STUDENT_OF, userId, async () => {
    const rows = await db
      .selectFrom('membership')
      .select('establishment_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('profile', '=', 'student')
      .execute();
    return new Set(rows.map((r) => r.establishment_id));
  });

/** A guardian's guardianships (every establishment). */
export const guardianshipsOf = (db: Db, guardianId: string): Promise<readonly Guardianship[]> =>
  cached(db, GUARDIANSHIPS, guardianId, async () => {
    const rows = await db
      .selectFrom('guardianship')
      .select(['student_id', 'establishment_id', 'sees_grades'])
      .where('guardian_id', '=', guardianId)
      .execute();
    return rows.map((r) => ({
      studentId: r.student_id,
      establishmentId: r.establishment_id,
      seesGrades: r.sees_grades,
    }));
  });

/** Whether this person is a student of the establishment (as `relations.membersOf(…, ['student'])`). */
export async function isStudentOf(db: Db, establishmentId: string, userId: string): Promise<boolean> {
  return (await studentEstablishmentsOf(db, userId)).has(establishmentId);
}

/** Whether the guardian has this child (as `relations.childrenOf`), and sees their grades (`childrenWithGradesOf`). */
export async function guardianOf(
  db: Db,
  guardianId: string,
  studentId: string,
  opts: { grades?: boolean } = {},
): Promise<boolean> {
  return (await guardianshipsOf(db, guardianId)).some(
    (g) => g.studentId === studentId && (!opts.grades || g.seesGrades),
  );
}
