import { cpus, release, totalmem } from 'node:os';

/** One line naming the machine a figure was measured on: figures only compare within one line. */
export function machineLine(database: string): string {
  const cores = cpus();
  const model = (cores[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${cores.length} × ${model}, ${gib} GiB RAM, ${process.platform} ${release()} ${process.arch}, Node ${process.versions.node}, ${database}`;
}
