/** Calendar days (`YYYY-MM-DD`, Europe/Paris) and the instants that bound them. */

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });
const PARIS_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

export function parisDay(at: Date): string {
  return PARIS_DAY.format(at);
}

/** `day` + n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T12:00:00Z`);
  for (let day = from; day <= to; day = d.toISOString().slice(0, 10)) {
    out.push(day);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Whole days from `a` to `b`. */
export function diffDays(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86_400_000);
}

/** The instant a Paris calendar day starts (midnight in Paris, whatever the season). */
export function parisMidnight(day: string): Date {
  const noonUtc = new Date(`${day}T12:00:00Z`);
  const offset = /GMT([+-]\d{2}):?(\d{2})?/.exec(PARIS_OFFSET.format(noonUtc));
  const hours = offset ? Number(offset[1]) : 1;
  const minutes = offset?.[2] ? Number(offset[2]) * Math.sign(hours || 1) : 0;
  return new Date(Date.parse(`${day}T00:00:00Z`) - (hours * 60 + minutes) * 60_000);
}

/** The instant a Paris calendar day ends (the next day's midnight). */
export function parisEndOf(day: string): Date {
  return parisMidnight(addDays(day, 1));
}

/** `YYYY-MM` of a Paris day: the pulse's period. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}
