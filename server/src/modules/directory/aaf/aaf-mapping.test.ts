import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AafGuardian,
  type AafMef,
  type AafStaff,
  type AafStructure,
  type AafStudent,
  type AafSubject,
  type MappedRecord,
  mapRecord,
  mapStaff,
} from './aaf-mapping.ts';
import { type AafRecord, fileKind, readAaf } from './aaf-parser.ts';
import { frenchDateToIso } from './values.ts';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/aaf/', import.meta.url));

async function mapFile(path: string): Promise<MappedRecord[]> {
  const file = path.split('/').pop()!;
  const { records, error } = await readAaf(createReadStream(FIXTURES + path), { file });
  expect(error).toBeNull();
  return records.map((r) => mapRecord(r, { file, fileType: fileKind(file)?.type ?? null }));
}
const codes = (m: MappedRecord[]) => m.flatMap((r) => r.anomalies.map((a) => `${r.key}:${a.code}`));

describe('AAF mapping: the full set of one lycée', () => {
  it('maps the structure with its classes and groups', async () => {
    const [m] = await mapFile('full/ENT2D_Complet_20260901_EtabEducNat_0001.xml');
    expect(m?.anomalies).toEqual([]);
    const s = m?.entity as AafStructure;
    expect(s).toMatchObject({ entity: 'structure', key: '30122', uai: '0930122C', type: 'LYCEE', city: 'SAINT-DENIS' });
    expect(s.name).toBe('LYCEE PAUL ÉLUARD');
    expect(s.classes).toContainEqual({ code: '1G1', label: 'Première générale 1' });
    expect(s.groups.map((g) => g.code)).toEqual(['2NDE1_ESP2', 'SPE_MATHS']);
  });

  it('maps students: dates, classes, groups, MEF, guardians with levels, and their anomalies', async () => {
    const mapped = await mapFile('full/ENT2D_Complet_20260901_Eleve_0001.xml');
    const [eloise, , aissatou, lucas] = mapped.map((m) => m.entity as AafStudent);
    expect(eloise).toMatchObject({
      key: 'E1001',
      ine: '123456789AB',
      lastName: 'MARTIN',
      firstName: 'Éloïse',
      birthDate: '2010-03-14',
      structureKeys: ['30122'],
      classes: [{ structureKey: '30122', code: '2NDE1' }],
      mef: '20010018110',
    });
    expect(eloise?.groups.map((g) => g.code)).toEqual(['2NDE1_ESP2', 'SPE_MATHS']);
    expect(eloise?.guardians.map((g) => [g.guardianKey, g.relation, g.level])).toEqual([
      ['R2001', '20', 'legal'],
      ['R2002', '10', 'legal'],
    ]);
    expect(aissatou?.birthDate).toBeNull();
    expect(aissatou?.guardians.map((g) => g.level)).toEqual(['legal', 'in_charge']);
    expect(lucas?.classes).toEqual([]);
    expect(lucas?.guardians).toEqual([
      expect.objectContaining({ guardianKey: 'R2005', level: 'legal', source: 'ENTElevePersRelEleve' }),
    ]);
    expect(codes(mapped)).toEqual(['E1003:MALFORMED_DATE', 'E1004:MALFORMED_VALUE', 'E1004:STUDENT_WITHOUT_CLASS']);
    const a = mapped[2]?.anomalies[0];
    expect(a).toMatchObject({ file: 'ENT2D_Complet_20260901_Eleve_0001.xml', record: 3, key: 'E1003' });
    expect(a?.message).toContain('31/02/2010');
    expect(a?.params).toEqual({ attribute: 'ENTPersonDateNaissance', value: '31/02/2010' });
    expect(mapped[3]?.anomalies[0]?.params).toMatchObject({ variant: expect.any(String), value: expect.any(String) });
  });

  it('maps ISO-8859-15 students', async () => {
    const [zoe] = (await mapFile('full/ENT2D_Complet_20260901_Eleve_0002.xml')).map((m) => m.entity as AafStudent);
    expect(zoe).toMatchObject({ lastName: 'LEFÈVRE-CŒURDEROY', otherFirstNames: ['Zoé', 'Anaïs', 'Maëlle'] });
  });

  it('maps guardians with contacts, address and children', async () => {
    const mapped = await mapFile('full/ENT2D_Complet_20260901_PersRelEleve_0001.xml');
    const sophie = mapped[0]?.entity as AafGuardian;
    expect(sophie).toMatchObject({
      email: 'sophie.martin@example.fr',
      phones: { home: '01 48 20 11 22', work: null, mobile: '06 12 34 56 78' },
      address: { lines: ['12 rue de la République', 'Bâtiment B'], postalCode: '93200', city: 'SAINT-DENIS' },
      studentKeys: ['E1001', 'E1002'],
    });
    expect((mapped[1]!.entity as AafGuardian).phones.work).toBe('01 55 87 00 00');
    expect(codes(mapped)).toEqual(['R2004:GUARDIAN_WITHOUT_CONTACT']);
  });

  it('maps staff functions to profiles, teaching assignments and head teachers', async () => {
    const mapped = await mapFile('full/ENT2D_Complet_20260901_PersEducNat_0001.xml');
    const byKey = Object.fromEntries(mapped.map((m) => [m.key, m.entity as AafStaff]));
    const profiles = (k: string) => byKey[k]?.profiles.map((p) => p.profile);
    expect(profiles('P3001')).toEqual(['principal']);
    expect(profiles('P3002')).toEqual(['staff']);
    expect(profiles('P3003')).toEqual(['teacher']);
    expect(profiles('P3005')).toEqual(['staff']);
    expect(profiles('P3006')).toEqual(['staff']);
    expect(byKey.P3001?.functions[0]).toMatchObject({ code: 'DIR', positionLabel: 'PROVISEUR', structureKey: '30122' });
    expect(byKey.P3001?.birthDate).toBe('1968-06-05');
    expect(byKey.P3003?.assignments).toEqual([
      { structureKey: '30122', kind: 'class', code: '2NDE1', subjectCode: '061300' },
      { structureKey: '30122', kind: 'class', code: 'TG1', subjectCode: '061300' },
      { structureKey: '30122', kind: 'group', code: 'SPE_MATHS', subjectCode: '061300' },
    ]);
    expect(byKey.P3003?.headTeacherOf).toEqual([{ structureKey: '30122', code: '2NDE1' }]);
    expect(byKey.P3003?.teachesStudents).toBe(true);
    expect(codes(mapped)).toEqual(['P3007:TEACHER_WITHOUT_ASSIGNMENT']);
  });

  it('maps subjects and MEF', async () => {
    const subjects = (await mapFile('full/ENT2D_Complet_20260901_MatiereEducNat_0001.xml')).map(
      (m) => m.entity as AafSubject,
    );
    expect(subjects.map((s) => [s.code, s.label])).toContainEqual(['061300', 'MATHEMATIQUES']);
    const mefs = await mapFile('full/ENT2D_Complet_20260901_MefEducNat_0001.xml');
    expect(codes(mefs)).toEqual([]);
    expect(mefs[1]?.entity as AafMef).toMatchObject({
      code: '20112001110',
      label: '1ERE GENERALE',
      level: 'PREMIERE GENERALE',
    });
  });
});

describe('AAF mapping: deltas, deprecated attributes, odd values', () => {
  it('maps a delta: add, modify with the provided attributes, delete with the key only', async () => {
    const [add, modify, del] = await mapFile('delta/ENT2D_Delta_20260915_Eleve_0001.xml');
    expect(add).toMatchObject({ op: 'add', entityKind: 'student', key: 'E1010' });
    expect(modify).toMatchObject({ op: 'modify', key: 'E1001', provided: ['ENTEleveClasses', 'ENTEleveGroupes'] });
    expect((modify!.entity as AafStudent).classes).toEqual([{ structureKey: '30122', code: '2NDE2' }]);
    expect(modify?.anomalies).toEqual([]);
    expect(del).toMatchObject({ op: 'delete', entityKind: 'student', key: 'E1004', entity: null });
  });

  it('tolerates ENTEleveParents and ENTEleveAutoriteParentale, and ignores unknown attributes', async () => {
    const mapped = await mapFile('deprecated/ENT2D_Complet_20190902_Eleve_0001.xml');
    const [chloe, hugo] = mapped.map((m) => m.entity as AafStudent);
    expect(chloe?.guardians.map((g) => [g.guardianKey, g.level, g.source])).toEqual([
      ['R0901', 'legal', 'deprecated'],
      ['R0902', 'in_charge', 'deprecated'],
    ]);
    expect(hugo?.guardians.map((g) => [g.guardianKey, g.level])).toEqual([['R0901', 'legal']]);
    expect(hugo?.birthDate).toBe('2006-08-30');
    expect(codes(mapped)).toEqual([]);
  });

  const rec = (category: string, attrs: Record<string, string[]>, id = 'K1'): AafRecord => ({
    kind: 'add',
    category,
    id,
    attrs,
    index: 4,
    line: 10,
  });

  it('reports a wrong UAI check letter, a malformed UAI and an unusual type, keeping the structure', () => {
    const bad = mapRecord(rec('EtabEducNat', { ENTStructureUAI: ['0931234X'], ENTStructureTypeStruct: ['CENTRE'] }), {
      file: 'f.xml',
    });
    expect(bad.entity).toMatchObject({ uai: '0931234X', type: 'CENTRE' });
    expect(bad.anomalies.map((a) => a.code)).toEqual(['UAI_CHECK_LETTER', 'UNUSUAL_STRUCTURE_TYPE']);
    expect(bad.anomalies[0]).toMatchObject({ file: 'f.xml', record: 4, key: 'K1', line: 10 });
    const malformed = mapRecord(rec('EtabEducNat', { ENTStructureUAI: ['93122'] }), { file: 'f.xml' });
    expect(malformed.anomalies.map((a) => a.code)).toEqual(['MALFORMED_VALUE']);
  });

  it('reports malformed compound values, codes and levels', () => {
    const m = mapRecord(
      rec('Eleve', {
        ENTEleveClasses: ['2NDE1', '30122$', '30122$2NDE1'],
        ENTElevePersRelEleve: ['R1$10$0$7$1$0', 'R2'],
        ENTEleveINE: ['12'],
      }),
      { file: 'f.xml' },
    );
    expect((m.entity as AafStudent).classes).toEqual([{ structureKey: '30122', code: '2NDE1' }]);
    expect((m.entity as AafStudent).guardians).toEqual([expect.objectContaining({ guardianKey: 'R1', level: null })]);
    expect(m.anomalies.map((a) => a.code)).toEqual([
      'MALFORMED_VALUE',
      'MALFORMED_VALUE',
      'MALFORMED_VALUE',
      'MALFORMED_VALUE',
      'MALFORMED_VALUE',
    ]);
    const subject = mapRecord(rec('MatiereEducNat', { ENTMatJointure: ['61300'] }), { file: 'f.xml' });
    expect(subject.anomalies.map((a) => a.code)).toEqual(['MALFORMED_VALUE']);
    const mef = mapRecord(rec('MefEducNat', { ENTMefJointure: ['2001'] }), { file: 'f.xml' });
    expect(mef.anomalies.map((a) => a.code)).toEqual(['MALFORMED_VALUE']);
  });

  it('tells the kind from the file type when the category is missing, and reports an unknown one', () => {
    expect(mapRecord({ ...rec('x', {}), category: null }, { file: 'f', fileType: 'MefEducNat' }).entityKind).toBe(
      'mef',
    );
    const unknown = mapRecord(rec('Martien', {}), { file: 'f' });
    expect(unknown).toMatchObject({ entity: null, entityKind: null });
    expect(unknown.anomalies[0]?.code).toBe('UNKNOWN_CATEGORY');
    expect(mapStaff(rec('Eleve', {}), { file: 'f' }).anomalies.map((a) => a.code)).toContain('UNEXPECTED_CATEGORY');
  });

  it('gives a teacher profile to staff without function who teach', () => {
    const m = mapStaff(
      rec('PersEducNat', {
        ENTPersonStructRattach: ['S1', 'S2'],
        ENTPersonFonctions: ['S1$-'],
        ENTAuxEnsGroupesMatieres: ['S2$G1$061300'],
      }),
      { file: 'f' },
    );
    expect(m.entity?.profiles).toEqual([
      { structureKey: 'S1', profile: 'staff' },
      { structureKey: 'S2', profile: 'teacher' },
    ]);
  });

  it('maps any record without throwing', () => {
    const values = fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 });
    fc.assert(
      fc.property(
        fc.constantFrom('Eleve', 'PersRelEleve', 'PersEducNat', 'EtabEducNat', 'MatiereEducNat', 'MefEducNat', 'X'),
        fc.constantFrom('add', 'modify', 'delete') as fc.Arbitrary<'add' | 'modify' | 'delete'>,
        fc.dictionary(
          fc.constantFrom(
            'ENTPersonDateNaissance',
            'ENTElevePersRelEleve',
            'ENTEleveClasses',
            'ENTPersonFonctions',
            'ENTAuxEnsClassesMatieres',
            'ENTStructureUAI',
            'ENTStructureClasses',
            'ENTMefJointure',
            'ENTMatJointure',
            'sn',
          ),
          values,
        ),
        (category, kind, attrs) => {
          const m = mapRecord({ ...rec(category, attrs), kind }, { file: 'f' });
          for (const a of m.anomalies) expect(a).toMatchObject({ file: 'f', record: 4 });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('French dates', () => {
  it('converts dd/mm/yyyy to ISO and refuses impossible dates', () => {
    expect(frenchDateToIso('14/03/2010')).toBe('2010-03-14');
    expect(frenchDateToIso('7/1/2009')).toBe('2009-01-07');
    expect(frenchDateToIso('29/02/2012')).toBe('2012-02-29');
    expect(frenchDateToIso('29/02/2011')).toBeNull();
    expect(frenchDateToIso('31/04/2010')).toBeNull();
    expect(frenchDateToIso('2010-03-14')).toBe('2010-03-14');
    expect(frenchDateToIso('14/03/10')).toBeNull();
    expect(frenchDateToIso('')).toBeNull();
  });

  it('round-trips every real date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        expect(frenchDateToIso(`${day}/${m}/${y}`)).toBe(iso);
      }),
    );
  });
});
