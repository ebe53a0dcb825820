/**
 * The load generator for steady-load scenarios: autocannon in its own process, against a server in another
 * process. Config (JSON file, argv[2]): `{url, connections, duration, warmup, requests: [{path, headers}]}`;
 * the requests are sent in rotation (one distinct session or id after another). A warm-up run first (JIT,
 * pools), then the measured run. Prints one JSON object: req/s, latency percentiles, errors.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface Config {
  url: string;
  connections: number;
  duration: number;
  warmup: number;
  requests: { path: string; headers?: Record<string, string>; method?: 'GET' | 'POST'; body?: string }[];
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
let next = 0;

function run(duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: config.url,
    connections: config.connections,
    duration,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const r = config.requests[next++ % config.requests.length]!;
          return {
            ...req,
            method: r.method ?? 'GET',
            path: r.path,
            headers: { ...req.headers, ...r.headers },
            ...(r.body ? { body: r.body } : {}),
          };
        },
      },
    ],
  });
}

const warmup = config.warmup > 0 ? await run(config.warmup) : null;
const result = await run(config.duration);
const status = result.statusCodeStats ?? {};
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    warmupTotal: warmup?.requests.total ?? 0,
    seconds: result.duration,
    latency: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v.count])),
  })}\n`,
);
