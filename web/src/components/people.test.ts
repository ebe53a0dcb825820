import i18n from 'i18next';
import { beforeAll, describe, expect, test } from 'vitest';
import en from '../locales/en.json';
import fr from '../locales/fr.json';
import { functionLabels, listOfNames, membershipChoiceLabel, membershipRoles } from './people.ts';

beforeAll(async () => {
  await i18n.init({
    resources: { fr: { translation: fr }, en: { translation: en } },
    lng: 'fr',
    interpolation: { escapeValue: false },
  });
});

const est = (name: string) => ({ id: crypto.randomUUID(), uai: '0931234X', name, type: 'LYCEE' });

describe('roles as people say them', () => {
  test('the CPE is named as such; other school-life staff by their service', () => {
    const t = i18n.getFixedT('fr');
    expect(
      membershipRoles(t, { profiles: ['staff'], functions: ["EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"] }),
    ).toEqual(['CPE']);
    expect(membershipRoles(t, { profiles: ['staff'], functions: ['EDU'] })).toEqual(['Vie scolaire']);
    expect(membershipRoles(t, { profiles: ['staff'], functions: [] })).toEqual(['Personnel']);
  });

  test('words agree with a woman where the directory knows it', () => {
    const t = i18n.getFixedT('fr');
    expect(membershipRoles(t, { profiles: ['local_admin', 'principal'], functions: ['DIR'] }, 'female')).toEqual([
      'Direction',
      'Administratrice locale',
    ]);
    expect(membershipRoles(t, { profiles: ['local_admin'], functions: [] })).toEqual(['Administrateur local']);
    expect(membershipRoles(t, { profiles: ['guardian'], functions: [] }, 'female')).toEqual(['Responsable légale']);
    expect(membershipRoles(t, { profiles: ['teacher'], functions: ['ENS'] }, 'female')).toEqual(['Enseignante']);
    expect(
      membershipRoles(
        t,
        { profiles: ['principal'], functions: ["DIR$DIRECTION$$CHEF D'ETABLISSEMENT ADJOINT"] },
        'female',
      ),
    ).toEqual(["Cheffe d'établissement adjointe"]);
    expect(membershipRoles(t, { profiles: ['teacher'], functions: ['DOC'] }, 'female')).toEqual([
      'Professeure documentaliste',
    ]);
  });

  test('in English', () => {
    const t = i18n.getFixedT('en');
    expect(membershipRoles(t, { profiles: ['principal', 'local_admin'], functions: [] }, 'female')).toEqual([
      'Principal',
      'Local administrator',
    ]);
  });
});

describe('choosing an establishment', () => {
  test('a parent chooses by child, never by UAI', () => {
    const t = i18n.getFixedT('fr');
    const m = {
      establishment: est('Lycée Jean Jaurès'),
      profiles: ['guardian' as const],
      functions: [],
      children: [{ id: crypto.randomUUID(), displayName: 'ÉLÈVE Emma', firstName: 'Emma' }],
    };
    expect(membershipChoiceLabel(t, m, 'fr')).toBe('Emma — Lycée Jean Jaurès');
    const two = {
      ...m,
      children: [...m.children, { id: crypto.randomUUID(), displayName: 'ÉLÈVE Léo', firstName: 'Léo' }],
    };
    expect(membershipChoiceLabel(t, two, 'fr')).toBe('Emma et Léo — Lycée Jean Jaurès');
    expect(membershipChoiceLabel(t, m, 'fr')).not.toContain('0931234X');
  });

  test('anyone else by establishment and role', () => {
    const t = i18n.getFixedT('fr');
    const m = {
      establishment: est('Collège Louise Michel'),
      profiles: ['teacher' as const],
      functions: [],
      children: [],
    };
    expect(membershipChoiceLabel(t, m, 'fr')).toBe('Collège Louise Michel — Enseignant');
  });

  test('functions are worded, never shown as codes; an unknown one as given', () => {
    const t = i18n.getFixedT('fr');
    expect(functionLabels(t, ['EDU', 'DOC', "EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION", 'XYZ'])).toEqual([
      'Vie scolaire',
      'Professeur documentaliste',
      'CPE',
      'XYZ',
    ]);
  });

  test('lists of names', () => {
    expect(listOfNames(['Emma', 'Léo', 'Hugo'], 'fr')).toBe('Emma, Léo et Hugo');
    expect(listOfNames(['Emma', 'Léo'], 'en')).toBe('Emma and Léo');
  });
});

describe('elision inside the strings', () => {
  test('{{name, de}} elides before a vowel in French, reads "of" in English', async () => {
    // the formatter the app registers (app/i18n.ts), on this test's i18next instance
    const { elide } = await import('./format.ts');
    i18n.services.formatter?.add('de', (value: unknown, lng: string | undefined) =>
      lng?.startsWith('en') ? `of ${String(value)}` : elide('de', String(value)),
    );
    const t = i18n.getFixedT('fr');
    expect(t('directory.reprint.done', { name: 'ANDRÉ Nour' })).toBe(
      "La fiche de connexion d'ANDRÉ Nour a été téléchargée.",
    );
    expect(t('directory.reprint.done', { name: 'MARTIN Paul' })).toBe(
      'La fiche de connexion de MARTIN Paul a été téléchargée.',
    );
    expect(t('directory.person.created', { name: 'ÉLÈVE Emma' })).toBe("Compte d'ÉLÈVE Emma créé");
  });
});
