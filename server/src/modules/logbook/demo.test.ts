import { expect, test } from 'vitest';
import { freshDatabase } from '../../../test/helpers.ts';
import { testConfig } from '../../platform/config.ts';
import { createStorage } from '../../platform/storage/index.ts';
import { seedDemoIfEmpty } from '../../seed/demo.ts';
import { seedModuleDemos } from '../../seed/modules.ts';
import { documentsModule } from '../documents/index.ts';
import { timetableModule } from '../timetable/index.ts';
import { logbookModule } from './index.ts';

/** The demo's logbook shows an attachment: prof.demo's worksheet of the 2NDE1 space, on their latest homework. */
test("prof.demo's latest 2NDE1 homework carries the space's worksheet, by reference", async () => {
  const db = await freshDatabase();
  const config = testConfig('unused');
  expect(await seedDemoIfEmpty(db, config)).toBe(true);
  await seedModuleDemos(db, config, [timetableModule, documentsModule, logbookModule], createStorage(config.storage));
  const refs = await db
    .selectFrom('document_reference as r')
    .innerJoin('document as d', 'd.id', 'r.document_id')
    .innerJoin('logbook_homework as h', 'h.id', 'r.holder_id')
    .innerJoin('class as c', 'c.id', 'h.class_id')
    .select(['r.holder_module', 'r.holder_type', 'd.name', 'c.code'])
    .execute();
  if (refs.length === 0) {
    // Before the year's first weeks there is no homework to attach to.
    const any = await db.selectFrom('logbook_homework').select('id').limit(1).executeTakeFirst();
    expect(any).toBeUndefined();
    return;
  }
  expect(refs).toEqual([
    {
      holder_module: 'logbook',
      holder_type: 'homework',
      name: "Fiche d'exercices — fonctions affines.pdf",
      code: '2NDE1',
    },
  ]);
}, 180_000);
