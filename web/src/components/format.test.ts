import { describe, expect, test } from 'vitest';
import {
  elide,
  formatDate,
  formatDateTime,
  formatDateWith,
  formatDay,
  genderContext,
  genderOf,
  ordinal,
  staffRoles,
} from './format.ts';

describe('dates', () => {
  test('the first of the month is an ordinal in French, and only in French', () => {
    expect(formatDate('2026-09-01', 'fr')).toBe('1er septembre 2026');
    expect(formatDate('2026-09-02', 'fr')).toBe('2 septembre 2026');
    expect(formatDate('2026-09-11', 'fr')).toBe('11 septembre 2026');
    expect(formatDate('2026-09-21', 'fr')).toBe('21 septembre 2026');
    expect(formatDate('2026-09-01', 'en')).toBe('1 September 2026');
    expect(formatDateTime('2026-09-01T06:05:00Z', 'fr')).toBe('1er sept. 2026, 08:05');
    expect(formatDateTime('2026-12-31T23:30:00Z', 'fr')).toBe('1er janv. 2027, 00:30');
  });

  test('a day with its weekday, or in a short style: "1er" there too', () => {
    expect(formatDay('2026-12-01', 'fr')).toBe('mardi 1er décembre');
    expect(formatDay('2026-12-01', 'fr', true)).toBe('Mardi 1er décembre');
    expect(formatDay('2026-12-02', 'fr')).toBe('mercredi 2 décembre');
    expect(formatDay('2026-12-01', 'en')).toBe('Tuesday 1 December');
    expect(formatDateWith('2026-12-01', 'fr', { day: 'numeric', month: 'short' })).toBe('1er déc.');
    expect(formatDateWith('2026-12-11', 'fr', { day: 'numeric', month: 'short' })).toBe('11 déc.');
    expect(
      formatDateWith('2026-12-01T09:00:00+01:00', 'fr', {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        hour: '2-digit',
        minute: '2-digit',
      }),
    ).toBe('mardi 1er décembre à 09:00');
  });

  test('calendar dates are that day in Paris; nothing gives an em dash', () => {
    expect(formatDate('2027-01-01', 'fr')).toBe('1er janvier 2027');
    expect(formatDate(null, 'fr')).toBe('—');
    expect(formatDateTime(undefined, 'en')).toBe('—');
  });
});

describe('ordinals', () => {
  test('French', () => {
    expect(ordinal(1, 'fr')).toBe('1er');
    expect(ordinal(1, 'fr', 'female')).toBe('1re');
    expect(ordinal(2, 'fr')).toBe('2e');
    expect(ordinal(21, 'fr')).toBe('21e');
  });
  test('English', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map((n) => ordinal(n, 'en'))).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });
});

describe('elision', () => {
  test('before a vowel, accented or capital', () => {
    expect(elide('de', 'ANDRÉ Nour')).toBe("d'ANDRÉ Nour");
    expect(elide('de', 'Émilie')).toBe("d'Émilie");
    expect(elide('de', 'YILMAZ Ayla')).toBe("d'YILMAZ Ayla");
    expect(elide('que', 'il')).toBe("qu'il");
    expect(elide('la', 'école')).toBe("l'école");
  });
  test('not before a consonant, nor before h (muet or aspiré cannot be told)', () => {
    expect(elide('de', 'MARTIN Paul')).toBe('de MARTIN Paul');
    expect(elide('de', 'Hugo')).toBe('de Hugo');
    expect(elide('le', 'lycée')).toBe('le lycée');
  });
});

describe('gender from the civilité', () => {
  test('the usual titles', () => {
    expect(genderOf('Mme')).toBe('female');
    expect(genderOf('MME')).toBe('female');
    expect(genderOf('Mlle')).toBe('female');
    expect(genderOf('M.')).toBe('male');
    expect(genderOf('M')).toBe('male');
    expect(genderOf(null)).toBeUndefined();
    expect(genderOf('Dr')).toBeUndefined();
  });
  test('the i18next context', () => {
    expect(genderContext('female')).toEqual({ context: 'female' });
    expect(genderContext(undefined)).toEqual({});
  });
});

describe('staff roles from the directory', () => {
  test('a position label names the role precisely and replaces the general function', () => {
    expect(staffRoles(["EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"])).toEqual(['cpe']);
    expect(staffRoles(['EDU', "CONSEILLER PRINCIPAL D'EDUCATION"])).toEqual(['cpe']);
    expect(staffRoles(["DIR$DIRECTION$$CHEF D'ETABLISSEMENT ADJOINT"])).toEqual(['deputy_head']);
    expect(staffRoles(['EDU$EDUCATION$$ASSISTANT D EDUCATION'])).toEqual(['education_assistant']);
  });
  test('otherwise the function code', () => {
    expect(staffRoles(['EDU'])).toEqual(['school_life']);
    expect(staffRoles(['DIR'])).toEqual(['direction']);
    expect(staffRoles(['DOC', 'ENS'])).toEqual(['librarian', 'teaching']);
    expect(staffRoles(['ADF', 'ADF'])).toEqual(['administration']);
    expect(staffRoles(['XYZ'])).toEqual([]);
    expect(staffRoles([])).toEqual([]);
  });
});
