import pg from 'pg';
import type { Config } from '../config.ts';
import { databaseUrl, startEmbeddedPostgres } from './embedded.ts';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

/** DATABASE_URL when given; otherwise the embedded PostgreSQL under DATA_DIR, with database `preau`. */
export async function connectDatabaseServer(config: Config, log: (m: string) => void): Promise<DatabaseServer> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const handle = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
  const client = new pg.Client({ connectionString: handle.url });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['preau']);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE preau');
  await client.end();
  return { url: databaseUrl(handle.url, 'preau'), embedded: true, stop: handle.stop };
}
