import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

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
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
