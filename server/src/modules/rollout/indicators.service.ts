import {
  type DashboardQuery,
  ESTABLISHMENT_PROFILES,
  type EstablishmentProfile,
  type RolloutDashboard,
  type RolloutIndicators,
  SERVICE_KEYS,
} from '@preau/contracts';
import { type Authorized, type AuthorizedDb, authorize, trustedDb } from '../../platform/access/authorize.ts';
import { cacheOf, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { RawJson } from '../../platform/http/raw-json.ts';
import { t } from '../../platform/i18n.ts';
import type { IndicatorPeriod } from '../../platform/module.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import type { AdoptionFigures, Counts } from '../directory/index.ts';
import { serviceOpenings } from '../services/index.ts';
import { activity } from './activity.repository.ts';
import { rolloutAccess } from './rollout.access.ts';
import { addDays, daysBetween, diffDays, parisDay, parisEndOf } from './rollout.dates.ts';
import {
  asOfOf,
  figuresOf,
  type IndicatorValue,
  indicatorValuesAsOf,
  rolledUp,
  staffOf,
  yearStartOf,
} from './rollout.facts.ts';
import { outreach } from './rollout.repository.ts';

/** The service activity shown is never older than this: past it, the request rolls the establishment up first. */
export const ROLLUP_MAX_AGE_MS = 60 * 60 * 1000;
/** The longest period a dashboard covers. */
const MAX_PERIOD_DAYS = 400;

const PROFILES = ESTABLISHMENT_PROFILES;

// ---- The roll-up ---------------------------------------------------------------------------------------------

/**
 * Roll up the days from the last roll-up to today (the day of the last one included: it was partial), for one
 * establishment or all. One transaction, serialised per scope by an advisory lock: two refreshes never
 * interleave their delete-and-insert.
 */
export async function rollUp(
  db: AuthorizedDb,
  establishmentId: string | null,
  now = new Date(),
  opts: { unlessFresherThanMs?: number } = {},
): Promise<Date> {
  const today = parisDay(now);
  return db.transaction().execute(async (t) => {
    const trx = t as unknown as AuthorizedDb;
    await activity.lock(trx, establishmentId);
    const last = establishmentId ? await activity.asOf(trx, establishmentId) : await activity.oldestAsOf(trx);
    // Another request rolled it up while this one waited for the lock: nothing to redo.
    if (last && opts.unlessFresherThanMs !== undefined && now.getTime() - last.getTime() <= opts.unlessFresherThanMs) {
      return last;
    }
    // The first roll-up goes back to the start of the school year (so the montée en charge is whole).
    let from: string;
    if (last) from = parisDay(last);
    else if (establishmentId) from = (await outreach.yearStart(trx, establishmentId)) ?? addDays(today, -30);
    else from = (await activity.earliestYearStart(trx)) ?? addDays(today, -30);
    if (from < addDays(today, -MAX_PERIOD_DAYS)) from = addDays(today, -MAX_PERIOD_DAYS);
    if (from > today) from = today;
    await activity.rebuild(trx, from, today, establishmentId);
    await activity.markDone(trx, establishmentId, now);
    return now;
  });
}

/** The roll-up time of the establishment, after rolling it up if it was more than an hour old (or never done). */
export async function freshAsOf(db: AuthorizedDb, establishmentId: string, now = new Date()): Promise<Date> {
  const asOf = await asOfOf(db, establishmentId);
  if (asOf && now.getTime() - asOf.getTime() <= ROLLUP_MAX_AGE_MS) return asOf;
  return rollUp(db, establishmentId, now, { unlessFresherThanMs: ROLLUP_MAX_AGE_MS });
}

/** "Actualiser": the establishment's usage rolled up now (the buffered events written first). */
export async function refresh(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });
  await rolloutAccess.requireSteering(auth);
  await ctx.usage.flush();
  const asOf = await rollUp(auth.db, establishmentId);
  recordUsage(ctx, establishmentId, 'rollout', 'indicators.refresh');
  return { asOf: asOf.toISOString() };
}

// ---- Figures from the directory and the charter ---------------------------------------------------------------

/**
 * The roster's figures with the acceptances of the charter in force: counted in PostgreSQL (one statement),
 * never the 5,000 rows of a lycée's members, and kept per establishment (rollout.facts.ts).
 */
export async function adoptionFigures(db: Db, establishmentId: string): Promise<AdoptionFigures> {
  return (await figuresOf(trusted(db), establishmentId)).figures;
}

/** How many of the ascending `times` (epoch ms) are before `until`. */
export function countBefore(times: number[], until: Date): number {
  const t = until.getTime();
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NONE = { total: 0, activated: 0, accepted: 0, activatedTimes: [], acceptedTimes: [] };

/**
 * Activated and total accounts per profile: now, or — with `until` — how many of today's members had activated
 * their account by then (today's members are the denominator: a directory import re-creates memberships, so
 * the day someone joined is no reliable history).
 */
export function activationOf(figures: AdoptionFigures, until?: Date) {
  return PROFILES.map((profile) => {
    const f = figures.byProfile.get(profile) ?? NONE;
    return { profile, activated: until ? countBefore(f.activatedTimes, until) : f.activated, total: f.total };
  });
}

export function charterOf(figures: AdoptionFigures, until?: Date) {
  return PROFILES.map((profile) => {
    const f = figures.byProfile.get(profile) ?? NONE;
    return { profile, accepted: until ? countBefore(f.acceptedTimes, until) : f.accepted, total: f.total };
  });
}

/** Per class: students and their guardians, activated and having accepted the charter. */
export function classesOf(figures: AdoptionFigures, classes: { id: string; code: string }[]) {
  const figure = (c: Counts | undefined) => ({
    activated: c?.activated ?? 0,
    accepted: c?.accepted ?? 0,
    total: c?.total ?? 0,
  });
  return classes.map((c) => {
    const f = figures.byClass.get(c.id);
    return { classId: c.id, class: c.code, students: figure(f?.student), guardians: figure(f?.guardian) };
  });
}

/** Distinct people (any profile, or one) among the members now. */
function membersCount(figures: AdoptionFigures, profile: EstablishmentProfile | null): number {
  return profile ? (figures.byProfile.get(profile)?.total ?? 0) : figures.people.total;
}

// ---- The contract: GET /api/rollout/indicators ------------------------------------------------------------

export async function indicators(ctx: RequestContext, establishmentId: string): Promise<RolloutIndicators> {
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });
  await rolloutAccess.requireSteering(auth);
  const asOf = await freshAsOf(auth.db, establishmentId);
  const [figures, rows] = await Promise.all([
    adoptionFigures(auth.db, establishmentId),
    rolledUp(auth.db, `day|${establishmentId}`, asOf, () => activity.day(auth.db, establishmentId, parisDay(asOf))),
  ]);
  const users = (service: string, profile: string) => {
    const r = rows.find((x) => x.service === service && x.profile === profile);
    return { day: r?.day_users ?? 0, week: r?.week_users ?? 0, month: r?.month_users ?? 0 };
  };
  recordUsage(ctx, establishmentId, 'rollout', 'indicators.view');
  return {
    establishmentId,
    asOf: asOf.toISOString(),
    activation: activationOf(figures),
    charter: charterOf(figures),
    services: SERVICE_KEYS.map((key) => ({
      key,
      activeUsers: users(key, '*'),
      byProfile: rows
        .filter((r) => r.service === key && r.profile !== '*')
        .map((r) => ({ profile: r.profile, activeUsers: users(key, r.profile) })),
    })),
  };
}

// ---- The dashboard -------------------------------------------------------------------------------------------

/** The period asked for, within bounds: by default the school year so far (or the last 90 days). */
async function periodOf(
  db: AuthorizedDb,
  establishmentId: string,
  q: { from?: string; to?: string },
  today: string,
  lang: 'fr' | 'en',
) {
  const to = q.to && q.to < today ? q.to : today;
  const from = q.from ?? (await yearStartOf(db, establishmentId)) ?? addDays(to, -90);
  const [start] = [from, to].sort() as [string, string];
  if (q.from && q.to && q.from > q.to) {
    throw new AppError(400, 'INVALID_PERIOD', {
      errors: [{ path: 'querystring.to', message: t(lang, 'INVALID_PERIOD') }],
    });
  }
  if (diffDays(start, to) > MAX_PERIOD_DAYS) {
    const vars = { max: MAX_PERIOD_DAYS };
    throw new AppError(400, 'PERIOD_TOO_LONG', {
      vars,
      errors: [{ path: 'querystring.from', message: t(lang, 'PERIOD_TOO_LONG', vars) }],
    });
  }
  return { from: start, to };
}

/** One point a week from `from`, and the last day. */
function weeklyPoints(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d < to; d = addDays(d, 7)) out.push(d);
  out.push(to);
  return out;
}

/**
 * Every registered indicator's value over the period, as of the roll-up `asOf` (kept until the next roll-up,
 * rollout.facts.ts); one that fails has no value (and is logged).
 */
export function registeredIndicatorValues(
  ctx: RequestContext,
  db: Db,
  establishmentId: string,
  period: IndicatorPeriod,
  asOf: Date,
): Promise<IndicatorValue[]> {
  return indicatorValuesAsOf(trusted(db), establishmentId, period, asOf, () =>
    Promise.all(
      [...moduleRegistry().indicators.values()].map(async (d): Promise<IndicatorValue> => {
        try {
          const v = await d.compute(db, establishmentId, period);
          return { key: d.key, value: v.value, numerator: v.numerator ?? null, denominator: v.denominator ?? null };
        } catch (err) {
          ctx.log.error({ err, indicator: d.key }, 'indicator failed');
          return { key: d.key, value: null, numerator: null, denominator: null };
        }
      }),
    ),
  );
}

/** The registered indicators with their labels in `lang` and their values. */
function indicatorRows(values: IndicatorValue[], lang: 'fr' | 'en') {
  const byKey = new Map(values.map((v) => [v.key, v]));
  return [...moduleRegistry().indicators.values()].map((d) => {
    const v = byKey.get(d.key);
    return {
      key: d.key,
      module: d.module,
      service: d.service,
      label: d.label[lang],
      unit: d.unit,
      value: v?.value ?? null,
      numerator: v?.numerator ?? null,
      denominator: v?.denominator ?? null,
    };
  });
}

/**
 * What the dashboard is made of: each part read through its cache (rollout.facts.ts, the services' settings), so
 * that with warm caches a dashboard sends no statement, and the same objects come back until something changes.
 */
async function dashboardInputs(ctx: RequestContext, auth: Authorized, q: DashboardQuery) {
  const establishmentId = auth.establishmentId;
  const asOf = await freshAsOf(auth.db, establishmentId);
  const today = parisDay(asOf);
  const { from, to } = await periodOf(auth.db, establishmentId, q, today, ctx.lang);
  const profile = q.profile ?? null;
  const [figures, openings, series, indicators, mostActive, staff] = await Promise.all([
    figuresOf(auth.db, establishmentId),
    serviceOpenings(auth.db, establishmentId),
    rolledUp(auth.db, `series|${establishmentId}|${profile ?? '*'}|${from}|${to}`, asOf, () =>
      activity.series(auth.db, establishmentId, profile ?? '*', addDays(from, -1), to),
    ),
    registeredIndicatorValues(ctx, auth.db, establishmentId, { from, to }, asOf),
    rolledUp(auth.db, `pioneers|${establishmentId}|${from}|${to}`, asOf, () =>
      activity.mostActive(auth.db, establishmentId, 'teacher', from, to, 300),
    ),
    staffOf(auth.db, establishmentId),
  ]);
  return { asOf, from, to, profile, lang: ctx.lang, figures, openings, series, indicators, mostActive, staff };
}

type DashboardInputs = Awaited<ReturnType<typeof dashboardInputs>>;

function dashboardOf(i: DashboardInputs): RolloutDashboard {
  const { from, to, profile, figures, openings, series, mostActive } = i;
  const onlyProfile = <T extends { profile: string }>(rows: T[]) =>
    rows.filter((r) => !profile || r.profile === profile);

  const activationSeries = weeklyPoints(from, to).flatMap((day) =>
    onlyProfile(activationOf(figures.figures, parisEndOf(day))).map((a) => ({ day, ...a })),
  );

  const byKey = new Map<string, Map<string, (typeof series)[number]>>();
  for (const r of series) {
    const m = byKey.get(r.service) ?? new Map();
    m.set(r.day, r);
    byKey.set(r.service, m);
  }
  const services = [...SERVICE_KEYS, 'portal' as const].map((key) => {
    const opening = openings.find((o) => o.key === key);
    const start = opening?.opensOn && opening.opensOn > from ? opening.opensOn : from;
    const points = start <= to ? daysBetween(start, to) : [];
    const rows = byKey.get(key) ?? new Map();
    const at = (day: string) => {
      const r = rows.get(day);
      return {
        day,
        day_users: r?.day_users ?? 0,
        week_users: r?.week_users ?? 0,
        month_users: r?.month_users ?? 0,
      };
    };
    const last = at(to);
    return {
      key,
      status: opening?.status ?? null,
      openingDate: opening?.opensOn ?? null,
      now: { day: last.day_users, week: last.week_users, month: last.month_users },
      series: points.map(at),
    };
  });

  // Pioneers: the most active teachers over the period, grouped by the disciplines they teach (top 3 each).
  const subjectsOf = new Map(i.staff.staff.map((s) => [s.id, s.subjects]));
  const names = new Map(i.staff.staff.map((s) => [s.id, s.display_name]));
  const bySubject = new Map<string, { id: string; displayName: string; activeDays: number; events: number }[]>();
  for (const p of mostActive) {
    for (const code of subjectsOf.get(p.user_id) ?? []) {
      const list = bySubject.get(code) ?? [];
      if (list.length < 3) {
        list.push({
          id: p.user_id,
          displayName: names.get(p.user_id) ?? '—',
          activeDays: p.active_days,
          events: p.events,
        });
      }
      bySubject.set(code, list);
    }
  }
  const labels = i.staff.subjectLabels;
  const pioneers = [...bySubject.entries()]
    .map(([subjectCode, people]) => ({ subjectCode, subject: labels.get(subjectCode) ?? subjectCode, people }))
    .sort((a, b) => a.subject.localeCompare(b.subject, 'fr'));

  return {
    asOf: i.asOf.toISOString(),
    from,
    to,
    profile,
    members: membersCount(figures.figures, profile),
    activation: onlyProfile(activationOf(figures.figures)),
    charter: onlyProfile(charterOf(figures.figures)),
    activationSeries,
    classes: classesOf(figures.figures, figures.classes),
    services,
    indicators: indicatorRows(i.indicators, i.lang),
    pioneers,
  };
}

/**
 * The dashboard as sent, kept per establishment, period, profile and language with the parts it was made of: the
 * same for every member of the direction and the steering group who may see it (no per-viewer field: the pioneers
 * are the establishment's, not the reader's). While every part is the same (the same cached objects, the same
 * services' openings), the kept bytes are sent again — 50–100 KB that are otherwise rebuilt and serialised at each
 * request; a part reloaded after a change (a new roll-up, an activation, a discipline renamed…) rebuilds it.
 */
interface KeptDashboard {
  parts: unknown[];
  body: Buffer;
}

const DASHBOARDS = defineCache<KeptDashboard>({
  name: 'rollout-dashboard',
  topic: 'rollout',
  max: 200,
  ttlMs: 3_600_000,
});

/** The parts compared by identity (the cached objects) or, for the openings (a new array each time), by value. */
const partsOf = (i: DashboardInputs): unknown[] => [
  i.asOf.getTime(),
  i.figures,
  i.series,
  i.indicators,
  i.mostActive,
  i.staff,
  JSON.stringify(i.openings),
];

export async function dashboard(
  ctx: RequestContext,
  q: DashboardQuery,
  serialize: (d: RolloutDashboard) => string,
): Promise<RolloutDashboard | RawJson<RolloutDashboard>> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'rollout.use',
    service: 'rollout',
  });
  await rolloutAccess.requireSteering(auth);
  const inputs = await dashboardInputs(ctx, auth, q);
  recordUsage(ctx, q.establishment, 'rollout', 'dashboard.view');
  const kept = cacheOf(auth.db, DASHBOARDS);
  if (!kept) return dashboardOf(inputs);
  const key = `${auth.establishmentId}|${inputs.from}|${inputs.to}|${inputs.profile ?? '*'}|${ctx.lang}`;
  const parts = partsOf(inputs);
  const hit = kept.peek(key);
  if (hit && hit.parts.length === parts.length && hit.parts.every((p, n) => p === parts[n]))
    return new RawJson(hit.body);
  const body = Buffer.from(serialize(dashboardOf(inputs)));
  kept.set(key, { parts, body }, [auth.establishmentId]);
  return new RawJson(body);
}

const PROFILE_FR: Record<string, string> = {
  student: 'élèves',
  guardian: 'responsables',
  teacher: 'enseignants',
  staff: 'personnels',
  principal: 'direction',
  local_admin: 'administration ENT',
};

/** A CSV cell: French decimal comma, quoted when it holds a separator, a quote or a line break. */
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 10_000) / 10_000).replace('.', ',') : v;
  return /[;"\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The dashboard as CSV, one figure a line (`indicateur;date;profil;objet;valeur;numérateur;dénominateur`):
 * opens in a spreadsheet as is (semicolons, decimal commas, UTF-8 BOM). No names: the pioneers stay on screen.
 */
export async function dashboardCsv(ctx: RequestContext, q: DashboardQuery): Promise<{ csv: string; filename: string }> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'rollout.use',
    service: 'rollout',
  });
  await rolloutAccess.requireSteering(auth);
  const d = dashboardOf(await dashboardInputs(ctx, auth, q));
  const lines: (string | number | null)[][] = [
    ['indicateur', 'date', 'profil', 'objet', 'valeur', 'numérateur', 'dénominateur'],
  ];
  const rate = (n: number, total: number) => (total === 0 ? null : n / total);
  for (const a of d.activationSeries) {
    lines.push([
      'activation',
      a.day,
      PROFILE_FR[a.profile] ?? a.profile,
      '',
      rate(a.activated, a.total),
      a.activated,
      a.total,
    ]);
  }
  for (const c of d.charter) {
    lines.push([
      'charte',
      d.to,
      PROFILE_FR[c.profile] ?? c.profile,
      '',
      rate(c.accepted, c.total),
      c.accepted,
      c.total,
    ]);
  }
  for (const c of d.classes) {
    lines.push([
      'activation_classe',
      d.to,
      'élèves',
      c.class,
      rate(c.students.activated, c.students.total),
      c.students.activated,
      c.students.total,
    ]);
    lines.push([
      'activation_classe',
      d.to,
      'responsables',
      c.class,
      rate(c.guardians.activated, c.guardians.total),
      c.guardians.activated,
      c.guardians.total,
    ]);
  }
  const who = d.profile ? (PROFILE_FR[d.profile] ?? d.profile) : 'tous';
  for (const s of d.services) {
    for (const p of s.series) {
      if (p.month_users === 0 && p.week_users === 0 && p.day_users === 0) continue;
      lines.push(['actifs_jour', p.day, who, s.key, p.day_users, p.day_users, d.members]);
      lines.push(['actifs_7_jours', p.day, who, s.key, p.week_users, p.week_users, d.members]);
      lines.push(['actifs_30_jours', p.day, who, s.key, p.month_users, p.month_users, d.members]);
    }
  }
  for (const i of d.indicators)
    lines.push([i.key, d.to, '', i.service ?? i.module, i.value, i.numerator, i.denominator]);
  const csv = `\uFEFF${lines.map((l) => l.map(cell).join(';')).join('\r\n')}\r\n`;
  recordUsage(ctx, q.establishment, 'rollout', 'dashboard.export');
  return { csv, filename: `indicateurs-${d.from}-${d.to}.csv` };
}

/** For jobs and indicator definitions, which receive a plain handle from an authorized caller. */
export const trusted = (db: Db) => trustedDb(db as never, 'rollout indicators, computed for an authorized reader');
