import { formatDateWith } from '../../components/format.ts';

/** Paris dates and times for school-life screens. */
export const todayInParis = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

export const shiftDay = (date: string, days: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

export const timeOf = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

/** « mardi 1er décembre » (a calendar date, or the Paris day of an instant). */
export const dayOf = (iso: string, lang: string) =>
  formatDateWith(iso, lang, { weekday: 'long', day: 'numeric', month: 'long' });

export const initials = (first: string, last: string) => `${first.charAt(0)}${last.charAt(0)}`.toUpperCase();
