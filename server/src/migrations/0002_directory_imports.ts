import { type Kysely, sql } from 'kysely';

/**
 * Directory imports (AAF and CSV): the job table with its stored report, the uploaded files kept in
 * PostgreSQL as 1 MiB chunks until the job has run (ADR 0006), the attributes of a person the feeds carry
 * beyond the platform core (title, INE, phones, postal address, consents), and an index that lets the
 * importer find the logins taken for a `prenom.nom` base without scanning every account.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE import_job (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      establishment_id uuid REFERENCES establishment(id) ON DELETE CASCADE,
      requested_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
      kind text NOT NULL CHECK (kind IN ('aaf', 'csv')),
      dry_run boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      progress real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
      phase text NOT NULL DEFAULT 'queued',
      report jsonb,
      files jsonb NOT NULL DEFAULT '[]'::jsonb,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX import_job_establishment ON import_job (establishment_id, created_at DESC);
    CREATE INDEX import_job_requested_by ON import_job (requested_by, created_at DESC);

    CREATE TABLE import_file_chunk (
      job_id uuid NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
      file_no integer NOT NULL,
      seq integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (job_id, file_no, seq)
    );

    ALTER TABLE app_user
      ADD COLUMN IF NOT EXISTS title text,
      ADD COLUMN IF NOT EXISTS ine text,
      ADD COLUMN IF NOT EXISTS phone_home text,
      ADD COLUMN IF NOT EXISTS phone_work text,
      ADD COLUMN IF NOT EXISTS phone_mobile text,
      ADD COLUMN IF NOT EXISTS address jsonb,
      ADD COLUMN IF NOT EXISTS consents jsonb NOT NULL DEFAULT '{}'::jsonb;

    CREATE INDEX app_user_login_base ON app_user (regexp_replace(lower(login), '[0-9]+$', ''));
  `.execute(db);
}
