import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { elide } from '../components/format.ts';
import { features } from '../features/index.ts';
import frFirstScreen from '../locales/fr.json?first-screen';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/*
 * The first load carries the French strings of the first screens only (login, activation, portal, service
 * pages, the features' own strings): the administration, account and legal strings (`?later`, split at build
 * time by vite.config.ts) come with the first of those pages (`laterStrings()`, awaited by their routes), and
 * English with the switch to English (or at start when it was chosen before).
 */
const featureStrings = (lng: Language) => Object.fromEntries(features.map((f) => [f.name, f.strings[lng]]));

const loaders: Record<string, () => Promise<Record<string, unknown>>> = {
  en: async () => ({ ...(await import('../locales/en.json')).default, ...featureStrings('en') }),
  later: async () => (await import('../locales/fr.json?later')).default,
};
const loaded = new Map<string, Promise<void>>();
function load(part: 'en' | 'later'): Promise<void> {
  let done = loaded.get(part);
  if (!done) {
    done = loaders[part]!().then((strings) => {
      i18n.addResourceBundle(part === 'en' ? 'en' : 'fr', 'translation', strings, true, true);
    });
    loaded.set(part, done);
    done.catch(() => loaded.delete(part)); // a failed chunk is tried again next time
  }
  return done;
}

/** The administration, account and legal strings: awaited by the routes of those pages. */
export const laterStrings = (): Promise<void> => load('later');

function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('preau.lang') : null;
  return saved === 'en' ? 'en' : 'fr';
}
const initial = initialLanguage();

void i18n.use(initReactI18next).init({
  // Each feature's strings under its name (`t('timeline.title')`).
  resources: { fr: { translation: { ...frFirstScreen, ...featureStrings('fr') } } },
  partialBundledLanguages: true,
  lng: 'fr',
  fallbackLng: 'fr',
  interpolation: { escapeValue: false },
  returnNull: false,
  // Strings added later (the administration's, English) show at once in the components already on screen.
  react: { bindI18nStore: 'added' },
});

/*
 * `{{name, de}}` in a French string: the preposition "de" elided as French wants it ("la fiche d'ANDRÉ Nour",
 * "la fiche de MARTIN Paul"). English strings say "of {{name}}" and do not use it.
 */
i18n.services.formatter?.add('de', (value: unknown, lng: string | undefined) =>
  lng?.startsWith('en') ? `of ${String(value)}` : elide('de', String(value)),
);

// Switching to English loads its strings first, whoever asks for the switch.
const changeLanguage = i18n.changeLanguage.bind(i18n);
i18n.changeLanguage = (async (lng?: string, callback?: Parameters<typeof changeLanguage>[1]) => {
  if (lng === 'en') await load('en');
  return changeLanguage(lng, callback);
}) as typeof i18n.changeLanguage;

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  localStorage.setItem('preau.lang', lng);
});
document.documentElement.lang = i18n.language;
/** Resolved once the chosen language's strings are in: main.tsx renders after it (at once in French). */
export const languageReady: Promise<unknown> = initial === 'en' ? i18n.changeLanguage('en') : Promise.resolve();

export default i18n;
