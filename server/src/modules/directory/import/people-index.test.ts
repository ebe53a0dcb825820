/**
 * The grouped import's compact index (people-index.ts, `AafScan` in partition.ts): keys as numbers, people in
 * several establishments, a structure named once, keys only named by a link, and an export without anybody.
 */
import { describe, expect, test } from 'vitest';
import { generateAafSet } from '../../../../test/aaf-generator.ts';
import { aafPerson as person, aafXml as xml } from '../../../../test/aaf-records.ts';
import { freshDatabase } from '../../../../test/helpers.ts';
import { runImport } from './engine.ts';
import { dropFirstPass, firstPass, partition } from './partition.ts';
import { KeyTable } from './people-index.ts';
import { memorySource } from './sources.ts';

type File = { name: string; content: Buffer | string };

describe('the key table', () => {
  test('numbers keys in order of first sight, finds them back after growing, and knows what it has not seen', () => {
    const t = new KeyTable();
    const keys = ['', 'é', 'Ü-😀', 'a'.repeat(1000), ...Array.from({ length: 50_000 }, (_, i) => `K${i}`)];
    for (const [i, k] of keys.entries()) expect(t.intern(k)).toBe(i);
    for (const [i, k] of keys.entries()) expect(t.intern(k)).toBe(i);
    expect(t.size).toBe(keys.length);
    t.trim();
    for (const [i, k] of keys.entries()) {
      expect(t.find(k)).toBe(i);
      expect(t.key(i)).toBe(k);
    }
    for (const k of ['K50000', 'k1', 'e', 'Ü', 'a'.repeat(999)]) expect(t.find(k)).toBe(-1);
  });
});

describe('the first pass and the partition', () => {
  test('a person in two establishments is read in both, one named once or nowhere in the first only', async () => {
    const db = await freshDatabase();
    const files: File[] = [];
    ['9300001', '9300002'].forEach((sk, i) => {
      for (const f of generateAafSet({
        students: 10,
        guardians: 12,
        staff: 3,
        structureKey: sk,
        uaiDigits: `093000${i + 1}`,
        prefix: 'AB'[i]!,
      }))
        files.push({ name: f.name.replace(/_0(\d{3})\.xml$/, `_${i + 1}$1.xml`), content: f.content });
    });
    const ens = (sk: string) => `${sk}$ENS$ENSEIGNEMENT$L1300$ENSEIGNANT`;
    files.push(
      {
        name: 'ENT2D_Complet_20260901_PersRelEleve_9001.xml',
        content: xml([
          // Children in both lycées, and a child the export never describes.
          person('PersRelEleve', 'XR000001', [
            ['sn', ['PARENT']],
            ['givenName', ['Commun']],
            ['ENTAuxPersRelEleveEleve', ['AE000001', 'BE000001', 'ZE999999']],
          ]),
        ]),
      },
      {
        name: 'ENT2D_Complet_20260901_PersEducNat_9001.xml',
        content: xml([
          person('PersEducNat', 'XP000001', [
            ['sn', ['PARTAGE']],
            ['givenName', ['Enseignant']],
            ['ENTPersonStructRattach', ['9300001', '9300002']],
            ['ENTPersonFonctions', [ens('9300001'), ens('9300002')]],
          ]),
          // The only one to name this structure, which the export does not describe.
          person('PersEducNat', 'XP000002', [
            ['sn', ['SEUL']],
            ['givenName', ['Agent']],
            ['ENTPersonStructRattach', ['9399999']],
            ['ENTPersonFonctions', ['9399999$EDU$EDUCATION$CPE$CONSEILLER']],
          ]),
        ]),
      },
    );
    const pass = await firstPass(
      files.map((f) => memorySource(f.name, f.content)),
      () => {},
    );
    try {
      const { scan } = pass;
      expect(scan.unfit).toBeNull();
      // 2 × (10 students, 12 guardians, 3 staff), the shared guardian and the two staff members.
      expect(scan.size).toBe(53);
      expect(scan.count).toBe(54); // and the child only named by a link
      // Named by one person only: its attachment and its function.
      expect(scan.structureRefs().get('9399999')?.count).toBe(2);
      const part = await partition(db, pass, 1);
      expect(part.groups).toHaveLength(2);
      expect(part.anomalies.map((a) => [a.code, a.key])).toContainEqual(['UNKNOWN_STRUCTURE', '9399999']);
      expect(scan.groupsOf('XR000001').sort()).toEqual([0, 1]);
      expect(scan.groupsOf('XP000001').sort()).toEqual([0, 1]);
      expect(scan.groupsOf('AE000001')).toEqual([0]);
      expect(scan.groupsOf('BE000001')).toEqual([1]);
      // Placed nowhere: read with the first group.
      expect(scan.groupsOf('XP000002')).toEqual([0]);
      expect(scan.groupsOf('ZE999999')).toEqual([0]);
      expect(scan.groupsOf('nobody')).toEqual([0]);
      expect(part.sizes).toEqual([10 + 12 + 3 + 1 + 1 + 1, 10 + 12 + 3 + 1 + 1]);
      expect(part.context.kindOf('XR000001')).toBe('guardian');
      expect(part.context.kindOf('BE000001')).toBe('student');
      expect(part.context.kindOf('XP000002')).toBe('staff');
      expect(part.context.kindOf('ZE999999')).toBeUndefined();
      expect(part.context.kindOf('nobody')).toBeUndefined();
      expect(part.context.placedGuardian('XR000001')).toBe(true);
      expect(part.context.placedGuardian('XP000001')).toBe(false);
      expect(part.context.placedGuardian('nobody')).toBe(false);
    } finally {
      await dropFirstPass(pass);
    }
  });

  test('an export without anybody: in groups as in one piece', async () => {
    const files: File[] = [
      { name: 'ENT2D_Complet_20260901_Eleve_0001.xml', content: xml([]) },
      { name: 'ENT2D_Complet_20260901_PersEducNat_0001.xml', content: xml([]) },
    ];
    const outcomes = [];
    for (const groupPeople of [0, 1]) {
      const db = await freshDatabase();
      outcomes.push(
        await runImport(db, {
          kind: 'aaf',
          sources: files.map((f) => memorySource(f.name, f.content)),
          dryRun: false,
          scope: null,
          jobId: null,
          actorId: null,
          activationCodeDays: 90,
          groupPeople,
          groupedFromBytes: 0,
        }),
      );
    }
    const [one, parts] = outcomes;
    expect(parts!.groups).toBe(1);
    expect(parts!.status).toBe(one!.status);
    expect(parts!.report).toEqual(one!.report);
    expect(parts!.establishmentIds).toEqual([]);
  });
});
