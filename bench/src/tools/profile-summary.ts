/**
 * node src/tools/profile-summary.ts <file.cpuprofile> [--top N]
 *
 * Reads a V8 CPU profile (node --cpu-prof, e.g. `npm run bench -- daily --cpu-prof`) and prints where the time
 * went: by package or source file, the hottest functions by self time, and Préau's own functions by total
 * (inclusive) time — enough to spot an N+1, a serializer or a hash on the request path.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { top: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: node src/tools/profile-summary.ts <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Number(values.top ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const repo = resolve(import.meta.dirname, '../../..');
const totalMs = (profile.endTime - profile.startTime) / 1000;
const msPerSample = totalMs / Math.max(1, profile.samples.length);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function where(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  if (!url) return `(${n.callFrame.functionName || 'program'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  return relative(repo, url);
}
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${where(n)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const byPlace = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const n of profile.nodes) {
  const ms = (n.hitCount ?? 0) * msPerSample;
  if (ms === 0) continue;
  self.set(label(n), (self.get(label(n)) ?? 0) + ms);
  byPlace.set(where(n), (byPlace.get(where(n)) ?? 0) + ms);
  // Charge the node's samples to every distinct Préau function on its stack.
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const a = byId.get(id)!;
    if (!a.callFrame.url.includes('/server/src/')) continue;
    const l = label(a);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
  }
}

const print = (title: string, m: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${k}\n`);
  }
};
process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms profiled, ${profile.samples.length} samples\n`);
print('By package or file (self time)', byPlace, top);
print('Hottest functions (self time)', self, top);
print("Préau's functions (total time, callees included)", inclusive, top);
