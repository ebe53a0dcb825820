import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The module boundaries of docs/ARCHITECTURE.md, checked on the source text (run by test/boundaries.test.ts,
 * which also plants a breach of each rule to prove the check fails on it):
 *
 * 1. SQL only in `*.repository.ts` and `*.access.ts` (and migrations) inside `src/modules/` and `src/cli/`.
 * 2. Another module is reached only through its `index.ts`.
 * 3. `src/platform/` holds no business rule: it never imports a module.
 * 4. A table is written only by the module that owns it (`defineModule({ tables })`); the platform's own
 *    tables only by `src/platform/`.
 */

export interface Violation {
  rule: 'sql-outside-repository' | 'module-internals' | 'platform-imports-module' | 'foreign-table-write';
  file: string;
  detail: string;
}

export interface BoundaryInput {
  /** The `src` folder to check. */
  src: string;
  /** Table → owning module name, or `platform`. */
  owners: Record<string, string>;
}

const SQL = /\.(selectFrom|insertInto|updateTable|deleteFrom|mergeInto)\(|\bsql(<[^>]*>)?`/;
const WRITE_BUILDER = /\.(insertInto|updateTable|deleteFrom|mergeInto)\(\s*'([a-z_]+)/g;
const WRITE_RAW = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+([a-z_]+)\b/g;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

const isTestOnly = (file: string) => /\.(test|matrix)\.ts$/.test(file);
const isMigration = (file: string) => /(^|[/\\])\d{4}_[a-z_]+\.ts$/.test(file);
const isSqlHome = (file: string) => /\.(repository|access)\.ts$/.test(file) || isMigration(file);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** `modules/<name>/…` → name; anything else → null. */
function moduleOf(src: string, file: string): string | null {
  const parts = relative(src, file).split(sep);
  return parts[0] === 'modules' && parts.length > 2 ? (parts[1] ?? null) : null;
}

function area(src: string, file: string): 'modules' | 'platform' | 'cli' | 'other' {
  const first = relative(src, file).split(sep)[0];
  return first === 'modules' || first === 'platform' || first === 'cli' ? first : 'other';
}

/** Comments out: a word in a comment is not code. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function checkBoundaries({ src, owners }: BoundaryInput): Violation[] {
  const out: Violation[] = [];
  for (const file of walk(src)) {
    if (isTestOnly(file)) continue;
    const rel = relative(src, file);
    const text = code(readFileSync(file, 'utf8'));
    const where = area(src, file);
    const mine = moduleOf(src, file);

    if ((where === 'modules' || where === 'cli') && !isSqlHome(file) && SQL.test(text)) {
      out.push({ rule: 'sql-outside-repository', file: rel, detail: 'SQL outside *.repository.ts / *.access.ts' });
    }

    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const targetModule = moduleOf(src, target);
      if (where === 'platform' && relative(src, target).split(sep)[0] === 'modules') {
        out.push({ rule: 'platform-imports-module', file: rel, detail: spec });
      }
      if (targetModule && targetModule !== mine) {
        const inside = relative(join(src, 'modules', targetModule), target);
        if (inside !== 'index.ts' && where !== 'other') {
          out.push({ rule: 'module-internals', file: rel, detail: spec });
        }
      }
    }

    if (where === 'modules' || where === 'platform' || where === 'cli') {
      const writer = where === 'platform' ? 'platform' : (mine ?? 'cli');
      const tables = new Set<string>();
      for (const m of text.matchAll(WRITE_BUILDER)) tables.add(m[2]!);
      if (/\bsql(<[^>]*>)?`/.test(text)) for (const m of text.matchAll(WRITE_RAW)) tables.add(m[1]!);
      for (const t of tables) {
        const owner = owners[t];
        if (owner === undefined) continue; // not a table (a CTE name, a word in a string)
        if (owner !== writer) {
          out.push({ rule: 'foreign-table-write', file: rel, detail: `writes ${t}, owned by ${owner}` });
        }
      }
    }
  }
  return out;
}
