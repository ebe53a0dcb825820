/*
 * Wording helpers: dates, ordinals, French elision, gender and staff roles. Pure functions (unit-tested in
 * format.test.ts); the components pass the current language, so a language switch re-renders every value.
 */

const TZ = 'Europe/Paris';

const isEnglish = (lang: string) => lang.startsWith('en');
const locale = (lang: string) => (isEnglish(lang) ? 'en-GB' : 'fr-FR');

// Building an Intl formatter is costly: one per language and style.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale(lang)}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), { ...options, timeZone: TZ });
    formatters.set(key, f);
  }
  return f;
}

/** French writes the first day of a month as an ordinal: "1er septembre", never "1 septembre". */
function withFirstOrdinal(parts: Intl.DateTimeFormatPart[], lang: string): string {
  return parts.map((p) => (p.type === 'day' && !isEnglish(lang) && Number(p.value) === 1 ? '1er' : p.value)).join('');
}

function toDate(iso: string): Date {
  // A calendar date (`YYYY-MM-DD`) is that day in Paris whatever the time zone: take its noon.
  return new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
}

/** "1er septembre 2026" / "1 September 2026". */
export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return withFirstOrdinal(formatter(lang, { dateStyle: 'long' }).formatToParts(toDate(iso)), lang);
}

/** "1er sept. 2026, 08:05" / "1 Sept 2026, 08:05". */
export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return withFirstOrdinal(
    formatter(lang, { dateStyle: 'medium', timeStyle: 'short' }).formatToParts(new Date(iso)),
    lang,
  );
}

/**
 * A date in any Intl style, the first of a month written "1er" in French: `formatDateWith('2026-12-01', 'fr',
 * { day: 'numeric', month: 'short' })` → "1er déc.". A calendar date (`YYYY-MM-DD`) is that day in Paris.
 */
export function formatDateWith(iso: string, lang: string, options: Intl.DateTimeFormatOptions): string {
  return withFirstOrdinal(formatter(lang, options).formatToParts(toDate(iso)), lang);
}

/** A calendar day with its weekday: "mardi 1er décembre" / "Tuesday 1 December"; capitalised for a heading. */
export function formatDay(date: string, lang: string, capitalised = false): string {
  const s = formatDateWith(date, lang, { weekday: 'long', day: 'numeric', month: 'long' });
  return capitalised ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** `08:00` from an ISO instant with the Paris offset (the wall clock is written in it). */
export const clock = (iso: string) => iso.slice(11, 16);

/**
 * An ordinal number: French "1er" (masculine) or "1re" (feminine), then "2e", "3e"…; English "1st", "2nd", "3rd",
 * "4th", "11th", "21st"…
 */
export function ordinal(n: number, lang: string, gender: 'male' | 'female' = 'male'): string {
  if (isEnglish(lang)) {
    const tens = n % 100;
    const unit = n % 10;
    const suffix = tens >= 11 && tens <= 13 ? 'th' : unit === 1 ? 'st' : unit === 2 ? 'nd' : unit === 3 ? 'rd' : 'th';
    return `${n}${suffix}`;
  }
  if (n === 1) return gender === 'female' ? '1re' : '1er';
  return `${n}e`;
}

// A word starting with a vowel sound takes the elided form. "h" is left alone: h muet or aspiré cannot be told
// from the spelling ("de Hugo", "de Hélène" stay correct), while a vowel is certain ("d'ANDRÉ", "d'Émilie").
const VOWEL = /^[\s«"“'‘]*[aeiouyàâäéèêëîïôöùûüÿæœ]/i;

const ELIDED = { de: "d'", que: "qu'", le: "l'", la: "l'", je: "j'", me: "m'", te: "t'", se: "s'", ne: "n'" };
export type ElidableWord = keyof typeof ELIDED;

/** French elision before a word: `elide('de', 'ANDRÉ Nour')` → "d'ANDRÉ Nour", `elide('de', 'MARTIN')` → "de MARTIN". */
export function elide(word: ElidableWord, next: string): string {
  const trimmed = next.trim();
  return VOWEL.test(trimmed) ? `${ELIDED[word]}${trimmed}` : `${word} ${trimmed}`;
}

export type Gender = 'female' | 'male';

/** The gender the directory's civilité says (AAF `personalTitle`: "Mme", "M."…), when it says one. */
export function genderOf(title: string | null | undefined): Gender | undefined {
  const t = (title ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (['mme', 'madame', 'mlle', 'mademoiselle', 'mrs', 'ms', 'miss'].includes(t)) return 'female';
  if (['m', 'mr', 'monsieur'].includes(t)) return 'male';
  return undefined;
}

/**
 * The i18next options for a word that agrees with a person's gender: `t('profiles.local_admin',
 * genderContext(gender))` reads `profiles.local_admin_female` ("Administratrice locale") for a woman, the plain
 * key otherwise.
 */
export function genderContext(gender: Gender | undefined): { context?: Gender } {
  return gender ? { context: gender } : {};
}

/*
 * Staff roles from the directory. A membership's `functions` hold the AAF function codes (`ENS` teaching, `EDU`
 * school life, `DIR` direction, `DOC` library, `ADF` administration, `MDS` health and social, `ORI` guidance…),
 * possibly with the directory's labels (`EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION`, the
 * `ENTPersonFonctions` fields after the structure). A known position label names the person's role precisely
 * (the CPE, the deputy head); otherwise the function code does.
 */
export type StaffRole =
  | 'cpe'
  | 'education_assistant'
  | 'deputy_head'
  | 'head'
  | 'direction'
  | 'librarian'
  | 'school_life'
  | 'administration'
  | 'health_social'
  | 'guidance'
  | 'teaching'
  | 'laboratory'
  | 'technical';

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

const BY_LABEL: [RegExp, StaffRole][] = [
  [/\bCONSEILLER(E)? PRINCIPAL(E)? D EDUCATION\b|^C ?P ?E$/, 'cpe'],
  [/\bASSISTANT(E)? D EDUCATION\b|^AED$/, 'education_assistant'],
  [/\b(CHEF D ETABLISSEMENT|PROVISEUR|PRINCIPAL(E)?) ADJOINT(E)?\b/, 'deputy_head'],
  [/\bCHEF D ETABLISSEMENT\b|^PROVISEUR(E)?$|^PRINCIPAL(E)?$/, 'head'],
  [/\bDOCUMENTALISTE\b/, 'librarian'],
];

const BY_CODE: Record<string, StaffRole> = {
  DIR: 'direction',
  EDU: 'school_life',
  DOC: 'librarian',
  ADF: 'administration',
  MDS: 'health_social',
  ORI: 'guidance',
  ENS: 'teaching',
  LAB: 'laboratory',
  ALB: 'laboratory',
  OUV: 'technical',
  AED: 'education_assistant',
  CPE: 'cpe',
};

/** The roles a membership's functions name, most precise first, without repeats ("CPE" rather than "Vie scolaire"). */
export function staffRoles(functions: readonly string[]): StaffRole[] {
  const precise: StaffRole[] = [];
  const general: StaffRole[] = [];
  for (const entry of functions) {
    const parts = entry
      .split('$')
      .map((p) => p.trim())
      .filter(Boolean);
    let found: StaffRole | undefined;
    for (const part of parts) {
      const folded = fold(part);
      found = BY_LABEL.find(([re]) => re.test(folded))?.[1];
      if (found) break;
    }
    if (found) precise.push(found);
    else {
      const code = parts.map((p) => p.toUpperCase()).find((p) => BY_CODE[p]);
      if (code) general.push(BY_CODE[code]!);
    }
  }
  // A precise role replaces the general one it belongs to (CPE is school life; the deputy head is direction).
  const covers: Partial<Record<StaffRole, StaffRole>> = {
    cpe: 'school_life',
    education_assistant: 'school_life',
    deputy_head: 'direction',
    head: 'direction',
  };
  const covered = new Set(precise.map((r) => covers[r]).filter(Boolean));
  return [...new Set([...precise, ...general.filter((r) => !covered.has(r))])];
}
