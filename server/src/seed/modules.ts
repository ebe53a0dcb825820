import type { Kysely } from 'kysely';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/schema.ts';
import type { DemoWorld, ModuleDefinition } from '../platform/module.ts';
import { registerModuleDeclarations } from '../platform/registry.ts';
import type { BlobStorage } from '../platform/storage/index.ts';
import { rng } from './names.ts';

/** The demo's fixed accounts, which modules give their own demo data to. */
const DEMO_LOGINS = ['direction.demo', 'prof.demo', 'eleve.demo', 'parent.demo', 'cpe.demo', 'admin.demo'];

/**
 * After the directory part of the demo académie: each module of the list adds its own demo data, so that every
 * persona's first look shows the service alive. Each module's demo gets its own deterministic random stream.
 */
export async function seedModuleDemos(
  db: Kysely<Database>,
  config: Config,
  modules: readonly ModuleDefinition[],
  storage: BlobStorage,
): Promise<void> {
  const accounts = Object.fromEntries(
    (await db.selectFrom('app_user').select(['login', 'id']).where('login', 'in', DEMO_LOGINS).execute()).map((r) => [
      r.login,
      r.id,
    ]),
  );
  const establishments = (
    await db
      .selectFrom('establishment as e')
      .innerJoin('school_year as y', (j) => j.onRef('y.establishment_id', '=', 'e.id').on('y.status', '=', 'current'))
      .select(['e.id', 'e.uai', 'e.name', 'y.id as schoolYearId'])
      .orderBy('e.name')
      .execute()
  ).map((e) => ({ id: e.id, uai: e.uai, name: e.name, schoolYearId: e.schoolYearId }));
  // Demos post to the timeline: the notification kinds must be known before the app is built.
  registerModuleDeclarations(modules);
  let seed = 20260902;
  for (const m of modules) {
    if (!m.demo) continue;
    const world: DemoWorld = { db, config, storage, accounts, establishments, random: rng(seed++) };
    await m.demo(world);
  }
}
