import { describe, expect, test } from 'vitest';
import { checkPassword, hashPassword, PASSWORD_MAX_LENGTH, verifyPassword } from './passwords.ts';

const adult = { minLength: 12, names: ['marie.dupont', 'Marie', 'Dupont'] };

describe('checkPassword', () => {
  test('length counts code points: an accented letter or an emoji is one character', () => {
    expect(checkPassword('éééééééééééé', adult)).toEqual([]); // 12 × é
    expect(checkPassword('ééééééééééé', adult)).toEqual(['TOO_SHORT']);
    expect(checkPassword('🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂', adult)).toEqual([]); // 12 emoji, 24 UTF-16 units
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH), adult)).toEqual([]);
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH + 1), adult)).toEqual(['TOO_LONG']);
  });

  test('no composition rules: a long lower-case passphrase is fine', () => {
    expect(checkPassword('le chat dort sur le radiateur', adult)).toEqual([]);
  });

  test('common passwords are refused, accents and case folded', () => {
    expect(checkPassword('azertyuiop123', adult)).toEqual(['COMMON']);
    expect(checkPassword('AZERTYUIOP123', adult)).toEqual(['COMMON']);
    expect(checkPassword('password', { minLength: 8, names: [] })).toEqual(['COMMON']);
  });

  test('names are found whatever the case, accents or separators; short name parts are ignored', () => {
    expect(checkPassword('jaime-beaucoup-DUPONT', adult)).toEqual(['CONTAINS_NAME']);
    expect(checkPassword('d.u.p.o.n.t et les autres', adult)).toEqual(['CONTAINS_NAME']);
    expect(checkPassword('cest hélène qui chante', { minLength: 12, names: ['Hélène'] })).toEqual(['CONTAINS_NAME']);
    expect(checkPassword('cest helene qui chante', { minLength: 12, names: ['Hélène'] })).toEqual(['CONTAINS_NAME']);
    expect(checkPassword('un long mot de passe Li', { minLength: 12, names: ['Li', 'Wu'] })).toEqual([]);
    expect(checkPassword('voici un mot de passe', { minLength: 12, names: [null, undefined, ''] })).toEqual([]);
  });
});

describe('hashing', () => {
  test('Argon2id hashes verify the right password only, and a corrupt hash is just false', async () => {
    const h = await hashPassword('une phrase de passe');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'une phrase de passe')).toBe(true);
    expect(await verifyPassword(h, 'une phrase de passE')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(await hashPassword('une phrase de passe')).not.toBe(h); // salted
  });
});
