import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { elide } from '../components/format.ts';
import { features } from '../features/index.ts';
import frFirstScreen from '../locales/fr.json?first-screen';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/*
 * The first load carries the French strings of the first screens only (login, activation, portal, service
 * pages, and of each feature its home widget's and menus' strings): the administration, account and legal
 * strings (`?later`, split at build time by vite.config.ts) come with the first of those pages (`laterStrings()`,
 * awaited by their routes), a feature's other strings with its pages (`featureStrings()`, awaited by its routes),
 * and English with the switch to English (or at start when it was chosen before).
 */
const homeFeatureStrings = () => Object.fromEntries(features.map((f) => [f.name, f.strings.home]));

const loaders: Record<string, () => Promise<Record<string, unknown>>> = {
  // English, the features' strings included, comes with the switch: none of it is in the first load.
  en: async () => {
    const [common, ...own] = await Promise.all([import('../locales/en.json'), ...features.map((f) => f.strings.en())]);
    return { ...common.default, ...Object.fromEntries(features.map((f, i) => [f.name, own[i]!.default])) };
  },
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

const current = (): Language => (i18n.language?.startsWith('en') ? 'en' : 'fr');

/** One feature's whole strings in one language, once. */
function loadFeature(lng: Language, name: string): Promise<void> {
  const key = `${lng}:${name}`;
  let done = loaded.get(key);
  if (!done) {
    const feature = features.find((f) => f.name === name);
    if (!feature) throw new Error(`no feature named ${name}`);
    done = feature.strings[lng]().then((m) => {
      i18n.addResourceBundle(lng, 'translation', { [name]: m.default }, true, true);
    });
    loaded.set(key, done);
    done.catch(() => loaded.delete(key));
  }
  return done;
}

/** The features whose whole strings were asked for: a language switch loads them in the new language first. */
const wanted = new Set<string>();
const together = new Map<string, Promise<void>>();

/**
 * The whole strings of these features in the current language (their pages' words): awaited by the features'
 * routes. The same promise for the same request, so that a component may suspend on it (`use`).
 */
export function featureStrings(...names: string[]): Promise<void> {
  const lng = current();
  const key = `${lng}:${names.join(',')}`;
  let done = together.get(key);
  if (!done) {
    for (const n of names) wanted.add(n);
    done = Promise.all(names.map((n) => loadFeature(lng, n))).then(() => undefined);
    together.set(key, done);
    done.catch(() => together.delete(key));
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
  resources: { fr: { translation: { ...frFirstScreen, ...homeFeatureStrings() } } },
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

// Switching to English loads its strings first, whoever asks for the switch; back to French, the features' whole
// strings already in use (the page on screen) come first too.
const changeLanguage = i18n.changeLanguage.bind(i18n);
i18n.changeLanguage = (async (lng?: string, callback?: Parameters<typeof changeLanguage>[1]) => {
  if (lng === 'en') await load('en');
  else if (lng === 'fr') await Promise.all([...wanted].map((n) => loadFeature('fr', n)));
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
