import type { Db } from '../db/schema.ts';

export const accessRepository = {
  overrides: (db: Db, establishmentIds: string[], profiles: string[]) =>
    establishmentIds.length === 0 || profiles.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('permission_override')
          .select(['establishment_id', 'profile', 'permission', 'granted'])
          .where('establishment_id', 'in', establishmentIds)
          .where('profile', 'in', profiles)
          .execute(),

  establishmentExists: (db: Db, id: string) =>
    db.selectFrom('establishment').select('id').where('id', '=', id).executeTakeFirst(),
};
