/**
 * npm run bench -- [baseline] [argon2] [import] [rush] [daily] [messaging] [timetable] [documents] [logbook] [rollout] [grades]
 *                  [--users N] [--establishments N] [--seed S]
 *                  [--duration S] [--warmup S] [--connections N] [--concurrency N] [--max-rush-seconds S] [--cpu-prof]
 *
 * Runs the scenarios (all by default) against a throw-away embedded PostgreSQL, or against the server of
 * DATABASE_URL (dedicated bench databases created and dropped there). Each scenario prints a line and writes
 * its entry into bench/results/latest.json (plus the dated copy and latest.md). See docs/PERFORMANCE.md.
 */
import { loadavg } from 'node:os';
import { intOption, parseArgs } from './lib/args.ts';
import { startCluster } from './lib/database.ts';
import { machineLine } from './lib/machine.ts';
import { killChildren } from './lib/processes.ts';
import { type Entry, SCENARIOS, type ScenarioName, saveEntry } from './lib/results.ts';
import { argon2 } from './scenarios/argon2.ts';
import { baseline } from './scenarios/baseline.ts';
import type { Ctx, RunOptions } from './scenarios/context.ts';
import { daily } from './scenarios/daily.ts';
import { documentsScenario } from './scenarios/documents.ts';
import { gradesScenario } from './scenarios/grades.ts';
import { importScenario } from './scenarios/import.ts';
import { logbookScenario } from './scenarios/logbook.ts';
import { messaging } from './scenarios/messaging.ts';
import { rollout } from './scenarios/rollout.ts';
import { rush } from './scenarios/rush.ts';
import { schoolLifeScenario } from './scenarios/school-life.ts';
import { timetableScenario } from './scenarios/timetable.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    users: { type: 'string' },
    establishments: { type: 'string' },
    seed: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    concurrency: { type: 'string' },
    'max-rush-seconds': { type: 'string' },
    'cpu-prof': { type: 'boolean' },
    'server-threadpool': { type: 'string' },
    'argon2-concurrency': { type: 'string' },
    'pg-statements': { type: 'boolean' },
    'server-env': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

const say = (m: string) => process.stdout.write(`${m}\n`);
if (values.help) {
  say('npm run bench -- [scenario…] [options]');
  say(`  scenarios: ${SCENARIOS.join(', ')} (default: all, in this order)`);
  say('  --users N            rush: distinct users logging in (default 15000)');
  say('  --establishments N   size of the generated académie (default 10; grown to hold --users)');
  say('  --seed S             generator seed (default 2026)');
  say('  --duration S         seconds of each steady-load run (default 10), after --warmup S (default 2)');
  say('  --connections N      autocannon connections (default 25)');
  say('  --concurrency N      rush: users in flight at once (default 50)');
  say('  --max-rush-seconds S no new rush user after S seconds (default 420)');
  say('  --cpu-prof           run the Préau server of rush and daily under --cpu-prof (bench/results/profiles)');
  say("  --server-threadpool N UV_THREADPOOL_SIZE of the Préau server (default: Node's, 4)");
  say('  --argon2-concurrency N ARGON2_CONCURRENCY of the Préau server (default: its own, cores − 1)');
  say(
    '  --pg-statements      rush, daily, rollout and school_life (roll calls): the statements that took most of PostgreSQL’s time (embedded only)',
  );
  say('  --server-env K=V     an environment variable of the Préau server (repeatable), e.g. PREAU_CACHE=0');
  say('  DATABASE_URL         use this PostgreSQL server instead of an embedded one');
  process.exit(0);
}

const unknown = positionals.filter((p) => !(SCENARIOS as readonly string[]).includes(p));
if (unknown.length) {
  process.stderr.write(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${SCENARIOS.join(', ')}\n`);
  process.exit(2);
}
const selected: ScenarioName[] = positionals.length ? SCENARIOS.filter((s) => positionals.includes(s)) : [...SCENARIOS];

const options: RunOptions = {
  users: intOption(values.users, 'users', 15_000),
  establishments: intOption(values.establishments, 'establishments', 10),
  seed: intOption(values.seed, 'seed', 2026),
  duration: intOption(values.duration, 'duration', 10),
  warmup: intOption(values.warmup, 'warmup', 2),
  connections: intOption(values.connections, 'connections', 25),
  concurrency: intOption(values.concurrency, 'concurrency', 50),
  maxRushSeconds: intOption(values['max-rush-seconds'], 'max-rush-seconds', 420),
  cpuProf: values['cpu-prof'] ?? false,
  pgStatements: values['pg-statements'] ?? false,
  serverEnv: Object.fromEntries(
    (values['server-env'] ?? []).map((kv) => {
      const i = kv.indexOf('=');
      if (i < 1) throw new Error(`--server-env ${kv}: expected NAME=value`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  ),
  serverThreadpool: values['server-threadpool'] ? intOption(values['server-threadpool'], 'server-threadpool', 4) : null,
  argon2Concurrency: values['argon2-concurrency']
    ? intOption(values['argon2-concurrency'], 'argon2-concurrency', 1)
    : null,
};

const scenarios: Record<ScenarioName, (ctx: Ctx) => Promise<Pick<Entry, 'figures' | 'ratios' | 'notes' | 'skipped'>>> =
  {
    baseline,
    argon2,
    import: importScenario,
    rush,
    daily,
    messaging,
    timetable: timetableScenario,
    documents: documentsScenario,
    logbook: logbookScenario,
    rollout,
    school_life: schoolLifeScenario,
    grades: gradesScenario,
  };

const runStarted = performance.now();
say(`Préau bench: ${selected.join(', ')}`);
const cluster = await startCluster((m) => say(`  ${m}`), { statements: options.pgStatements });
let interrupted = false;
const cleanup = async () => {
  killChildren();
  await cluster.stop().catch(() => {});
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    say(`\n${signal}: stopping the bench…`);
    void cleanup().then(() => process.exit(130));
  });
}

const machine = machineLine(cluster.description);
say(`Machine: ${machine}`);
const ctx: Ctx = { options, cluster, machine, say, shared: {} };
let failures = 0;
try {
  for (const name of selected) {
    const startedAt = new Date().toISOString();
    const loadAverage1m = Math.round(loadavg()[0]! * 100) / 100;
    const t = performance.now();
    say(`\n[${name}]`);
    ctx.shared.caches = {};
    try {
      const result = await scenarios[name](ctx);
      const entry: Entry = {
        scenario: name,
        machine,
        startedAt,
        wallSeconds: Math.round((performance.now() - t) / 100) / 10,
        loadAverage1m,
        ...result,
      };
      // What each server of the scenario kept in memory (GET /api/operator/caches, read before it stopped).
      if (Object.keys(ctx.shared.caches).length) entry.figures = { ...entry.figures, caches: ctx.shared.caches };
      saveEntry(entry);
      say(`[${name}] ${JSON.stringify({ figures: entry.figures, ratios: entry.ratios })}`);
    } catch (e) {
      if (interrupted) break;
      failures++;
      const message = e instanceof Error ? e.message : String(e);
      say(`[${name}] FAILED: ${message}`);
      saveEntry({
        scenario: name,
        machine,
        startedAt,
        loadAverage1m,
        figures: { error: message.slice(0, 2000) },
        ratios: {},
        skipped: `failed: ${message.split('\n')[0]!.slice(0, 200)}`,
      });
    }
  }
} finally {
  const academy = ctx.shared.academy ? await ctx.shared.academy.catch(() => null) : null;
  await academy?.db.destroy();
  await cleanup();
}
say(`\nDone in ${Math.round((performance.now() - runStarted) / 1000)} s: bench/results/latest.json, latest.md`);
process.exit(failures > 0 ? 1 : 0);
