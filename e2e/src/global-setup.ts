import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const root = resolve(import.meta.dirname, '../..');
const nodeBin = join(root, 'node_modules/.bin/node');

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    activationCode: string;
  }
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newestMtime(join(path, entry)));
  return max;
}

/** Builds web/dist when it is missing or older than the sources (web/src, index.html, contracts). */
async function buildWebIfStale(): Promise<void> {
  const dist = join(root, 'web/dist/index.html');
  const sources = [join(root, 'web/src'), join(root, 'web/index.html'), join(root, 'contracts/src')];
  if (existsSync(dist) && statSync(dist).mtimeMs > Math.max(...sources.map(newestMtime))) return;
  await new Promise<void>((ok, fail) => {
    // The production bundle, as users get it: vitest sets NODE_ENV=test, which would make Vite bundle React's
    // development build (half as big again, and slower).
    const p = spawn('npm', ['run', 'build', '-w', 'web'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`web build failed (${code})`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

let server: ChildProcess | null = null;
let dataDir: string | null = null;

export default async function setup(project: TestProject) {
  await buildWebIfStale();
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'preau-e2e-'));
  // The embedded PostgreSQL may run as the 'postgres' system user (when started as root): it must reach the folder.
  chmodSync(dataDir, 0o755);
  server = spawn(nodeBin, ['server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PREAU_DEMO: '1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const code = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 240_000);
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (process.env.E2E_VERBOSE) process.stdout.write(chunk);
      const m = /activation\.demo\s+not activated yet: activation code (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      } else if (/activation\.demo\s+already activated/.test(out)) {
        clearTimeout(timer);
        fail(new Error('activation.demo already activated: the data dir was not fresh'));
      }
    });
    server?.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (process.env.E2E_VERBOSE) process.stderr.write(chunk);
    });
    server?.on('exit', (c) => {
      clearTimeout(timer);
      fail(new Error(`server exited (${c}):\n${out}`));
    });
  });
  project.provide('baseUrl', `http://127.0.0.1:${port}`);
  project.provide('activationCode', code);

  return async () => {
    const s = server;
    if (s && s.exitCode === null) {
      const exited = new Promise<void>((ok) => s.once('exit', () => ok()));
      s.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 30_000));
      if ((await Promise.race([exited, timeout])) === 'timeout') s.kill('SIGKILL');
    }
    s?.stdout?.destroy();
    s?.stderr?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
