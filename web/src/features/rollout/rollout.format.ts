import { useTranslation } from 'react-i18next';
import { formatDateWith } from '../../components/format.ts';

/** Figures as people read them (no chart library here: the home widget uses these). */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language.startsWith('en') ? 'en-GB' : 'fr-FR';
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return {
    /** A share as a percentage ("75 %"); a dash when there is nothing to divide. */
    rate: (numerator: number, denominator: number) =>
      denominator === 0 ? '—' : percent.format(numerator / denominator),
    share: (value: number | null) => (value === null ? '—' : percent.format(value)),
    number: (value: number | null) => (value === null ? '—' : number.format(value)),
    /** `YYYY-MM-DD` → "14 oct.", "1er déc." */
    day: (iso: string) => formatDateWith(iso, i18n.language, { day: 'numeric', month: 'short' }),
  };
}

export const PROFILE_ORDER = ['guardian', 'student', 'teacher', 'staff', 'principal', 'local_admin'] as const;

/** Guardians first: the profile the rollout worries about most. */
export function byProfileOrder<T extends { profile: string }>(rows: T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      PROFILE_ORDER.indexOf(a.profile as (typeof PROFILE_ORDER)[number]) -
      PROFILE_ORDER.indexOf(b.profile as (typeof PROFILE_ORDER)[number]),
  );
}
