import { defineFeature, page } from '../../app/feature.ts';
import en from './locales/en.json';
import fr from './locales/fr.json';

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
  strings: { fr, en },
});
