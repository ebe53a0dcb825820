// Build the web app before `npm start` when web/dist is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const built = join(root, 'web/dist/index.html');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

if (process.env.WEB_DIST === '') process.exit(0); // API only
const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'contracts/src'].map((p) => newest(join(root, p)));
if (!existsSync(join(root, 'web/src'))) process.exit(0);
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) process.exit(0);
process.stdout.write('Building the web app (first start, or its sources changed)…\n');
const res = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
process.exit(res.status ?? 1);
