/**
 * The one display-name rule of the ENT: « NOM Prénom » (the surname in capitals, as French schools write it).
 * The import, manual corrections, the demo seed, the bench's académie and the test fixtures all use it, so that a
 * person reads the same everywhere and sorts the same way.
 */
export function displayNameOf(firstName: string, lastName: string): string {
  return `${lastName.toLocaleUpperCase('fr-FR')} ${firstName}`.trim();
}
