/**
 * Child processes of the bench: servers (the Préau server, the baseline servers), load generators and the
 * import CLI each run in their own process, and are always stopped, by pid, when the bench ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const CHILDREN = resolve(import.meta.dirname, '../children');

const live = new Set<ChildProcess>();

/** Kill what is still running (bench interrupted or failed). */
export function killChildren(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

export function spawnProcess(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<number | null>((ok) =>
    child.once('exit', (code) => {
      live.delete(child);
      ok(code);
    }),
  );
  return { child, output: () => out, errors: () => err, exited };
}

export const spawnNode = (
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {},
) => spawnProcess(process.execPath, [...(opts.execArgv ?? []), script, ...args], { env: opts.env });

/** Resolves with the first match of `pattern` in the child's stdout; rejects if it exits or times out first. */
export function waitForOutput(p: Spawned, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    const check = () => {
      const m = pattern.exec(p.output());
      if (m) {
        cleanup();
        ok(m);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      fail(
        new Error(
          `timed out waiting for ${pattern} (stdout: ${p.output().slice(-500)}; stderr: ${p.errors().slice(-1000)})`,
        ),
      );
    }, timeoutMs);
    const onExit = (code: number | null) => {
      cleanup();
      fail(
        new Error(`process exited (${code}) before ${pattern}: ${p.output().slice(-500)} ${p.errors().slice(-2000)}`),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      p.child.stdout!.off('data', check);
      p.child.off('exit', onExit);
    };
    p.child.stdout!.on('data', check);
    p.child.once('exit', onExit);
    check();
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(p: Spawned, graceMs = 15_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** The last JSON object a process printed on stdout. */
export function lastJson<T>(stdout: string): T {
  const text = stdout.trim();
  try {
    return JSON.parse(text) as T;
  } catch {
    // fall through: a JSON document after other lines
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.trimStart().startsWith('{')) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n')) as T;
    } catch {
      // keep looking further up
    }
  }
  throw new Error(`no JSON found in the output: ${text.slice(-500)}`);
}

/** Run a child script of bench/src/children with a JSON config file; resolves with the JSON it prints. */
export async function runChild<T>(name: string, config: unknown, timeoutMs: number): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'preau-bench-cfg-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const p = spawnNode(join(CHILDREN, name), [file]);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} failed (${code}): ${p.errors().slice(-2000)}`);
  return lastJson<T>(p.output());
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

/**
 * Samples the memory of a process (and, with `tree`, its descendants: npm → node) every `everyMs`:
 * the peak resident set of the largest process, and the last RSS seen.
 */
export function memorySampler(pid: number, opts: { tree?: boolean; everyMs?: number } = {}) {
  let peakKb = 0;
  let lastKb = 0;
  const sample = () => {
    const pids = opts.tree ? descendants(pid) : [pid];
    let rss = 0;
    for (const p of pids) {
      peakKb = Math.max(peakKb, statusKb(p, 'VmHWM'), statusKb(p, 'VmRSS'));
      rss = Math.max(rss, statusKb(p, 'VmRSS'));
    }
    if (rss > 0) lastKb = rss;
  };
  sample();
  const timer = setInterval(sample, opts.everyMs ?? 200);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { peakMb: Math.round(peakKb / 102.4) / 10, lastMb: Math.round(lastKb / 102.4) / 10 };
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux kernel Node supports

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system, all threads) used so far by a process; with `tree`, plus its live descendants
 * and the children it has already reaped (PostgreSQL backends that ended). On a shared machine, CPU time
 * per request moves far less with the neighbours' load than requests per second do.
 */
export function cpuSeconds(pid: number, opts: { tree?: boolean } = {}): number {
  const ticks = (f: string[] | null, from: number, count: number) =>
    f ? f.slice(from, from + count).reduce((a, v) => a + Number(v), 0) : 0;
  // Fields after the command: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
  let total = ticks(statFields(pid), 11, opts.tree ? 4 : 2);
  if (opts.tree) for (const child of descendants(pid).slice(1)) total += ticks(statFields(child), 11, 2);
  return total / TICKS_PER_SECOND;
}

/** CPU seconds spent between `start()` and `stop()` by a process, and by the PostgreSQL cluster if known. */
export function cpuMeter(serverPid: number, postmasterPid: number | null) {
  const read = () => ({
    server: cpuSeconds(serverPid),
    postgres: postmasterPid ? cpuSeconds(postmasterPid, { tree: true }) : Number.NaN,
  });
  const before = read();
  const rolesBefore = postmasterPid ? postgresRoles(postmasterPid) : null;
  const threadsBefore = threadGroups(serverPid);
  return {
    /** Milliseconds of CPU per unit of work (request, user…). */
    per(units: number) {
      const after = read();
      const ms = (a: number, b: number) =>
        Number.isFinite(a) ? Math.round(((1000 * (a - b)) / units) * 100) / 100 : null;
      return { server: ms(after.server, before.server), postgres: ms(after.postgres, before.postgres) };
    },
    /** The server's CPU milliseconds per unit by thread: main (event loop), libuv pool (argon2…), V8 and others. */
    serverThreadsPer(units: number): Record<string, number> {
      const after = threadGroups(serverPid);
      const out: Record<string, number> = {};
      for (const [group, seconds] of after) {
        const ms = Math.round(((1000 * (seconds - (threadsBefore.get(group) ?? 0))) / units) * 100) / 100;
        if (ms > 0) out[group] = ms;
      }
      return out;
    },
    /** PostgreSQL's CPU milliseconds per unit by process role (client backends, WAL writer, checkpointer…). */
    postgresRolesPer(units: number): Record<string, number> | null {
      if (!postmasterPid || !rolesBefore) return null;
      const after = postgresRoles(postmasterPid);
      const out: Record<string, number> = {};
      for (const [role, seconds] of after) {
        const ms = Math.round(((1000 * (seconds - (rolesBefore.get(role) ?? 0))) / units) * 100) / 100;
        if (ms > 0) out[role] = ms;
      }
      return out;
    },
  };
}

/** CPU seconds of a Node process by thread group: `main` (the event loop), `libuv pool`, `V8` helpers, `other`. */
export function threadGroups(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const group =
        Number(tid) === pid ? 'main' : /libuv-worker/.test(comm) ? 'libuv pool' : /^V8/.test(comm) ? 'V8' : 'other';
      groups.set(group, (groups.get(group) ?? 0) + (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
    } catch {
      // thread gone meanwhile
    }
  }
  return groups;
}

/**
 * CPU seconds of a PostgreSQL cluster by process role, from each process title (`postgres: walwriter`,
 * `postgres: autovacuum worker`, `postgres: <user> <database> …` for client backends); `ended` holds what the
 * postmaster reaped (backends and workers gone since it started).
 */
export function postgresRoles(postmasterPid: number): Map<string, number> {
  const roles = new Map<string, number>();
  const add = (role: string, seconds: number) => roles.set(role, (roles.get(role) ?? 0) + seconds);
  const own = statFields(postmasterPid);
  if (own) {
    add('postmaster', (Number(own[11]) + Number(own[12])) / TICKS_PER_SECOND);
    add('ended', (Number(own[13]) + Number(own[14])) / TICKS_PER_SECOND);
  }
  for (const pid of descendants(postmasterPid).slice(1)) {
    const f = statFields(pid);
    if (!f) continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue;
    }
    const m = /^postgres: (.*)$/.exec(title);
    const rest = m?.[1] ?? title;
    const role =
      /^(checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher|io worker|walsummarizer)/.exec(
        rest,
      )?.[1] ?? 'client backends';
    add(role, (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
  }
  return roles;
}
