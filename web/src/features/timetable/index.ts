import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

export const timetableFeature = defineFeature({
  name: 'timetable',
  service: 'timetable',
  home: '/timetable',
  routes: [
    {
      path: '/timetable',
      lazy: page(
        () => import('./TimetablePage.tsx'),
        (m) => m.TimetablePage,
      ),
    },
  ],
  admin: [
    {
      path: 'timetable',
      labelKey: 'timetable.admin.title',
      permission: 'timetable.manage',
      lazy: page(
        () => import('./TimetableAdmin.tsx'),
        (m) => m.TimetableAdmin,
      ),
    },
  ],
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
