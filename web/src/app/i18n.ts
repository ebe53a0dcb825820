import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../locales/en.json';
import fr from '../locales/fr.json';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('preau.lang') : null;
  return saved === 'en' ? 'en' : 'fr';
}

void i18n.use(initReactI18next).init({
  resources: { fr: { translation: fr }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: 'fr',
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  localStorage.setItem('preau.lang', lng);
});
document.documentElement.lang = i18n.language;

// Texts of the route error boundary (app/RouteStates.tsx), until they move to the locale files: the locales win.
i18n.addResourceBundle(
  'fr',
  'translation',
  {
    routeError: {
      chunkTitle: "Cette page n'a pas pu être chargée",
      chunkText:
        "La connexion a peut-être été interrompue, ou une nouvelle version de Préau vient d'être mise en ligne. Rechargez la page pour continuer.",
      text: 'Cette page a rencontré une erreur inattendue. Rechargez la page ; si le problème persiste, réessayez plus tard.',
      reload: 'Recharger la page',
    },
  },
  true,
  false,
);
i18n.addResourceBundle(
  'en',
  'translation',
  {
    routeError: {
      chunkTitle: 'This page could not be loaded',
      chunkText:
        'The connection may have dropped, or a new version of Préau has just been released. Reload the page to continue.',
      text: 'This page ran into an unexpected error. Reload the page; if the problem persists, try again later.',
      reload: 'Reload the page',
    },
  },
  true,
  false,
);

export default i18n;
