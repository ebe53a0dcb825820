/*
 * Dates written into French sentences (notifications, PDFs, sheets): the first of a month is "1er" in French
 * ("mardi 1er décembre", "le 1er juillet 2027"), never "1 décembre". The web app has the same rule
 * (web/src/components/format.ts).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * `YYYY-MM-DD` (that day, whatever the time zone) or an instant (read in Paris), in French, with the given Intl
 * options: `frenchDate('2026-12-01', { weekday: 'long', day: 'numeric', month: 'long' })` → "mardi 1er décembre".
 */
export function frenchDate(value: string | Date, options: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    // Building an Intl formatter is costly: one per style.
    f = new Intl.DateTimeFormat('fr-FR', { ...options, timeZone: 'Europe/Paris' });
    formatters.set(key, f);
  }
  const date = typeof value === 'string' && value.length === 10 ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return f
    .formatToParts(date)
    .map((p) => (p.type === 'day' && Number(p.value) === 1 ? '1er' : p.value))
    .join('');
}

/** "mardi 1er décembre". */
export const frenchDay = (date: string) => frenchDate(date, { weekday: 'long', day: 'numeric', month: 'long' });
