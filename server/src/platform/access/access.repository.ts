import type { Db } from '../db/schema.ts';

export interface OverrideRow {
  establishment_id: string;
  profile: string;
  permission: string;
  granted: boolean;
}

export interface EstablishmentSummary {
  id: string;
  uai: string;
  name: string;
  type: string;
}

export const accessRepository = {
  overrides: (db: Db, establishmentIds: string[], profiles: string[]): Promise<OverrideRow[]> =>
    establishmentIds.length === 0 || profiles.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('permission_override')
          .select(['establishment_id', 'profile', 'permission', 'granted'])
          .where('establishment_id', 'in', establishmentIds)
          .where('profile', 'in', profiles)
          .execute(),

  /** Every override of one establishment, all profiles (what the cache keeps). */
  overridesOf: (db: Db, establishmentId: string): Promise<OverrideRow[]> =>
    db
      .selectFrom('permission_override')
      .select(['establishment_id', 'profile', 'permission', 'granted'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  establishment: (db: Db, id: string): Promise<EstablishmentSummary | undefined> =>
    db.selectFrom('establishment').select(['id', 'uai', 'name', 'type']).where('id', '=', id).executeTakeFirst(),
};
