/*
 * French elision in sentences the server writes (notifications): "l'absence d'ÉLÈVE Emma", "de MARTIN Léa". The
 * web app has the same rule (web/src/components/format.ts, `elide`). "h" is left alone: h muet or aspiré cannot
 * be told from the spelling ("de Hugo" stays correct), while a vowel is certain.
 */
const VOWEL = /^[\s«"“'‘]*[aeiouyàâäéèêëîïôöùûüÿæœ]/i;

/** "de" before a name or a word: `ofName('ÉLÈVE Emma')` → "d'ÉLÈVE Emma", `ofName('MARTIN Léa')` → "de MARTIN Léa". */
export function ofName(name: string): string {
  const trimmed = name.trim();
  return VOWEL.test(trimmed) ? `d'${trimmed}` : `de ${trimmed}`;
}
