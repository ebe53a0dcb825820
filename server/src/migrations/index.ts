import type { Migration } from 'kysely/migration';
import { modules } from '../modules/index.ts';
import * as m0001 from './0001_platform_core.ts';
import * as m0002 from './0002_directory_imports.ts';
import * as m0003 from './0003_directory_merges.ts';
import * as m0020 from './0020_directory_membership_suspension.ts';
import * as m0021 from './0021_directory_duplicate_dismissal.ts';
import * as m0022 from './0022_directory_school_year_rollover.ts';
import * as m0040 from './0040_perf_cache_invalidation.ts';
import * as m0041 from './0041_perf_fillfactor.ts';
import * as m0999 from './0999_perf_cache_announce_after_commit.ts';

/**
 * The platform's and the first modules' migrations, kept here. Service modules declare their own
 * (`defineModule({ migrations })`, files in the module's folder); all are merged and run in name order
 * (ADR 0007). Names are `NNNN_<module>_<change>`, forward-only.
 */
const central: Record<string, Migration> = {
  '0001_platform_core': m0001,
  '0002_directory_imports': m0002,
  '0003_directory_merges': m0003,
  '0020_directory_membership_suspension': m0020,
  '0021_directory_duplicate_dismissal': m0021,
  '0022_directory_school_year_rollover': m0022,
  '0040_perf_cache_invalidation': m0040,
  '0041_perf_fillfactor': m0041,
  '0999_perf_cache_announce_after_commit': m0999,
};

export function allMigrations(): Record<string, Migration> {
  const all: Record<string, Migration> = { ...central };
  for (const m of modules) {
    for (const [name, migration] of Object.entries(m.migrations ?? {})) {
      if (!/^\d{4}_[a-z_]+$/.test(name) || !name.slice(5).startsWith(`${m.name}_`)) {
        throw new Error(`Migration ${name} of module ${m.name} must be named NNNN_${m.name}_<change>`);
      }
      if (all[name]) throw new Error(`Migration ${name} is declared twice`);
      all[name] = migration;
    }
  }
  return all;
}
