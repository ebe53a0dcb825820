import { parseArgs } from 'node:util';

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a number, got "${value}"`);
  return n;
}

export { parseArgs };
