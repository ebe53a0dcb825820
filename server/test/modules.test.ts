import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SERVICE_CATALOGUE } from '@preau/contracts';
import { describe, expect, test } from 'vitest';
import { modules } from '../src/modules/index.ts';

/**
 * What the frame checks for every module of the list, so a new service cannot land half-declared
 * (DESIGN.md, "What every service module brings"). Routes without authorization rows are caught by
 * authorization-matrix.test.ts, boundary breaches by boundaries.test.ts.
 */
const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('the module list', () => {
  test('names and prefixes are unique and well-formed', () => {
    const names = modules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of modules) {
      expect(m.name).toMatch(/^[a-z_]+$/);
      expect(m.prefix.startsWith('/api')).toBe(true);
    }
  });

  test('every typed API is in the contracts list the web types its calls from (contracts/src/apis.ts)', () => {
    const apis = read('contracts/src/apis.ts');
    for (const m of modules.filter((x) => x.api)) {
      const symbol = `${m.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}Api`;
      expect(apis, `${m.name}: add ${symbol} to contracts/src/apis.ts`).toContain(`typeof ${symbol}.endpoints`);
    }
  });

  test('notification kinds and indicators are worded in both languages', () => {
    for (const m of modules) {
      for (const k of m.notifications ?? []) expect(k.label.fr && k.label.en, k.kind).toBeTruthy();
      for (const i of m.indicators ?? []) expect(i.label.fr && i.label.en, i.key).toBeTruthy();
    }
  });
});

describe('a service module brings the whole checklist', () => {
  const services = modules.filter((m) => m.service);
  test('each service of the catalogue marked available has its module', () => {
    const built = new Set(services.map((m) => m.service));
    expect(SERVICE_CATALOGUE.filter((e) => e.available && !built.has(e.key)).map((e) => e.key)).toEqual([]);
  });
  for (const m of services) {
    describe(m.name, () => {
      const dir = `server/src/modules/${m.name}`;
      test('its catalogue entry says it is available, and its web feature exists', () => {
        expect(SERVICE_CATALOGUE.find((e) => e.key === m.service)?.available).toBe(true);
        expect(read('web/src/features/index.ts')).toMatch(/from '\.\/[a-z_-]+\/index\.ts'/);
        const feature = readdirSync(join(root, 'web/src/features')).some(
          (d) =>
            existsSync(join(root, 'web/src/features', d, 'index.ts')) &&
            read(`web/src/features/${d}/index.ts`).includes(`service: '${m.service}'`),
        );
        expect(feature, `web/src/features/<x>/index.ts declaring service: '${m.service}'`).toBe(true);
      });
      test('object access rules, authorization rows, a typed API', () => {
        expect(existsSync(join(root, dir, `${m.name}.access.ts`)), `${dir}/${m.name}.access.ts`).toBe(true);
        expect(existsSync(join(root, dir, `${m.name}.matrix.ts`)), `${dir}/${m.name}.matrix.ts`).toBe(true);
        expect(m.api, 'api').toBeDefined();
      });
      test('notification kinds, indicators, personal data, demo data', () => {
        expect(m.notifications?.length, 'notifications').toBeGreaterThan(0);
        expect(m.indicators?.length, 'indicators').toBeGreaterThan(0);
        expect(m.personalData, 'personalData').toBeDefined();
        expect(m.personalData?.categories.length).toBeGreaterThan(0);
        expect(m.demo, 'demo').toBeDefined();
      });
      test('a browser test and a bench scenario name it', () => {
        const e2e = readdirSync(join(root, 'e2e/tests')).map((f) => read(`e2e/tests/${f}`));
        expect(e2e.some((t) => t.includes(m.name))).toBe(true);
        const bench = readdirSync(join(root, 'bench/src/scenarios')).map((f) => read(`bench/src/scenarios/${f}`));
        expect(bench.some((t) => t.includes(m.name))).toBe(true);
      });
    });
  }
});

describe('strings', () => {
  const keys = (o: unknown, prefix = ''): string[] =>
    o && typeof o === 'object'
      ? Object.entries(o).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
      : // plural forms, and the gender forms one language needs and the other not ("Administratrice locale")
        [
          prefix
            .slice(0, -1)
            .replace(/_(one|other|many|zero)$/, '')
            .replace(/_(female|male)$/, ''),
        ];
  const same = (dir: string) => {
    const fr = [...new Set(keys(JSON.parse(read(`${dir}/fr.json`))))].sort();
    const en = [...new Set(keys(JSON.parse(read(`${dir}/en.json`))))].sort();
    expect(en, `${dir}: English and French keys`).toEqual(fr);
  };
  test('the web app speaks both languages with the same keys, each feature too', () => {
    same('web/src/locales');
    for (const d of readdirSync(join(root, 'web/src/features'))) {
      if (existsSync(join(root, 'web/src/features', d, 'locales'))) same(`web/src/features/${d}/locales`);
    }
  });
});
