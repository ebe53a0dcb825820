import pg from 'pg';
import type { Config } from '../config.ts';
import { chooseDataDir, describeDataDir } from './data-dir.ts';
import { databaseUrl, startEmbeddedPostgres } from './embedded.ts';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  /** The embedded cluster's folder (DATA_DIR, or the reachable folder chosen instead of the default). */
  dataDir: string | null;
  stop: () => Promise<void>;
}

/** DATABASE_URL when given; otherwise the embedded PostgreSQL under the data folder, with database `preau`. */
export async function connectDatabaseServer(config: Config, log: (m: string) => void): Promise<DatabaseServer> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, dataDir: null, stop: async () => {} };
  const choice = chooseDataDir({ dataDir: config.dataDir, explicit: config.dataDirExplicit });
  for (const line of describeDataDir(choice)) log(line);
  const handle = await startEmbeddedPostgres({ dataDir: choice.dir, log });
  const client = new pg.Client({ connectionString: handle.url });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['preau']);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE preau');
  await client.end();
  return { url: databaseUrl(handle.url, 'preau'), embedded: true, dataDir: choice.dir, stop: handle.stop };
}
