import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

export const privacyFeature = defineFeature({
  name: 'privacy',
  routes: [
    {
      path: '/privacy',
      lazy: page(
        () => import('./PrivacyPage.tsx'),
        (m) => m.PrivacyPage,
      ),
    },
  ],
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
