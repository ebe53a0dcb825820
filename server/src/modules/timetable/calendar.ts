/**
 * The school calendar: calendar-date arithmetic (dates are `YYYY-MM-DD`, local to Paris), the Paris offset of a
 * wall-clock time, and the official school holidays of the zones A, B and C.
 *
 * Source of the holidays: the national school calendar 2026-2027 (« Calendrier scolaire 2026-2027 », ministère de
 * l'Éducation nationale, https://www.education.gouv.fr/calendrier-scolaire-100148 — the same dates as the open
 * data set « Calendrier scolaire » of data.education.gouv.fr). Holidays start after the classes of the day named
 * in the calendar (a Saturday) and end the evening before the day classes resume: each period below lists the
 * first and the last day WITHOUT classes. Public holidays that fall on a school day are listed too.
 */

export type Zone = 'A' | 'B' | 'C';
export const ZONES: readonly Zone[] = ['A', 'B', 'C'];

export interface Holiday {
  name: string;
  /** First day without classes. */
  from: string;
  /** Last day without classes (inclusive). */
  to: string;
}

const COMMON_2026_2027: Holiday[] = [
  { name: 'Vacances de la Toussaint', from: '2026-10-18', to: '2026-11-01' },
  { name: 'Armistice de 1918', from: '2026-11-11', to: '2026-11-11' },
  { name: 'Vacances de Noël', from: '2026-12-20', to: '2027-01-03' },
  { name: 'Lundi de Pâques', from: '2027-03-29', to: '2027-03-29' },
  { name: "Pont de l'Ascension", from: '2027-05-06', to: '2027-05-09' },
  { name: 'Lundi de Pentecôte', from: '2027-05-17', to: '2027-05-17' },
  { name: "Vacances d'été", from: '2027-07-04', to: '2027-08-31' },
];

const ZONED_2026_2027: Record<Zone, Holiday[]> = {
  A: [
    { name: "Vacances d'hiver", from: '2027-02-14', to: '2027-02-28' },
    { name: 'Vacances de printemps', from: '2027-04-11', to: '2027-04-25' },
  ],
  B: [
    { name: "Vacances d'hiver", from: '2027-02-21', to: '2027-03-07' },
    { name: 'Vacances de printemps', from: '2027-04-18', to: '2027-05-02' },
  ],
  C: [
    { name: "Vacances d'hiver", from: '2027-02-07', to: '2027-02-21' },
    { name: 'Vacances de printemps', from: '2027-04-04', to: '2027-04-18' },
  ],
};

/** The académies of each zone (for the default zone of an establishment). */
export const ACADEMY_ZONES: Record<string, Zone> = {
  BESANCON: 'A',
  BORDEAUX: 'A',
  'CLERMONT-FERRAND': 'A',
  DIJON: 'A',
  GRENOBLE: 'A',
  LIMOGES: 'A',
  LYON: 'A',
  POITIERS: 'A',
  'AIX-MARSEILLE': 'B',
  AMIENS: 'B',
  LILLE: 'B',
  'NANCY-METZ': 'B',
  NANTES: 'B',
  NICE: 'B',
  NORMANDIE: 'B',
  'ORLEANS-TOURS': 'B',
  REIMS: 'B',
  RENNES: 'B',
  STRASBOURG: 'B',
  CRETEIL: 'C',
  MONTPELLIER: 'C',
  PARIS: 'C',
  TOULOUSE: 'C',
  VERSAILLES: 'C',
};

/** The zone of an académie by its code or name (`CRETEIL`, `Académie de Créteil`); C when unknown. */
export function zoneOfAcademy(codeOrName: string): Zone {
  const key = codeOrName
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase()
    .replace(/^ACADEMIE (DE |D')?/, '')
    .replace(/\s+/g, '-');
  return ACADEMY_ZONES[key] ?? 'C';
}

/** Every period without classes of the zone, in date order (2026-2027; other years: none known). */
export function holidaysOf(zone: Zone): Holiday[] {
  return [...COMMON_2026_2027, ...ZONED_2026_2027[zone]].sort((a, b) => (a.from < b.from ? -1 : 1));
}

/** The holidays that touch [from, to]. */
export function holidaysBetween(zone: Zone, from: string, to: string): Holiday[] {
  return holidaysOf(zone).filter((h) => h.from <= to && h.to >= from);
}

/** A predicate: is this date a day without classes (holiday or public holiday) in the zone? */
export function closedDays(zone: Zone): (date: string) => boolean {
  const periods = holidaysOf(zone);
  return (date) => periods.some((h) => h.from <= date && date <= h.to);
}

// ---- dates ----

const DAY_MS = 86_400_000;
const toUtc = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `compute` remembered by key (at most `max` keys, then forgotten all at once): week pages walk the same dates and
 * times many times per request, and `toISOString` and `Intl` are slow. The values never change for a key.
 */
function remembered<V>(max: number, compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    const hit = known.get(key);
    if (hit !== undefined) return hit;
    if (known.size >= max) known.clear();
    const v = compute(key);
    known.set(key, v);
    return v;
  };
}

export function addDays(date: string, n: number): string {
  return shifted(`${date}${n}`);
}
// The key is the date (10 characters) followed by the number of days.
const shifted = remembered(100_000, (key) => fromUtc(toUtc(key.slice(0, 10)) + Number(key.slice(10)) * DAY_MS));

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const weekdayOf: (date: string) => number = remembered(100_000, (date) => {
  const d = new Date(toUtc(date)).getUTCDay();
  return d === 0 ? 7 : d;
});

/** The Monday of the date's week. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - weekdayOf(date));
}

/** Days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtc(b) - toUtc(a)) / DAY_MS);
}

/** Every date of [from, to], both inclusive. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });
/** Today in Paris. */
export function parisDate(now = new Date()): string {
  return PARIS_DAY.format(now);
}

const PARIS_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** The Paris wall-clock time of an instant, `HH:MM`. */
export function parisTime(now = new Date()): string {
  return PARIS_TIME.format(now);
}

const OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });
/** The Paris UTC offset on that date at that time, `+01:00` or `+02:00`. */
export function parisOffset(date: string, time = '12:00'): string {
  return offsetAt(`${date}T${time}`);
}

const offsetAt = remembered(50_000, (dateTime) => {
  // An instant close enough: the wall clock read as UTC, moved by the usual winter offset.
  const probe = new Date(`${dateTime}:00Z`);
  probe.setUTCHours(probe.getUTCHours() - 1);
  const name = OFFSET.formatToParts(probe).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
});

/** A Paris wall-clock date and time as an ISO instant with its offset: `2026-11-30T08:00:00+01:00`. */
export function parisIso(date: string, time: string): string {
  return isoAt(`${date}T${time.slice(0, 5)}`);
}
const isoAt = remembered(50_000, (dateTime) => `${dateTime}:00${offsetAt(dateTime)}`);

/** The same as a Date. */
export function parisInstant(date: string, time: string): Date {
  return new Date(parisIso(date, time));
}

/** `08:00:00` or `8:00` → `08:00`. */
export function hhmm(time: string): string {
  const [h = '0', m = '0'] = time.split(':');
  return `${h.padStart(2, '0')}:${m.padStart(2, '0').slice(0, 2)}`;
}

export function minutesOf(time: string): number {
  const [h = '0', m = '0'] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export function timeOfMinutes(n: number): string {
  return `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
}
