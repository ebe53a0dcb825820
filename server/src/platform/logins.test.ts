import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { allocateLogin, baseLogin, isValidUai, newActivationCode, uaiCheckLetter } from './logins.ts';

describe('logins', () => {
  test('prenom.nom, lower case, accents stripped, compound names kept readable', () => {
    expect(baseLogin('Émilie', 'Lefèvre')).toBe('emilie.lefevre');
    expect(baseLogin('Jean-Noël', "N'Diaye")).toBe('jean-noel.n-diaye');
    expect(baseLogin('Aïcha', 'Ben Saïd')).toBe('aicha.ben-said');
    expect(baseLogin('Zoë', 'DA SILVA')).toBe('zoe.da-silva');
    expect(baseLogin('', '')).toBe('utilisateur');
  });

  test('a numeric suffix on collision, case-insensitively', () => {
    const taken = new Set(['marie.martin']);
    expect(allocateLogin('marie.martin', taken)).toBe('marie.martin2');
    expect(allocateLogin('marie.martin', taken)).toBe('marie.martin3');
    expect(allocateLogin('paul.petit', taken)).toBe('paul.petit');
    expect(taken.has('marie.martin3')).toBe(true);
  });
});

describe('UAI', () => {
  test('the check letter is the 7 digits modulo 23 in an alphabet without I, O, Q', () => {
    expect(uaiCheckLetter('0750648')).toBe('X'); // lycée Louis-le-Grand, a real UAI
    expect(uaiCheckLetter('0750654')).toBe('D'); // lycée Henri-IV
    expect(isValidUai('0750648X')).toBe(true);
    expect(isValidUai('0750648Y')).toBe(false);
    expect(isValidUai('075064X')).toBe(false);
    expect(isValidUai('0750648x')).toBe(false);
  });
});

test('activation codes are 10 characters of Crockford base32 in two groups', () => {
  const codes = new Set(Array.from({ length: 200 }, () => newActivationCode(randomBytes)));
  expect(codes.size).toBe(200);
  for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
});
