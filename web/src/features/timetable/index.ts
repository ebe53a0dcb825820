import { defineFeature, page } from '../../app/feature.ts';
import en from './locales/en.json';
import fr from './locales/fr.json';

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
  strings: { fr, en },
});
