import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import en from './locales/en.json';
import fr from './locales/fr.json';

export const schoolLifeFeature = defineFeature({
  name: 'school_life',
  service: 'school_life',
  home: '/school-life',
  routes: [
    {
      path: '/school-life',
      lazy: page(
        () => import('./SchoolLifePage.tsx'),
        (m) => m.SchoolLifePage,
      ),
    },
    {
      path: '/school-life/roll-call/:course/:date',
      lazy: page(
        () => import('./RollCallPage.tsx'),
        (m) => m.RollCallPage,
      ),
    },
  ],
  widget: { titleKey: 'school_life.widget.title', component: lazy(() => import('./SchoolLifeWidget.tsx')) },
  strings: { fr, en },
});
