/**
 * bench/results/latest.json: one entry per scenario, `{scenario, machine, startedAt, figures, ratios}`;
 * running one scenario replaces its own entry and keeps the others. Every save also writes the dated copy
 * bench/results/<YYYY-MM-DD>.json and the Markdown table bench/results/latest.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const RESULTS = resolve(import.meta.dirname, '../../results');
export const SCENARIOS = [
  'baseline',
  'argon2',
  'import',
  'rush',
  'daily',
  'messaging',
  'timetable',
  'documents',
  'logbook',
  'rollout',
  'school_life',
  'grades',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Entry {
  scenario: ScenarioName;
  machine: string;
  startedAt: string;
  /** Seconds the scenario took, setup included. */
  wallSeconds?: number;
  /** 1-minute load average of the machine when the scenario started: others' work on a shared machine shows here. */
  loadAverage1m?: number;
  figures: Record<string, unknown>;
  ratios: Record<string, unknown>;
  /** Set when the scenario could not run; figures then hold `{skipped}` too. */
  skipped?: string;
  notes?: string[];
}

export function readLatest(): Entry[] {
  const file = join(RESULTS, 'latest.json');
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(data) ? (data as Entry[]) : [];
  } catch {
    return [];
  }
}

/** The service scenarios whose pages the daily entry lists next to portal, me and the user list. */
const SERVICE_SCENARIOS: readonly ScenarioName[] = [
  'messaging',
  'timetable',
  'documents',
  'logbook',
  'rollout',
  'school_life',
  'grades',
];

/**
 * The daily entry names every page of a school day: its own (portal, home, me, user list), then each service's
 * page as its scenario measured it — on the académie with that service's data, against a PK select measured
 * right after it on the same database — keyed `<scenario>.<page>`, with when it was measured
 * (`figures.servicePages`). Recomputed on every save, so it always reflects the latest entry of each scenario.
 */
export function withServicePages(entries: Entry[]): Entry[] {
  const daily = entries.find((e) => e.scenario === 'daily' && !e.skipped);
  if (!daily) return entries;
  const own = (key: string) => !key.includes('.');
  const pick = (v: unknown) =>
    Object.fromEntries(Object.entries((v ?? {}) as Record<string, number>).filter(([k]) => own(k)));
  const vs: Record<string, number> = pick(daily.ratios.vsBaselinePointSelect);
  const cost: Record<string, number> = pick(daily.ratios.cpuVsBaselinePointSelect);
  const measured: Record<string, { startedAt: string; loadAverage1m: number | null }> = {};
  // The services' writes (the roll call), against a one-row write: named apart from the pages read.
  const writes: Record<string, number> = {};
  for (const e of entries) {
    if (!SERVICE_SCENARIOS.includes(e.scenario) || e.skipped) continue;
    for (const [page, v] of Object.entries((e.ratios.vsBaselineWrite ?? {}) as Record<string, number>))
      writes[`${e.scenario}.${page}`] = v;
    const pages = (e.ratios.vsBaselinePointSelect ?? {}) as Record<string, number>;
    const costs = (e.ratios.cpuVsBaselinePointSelect ?? {}) as Record<string, number>;
    for (const [page, v] of Object.entries(pages)) {
      vs[`${e.scenario}.${page}`] = v;
      if (typeof costs[page] === 'number') cost[`${e.scenario}.${page}`] = costs[page];
    }
    if (Object.keys(pages).length)
      measured[e.scenario] = { startedAt: e.startedAt, loadAverage1m: e.loadAverage1m ?? null };
  }
  daily.ratios = {
    ...daily.ratios,
    vsBaselinePointSelect: vs,
    cpuVsBaselinePointSelect: cost,
    writesVsBaselineWrite: writes,
  };
  daily.figures = { ...daily.figures, servicePages: measured };
  return entries;
}

export function saveEntry(entry: Entry): void {
  mkdirSync(RESULTS, { recursive: true });
  const entries = readLatest().filter((e) => e.scenario !== entry.scenario);
  entries.push(entry);
  entries.sort((a, b) => SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario));
  withServicePages(entries);
  const json = `${JSON.stringify(entries, null, 2)}\n`;
  writeFileSync(join(RESULTS, 'latest.json'), json);
  writeFileSync(join(RESULTS, `${entry.startedAt.slice(0, 10)}.json`), json);
  writeFileSync(join(RESULTS, 'latest.md'), markdown(entries));
}

const n = (v: unknown, unit = '') => (typeof v === 'number' ? `${v.toLocaleString('en-US')}${unit}` : '–');
const x = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(2)}×` : '–');
/** `server 1.2 + PostgreSQL 3.4 ms CPU` from `{server, postgres}`. */
const cpu = (c: unknown) => {
  const v = c as { server?: number | null; postgres?: number | null } | undefined;
  if (!v || typeof v.server !== 'number') return '';
  return `; CPU ${v.server} ms server${typeof v.postgres === 'number' ? ` + ${v.postgres} ms PostgreSQL` : ''}`;
};

/** The key figures of each scenario, one table row each. */
function row(e: Entry): [string, string, string] {
  const f = e.figures as Record<string, never>;
  const r = e.ratios as Record<string, never>;
  if (e.skipped) return [e.scenario, `skipped: ${e.skipped}`, ''];
  switch (e.scenario) {
    case 'baseline':
      return [
        'baseline',
        `hello world ${n(f.helloRps)} req/s (p99 ${n(f.helloP99Ms, ' ms')}); PK select ${n(f.pointSelectRps)} req/s (p99 ${n(f.pointSelectP99Ms, ' ms')}${cpu(f.pointSelectCpuMsPerRequest)} per request)`,
        `PK select / hello ${x(r.pointSelectVsHello)}`,
      ];
    case 'argon2':
      return [
        'argon2',
        `${n(f.hashesPerSecondSingle)} hashes/s single, ${n(f.hashesPerSecondThreadpool)} hashes/s on the threadpool (${n(f.msPerHash, ' ms')}/hash, ${n(f.cpuMsPerHash, ' ms')} CPU/hash)`,
        `threadpool / single ${x(r.threadpoolVsSingle)}`,
      ];
    case 'import':
      return [
        'import',
        `lycée (${n(f.students)} students): ${n(f.seconds, ' s')}, ${n(f.rowsPerSecond)} rows/s, peak ${n(f.peakRssMb, ' MB')}; re-import ${n(f.reimportSeconds, ' s')}; académie (${n(f.academyEstablishments)} schools, ${n(f.academyStudents)} students): ${n(f.academySeconds, ' s')}, ${n(f.academyRowsPerSecond)} rows/s, peak ${n(f.academyPeakRssMb, ' MB')}; 1% delta (${n(f.deltaRecords)} records): ${n(f.deltaSeconds, ' s')}`,
        `académie rows/s / lycée ${x(r.academyVsLyceeRowsPerSecond)}`,
      ];
    case 'rush':
      return [
        'rush',
        `${n(f.users)} users in ${n(f.seconds, ' s')} (target ${n(f.targetWindowSeconds, ' s')}): ${n(f.loginsPerSecond)} logins/s; login p99 ${n(f.loginP99Ms, ' ms')}; home p50/p95/p99 ${n(f.homeP50Ms)}/${n(f.homeP95Ms)}/${n(f.homeP99Ms, ' ms')}; errors ${n(f.errors)} (503 retried ${n(f.busyRetries)}); server RSS peak ${n(f.serverPeakRssMb, ' MB')}${cpu(f.cpuMsPerUser)} per user (argon2 ${n(f.argon2CpuMsPerHash, ' ms')}), CPU-bound ${n(f.cpuBoundUsersPerSecond)} users/s`,
        `argon2 share of a user's CPU ${n(r.argon2ShareOfUserCpu)}; logins / argon2 ceiling ${x(r.loginsVsArgon2Ceiling)}`,
      ];
    case 'documents': {
      const u = (f.uploads ?? {}) as Record<string, unknown>;
      const p = (f.pages ?? {}) as Record<string, { rps?: number; p99Ms?: number; cpuMs?: unknown }>;
      const b = (f.bigUpload ?? {}) as Record<string, unknown>;
      const vs = (r.vsBaselinePointSelect ?? {}) as Record<string, number>;
      return [
        'documents',
        `uploads ${n(u.perSecond)}/s of ${n(Number(u.bytesEach) / 1024, ' KB')} (p99 ${n(u.p99Ms, ' ms')}); ${Object.entries(
          p,
        )
          .map(([k, v]) => `${k} ${n(v.rps)} req/s (p99 ${n(v.p99Ms, ' ms')}${cpu(v.cpuMs)})`)
          .join(
            '; ',
          )}; 1 GB upload ${n(b.seconds, ' s')} (${n(b.mbPerSecond, ' MB/s')}), server RSS ${n(b.rssBeforeMb)} → ${n(b.rssPeakMb, ' MB')}`,
        `req/s: ${Object.entries(vs)
          .map(([k, v]) => `${k} ${x(v)}`)
          .join(', ')} of the PK select`,
      ];
    }
    case 'rollout': {
      const pages = (f.pages ?? {}) as Record<string, { rps?: number; p99Ms?: number }>;
      const vs = (r.vsBaselinePointSelect ?? {}) as Record<string, number>;
      return [
        'rollout',
        `${n(f.events)} usage events, ${n(f.userDays)} person-days: catch-up roll-up ${n(f.catchUpSeconds, ' s')}, hourly ${n(f.hourlySeconds, ' s')}; ${Object.entries(
          pages,
        )
          .map(([k, p]) => `${k} ${n(p.rps)} req/s (p99 ${n(p.p99Ms, ' ms')})`)
          .join('; ')}`,
        `req/s: ${Object.entries(vs)
          .map(([k, v]) => `${k} ${x(v)}`)
          .join(', ')} of the PK select`,
      ];
    }
    case 'daily': {
      const pages = (f.pages ?? {}) as Record<string, { rps?: number; p99Ms?: number; cpuMsPerRequest?: unknown }>;
      const vs = (r.vsBaselinePointSelect ?? {}) as Record<string, number>;
      const cost = (r.cpuVsBaselinePointSelect ?? {}) as Record<string, number>;
      return [
        'daily',
        Object.entries(pages)
          .map(([k, p]) => `${k} ${n(p.rps)} req/s (p99 ${n(p.p99Ms, ' ms')}${cpu(p.cpuMsPerRequest)})`)
          .join('; '),
        `req/s: ${Object.entries(vs)
          .map(([k, v]) => `${k} ${x(v)}`)
          .join(', ')} of the PK select; CPU per request: ${Object.entries(cost)
          .map(([k, v]) => `${k} ${v}×`)
          .join(', ')} the PK select's${Object.entries((r.writesVsBaselineWrite ?? {}) as Record<string, number>)
          .map(([k, v]) => `; write ${k} ${x(v)} of a one-row write`)
          .join('')}`,
      ];
    }
    case 'messaging': {
      const inbox = (f.inboxPage ?? {}) as { rps?: number; p99Ms?: number; cpuMsPerRequest?: unknown };
      const fan = (f.fanOut ?? {}) as { recipientsPerMessage?: number; p50Ms?: number; maxMs?: number };
      const vs = (r.vsBaselinePointSelect ?? {}) as Record<string, number>;
      return [
        'messaging',
        `inbox page ${n(inbox.rps)} req/s (p99 ${n(inbox.p99Ms, ' ms')}${cpu(inbox.cpuMsPerRequest)}); fan-out to ${n(fan.recipientsPerMessage)} recipients: p50 ${n(fan.p50Ms, ' ms')}, max ${n(fan.maxMs, ' ms')}`,
        `inbox page ${x(vs.inboxPage)} of the PK select`,
      ];
    }
    case 'timetable':
    case 'grades':
    case 'logbook':
    case 'school_life': {
      const pages = f as Record<string, { rps?: number; p99Ms?: number; cpuMsPerRequest?: unknown } | undefined>;
      const vs = (r.vsBaselinePointSelect ?? {}) as Record<string, number>;
      const shown = Object.entries(pages).filter(([, p]) => p && typeof p === 'object' && 'rps' in p);
      return [
        e.scenario,
        shown
          .map(([k, p]) => `${k} ${n(p!.rps)} req/s (p99 ${n(p!.p99Ms, ' ms')}${cpu(p!.cpuMsPerRequest)})`)
          .join('; '),
        `req/s: ${Object.entries(vs)
          .map(([k, v]) => `${k} ${x(v)}`)
          .join(', ')} of the PK select${Object.entries((r.vsBaselineWrite ?? {}) as Record<string, number>)
          .map(
            ([k, v]) =>
              `; ${k} (a write) ${x(v)} of a one-row write, ${x(((r.writesVsBaselinePointSelect ?? {}) as Record<string, number>)[k])} of the PK select`,
          )
          .join('')}`,
      ];
    }
  }
}

/** A Markdown table with padded columns, as the repository's formatter (Biome) writes it. */
function table(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((r) => r.map((c) => c.replaceAll('|', '\\|')));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  return [line(cells[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)];
}

export function markdown(entries: Entry[]): string {
  const lines = [
    '# Préau bench: latest results',
    '',
    'Written by `npm run bench`; the method is in docs/PERFORMANCE.md. Figures compare only within one machine line;',
    'ratios are measured in the same run as the baselines they divide by.',
    '',
    ...table(
      ['scenario', 'figures', 'ratios', 'run (UTC), load average'],
      entries.map((e) => {
        const load = e.loadAverage1m === undefined ? '' : `, load ${e.loadAverage1m}`;
        return [...row(e), `${e.startedAt.slice(0, 16).replace('T', ' ')}${load}`];
      }),
    ),
    '',
    'Machines:',
    '',
    ...[...new Set(entries.map((e) => e.machine))].map((m) => `- ${m}`),
    '',
  ];
  const notes = entries.flatMap((e) => (e.notes ?? []).map((note) => `- ${e.scenario}: ${note}`));
  if (notes.length) lines.push('Notes:', '', ...notes, '');
  return lines.join('\n');
}
