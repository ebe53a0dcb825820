import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { elide } from '../components/format.ts';
import { features } from '../features/index.ts';
import en from '../locales/en.json';
import fr from '../locales/fr.json';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('preau.lang') : null;
  return saved === 'en' ? 'en' : 'fr';
}

void i18n.use(initReactI18next).init({
  // Each feature's strings under its name (`t('timeline.title')`).
  resources: {
    fr: { translation: { ...fr, ...Object.fromEntries(features.map((f) => [f.name, f.strings.fr])) } },
    en: { translation: { ...en, ...Object.fromEntries(features.map((f) => [f.name, f.strings.en])) } },
  },
  lng: initialLanguage(),
  fallbackLng: 'fr',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/*
 * `{{name, de}}` in a French string: the preposition "de" elided as French wants it ("la fiche d'ANDRÉ Nour",
 * "la fiche de MARTIN Paul"). English strings say "of {{name}}" and do not use it.
 */
i18n.services.formatter?.add('de', (value: unknown, lng: string | undefined) =>
  lng?.startsWith('en') ? `of ${String(value)}` : elide('de', String(value)),
);

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  localStorage.setItem('preau.lang', lng);
});
document.documentElement.lang = i18n.language;

export default i18n;
