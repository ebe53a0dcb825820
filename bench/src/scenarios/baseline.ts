/**
 * baseline: what this machine does with no application at all, in the same run as everything else — a bare
 * Fastify hello world, and Fastify + one PostgreSQL primary-key select on the académie's app_user table.
 * Every other steady-load figure is divided by the PK select.
 */
import { join } from 'node:path';
import { CHILDREN, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad } from './context.ts';

export async function baseline(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((r) => r.id);
  const server = spawnNode(join(CHILDREN, 'baseline-server.ts'), [dbUrl]);
  try {
    const port = (await waitForOutput(server, /LISTENING (\d+)/, 30_000))[1];
    const url = `http://127.0.0.1:${port}`;
    const pid = server.child.pid!;
    const hello = await meteredLoad(ctx, pid, url, [{ path: '/hello' }]);
    ctx.say(`  hello world: ${Math.round(hello.requestsPerSecond)} req/s, p99 ${hello.latency.p99} ms`);
    const pk = await meteredLoad(
      ctx,
      pid,
      url,
      ids.map((id) => ({ path: `/pk/${id}` })),
    );
    ctx.say(`  PK select: ${Math.round(pk.requestsPerSecond)} req/s, p99 ${pk.latency.p99} ms`);
    ctx.shared.baseline = {
      helloRps: hello.requestsPerSecond,
      pointSelectRps: pk.requestsPerSecond,
      pointSelectCpuMs: cpuTotal(pk.cpuMs),
    };
    return {
      figures: {
        helloRps: Math.round(hello.requestsPerSecond),
        helloP50Ms: hello.latency.p50,
        helloP99Ms: hello.latency.p99,
        helloErrors: hello.errors + hello.non2xx,
        pointSelectRps: Math.round(pk.requestsPerSecond),
        pointSelectP50Ms: pk.latency.p50,
        pointSelectP99Ms: pk.latency.p99,
        pointSelectErrors: pk.errors + pk.non2xx,
        helloCpuMsPerRequest: hello.cpuMs,
        pointSelectCpuMsPerRequest: pk.cpuMs,
        connections: ctx.options.connections,
        durationSeconds: ctx.options.duration,
      },
      ratios: { pointSelectVsHello: round(pk.requestsPerSecond / hello.requestsPerSecond, 3) },
      notes: [
        'cpuMsPerRequest: CPU milliseconds per request of the server process and of PostgreSQL (warm-up included), steadier than req/s on a shared machine',
      ],
    };
  } finally {
    await stop(server);
  }
}
