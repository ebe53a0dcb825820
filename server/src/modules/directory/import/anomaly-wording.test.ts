/**
 * Every anomaly the directory import can report has a wording in the web's locales: one per code, or one per
 * `params.variant` (`directory.anomalyDetail.<CODE>_<variant>`), in French and in English alike. The codes and
 * variants are read from the sources that emit them, so a new one without a wording fails here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../../..');
const SOURCES = [
  'aaf/aaf-parser.ts',
  'aaf/aaf-mapping.ts',
  'csv/csv-parser.ts',
  'import/aaf-reader.ts',
  'import/csv-reader.ts',
  'import/resolve.ts',
  'import/writer.ts',
  'import/engine.ts',
  'import/import.jobs.ts',
].map((f) => readFileSync(resolve(ROOT, 'server/src/modules/directory', f), 'utf8'));

/** Quoted upper-case identifiers that are not anomaly codes (structure types, an academy placeholder). */
const NOT_CODES = new Set([
  'COLLEGE',
  'CLG',
  'LYCEE',
  'LYC',
  'LPO',
  'LGT',
  'EREA',
  'ERPD',
  'SEGPA',
  'INCONNUE',
  'ERR_WORKER_OUT_OF_MEMORY',
]);

function details(lang: string): Record<string, string> {
  const json = JSON.parse(readFileSync(resolve(ROOT, `web/src/locales/${lang}.json`), 'utf8'));
  return json.directory.anomalyDetail;
}

describe('anomaly wordings', () => {
  const fr = details('fr');
  const en = details('en');
  const text = SOURCES.join('\n');
  const codes = new Set(
    [...text.matchAll(/'([A-Z][A-Z_]{4,})'/g)].map((m) => m[1]!).filter((c) => !NOT_CODES.has(c) && c.includes('_')),
  );
  for (const c of ['INTERNAL', 'NOT_XML']) codes.add(c);
  const variants = new Set([...text.matchAll(/variant: '([A-Za-z]+)'/g)].map((m) => m[1]!));

  it('French and English have the same wordings, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    const holes = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(fr)) expect(holes(en[k]!), k).toEqual(holes(fr[k]!));
  });

  it('every code emitted has a wording', () => {
    expect(codes.size).toBeGreaterThan(30);
    for (const code of codes)
      expect(
        Object.keys(fr).some((k) => k === code || k.startsWith(`${code}_`)),
        code,
      ).toBe(true);
  });

  it('every variant emitted has a wording', () => {
    expect(variants.size).toBeGreaterThan(10);
    for (const v of variants)
      expect(
        Object.keys(fr).some((k) => k.endsWith(`_${v}`)),
        v,
      ).toBe(true);
  });
});
