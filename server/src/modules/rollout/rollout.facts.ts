import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import { type CacheSpec, cached, cacheOf, defineCache } from '../../platform/cache.ts';
import { charterFacts } from '../charter/index.ts';
import { type AdoptionFigures, directoryFacts } from '../directory/index.ts';
import { activity } from './activity.repository.ts';
import { parisDay } from './rollout.dates.ts';
import { outreach, plan } from './rollout.repository.ts';

/**
 * What the cockpit's pages and the direction's home widget read of an establishment, kept in memory per
 * establishment (docs/ARCHITECTURE.md, "Caches and the hot path"): the roster's figures and classes, the
 * checklist's facts, the staff and their disciplines. Topic `rollout`, key the establishment id: the triggers of migration
 * `0502_rollout_cache_invalidation` announce every change these depend on, whoever writes (an import, an
 * activation, an acceptance of the charter, a print of login sheets, a look at the quality page…). Two more
 * guards: the figures are those of the charter in force (itself cached, topic `charter`) — a new charter reloads
 * them; the quality counts depend on the day (a student comes of age) — a new day reloads them.
 */
export interface Figures {
  charterId: string | null;
  figures: AdoptionFigures;
  classes: { id: string; code: string; label: string }[];
}

export interface ChecklistFacts {
  day: string;
  lastImport: Awaited<ReturnType<typeof directoryFacts.lastImport>>;
  quality: Awaited<ReturnType<typeof directoryFacts.qualityCounts>>;
  sheets: Awaited<ReturnType<typeof directoryFacts.sheetsPrinted>>;
  announcement: Awaited<ReturnType<typeof outreach.lastAnnouncement>> | null;
  establishment: Awaited<ReturnType<typeof outreach.establishment>> | null;
  contact: Awaited<ReturnType<typeof outreach.contact>> | null;
  /** The plan's steps past due and still open (today's count: the facts are reloaded on a new day). */
  lateSteps: number;
}

const FIGURES = defineCache<Figures>({ name: 'rollout-figures', topic: 'rollout', max: 200, ttlMs: 600_000 });
const CHECKLIST = defineCache<ChecklistFacts>({
  name: 'rollout-checklist',
  topic: 'rollout',
  max: 200,
  ttlMs: 600_000,
});

/** The staff, and the labels of the disciplines they teach (the pioneers are grouped by discipline). */
export interface Staff {
  staff: Awaited<ReturnType<typeof directoryFacts.staff>>;
  subjectLabels: Map<string, string>;
}

const STAFF = defineCache<Staff>({ name: 'rollout-staff', topic: 'rollout', max: 200, ttlMs: 600_000 });

/** The start of the current school year (the dashboard's default period), null when none is current. */
const YEAR_START = defineCache<string | null>({
  name: 'rollout-year-start',
  topic: 'rollout',
  max: 1000,
  ttlMs: 600_000,
});

/** Through the cache when there is one, reloaded when `stale` says the kept value no longer applies. */
async function through<V>(
  db: Db,
  spec: CacheSpec<V>,
  key: string,
  stale: (v: V) => boolean,
  load: () => Promise<V>,
): Promise<V> {
  const c = cacheOf(db, spec);
  if (!c) return load();
  const kept = c.peek(key);
  if (kept !== undefined && stale(kept)) c.delete(key);
  const v = await c.get(key, load);
  // A load shared with a request that started before the change (charter, day) it must see: load again.
  return stale(v) ? load() : v;
}

/** The roster's figures (with the acceptances of the charter in force) and the current classes. */
export async function figuresOf(db: Db, establishmentId: string): Promise<Figures> {
  const charterId = (await charterFacts.inForce(db, establishmentId))?.id ?? null;
  return through(
    db,
    FIGURES,
    establishmentId,
    (v) => v.charterId !== charterId,
    async () => {
      const [figures, classes] = await Promise.all([
        directoryFacts.figures(db, establishmentId, charterId),
        directoryFacts.classes(db, establishmentId),
      ]);
      return { charterId, figures, classes };
    },
  );
}

/**
 * The checklist's facts: the last import, the quality counts, the sheets printed, families told, the help, and
 * the plan's late steps.
 */
export async function checklistFactsOf(db: Db, establishmentId: string): Promise<ChecklistFacts> {
  const day = parisDay(new Date());
  return through(
    db,
    CHECKLIST,
    establishmentId,
    (v) => v.day !== day,
    async () => {
      const [lastImport, quality, sheets, announcement, establishment, lateSteps] = await Promise.all([
        directoryFacts.lastImport(db, establishmentId),
        directoryFacts.qualityCounts(db, establishmentId),
        directoryFacts.sheetsPrinted(db, establishmentId),
        outreach.lastAnnouncement(db, establishmentId),
        outreach.establishment(db, establishmentId),
        plan.lateSteps(db, establishmentId, day),
      ]);
      const contact = establishment ? await outreach.contact(db, establishment.academy_id) : null;
      return {
        day,
        lastImport,
        quality,
        sheets,
        announcement: announcement ?? null,
        establishment: establishment ?? null,
        contact: contact ?? null,
        lateSteps,
      };
    },
  );
}

/**
 * The establishment's staff with their profiles and this year's disciplines, and those disciplines' labels (the
 * dashboard's pioneers). A label renamed announces `rollout:*` (migration 0504).
 */
export function staffOf(db: Db, establishmentId: string): Promise<Staff> {
  return through(
    db,
    STAFF,
    establishmentId,
    () => false,
    async () => {
      const staff = await directoryFacts.staff(db, establishmentId);
      const subjectLabels = await directoryFacts.subjectLabels(
        db,
        staff.flatMap((s) => s.subjects),
      );
      return { staff, subjectLabels };
    },
  );
}

/** The start of the current school year (school years announce their establishment, migration 0502). */
export function yearStartOf(db: Db, establishmentId: string): Promise<string | null> {
  return cached(db, YEAR_START, establishmentId, () => outreach.yearStart(db, establishmentId));
}

const ROLLED_UP = defineCache<unknown>({ name: 'rollout-rolled-up', topic: 'rollout', max: 2000, ttlMs: 600_000 });

/**
 * A read of the activity roll-up (`rollout_activity`, `rollout_user_day`), kept while the establishment's roll-up
 * is the one of `asOf`: a roll-up rebuilds its days and sets a new `asOf` in one transaction, so a new roll-up is
 * another key and nothing needs to be told. The Paris day is in the key too (the nightly purge of old days).
 */
export function rolledUp<V>(db: Db, key: string, asOf: Date, load: () => Promise<V>): Promise<V> {
  return cached(db, ROLLED_UP as CacheSpec<V>, `${key}|${asOf.toISOString()}|${parisDay(new Date())}`, load);
}

/**
 * The time of the establishment's roll-up (null before the first), read by every cockpit page: kept per
 * establishment, topic `rollup` — every roll-up announces the establishments it marked (migration 0504).
 */
const AS_OF = defineCache<Date | null>({ name: 'rollout-as-of', topic: 'rollup', max: 5000, ttlMs: 600_000 });

export function asOfOf(db: Db, establishmentId: string): Promise<Date | null> {
  return cached(db, AS_OF, establishmentId, () => activity.asOf(db, establishmentId));
}

/** A registered indicator's value over a period, or null when its computation failed. */
export interface IndicatorValue {
  key: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

/**
 * Topic `rollout-as-of`: announced by nothing. A value is the one of its roll-up (`asOf` is in the key) and is computed
 * once: a load overlapping a notification of its cache's topic is not kept, and the roll-up that starts a page's
 * own request announces `rollup:<establishment id>` just after — under that topic, the values would be computed a
 * second time a moment later, with newer data, for the same `asOf`. A new roll-up is a new key; the old values go
 * with the bound (`max`) or the hour (`ttlMs`).
 */
const INDICATOR_VALUES = defineCache<IndicatorValue[]>({
  name: 'rollout-indicator-values',
  topic: 'rollout-as-of',
  max: 1000,
  ttlMs: 3_600_000,
});

/**
 * Every module's indicators over a period, as of the establishment's roll-up `asOf`: computed at the first read
 * after a roll-up and kept until the next one (the hourly roll-up, or "Actualiser"), so that the dashboard's figures
 * are those of one moment, the one it shows. The modules' data are not watched: a new roll-up is another key. A
 * computation that failed is not kept (it is tried again at the next read). Each instance computes its own at its
 * first read after the roll-up.
 */
export async function indicatorValuesAsOf(
  db: Db,
  establishmentId: string,
  period: { from: string; to: string },
  asOf: Date,
  load: () => Promise<IndicatorValue[]>,
): Promise<IndicatorValue[]> {
  const key = `${establishmentId}|${period.from}|${period.to}|${asOf.toISOString()}|${parisDay(new Date())}`;
  const c = cacheOf(db, INDICATOR_VALUES);
  if (!c) return load();
  const values = await c.get(key, load);
  if (values.some((v) => v.value === null)) c.delete(key);
  return values;
}
