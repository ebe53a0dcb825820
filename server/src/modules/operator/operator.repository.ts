import type { OperatorIdentityBody } from '@preau/contracts';
import type { Db } from '../../platform/db/schema.ts';
import './operator.tables.ts';

export const operatorIdentity = {
  get: (db: Db) => db.selectFrom('operator_identity').select(['identity', 'updated_at']).executeTakeFirst(),

  /** Insert or replace the one row; returns its new time. */
  put: (db: Db, identity: OperatorIdentityBody, userId: string) =>
    db
      .insertInto('operator_identity')
      .values({ identity: JSON.stringify(identity), updated_by: userId, updated_at: new Date() })
      .onConflict((oc) =>
        oc.column('singleton').doUpdateSet({
          identity: JSON.stringify(identity),
          updated_by: userId,
          updated_at: new Date(),
        }),
      )
      .returning(['updated_at'])
      .executeTakeFirstOrThrow(),
};
