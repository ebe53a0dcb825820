import { describe, expect, test } from 'vitest';
import { frenchDate, frenchDay } from './dates.ts';

describe('French dates in sentences', () => {
  test('the first of a month is "1er", the others plain numbers', () => {
    expect(frenchDay('2026-12-01')).toBe('mardi 1er décembre');
    expect(frenchDay('2026-12-11')).toBe('vendredi 11 décembre');
    expect(frenchDay('2026-12-21')).toBe('lundi 21 décembre');
    expect(frenchDate('2027-07-01', { dateStyle: 'long' })).toBe('1er juillet 2027');
  });
  test('a calendar date is that day; an instant is read in Paris', () => {
    expect(frenchDate('2027-01-01', { day: 'numeric', month: 'long', year: 'numeric' })).toBe('1er janvier 2027');
    // 23:30 UTC on 31 December is already 1 January in Paris.
    expect(frenchDate('2026-12-31T23:30:00Z', { dateStyle: 'full', timeStyle: 'short' })).toBe(
      'vendredi 1er janvier 2027 à 00:30',
    );
    expect(frenchDate(new Date('2026-09-01T06:05:00Z'), { dateStyle: 'long', timeStyle: 'short' })).toBe(
      '1er septembre 2026 à 08:05',
    );
  });
});
