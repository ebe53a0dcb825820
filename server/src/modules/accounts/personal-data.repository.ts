import type { Db } from '../../platform/db/schema.ts';

/** The account part of a person's row, for the export of their data (never a hash). */
export const accountData = (db: Db, userId: string) =>
  db
    .selectFrom('app_user')
    .select(['login', 'email', 'status', 'password_changed_at', 'activation_expires_at', 'last_login_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
