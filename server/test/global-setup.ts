import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../src/platform/db/database.ts';
import { databaseUrl, startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
  }
}

/**
 * One PostgreSQL for the whole run: the embedded one (data in the system temp folder, thrown away at the
 * end), or the server of DATABASE_URL. A template database is migrated once; each test file clones it.
 */
export default async function setup(project: TestProject) {
  let stop = async () => {};
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = databaseUrl(process.env.DATABASE_URL, 'postgres');
  } else {
    const handle = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `preau-test-${process.pid}`),
      port: 0,
      ephemeral: true,
    });
    serverUrl = handle.url;
    stop = handle.stop;
  }
  const templateDb = `preau_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
    await admin.query(`CREATE DATABASE ${templateDb}`);
    const db = createDatabase(databaseUrl(serverUrl, templateDb), 2);
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
  } catch (e) {
    await admin.end().catch(() => {});
    await stop();
    throw e;
  }
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    // Drop what this run created (on a shared server), then stop the embedded cluster.
    const res = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [templateDb, `preau\\_t\\_${process.pid}\\_%`],
    );
    for (const { datname } of res.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
    await stop();
  };
}
