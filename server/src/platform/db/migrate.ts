import type { Kysely } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import * as m0001 from '../../migrations/0001_platform_core.ts';
import * as m0002 from '../../migrations/0002_directory_imports.ts';
import * as m0003 from '../../migrations/0003_directory_merges.ts';
import type { Database } from './schema.ts';

/** Ordered, forward-only migrations. File names are `NNNN_<module>_<change>.ts`. */
export const migrations: Record<string, Migration> = {
  '0001_platform_core': m0001,
  '0002_directory_imports': m0002,
  '0003_directory_merges': m0003,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}
