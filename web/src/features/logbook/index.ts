import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

export const logbookFeature = defineFeature({
  name: 'logbook',
  service: 'logbook',
  home: '/logbook',
  routes: [
    {
      path: '/logbook',
      lazy: page(
        () => import('./LogbookPage.tsx'),
        (m) => m.LogbookPage,
      ),
    },
    {
      path: '/logbook/lesson',
      lazy: page(
        () => import('./LessonEditor.tsx'),
        (m) => m.LessonEditor,
      ),
    },
    {
      path: '/logbook/progressions',
      lazy: page(
        () => import('./ProgressionsPage.tsx'),
        (m) => m.ProgressionsPage,
      ),
    },
    {
      path: '/logbook/inspection',
      lazy: page(
        () => import('./InspectionPage.tsx'),
        (m) => m.InspectionPage,
      ),
    },
  ],
  widget: { titleKey: 'logbook.widget.title', component: lazy(() => import('./LogbookWidget.tsx')) },
  stringsOf: ['timetable', 'documents'],
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
