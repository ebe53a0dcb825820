import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  type CsvField,
  CsvParseError,
  type CsvRecord,
  CsvRecordReader,
  fieldOfHeader,
  groupGuardianRows,
  guardiansOfStudentRow,
  parseCsv,
  remapCsv,
} from './csv-parser.ts';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/csv/', import.meta.url));
const load = (name: string) => parseCsv(readFileSync(FIXTURES + name), { file: name });

describe('CSV parser: fixtures', () => {
  it('reads SIECLE-like students: `;`, UTF-8 with BOM, known, ignored and unknown columns', () => {
    const r = load('eleves-siecle-bom.csv');
    expect(r).toMatchObject({ encoding: 'utf-8', bom: true, separator: ';', profile: 'student' });
    expect(r.columns.map((c) => c.field)).toEqual([
      'lastName',
      'usageName',
      'firstName',
      'ignored',
      'birthDate',
      'ignored',
      'class',
      'groups',
      'level',
      'ine',
      'boarding',
      'photoConsent',
      'ignored',
      null,
    ]);
    expect(r.unknownColumns).toEqual(['Code Club']);
    expect(r.rows).toHaveLength(4);
    expect(r.rows[0]).toEqual({
      lastName: 'MARTIN',
      firstName: 'Éloïse',
      birthDate: '2010-03-14',
      class: '2NDE1',
      groups: '2NDE1_ESP2, SPE_MATHS',
      level: '2NDE GENERALE ET TECHNOLOGIQUE',
      ine: '123456789AB',
      boarding: 'DP DAN',
      photoConsent: 'Oui',
    });
    expect(r.rows[1]?.lastName).toBe("N'DIAYE");
    expect(r.rows[1]?.birthDate).toBeUndefined();
    expect(r.rows[3]).toMatchObject({ lastName: 'LEFÈVRE-CŒURDEROY', birthDate: '2009-01-07' });
    expect(r.anomalies).toEqual([
      expect.objectContaining({ code: 'MALFORMED_DATE', file: 'eleves-siecle-bom.csv', record: 3, line: 3 }),
    ]);
    expect(r.cells[2]?.[13]).toBe('B');
  });

  it('reads guardians: `,`, Windows-1252, one row per guardian × child, grouped', () => {
    const r = load('responsables-latin1.csv');
    expect(r).toMatchObject({ encoding: 'windows-1252', bom: false, separator: ',', profile: 'guardian' });
    expect(r.unknownColumns).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      title: 'Mme',
      lastName: 'MARTIN',
      firstName: 'Sophie',
      relation: 'MERE',
      address1: '12 rue de la République, Bât. B',
      homePhone: '01 48 20 11 22',
      mobilePhone: '06 12 34 56 78',
      email: 'sophie.martin@example.fr',
      childFirstName: 'Éloïse',
      childClass: '2NDE1',
    });
    const grouped = groupGuardianRows(r.rows, r.lines);
    expect(grouped.map((g) => [g.guardian.firstName, g.children.map((c) => c.firstName), g.lines])).toEqual([
      ['Sophie', ['Éloïse', 'Noé'], [2, 3]],
      ['Jérôme', ['Éloïse', 'Noé'], [4, 5]],
      ['Fatou', ['Aïssatou'], [6]],
    ]);
    expect(grouped[0]?.guardian.childFirstName).toBeUndefined();
  });

  it('reads R1/R2 guardians on student rows', () => {
    const r = load('eleves-r1-r2.csv');
    expect(r).toMatchObject({ separator: ';', profile: 'student', unknownColumns: ['Observations'] });
    expect(r.columns.slice(0, 9).map((c) => c.field)).toEqual([
      'externalId',
      'lastName',
      'firstName',
      'birthDate',
      'class',
      'r1.lastName',
      'r1.firstName',
      'r1.mobilePhone',
      'r1.email',
    ]);
    expect(r.rows[2]?.birthDate).toBe('2009-11-23');
    expect(guardiansOfStudentRow(r.rows[0]!)).toEqual([
      {
        rank: 1,
        guardian: {
          lastName: 'MARTIN',
          firstName: 'Sophie',
          mobilePhone: '06 12 34 56 78',
          email: 'sophie.martin@example.fr',
        },
      },
      { rank: 2, guardian: { lastName: 'MARTIN', firstName: 'Jérôme' } },
    ]);
    expect(guardiansOfStudentRow(r.rows[1]!).map((g) => g.rank)).toEqual([1]);
  });

  it('reads teachers: tab separated', () => {
    const r = load('enseignants-tab.csv');
    expect(r).toMatchObject({ separator: '\t', profile: 'teacher', unknownColumns: [] });
    expect(r.rows[0]).toMatchObject({
      lastName: 'BERNARD',
      subjects: 'MATHEMATIQUES',
      class: '2NDE1, TG1',
      headTeacher: '2NDE1',
      function: 'ENS',
      birthDate: '1975-06-05',
    });
    expect(r.anomalies.map((a) => [a.code, a.record])).toEqual([['MALFORMED_DATE', 4]]);
  });

  it('re-maps after the user maps an unknown column', () => {
    const r = load('eleves-siecle-bom.csv');
    const columns = r.columns.map((c) => (c.header === 'Code Club' ? { ...c, field: 'groups' as CsvField } : c));
    columns[7] = { header: 'Regroupement(s)', field: null };
    const { rows } = remapCsv(r, columns, 'eleves.csv');
    expect(rows[0]?.groups).toBe('A');
  });

  it('rejects empty and unreadable files', () => {
    expect(() => parseCsv(Buffer.alloc(0), { file: 'e.csv' })).toThrow(CsvParseError);
    expect(() => parseCsv('\ufeff \n', { file: 'e.csv' })).toThrow(/empty/);
    try {
      parseCsv('nom;prenom\n"MARTIN;Éloïse\n', { file: 'q.csv' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CsvParseError);
      expect((err as CsvParseError).toAnomaly()).toMatchObject({ code: 'MALFORMED_CSV', file: 'q.csv' });
    }
  });

  it('reports a second column mapped to the same field', () => {
    const r = parseCsv('Nom;Nom élève;Prénom\nMARTIN;MARTIN;Léa\n');
    expect(r.columns.map((c) => c.field)).toEqual(['lastName', null, 'firstName']);
    expect(r.anomalies.map((a) => a.code)).toEqual(['DUPLICATE_COLUMN']);
  });
});

describe('CSV headers', () => {
  it('recognises the headers seen in schools', () => {
    const cases: [string, CsvField | null][] = [
      ['Nom de famille', 'lastName'],
      ["Nom d'usage élève", 'usageName'],
      ['Prénom', 'firstName'],
      ['Né(e) le', 'birthDate'],
      ['date_naiss', 'birthDate'],
      ['Classe ou regroupement', 'class'],
      ['Regroupement(s)', 'groups'],
      ['Téléphone portable', 'mobilePhone'],
      ['Courriel', 'email'],
      ['Code postal', 'postalCode'],
      ['ID enfant', 'childExternalId'],
      ['R2_Prénom', 'r2.firstName'],
      ['Nom responsable 1', 'r1.lastName'],
      ['Email R2', 'r2.email'],
      ['Autorisation(s) photo(s)', 'photoConsent'],
      ['Autorisations associations', 'associationConsent'],
      ['Matière enseignée', 'subjects'],
      ['Professeur principal', 'headTeacher'],
      ['Commune de naissance', 'ignored'],
      ['Décision de passage', 'ignored'],
      ['Adresse 1', 'address1'],
      ['Couleur préférée', null],
      ['Civilité', 'title'],
      // « Sexe » (M/F) is not a civilité: known, not imported, never read as a title
      ['Sexe', 'ignored'],
      ['Genre', 'ignored'],
      ['', null],
    ];
    for (const [h, f] of cases) expect(fieldOfHeader(h), h).toBe(f);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property-based tests

const FIELDS = ['externalId', 'lastName', 'firstName', 'class', 'email', 'r1.lastName', 'r2.mobilePhone'] as const;
const HEADER_OF: Record<(typeof FIELDS)[number], string> = {
  externalId: 'Identifiant',
  lastName: 'Nom',
  firstName: 'Prénom',
  class: 'Classe',
  email: 'Courriel',
  'r1.lastName': 'R1_Nom',
  'r2.mobilePhone': 'R2 téléphone portable',
};
// Lower-case accented letters are ≥ 0xC0 in Windows-1252: never a valid UTF-8 sequence once encoded.
const ACCENTED = [...'éèêàâçôîïëùûü'];
const cellChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
  fc.constantFrom(...ACCENTED),
);
const cell = fc
  .string({ unit: cellChar, maxLength: 15 })
  .map((s) => s.trim())
  .filter((s) => !s.startsWith('"'));

const quote = (v: string, sep: string, force: boolean) =>
  force || v.includes(sep) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v;

describe('CSV parser: properties', () => {
  it('round-trips random rows, whatever the separator, quoting and encoding', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...FIELDS], { minLength: 1 }),
        fc.array(fc.array(cell, { minLength: 7, maxLength: 7 }), { maxLength: 20 }),
        fc.constantFrom(';', ',', '\t'),
        fc.constantFrom('utf-8', 'utf-8-bom', 'windows-1252'),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        (fields, values, sep, enc, forceQuotes, eol) => {
          // Keep rows with at least one value (empty rows are skipped) and the separator recognisable.
          const rows = values.map((v) => v.slice(0, fields.length)).filter((v) => v.some((x) => x !== ''));
          const header = fields.map((f) => HEADER_OF[f]);
          const lines = [header, ...rows].map((r) => r.map((v) => quote(v, sep, forceQuotes)).join(sep));
          if (fields.length === 1) lines[0] = `${lines[0]}${sep}Observations`;
          const text = lines.join(eol) + eol;
          const bytes =
            enc === 'windows-1252'
              ? iconv.encode(text, 'windows-1252')
              : Buffer.concat([Buffer.from(enc === 'utf-8-bom' ? '\ufeff' : ''), Buffer.from(text)]);
          const r = parseCsv(bytes, { file: 'gen.csv' });
          expect(r.separator).toBe(sep);
          const hasAccent = text.split('').some((ch) => ACCENTED.includes(ch));
          if (hasAccent) expect(r.encoding).toBe(enc === 'windows-1252' ? 'windows-1252' : 'utf-8');
          expect(r.columns.slice(0, fields.length).map((c) => c.field)).toEqual(fields);
          const want = rows.map((v) => Object.fromEntries(fields.map((f, i) => [f, v[i]]).filter(([, x]) => x !== '')));
          expect(r.rows).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never crashes on random bytes: it parses or throws CsvParseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 500 })), (input) => {
        try {
          const r = parseCsv(input, { file: 'g.csv' });
          expect(r.rows.length).toBe(r.cells.length);
        } catch (err) {
          expect(err).toBeInstanceOf(CsvParseError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads a file fed in chunks of any size exactly as the whole file', () => {
    const files = ['eleves-siecle-bom.csv', 'responsables-latin1.csv', 'eleves-r1-r2.csv', 'enseignants-tab.csv'];
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.integer({ min: 1, max: 64 }), (name, size) => {
        const bytes = readFileSync(FIXTURES + name);
        const whole = parseCsv(bytes, { file: name });
        const reader = new CsvRecordReader(name);
        const records: CsvRecord[] = [];
        for (let i = 0; i < bytes.length; i += size) records.push(...reader.push(bytes.subarray(i, i + size)));
        records.push(...reader.end());
        expect(reader.encoding).toBe(whole.encoding);
        expect(reader.separator).toBe(whole.separator);
        expect(records.slice(1).map((r) => r.cells)).toEqual(whole.cells);
        expect(records.slice(1).map((r) => r.line)).toEqual(whole.lines);
      }),
      { numRuns: 100 },
    );
  });
});
