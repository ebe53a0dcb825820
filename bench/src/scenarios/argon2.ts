/**
 * argon2: password hashes per second with the production parameters (ARGON2_OPTIONS), one at a time and with
 * enough in flight to fill the libuv threadpool: the ceiling of logins per second of one server process.
 */
import { cpus } from 'node:os';
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../../../server/src/platform/passwords.ts';
import type { Entry } from '../lib/results.ts';
import { round } from '../lib/stats.ts';
import type { Ctx } from './context.ts';

/** Hashes per second; `lastCpuMsPerHash` holds the CPU time per hash of the last measurement. */
export let lastCpuMsPerHash = Number.NaN;

async function rate(inFlight: number, seconds: number): Promise<number> {
  let done = 0;
  let i = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await hash(`mot-de-passe-${i++}`, ARGON2_OPTIONS);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const used = process.cpuUsage(cpu);
  lastCpuMsPerHash = (used.user + used.system) / 1000 / done;
  return done / ((performance.now() - started) / 1000);
}

/** Hashes per second with enough in flight to fill the libuv threadpool. */
export const threadpoolRate = (seconds: number) => rate(2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4), seconds);

export async function measureArgon2(seconds = 4) {
  await rate(1, 0.5); // warm-up
  const single = await rate(1, seconds);
  const cpuMsPerHash = lastCpuMsPerHash;
  const threadpool = await threadpoolRate(seconds);
  return { single, threadpool, cpuMsPerHash };
}

export async function argon2(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { single, threadpool, cpuMsPerHash } = await measureArgon2();
  ctx.shared.argon2 = { single, threadpool };
  ctx.say(`  ${single.toFixed(1)} hashes/s single, ${threadpool.toFixed(1)} hashes/s on the threadpool`);
  return {
    figures: {
      hashesPerSecondSingle: round(single),
      hashesPerSecondThreadpool: round(threadpool),
      msPerHash: round(1000 / single, 2),
      cpuMsPerHash: round(cpuMsPerHash, 2),
      cpuBoundHashesPerSecond: round((cpus().length * 1000) / cpuMsPerHash),
      cores: cpus().length,
      threadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      parameters: { ...ARGON2_OPTIONS, algorithm: 'argon2id' },
    },
    ratios: { threadpoolVsSingle: round(threadpool / single, 2) },
    notes: [
      'verification costs the same as hashing: the threadpool figure is the login ceiling of one process',
      'cpuMsPerHash: CPU time per hash (steady on a shared machine); cpuBoundHashesPerSecond = cores × 1000 / cpuMsPerHash',
    ],
  };
}
