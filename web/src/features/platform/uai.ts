const UAI_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/** UAI: 7 digits and a check letter (the digits modulo 23, in an alphabet without I, O and Q). */
export function uaiProblem(raw: string): 'format' | 'checkLetter' | null {
  const uai = raw.trim().toUpperCase();
  if (!/^[0-9]{7}[A-Z]$/.test(uai)) return 'format';
  return UAI_LETTERS[Number.parseInt(uai.slice(0, 7), 10) % 23] === uai[7] ? null : 'checkLetter';
}
