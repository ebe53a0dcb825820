import { type Kysely, sql } from 'kysely';

/**
 * Staff positions (issue 9): the label of a person's functions in an establishment, as the AAF's
 * `ENTPersonFonctions` says it ("CONSEILLER PRINCIPAL D'EDUCATION", "CHEF D'ETABLISSEMENT ADJOINT") or a CSV
 * file's function column, kept on the membership. Null when the feed gives none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE membership ADD COLUMN IF NOT EXISTS position text`.execute(db);
}
