import { type Kysely, sql } from 'kysely';

/**
 * The operator's identity: one row for the instance (the `singleton` key can only be true). No row until the
 * platform administrator saves it: the first-start default (a demonstration instance) is code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE operator_identity (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      identity jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES app_user(id) ON DELETE SET NULL
    )
  `.execute(db);
}
