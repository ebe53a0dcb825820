import { describe, expect, test } from 'vitest';
import { ofName } from './elision.ts';

describe('French elision of "de"', () => {
  test('before a vowel, accented or capital; not before a consonant nor an h', () => {
    expect(ofName('ÉLÈVE Emma')).toBe("d'ÉLÈVE Emma");
    expect(ofName('ANDRÉ Océane')).toBe("d'ANDRÉ Océane");
    expect(ofName('MARTIN Léa')).toBe('de MARTIN Léa');
    expect(ofName('HUGO Paul')).toBe('de HUGO Paul');
  });
});
