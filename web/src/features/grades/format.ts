import type { GradeCode } from '@preau/contracts';
import { formatDateWith, formatDay } from '../../components/format.ts';

/** A number the French way, at most two decimals: 15,5. */
export const num = (x: number | null | undefined, lang = 'fr') =>
  x === null || x === undefined
    ? '–'
    : x.toLocaleString(lang.startsWith('en') ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 2 });

/** A grade input's text → a number (accepts 12,5 and 12.5), `null` if empty, NaN if not a number. */
export const parseGrade = (s: string): number | null => {
  const t = s.trim().replace(',', '.');
  if (t === '') return null;
  return /^\d+(\.\d{1,2})?$/.test(t) ? Number(t) : Number.NaN;
};

export const CODES: GradeCode[] = ['absent', 'exempt', 'not_handed_in'];

/** Paris calendar date of an ISO date, long: « lundi 5 octobre », « mardi 1er décembre ». */
export const dayLabel = (date: string, lang = 'fr') => formatDay(date, lang);

/** « mardi 1er décembre à 08:05 ». */
export const dateTimeLabel = (iso: string, lang = 'fr') =>
  formatDateWith(iso, lang, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

/** « 1er déc. ». */
export const shortDay = (date: string, lang = 'fr') => formatDateWith(date, lang, { day: 'numeric', month: 'short' });

export const todayInParis = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
