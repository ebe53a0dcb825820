import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensurePostgresUser, POSTGRES_SYSTEM_USER } from './embedded.ts';

/**
 * Where the embedded PostgreSQL keeps its cluster.
 *
 * Run as root, PostgreSQL runs as the `postgres` system user, which must be able to reach the data folder. The
 * default folder (`./data` of the checkout) is not reachable in the usual root case — a clone under `/root`
 * (mode 700), on a fresh server or in a container. Then, and only for the default, a reachable folder is chosen
 * instead, in this order:
 *  1. `/var/lib/preau/<checkout>` — persistent across reboots, the usual place of a service's state;
 *  2. `<system temp folder>/preau-data-<checkout>` — when /var/lib cannot be written; may be emptied at reboot.
 * `<checkout>` is the checkout's path made into one folder name (`/root/preau` → `root-preau`), so two clones
 * never share a cluster. The choice is deterministic: every start, and the `directory:import` command, find the
 * same folder. An explicit `DATA_DIR` is never replaced: an unreachable one keeps its clear error.
 */
export interface DataDirChoice {
  dir: string;
  /** The default folder that could not be used, when another was chosen. */
  replaced?: string;
  /** The chosen folder is under the system temp folder (may not survive a reboot). */
  temporary?: boolean;
}

export interface DataDirOptions {
  dataDir: string;
  /** DATA_DIR was set: keep it whatever happens. */
  explicit: boolean;
  /** Can the user running PostgreSQL reach this folder (or, if it does not exist yet, its nearest parent)? */
  reachable?: (dir: string) => boolean;
  /** Fallback folders in order of preference (tests give their own). */
  candidates?: string[];
}

function checkoutSlug(dataDir: string): string {
  const slug = dirname(resolve(dataDir))
    .replace(/^[/\\]+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'default';
}

export function fallbackCandidates(dataDir: string): string[] {
  const slug = checkoutSlug(dataDir);
  return [join('/var/lib/preau', slug), join(tmpdir(), `preau-data-${slug}`)];
}

function nearestExisting(dir: string): string {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** As root: can the `postgres` system user search this folder (or its nearest existing parent)? */
export function reachableByPostgres(dir: string): boolean {
  if (process.getuid?.() !== 0) return true; // PostgreSQL runs as ourselves
  ensurePostgresUser();
  const res = spawnSync('runuser', ['-u', POSTGRES_SYSTEM_USER, '--', 'test', '-x', nearestExisting(dir)]);
  return res.error !== undefined || res.status === 0; // no runuser: let the start itself say what is wrong
}

/** Create the folder, searchable by others (PostgreSQL's own folder inside stays private to it). */
function prepare(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    return true;
  } catch {
    return false;
  }
}

export function chooseDataDir(opts: DataDirOptions): DataDirChoice {
  const reachable = opts.reachable ?? reachableByPostgres;
  const dir = resolve(opts.dataDir);
  if (opts.explicit || reachable(dir)) return { dir };
  const candidates = opts.candidates ?? fallbackCandidates(dir);
  for (const candidate of candidates) {
    if (!prepare(candidate) || !reachable(candidate)) continue;
    return { dir: candidate, replaced: dir, temporary: resolve(candidate).startsWith(resolve(tmpdir())) };
  }
  // Nothing better: keep the default, whose start fails with the message naming the folder.
  return { dir };
}

/** The lines start-up prints about the data folder. */
export function describeDataDir(choice: DataDirChoice): string[] {
  const lines: string[] = [];
  if (choice.replaced) {
    lines.push(
      `The default data folder ${choice.replaced} cannot be reached by the '${POSTGRES_SYSTEM_USER}' system user ` +
        `that runs the embedded PostgreSQL when Préau runs as root (a parent folder is not searchable by others).`,
      `Using ${choice.dir} instead${choice.temporary ? ' (under the system temp folder: it may be emptied at reboot)' : ''}. ` +
        'Set DATA_DIR to choose the folder yourself.',
    );
  }
  lines.push(`Data folder: ${choice.dir}`);
  return lines;
}
