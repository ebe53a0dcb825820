import type { Db } from '../../platform/db/schema.ts';

export interface ServiceSettingRow {
  service_key: string;
  status: 'mandatory' | 'recommended' | 'closed';
  profiles: string[];
  opens_on: string | null;
  generalizes_on: string | null;
  usage_rules: Record<string, string>;
  updated_at: Date;
}

/** All SQL of the services module. */
export const serviceSettings = {
  ofEstablishment: (db: Db, establishmentId: string): Promise<ServiceSettingRow[]> =>
    db
      .selectFrom('establishment_service')
      .select(['service_key', 'status', 'profiles', 'opens_on', 'generalizes_on', 'usage_rules', 'updated_at'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  one: (db: Db, establishmentId: string, key: string): Promise<ServiceSettingRow | undefined> =>
    db
      .selectFrom('establishment_service')
      .select(['service_key', 'status', 'profiles', 'opens_on', 'generalizes_on', 'usage_rules', 'updated_at'])
      .where('establishment_id', '=', establishmentId)
      .where('service_key', '=', key)
      .executeTakeFirst(),

  upsert: (
    db: Db,
    row: {
      establishmentId: string;
      key: string;
      status: string;
      profiles: string[];
      opensOn: string | null;
      generalizesOn: string | null;
      usageRules: Record<string, string>;
      updatedBy: string;
    },
  ) =>
    db
      .insertInto('establishment_service')
      .values({
        establishment_id: row.establishmentId,
        service_key: row.key,
        status: row.status as 'mandatory',
        profiles: row.profiles,
        opens_on: row.opensOn,
        generalizes_on: row.generalizesOn,
        usage_rules: JSON.stringify(row.usageRules),
        updated_by: row.updatedBy,
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.columns(['establishment_id', 'service_key']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          profiles: eb.ref('excluded.profiles'),
          opens_on: eb.ref('excluded.opens_on'),
          generalizes_on: eb.ref('excluded.generalizes_on'),
          usage_rules: eb.ref('excluded.usage_rules'),
          updated_by: eb.ref('excluded.updated_by'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute(),
};
