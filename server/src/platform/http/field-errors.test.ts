import { describe, expect, test } from 'vitest';
import { format } from '../i18n.ts';
import { schemaIssueMessage, wordFieldErrors } from './field-errors.ts';

describe('field errors worded for people', () => {
  test('sizes with correct plurals, French singular for 0 and 1', () => {
    expect(schemaIssueMessage('fr', 'too_small', { origin: 'string', minimum: 12 })).toBe('Au moins 12 caractères.');
    expect(schemaIssueMessage('fr', 'too_small', { origin: 'string', minimum: 1 })).toBe('Ce champ est obligatoire.');
    expect(schemaIssueMessage('fr', 'too_big', { origin: 'string', maximum: 1 })).toBe('Au plus 1 caractère.');
    expect(schemaIssueMessage('fr', 'too_small', { origin: 'array', minimum: 1 })).toBe('Au moins 1 élément.');
    expect(schemaIssueMessage('en', 'too_big', { origin: 'array', maximum: 6 })).toBe('At most 6 items.');
    expect(schemaIssueMessage('en', 'too_big', { origin: 'string', maximum: 1 })).toBe('At most 1 character.');
    expect(schemaIssueMessage('fr', 'too_big', { origin: 'number', maximum: 100 })).toBe('Au plus 100.');
  });

  test('formats, choices, unknown fields, missing values', () => {
    expect(schemaIssueMessage('fr', 'invalid_format', { format: 'email' })).toMatch(/^Adresse électronique invalide/);
    expect(schemaIssueMessage('fr', 'invalid_format', { format: 'date' })).toBe(
      'Date invalide. Format attendu : AAAA-MM-JJ.',
    );
    expect(schemaIssueMessage('fr', 'invalid_format', { format: 'regex' })).toBe(
      "Le format de cette valeur n'est pas celui attendu.",
    );
    expect(schemaIssueMessage('fr', 'invalid_value', { values: ['a', 'b'] })).toBe(
      'Cette valeur ne fait pas partie des choix possibles.',
    );
    expect(schemaIssueMessage('fr', 'unrecognized_keys', { keys: ['x', 'y'] })).toBe('Champs inconnus : x, y.');
    expect(schemaIssueMessage('en', 'unrecognized_keys', { keys: ['x'] })).toBe('Unknown field: x.');
    expect(
      schemaIssueMessage(
        'fr',
        'invalid_type',
        { expected: 'string' },
        'Invalid input: expected string, received undefined',
      ),
    ).toBe('Ce champ est obligatoire.');
    expect(schemaIssueMessage('fr', 'custom', {}, 'at least one field')).toBe("Cette valeur n'est pas valide.");
  });

  test('a field message that is a problem code gets its wording and keeps the code', () => {
    expect(wordFieldErrors('fr', [{ path: 'body.currentPassword', message: 'WRONG_PASSWORD' }])).toEqual([
      { path: 'body.currentPassword', code: 'WRONG_PASSWORD', message: 'Le mot de passe actuel est incorrect.' },
    ]);
    const plain = { path: 'body.x', message: 'Déjà une phrase.' };
    expect(wordFieldErrors('fr', [plain])).toEqual([plain]);
  });

  test('server wording: plurals by number', () => {
    expect(format('fr', 'Réessayez dans {seconds} {seconds|seconde|secondes}.', { seconds: 1 })).toBe(
      'Réessayez dans 1 seconde.',
    );
    expect(format('fr', 'Réessayez dans {seconds} {seconds|seconde|secondes}.', { seconds: 0 })).toBe(
      'Réessayez dans 0 seconde.',
    );
    expect(format('fr', 'Réessayez dans {seconds} {seconds|seconde|secondes}.', { seconds: 30 })).toBe(
      'Réessayez dans 30 secondes.',
    );
    expect(format('en', 'Try again in {seconds} {seconds|second|seconds}.', { seconds: 0 })).toBe(
      'Try again in 0 seconds.',
    );
  });
});
