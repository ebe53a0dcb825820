import { expect, test } from 'vitest';
import { freshDatabase } from '../../test/helpers.ts';
import { duplicates } from '../modules/directory/duplicates/duplicates.repository.ts';
import { testConfig } from '../platform/config.ts';
import { seedDemoIfEmpty } from './demo.ts';

/**
 * The demo académie makes no look-alike people by accident (issue 9: its duplicate finder listed 346 pairs at
 * the lycée, 157 at the collège, nearly all noise): names never repeat within an establishment, and the
 * finder shows only the two duplicates the demo makes on purpose.
 */
test('the demo académie: only its two deliberate duplicates are found', async () => {
  const db = await freshDatabase();
  expect(await seedDemoIfEmpty(db, testConfig('unused'))).toBe(true);
  const schools = await db.selectFrom('establishment').select(['id', 'name']).orderBy('name').execute();
  const found: Record<string, string[][]> = {};
  for (const s of schools) {
    const pairs = await duplicates.pairs(db, s.id, 1000);
    found[s.name] = pairs.map((p) => [...p.reasons].sort());
  }
  expect(found).toEqual({
    'Collège Louise Michel': [],
    // both at 0.95; the pair with more agreeing reasons first
    'Lycée Jean Jaurès': [['SAME_NAME', 'SAME_NAME_AND_CHILDREN'], ['SAME_NAME_AND_BIRTH_DATE']],
  });
}, 120_000);
