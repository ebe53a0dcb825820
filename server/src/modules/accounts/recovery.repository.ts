import type { ColumnType, Generated } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.ts';

export interface PasswordResetTable {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Date;
  used_at: Date | null;
  address: string | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    password_reset: PasswordResetTable;
  }
}

/** All SQL of account recovery. */
export const recovery = {
  /** Accounts a recovery may reach: active, with an e-mail, by login or by e-mail address (case-insensitive). */
  candidates: async (db: Db, identifier: string) => {
    const res = await sql<{ id: string; login: string; display_name: string; email: string }>`
      SELECT u.id, u.login, u.display_name, u.email FROM app_user u
      WHERE (lower(u.login) = lower(${identifier}) OR lower(u.email) = lower(${identifier}))
        AND u.status = 'active' AND u.email IS NOT NULL AND u.email <> ''
        -- a person suspended in every establishment (blocked) cannot log in: no link either
        AND (u.is_platform_admin OR EXISTS (
          SELECT 1 FROM membership m WHERE m.user_id = u.id AND NOT EXISTS (
            SELECT 1 FROM membership_suspension s WHERE s.user_id = m.user_id AND s.establishment_id = m.establishment_id)))
      LIMIT 5`.execute(db);
    return res.rows;
  },

  /** Links sent to a person in the last hour (at most three: nobody's mailbox is flooded). */
  recentCount: async (db: Db, userId: string) => {
    const r = await db
      .selectFrom('password_reset')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  insert: (db: Db, row: { userId: string; tokenHash: Buffer; expiresAt: Date; address: string | null }) =>
    db
      .insertInto('password_reset')
      .values({ user_id: row.userId, token_hash: row.tokenHash, expires_at: row.expiresAt, address: row.address })
      .execute(),

  /** A link still valid: not used, not expired, its account still active. */
  valid: async (db: Db, tokenHash: Buffer) => {
    const res = await sql<{
      id: string;
      user_id: string;
      login: string;
      display_name: string;
      first_name: string;
      last_name: string;
    }>`
      SELECT r.id, r.user_id, u.login, u.display_name, u.first_name, u.last_name
      FROM password_reset r JOIN app_user u ON u.id = r.user_id
      WHERE r.token_hash = ${tokenHash} AND r.used_at IS NULL AND r.expires_at > now() AND u.status = 'active'`.execute(
      db,
    );
    return res.rows[0];
  },

  /** Used: this link and every other one of the person stop working. */
  consume: (db: Db, userId: string) =>
    db
      .updateTable('password_reset')
      .set({ used_at: new Date() })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute(),

  purge: (db: Db) =>
    db.deleteFrom('password_reset').where('created_at', '<', sql<Date>`now() - interval '1 day'`).execute(),
};
