import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { modules } from '../src/modules/index.ts';
import { checkBoundaries, type Violation } from './boundaries.ts';

/** The platform's own tables: sessions, throttling, traces. */
const PLATFORM_TABLES = ['session', 'login_throttle', 'audit_event', 'usage_event', 'usage_daily'];

function owners(): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(PLATFORM_TABLES.map((t) => [t, 'platform']));
  for (const m of modules) {
    for (const t of m.tables ?? []) {
      if (out[t]) throw new Error(`Table ${t} is claimed by ${out[t]} and ${m.name}`);
      out[t] = m.name;
    }
  }
  return out;
}

/**
 * Writes shared on purpose, each with its reason. `app_user` is one row per person: the directory owns the
 * identity, the accounts module the credentials on the same row (splitting the table is not worth a migration
 * of every query).
 */
const SHARED: { file: RegExp; rule: Violation['rule']; detail: RegExp; why: string }[] = [
  {
    file: /^modules\/accounts\//,
    rule: 'foreign-table-write',
    detail: /writes app_user, owned by directory/,
    why: 'credentials and own e-mail live on the person row',
  },
  {
    file: /^platform\/auth\/session\.repository\.ts$/,
    rule: 'foreign-table-write',
    detail: /writes app_user, owned by directory/,
    why: 'the last login time is written with the session, in the one statement of a login (the 8 a.m. path)',
  },
];

/**
 * Breaches that exist today and are being removed (each has an owner in the open issues); the list may only
 * shrink: a new breach anywhere fails the build.
 */
const KNOWN: { file: string; rule: Violation['rule']; detail?: string }[] = [
  // The import (issue 10, item 4): SQL into repositories, establishments and sessions through their modules.
  { file: 'modules/directory/import/import.repository.ts', rule: 'foreign-table-write' },
  // Directory administration: sessions ended through the platform, audit through audit(), years through their owner.
  { file: 'modules/directory/duplicates/duplicates.repository.ts', rule: 'foreign-table-write' },
  { file: 'modules/directory/sheets/sheets.repository.ts', rule: 'foreign-table-write' },
  { file: 'modules/directory/rollover/rollover.repository.ts', rule: 'foreign-table-write' },
];

const allowed = (v: Violation) =>
  SHARED.some((s) => s.rule === v.rule && s.file.test(v.file) && s.detail.test(v.detail)) ||
  KNOWN.some((k) => k.rule === v.rule && k.file === v.file && (k.detail === undefined || k.detail === v.detail));

describe('module boundaries', () => {
  test('the tree keeps them (no breach but the shared writes and the known ones being removed)', () => {
    const found = checkBoundaries({ src: resolve(import.meta.dirname, '../src'), owners: owners() });
    expect(found.filter((v) => !allowed(v))).toEqual([]);
  });

  test('every known breach still exists (the list shrinks as they are fixed)', () => {
    const found = checkBoundaries({ src: resolve(import.meta.dirname, '../src'), owners: owners() });
    const stale = KNOWN.filter((k) => !found.some((v) => v.rule === k.rule && v.file === k.file));
    expect(stale).toEqual([]);
  });

  describe('a planted breach of each rule fails the check', () => {
    const root = mkdtempSync(join(tmpdir(), 'preau-boundaries-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const plant = (files: Record<string, string>) => {
      const src = mkdtempSync(join(root, 'src-'));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(src, path)), { recursive: true });
        writeFileSync(join(src, path), text);
      }
      return checkBoundaries({ src, owners: { lesson: 'logbook', message: 'messaging', session: 'platform' } });
    };

    test('clean: repository SQL, index imports, own tables', () => {
      expect(
        plant({
          'modules/logbook/logbook.repository.ts': "export const q = (db) => db.insertInto('lesson').values({});",
          'modules/logbook/logbook.service.ts': "import { send } from '../messaging/index.ts';\nexport { send };",
          'modules/messaging/index.ts': 'export const send = 1;',
        }),
      ).toEqual([]);
    });

    test('SQL in a service file', () => {
      const v = plant({ 'modules/logbook/logbook.service.ts': "export const q = (db) => db.selectFrom('lesson');" });
      expect(v.map((x) => x.rule)).toEqual(['sql-outside-repository']);
    });

    test("another module's internals", () => {
      const v = plant({
        'modules/logbook/logbook.service.ts': "import { q } from '../messaging/messaging.repository.ts';",
        'modules/messaging/messaging.repository.ts': 'export const q = 1;',
      });
      expect(v.map((x) => x.rule)).toEqual(['module-internals']);
    });

    test('the platform importing a module', () => {
      const v = plant({
        'platform/thing.ts': "import { x } from '../modules/logbook/index.ts';",
        'modules/logbook/index.ts': 'export const x = 1;',
      });
      expect(v.map((x) => x.rule)).toEqual(['platform-imports-module']);
    });

    test("writing another module's table, by builder or raw SQL", () => {
      const v = plant({
        'modules/logbook/logbook.repository.ts':
          "export const a = (db) => db.deleteFrom('message');\nexport const b = (db) => sql`UPDATE session SET x = 1`;",
      });
      expect(v.map((x) => `${x.rule}: ${x.detail}`).sort()).toEqual([
        'foreign-table-write: writes message, owned by messaging',
        'foreign-table-write: writes session, owned by platform',
      ]);
    });
  });
});
