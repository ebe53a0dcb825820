/** Logins are `prenom.nom`: lower case, accents stripped, only letters, digits, dots and hyphens. */
export function baseLogin(firstName: string, lastName: string): string {
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/['’\s]+/g, '-')
      .replace(/[^a-z0-9-]/g, '')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '');
  const login = [clean(firstName), clean(lastName)].filter(Boolean).join('.');
  return login || 'utilisateur';
}

/**
 * Pick a free login for each wanted base, adding a numeric suffix on collision (`marie.martin2`).
 * `taken` holds every login in use, lower-cased; it is updated as logins are handed out.
 */
export function allocateLogin(base: string, taken: Set<string>): string {
  let login = base;
  for (let n = 2; taken.has(login); n++) login = `${base}${n}`;
  taken.add(login);
  return login;
}

const UAI_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/** The UAI check letter: the 7 digits modulo 23, in an alphabet without I, O and Q. */
export function uaiCheckLetter(digits: string): string {
  return UAI_LETTERS[Number.parseInt(digits, 10) % 23]!;
}

export function isValidUai(uai: string): boolean {
  return /^[0-9]{7}[A-Z]$/.test(uai) && uaiCheckLetter(uai.slice(0, 7)) === uai[7];
}

/** Activation codes: 10 characters of Crockford base32 (50 bits), shown in two groups of five, e.g. `7KQ2M-D9XPA`. */
export function newActivationCode(random: (n: number) => Buffer): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = random(10);
  let code = '';
  for (const b of bytes) code += alphabet[b % 32];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
