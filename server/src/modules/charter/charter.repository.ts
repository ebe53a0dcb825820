import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.ts';

export interface CurrentCharterRow {
  establishment_id: string;
  id: string;
  version: number;
  title: string;
  body: string;
  published_at: Date;
  inherited: boolean;
}

/** All SQL of the charter module. */
export const charters = {
  /** The charter in force in each establishment: its own latest version, else the platform default's latest. */
  currentFor: async (db: Db, establishmentIds: string[]): Promise<CurrentCharterRow[]> => {
    if (establishmentIds.length === 0) return [];
    const res = await sql<CurrentCharterRow>`
      SELECT e.id AS establishment_id, c.id, c.version, c.title, c.body, c.published_at,
             c.establishment_id IS NULL AS inherited
      FROM establishment e
      CROSS JOIN LATERAL (
        SELECT * FROM charter
        WHERE establishment_id = e.id OR establishment_id IS NULL
        ORDER BY (establishment_id IS NULL), version DESC
        LIMIT 1
      ) c
      WHERE e.id = ANY(${establishmentIds}::uuid[])`.execute(db);
    return res.rows;
  },

  /** Has the user accepted the charter in force in this establishment? One round-trip (every service call asks). */
  acceptedCurrent: async (db: Db, userId: string, establishmentId: string): Promise<boolean> => {
    const res = await sql<{ ok: boolean }>`
      SELECT c.id IS NULL OR EXISTS (
               SELECT 1 FROM charter_acceptance a
               WHERE a.user_id = ${userId} AND a.charter_id = c.id AND a.establishment_id = ${establishmentId}
             ) AS ok
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (
        SELECT id FROM charter
        WHERE establishment_id = ${establishmentId} OR establishment_id IS NULL
        ORDER BY (establishment_id IS NULL), version DESC
        LIMIT 1
      ) c ON true`.execute(db);
    return res.rows[0]?.ok ?? true;
  },

  /** Every acceptance of the user, as `charterId|establishmentId`. */
  acceptedAll: async (db: Db, userId: string) =>
    new Set(
      (
        await db
          .selectFrom('charter_acceptance')
          .select(['charter_id', 'establishment_id'])
          .where('user_id', '=', userId)
          .execute()
      ).map((r) => `${r.charter_id}|${r.establishment_id}`),
    ),

  /** The same as one JSON array, read by another statement (the login's: `sessions.insertForLogin`). */
  acceptedAllJson: (userId: string) =>
    sql<string[]>`COALESCE((SELECT json_agg(a.charter_id || '|' || a.establishment_id)
      FROM charter_acceptance a WHERE a.user_id = ${userId}), '[]'::json)`,

  accept: (db: Db, userId: string, charterId: string, establishmentId: string) =>
    db
      .insertInto('charter_acceptance')
      .values({ user_id: userId, charter_id: charterId, establishment_id: establishmentId })
      .onConflict((oc) => oc.columns(['user_id', 'charter_id', 'establishment_id']).doNothing())
      .execute(),

  /** A person's acceptances, for the export of their data. */
  acceptancesOf: (db: Db, userId: string) =>
    db
      .selectFrom('charter_acceptance as a')
      .innerJoin('charter as c', 'c.id', 'a.charter_id')
      .innerJoin('establishment as e', 'e.id', 'a.establishment_id')
      .select(['e.name as establishment', 'c.title', 'c.version', 'a.accepted_at'])
      .where('a.user_id', '=', userId)
      .orderBy('a.accepted_at', 'desc')
      .execute(),

  /** Serialise publications per establishment (a row lock on the establishment, held until commit). */
  lockEstablishment: (db: Db, establishmentId: string) =>
    db.selectFrom('establishment').select('id').where('id', '=', establishmentId).forUpdate().execute(),

  nextVersion: async (db: Db, establishmentId: string) => {
    const row = await db
      .selectFrom('charter')
      .select(sql<number>`COALESCE(MAX(version), 0) + 1`.as('next'))
      .where((eb) => eb.or([eb('establishment_id', '=', establishmentId), eb('establishment_id', 'is', null)]))
      .executeTakeFirstOrThrow();
    return row.next;
  },

  insert: (
    db: Db,
    row: { establishmentId: string; version: number; title: string; body: string; publishedBy: string },
  ) =>
    db
      .insertInto('charter')
      .values({
        establishment_id: row.establishmentId,
        version: row.version,
        title: row.title,
        body: row.body,
        published_by: row.publishedBy,
      })
      .returning(['id', 'version', 'title', 'body', 'published_at'])
      .executeTakeFirstOrThrow(),

  /** Per profile: members of the establishment, and how many accepted this charter. */
  acceptanceByProfile: async (db: Db, establishmentId: string, charterId: string) => {
    const res = await sql<{ profile: string; accepted: number; total: number }>`
      SELECT m.profile, count(*)::int AS total, count(a.user_id)::int AS accepted
      FROM membership m
      JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
      LEFT JOIN charter_acceptance a ON a.user_id = m.user_id AND a.charter_id = ${charterId}
        AND a.establishment_id = m.establishment_id
      WHERE m.establishment_id = ${establishmentId}
      GROUP BY m.profile ORDER BY m.profile`.execute(db);
    return res.rows;
  },

  /** When each member accepted the charter in force (one row per person who did). */
  acceptedAtIn: (db: Db, establishmentId: string, charterId: string) =>
    db
      .selectFrom('charter_acceptance')
      .select(['user_id', 'accepted_at'])
      .where('charter_id', '=', charterId)
      .where('establishment_id', '=', establishmentId)
      .execute(),

  /** Per establishment and profile: members, and how many accepted the charter in force there (one query). */
  acceptanceCounts: async (db: Db, establishmentIds: string[]) => {
    if (establishmentIds.length === 0) return [];
    const res = await sql<{ establishment_id: string; profile: string; accepted: number; total: number }>`
      SELECT m.establishment_id, m.profile, count(*)::int AS total, count(a.user_id)::int AS accepted
      FROM membership m
      JOIN app_user u ON u.id = m.user_id AND u.status <> 'detached'
      LEFT JOIN LATERAL (
        SELECT id FROM charter
        WHERE establishment_id = m.establishment_id OR establishment_id IS NULL
        ORDER BY (establishment_id IS NULL), version DESC
        LIMIT 1
      ) c ON true
      LEFT JOIN charter_acceptance a ON a.user_id = m.user_id AND a.charter_id = c.id
        AND a.establishment_id = m.establishment_id
      WHERE m.establishment_id = ANY(${establishmentIds}::uuid[])
      GROUP BY m.establishment_id, m.profile`.execute(db);
    return res.rows;
  },

  /** Acceptances recorded with their time (the demo académie's history), in one insert. */
  acceptMany: async (db: Db, rows: { userId: string; charterId: string; establishmentId: string; at: Date }[]) => {
    if (rows.length === 0) return;
    await db
      .insertInto('charter_acceptance')
      .values(
        rows.map((r) => ({
          user_id: r.userId,
          charter_id: r.charterId,
          establishment_id: r.establishmentId,
          accepted_at: r.at,
        })),
      )
      .onConflict((oc) => oc.columns(['user_id', 'charter_id', 'establishment_id']).doNothing())
      .execute();
  },
};
