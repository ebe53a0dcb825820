import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { testApp } from '../../../test/helpers.ts';
import { testConfig } from '../../platform/config.ts';
import { createStorage } from '../../platform/storage/index.ts';
import { seedDemoIfEmpty } from '../../seed/demo.ts';
import { seedModuleDemos } from '../../seed/modules.ts';
import { documentsModule } from '../documents/index.ts';
import { timetableModule } from '../timetable/index.ts';
import { schoolLifeModule } from './index.ts';
import { purgeSchoolLife, retentionStart } from './purge.ts';

test('the current school year and the one before are kept; the year starts on 1 September', () => {
  expect(retentionStart('2026-11-30')).toBe('2025-09-01');
  expect(retentionStart('2026-09-01')).toBe('2025-09-01');
  expect(retentionStart('2026-08-31')).toBe('2024-09-01');
  expect(retentionStart('2027-01-05')).toBe('2025-09-01');
});

test('the purge removes what is dated before the cut-off, lets go of its documents, keeps sanctions and the rest', async () => {
  const { db } = await testApp();
  const config = testConfig('unused');
  await seedDemoIfEmpty(db, config);
  await seedModuleDemos(
    db,
    config,
    [timetableModule, documentsModule, schoolLifeModule],
    createStorage(config.storage),
  );
  const lycee = await db
    .selectFrom('establishment')
    .select('id')
    .where('uai', 'like', '0931234%')
    .executeTakeFirstOrThrow();
  const student = await db
    .selectFrom('app_user')
    .select('id')
    .where('login', '=', 'eleve.demo')
    .executeTakeFirstOrThrow();
  // Last year's records, as a year of use would have left them: an absence justified with a document, a
  // punishment and a sanction.
  const absence = await db
    .insertInto('school_life_absence')
    .values({
      establishment_id: lycee.id,
      student_id: student.id,
      kind: 'absence',
      starts_at: new Date('2024-10-07T08:00:00Z'),
      ends_at: new Date('2024-10-07T09:00:00Z'),
      on_date: '2024-10-07',
      state: 'justified',
      source: 'staff',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const justification = await db
    .insertInto('school_life_justification')
    .values({
      establishment_id: lycee.id,
      absence_id: absence.id,
      status: 'accepted',
      reason_text: 'Maladie',
      comment: 'Grippe',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const doc = await db.selectFrom('document').select('id').limit(1).executeTakeFirstOrThrow();
  await db
    .insertInto('document_reference')
    .values({
      establishment_id: lycee.id,
      document_id: doc.id,
      holder_module: 'school_life',
      holder_type: 'justification',
      holder_id: justification.id,
    })
    .execute();
  for (const kind of ['retenue', 'sanction'] as const)
    await db
      .insertInto('school_life_incident')
      .values({
        establishment_id: lycee.id,
        student_id: student.id,
        kind,
        on_date: '2024-11-12',
        reason: 'Test',
      } as never)
      .execute();

  const count = async (table: 'school_life_roll_call' | 'school_life_absence' | 'school_life_incident') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = {
    rollCalls: await count('school_life_roll_call'),
    absences: await count('school_life_absence'),
    incidents: await count('school_life_incident'),
  };
  // A cut-off in the middle of the demo's term: what is older goes, the rest stays as it was.
  const cut = (
    await sql<{
      d: string;
    }>`SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY on_date)::text AS d FROM school_life_roll_call`.execute(db)
  ).rows[0]?.d;
  const cutoff = cut ?? '2025-09-01';
  const older = async (table: 'school_life_roll_call' | 'school_life_absence') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select(db.fn.countAll().as('n'))
          .where('on_date', '<', cutoff)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const oldRollCalls = await older('school_life_roll_call');
  const oldAbsences = await older('school_life_absence');

  const gone = await purgeSchoolLife(db, cutoff);
  expect(gone.rollCalls).toBe(oldRollCalls);
  expect(gone.justifications).toBeGreaterThanOrEqual(1);
  expect(await older('school_life_roll_call')).toBe(0);
  expect(await older('school_life_absence')).toBe(0);
  expect(await count('school_life_roll_call')).toBe(before.rollCalls - oldRollCalls);
  // Absences of a purged roll call went with it (cascade) or as absences: none older is left, none newer was touched.
  expect(await count('school_life_absence')).toBe(before.absences - oldAbsences);
  expect(
    await db.selectFrom('school_life_justification').select('id').where('id', '=', justification.id).executeTakeFirst(),
  ).toBeUndefined();
  expect(
    await db.selectFrom('document_reference').select('id').where('holder_id', '=', justification.id).executeTakeFirst(),
  ).toBeUndefined();
  // The document itself stays in its space: only the reference goes.
  expect(await db.selectFrom('document').select('id').where('id', '=', doc.id).executeTakeFirst()).toBeDefined();
  const incidents = await db.selectFrom('school_life_incident').select('kind').where('on_date', '<', cutoff).execute();
  expect(incidents.map((i) => i.kind)).toEqual(['sanction']);
  // Nothing more the second time.
  expect(await purgeSchoolLife(db, cutoff)).toEqual({ rollCalls: 0, absences: 0, justifications: 0, incidents: 0 });
}, 180_000);
