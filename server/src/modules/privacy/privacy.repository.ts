import type { Db } from '../../platform/db/schema.ts';

/** The platform's traces about one person, for the export of their data (reads only). */
export const traces = {
  sessions: (db: Db, userId: string) =>
    db
      .selectFrom('session')
      .select(['created_at', 'last_seen_at', 'expires_at', 'address', 'user_agent'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute(),

  auditAsActor: (db: Db, userId: string) =>
    db
      .selectFrom('audit_event')
      .select(['at', 'action', 'target_type', 'establishment_id', 'address'])
      .where('actor_id', '=', userId)
      .orderBy('at', 'desc')
      .limit(5000)
      .execute(),

  usage: (db: Db, userId: string) =>
    db
      .selectFrom('usage_event')
      .select(['at', 'service', 'action', 'establishment_id'])
      .where('user_id', '=', userId)
      .orderBy('at', 'desc')
      .limit(5000)
      .execute(),
};
