import { createReadStream, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type AafRecord, fileKind, parseAaf, readAaf, sniffEncoding } from './aaf-parser.ts';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/aaf/', import.meta.url));

function read(path: string, chunk = 64 * 1024) {
  return readAaf(createReadStream(FIXTURES + path, { highWaterMark: chunk }), { file: path.split('/').pop()! });
}

function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

describe('AAF parser: fixtures', () => {
  it('reads the full set of one lycée, in every chunk size', async () => {
    const files = readdirSync(`${FIXTURES}full`);
    expect(files).toHaveLength(7);
    for (const f of files) {
      const small = await read(`full/${f}`, 7);
      const big = await read(`full/${f}`);
      expect(small.error, f).toBeNull();
      expect(small.anomalies, f).toEqual([]);
      expect(small.records).toEqual(big.records);
      expect(fileKind(f)?.full).toBe(true);
    }
  });

  it('gives the attributes of a structure, multi-valued, in file order', async () => {
    const { records, encoding } = await read('full/ENT2D_Complet_20260901_EtabEducNat_0001.xml');
    expect(encoding).toBe('utf-8');
    expect(records).toHaveLength(1);
    const [r] = records as [AafRecord];
    expect(r).toMatchObject({ kind: 'add', category: 'EtabEducNat', id: '30122', index: 1, line: 3 });
    expect(r.attrs.ENTStructureNomCourant).toEqual(['LYCEE PAUL ÉLUARD']);
    expect(r.attrs.ENTStructureClasses).toEqual([
      '2NDE1$Seconde 1',
      '2NDE2$Seconde 2',
      '1G1$Première générale 1',
      'TG1$Terminale générale 1',
    ]);
  });

  it('decodes ISO-8859-15 (œ, Œ, è) from the prolog', async () => {
    const { records, encoding, error } = await read('full/ENT2D_Complet_20260901_Eleve_0002.xml', 5);
    expect(error).toBeNull();
    expect(encoding).toBe('iso-8859-15');
    expect(records.map((r) => r.attrs.sn?.[0])).toEqual(['LEFÈVRE-CŒURDEROY', 'FRANÇOIS']);
    expect(records[0]?.attrs.ENTPersonAutresPrenoms).toEqual(['Zoé', 'Anaïs', 'Maëlle']);
  });

  it('reads a delta with add, modify and delete', async () => {
    const name = 'ENT2D_Delta_20260915_Eleve_0001.xml';
    const { records, error } = await read(`delta/${name}`);
    expect(error).toBeNull();
    expect(records.map((r) => [r.kind, r.id, r.index])).toEqual([
      ['add', 'E1010', 1],
      ['modify', 'E1001', 2],
      ['delete', 'E1004', 3],
    ]);
    expect(records[1]?.attrs).toEqual({ ENTEleveClasses: ['30122$2NDE2'], ENTEleveGroupes: ['30122$SPE_MATHS'] });
    expect(records[2]?.attrs).toEqual({});
    expect(fileKind(name)).toEqual({
      prefix: 'ENT2D',
      full: false,
      mode: 'Delta',
      date: '2026-09-15',
      type: 'Eleve',
      part: 1,
    });
  });

  it('reads a file with deprecated attributes like any other', async () => {
    const { records, error } = await read('deprecated/ENT2D_Complet_20190902_Eleve_0001.xml');
    expect(error).toBeNull();
    expect(records[0]?.attrs.ENTEleveParents).toEqual(['R0901', 'R0902']);
  });

  it('reports a truncated file with the request it stopped in, after the complete ones', async () => {
    const { records, error } = await read('broken/ENT2D_Complet_20260901_Eleve_0009.xml');
    expect(records.map((r) => r.id)).toEqual(['E1001']);
    expect(error).toMatchObject({ code: 'TRUNCATED_XML', file: 'ENT2D_Complet_20260901_Eleve_0009.xml', record: 2 });
    expect(error?.message).toMatch(/line \d+/);
  });

  it('rejects a file that is not XML, or not AAF', async () => {
    expect((await read('broken/not-xml.xml')).error).toMatchObject({ code: 'NOT_XML', file: 'not-xml.xml' });
    expect((await read('broken/wrong-root.xml')).error).toMatchObject({ code: 'WRONG_ROOT', record: 1 });
    expect((await readAaf(Readable.from([]), { file: 'empty.xml' })).error).toMatchObject({ code: 'EMPTY_FILE' });
    expect((await readAaf(Readable.from([Buffer.from('  \n')]), { file: 'blank.xml' })).error?.code).toBe('EMPTY_FILE');
  });

  it('rejects a Latin-1 file declared UTF-8, pointing at the request, or goes on when asked', async () => {
    const strict = await read('broken/wrong-encoding.xml');
    expect(strict.error).toMatchObject({ code: 'INVALID_ENCODING', record: 1 });
    expect(strict.error?.line).toBeGreaterThan(5);
    const lenient = await readAaf(createReadStream(`${FIXTURES}broken/wrong-encoding.xml`), {
      file: 'wrong-encoding.xml',
      invalidEncoding: 'anomaly',
    });
    expect(lenient.error).toBeNull();
    expect(lenient.records).toHaveLength(2);
    expect(lenient.anomalies.map((a) => a.code)).toEqual(['INVALID_ENCODING']);
  });

  it('skips a request without identifier with a MISSING_KEY anomaly', async () => {
    const { records, anomalies, error } = await read('broken/missing-identifier.xml');
    expect(error).toBeNull();
    expect(records.map((r) => [r.id, r.index])).toEqual([['E1100', 2]]);
    expect(anomalies).toEqual([
      expect.objectContaining({ code: 'MISSING_KEY', file: 'missing-identifier.xml', record: 1 }),
      expect.objectContaining({ code: 'MALFORMED_VALUE', record: 2 }),
    ]);
  });

  it('rejects an unsupported declared encoding', async () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="EBCDIC-FR"?><ficAlimMENESR/>');
    expect((await readAaf(Readable.from([xml]), { file: 'x.xml' })).error?.code).toBe('UNSUPPORTED_ENCODING');
  });

  it('turns a read failure into READ_ERROR', async () => {
    const { error } = await readAaf(createReadStream(`${FIXTURES}no-such-file.xml`), { file: 'no-such-file.xml' });
    expect(error?.code).toBe('READ_ERROR');
  });

  it('streams: the first record comes before the whole input is read', async () => {
    let pulled = 0;
    async function* source() {
      yield Buffer.from(`<?xml version="1.0"?><ficAlimMENESR>${' '.repeat(2000)}`);
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield Buffer.from(`<addRequest><identifier><id>K${i}</id></identifier></addRequest>`);
      }
      yield Buffer.from('</ficAlimMENESR>');
    }
    for await (const r of parseAaf(source(), { file: 'big.xml' })) {
      expect(r.id).toBe('K0');
      break;
    }
    expect(pulled).toBeLessThan(10);
  });
});

describe('AAF file names', () => {
  it('parses full and delta names, with or without a directory', () => {
    expect(fileKind('/tmp/up/ENT_0930122C_Complet_20260901_PersEducNat_0012.XML')).toEqual({
      prefix: 'ENT_0930122C',
      full: true,
      mode: 'Complet',
      date: '2026-09-01',
      type: 'PersEducNat',
      part: 12,
    });
    expect(fileKind('ENT2D_Complet_20260901_MefEducNat_0001.xml')?.type).toBe('MefEducNat');
    expect(fileKind('ENT2D_Complet_20260931_Eleve_0001.xml')).toBeNull();
    expect(fileKind('ENT2D_Complet_20260901_Professeur_0001.xml')).toBeNull();
    expect(fileKind('eleves.xml')).toBeNull();
  });

  it('sniffs the encoding from a BOM or the prolog', () => {
    expect(sniffEncoding(Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?>')).encoding).toBe('windows-1252');
    expect(sniffEncoding(Buffer.from("<?xml version='1.0' encoding='ISO-8859-15'?>")).encoding).toBe('iso-8859-15');
    expect(sniffEncoding(Buffer.from('\ufeff<a/>')).encoding).toBe('utf-8');
    expect(sniffEncoding(Buffer.from('<a/>')).encoding).toBe('utf-8');
    expect(sniffEncoding(iconv.encode('\ufeff<a/>', 'utf-16le', { addBOM: true })).encoding).toBe('utf-16le');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property-based tests

const KINDS = { add: 'addRequest', modify: 'modifyRequest', delete: 'deleteRequest' } as const;
const CATEGORIES = [
  ['categoriePersonne', 'Eleve'],
  ['categoriePersonne', 'PersRelEleve'],
  ['categoriePersonne', 'PersEducNat'],
  ['categorieStructure', 'EtabEducNat'],
  ['categorieMatiere', 'MatiereEducNat'],
  ['categorieMef', 'MefEducNat'],
] as const;

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

interface GenRecord {
  kind: keyof typeof KINDS;
  cat: (typeof CATEGORIES)[number];
  id: string;
  attrs: [string, string[]][];
}

function toXml(records: GenRecord[], encoding: string): string {
  const out = [`<?xml version="1.0" encoding="${encoding}"?>\n<ficAlimMENESR>\n`];
  for (const r of records) {
    const tag = KINDS[r.kind];
    out.push(`<${tag}><operationalAttributes><attr name="${r.cat[0]}"><value>${r.cat[1]}</value></attr>`);
    out.push(`</operationalAttributes><identifier><id>${escapeText(r.id)}</id></identifier><attributes>`);
    for (const [name, values] of r.attrs) {
      out.push(`<attr name="${escapeAttr(name)}">`);
      for (const v of values) out.push(`<value>${escapeText(v)}</value>`);
      out.push('</attr>\n');
    }
    out.push(`</attributes></${tag}>\n`);
  }
  out.push('</ficAlimMENESR>\n');
  return out.join('');
}

const LATIN9 = iconv.decode(Buffer.from(Array.from({ length: 96 }, (_, i) => 0xa0 + i)), 'iso-8859-15');
const asciiChar = fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n));
const latin9Char = fc.oneof(asciiChar, fc.constantFrom(...LATIN9), fc.constantFrom('&', '<', '>', '"', "'", '$', '\t'));
const unicodeChar = fc.oneof(
  latin9Char,
  fc.integer({ min: 0xa0, max: 0xd7ff }).map((n) => String.fromCharCode(n)),
  fc.constantFrom('😀', '𝄞', 'ß', 'Ω'),
);

function genRecords(char: fc.Arbitrary<string>): fc.Arbitrary<GenRecord[]> {
  const value = fc
    .string({ unit: char, minLength: 1, maxLength: 20 })
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const name = fc.oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/),
    fc.constantFrom('sn', 'givenName', 'ENTEleveClasses', '__proto__', 'constructor', 'toString'),
  );
  const record = fc.record({
    kind: fc.constantFrom('add', 'modify', 'delete') as fc.Arbitrary<GenRecord['kind']>,
    cat: fc.constantFrom(...CATEGORIES),
    id: value,
    attrs: fc.uniqueArray(fc.tuple(name, fc.array(value, { maxLength: 4 })), { maxLength: 6, selector: (t) => t[0] }),
  });
  return fc.array(record, { maxLength: 8 });
}

function expected(records: GenRecord[]) {
  return records.map((r, i) => ({
    kind: r.kind,
    category: r.cat[1],
    id: r.id,
    attrs: Object.fromEntries(r.attrs),
    index: i + 1,
  }));
}

async function roundTrip(records: GenRecord[], encoding: string, chunk: number) {
  const bytes = iconv.encode(toXml(records, encoding), encoding);
  const got = await readAaf(chunked(bytes, chunk), { file: 'gen.xml' });
  expect(got.error).toBeNull();
  expect(got.anomalies).toEqual([]);
  expect(got.records.map(({ line: _line, attrs, ...r }) => ({ ...r, attrs: { ...attrs } }))).toEqual(expected(records));
}

describe('AAF parser: properties', () => {
  it('round-trips random well-formed records in UTF-8, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(genRecords(unicodeChar), fc.integer({ min: 1, max: 300 }), (records, chunk) =>
        roundTrip(records, 'UTF-8', chunk),
      ),
      { numRuns: 150 },
    );
  });

  it('round-trips random well-formed records in ISO-8859-15, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(genRecords(latin9Char), fc.integer({ min: 1, max: 300 }), (records, chunk) =>
        roundTrip(records, 'ISO-8859-15', chunk),
      ),
      { numRuns: 150 },
    );
  });

  it('never crashes nor hangs on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 500 }), async (bytes, chunk) => {
        const r = await readAaf(chunked(Buffer.from(bytes), chunk), { file: 'garbage.xml' });
        expect(r.error === null || typeof r.error.code === 'string').toBe(true);
        if (r.error) expect(r.error.file).toBe('garbage.xml');
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on random XML-ish strings', async () => {
    const token = fc.constantFrom(
      '<ficAlimMENESR>',
      '</ficAlimMENESR>',
      '<addRequest>',
      '</addRequest>',
      '<deleteRequest>',
      '<identifier>',
      '</identifier>',
      '<id>',
      '</id>',
      '<attributes>',
      '<attr name="sn">',
      '<attr>',
      '</attr>',
      '<value>',
      '</value>',
      '<![CDATA[x]]>',
      '&amp;',
      '&bad;',
      '<?xml version="1.0"?>',
      '<!DOCTYPE x>',
      'text',
      '<',
      '>',
      '"',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => {
        const r = await readAaf(Readable.from([Buffer.from(tokens.join(''))]), { file: 'tokens.xml' });
        for (const rec of r.records) expect(rec.id.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('reports every truncation of a valid file as an error', async () => {
    const full = iconv.encode(
      toXml(
        [
          { kind: 'add', cat: CATEGORIES[0], id: 'E1', attrs: [['sn', ['MARTIN']]] },
          { kind: 'delete', cat: CATEGORIES[0], id: 'E2', attrs: [] },
        ],
        'UTF-8',
      ),
      'utf-8',
    );
    const end = full.toString().lastIndexOf('</ficAlimMENESR>');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: end + 15 }), async (cut) => {
        const r = await readAaf(Readable.from([full.subarray(0, cut)]), { file: 'cut.xml' });
        expect(r.error).not.toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
