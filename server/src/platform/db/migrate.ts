import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { allMigrations } from '../../migrations/index.ts';
import type { Database } from './schema.ts';

/**
 * Forward-only migrations, run in name order. Modules land independently, so a migration may arrive whose name
 * sorts before one already applied (two branches): it is applied then rather than refused (ADR 0007).
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrations = allMigrations();
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}
