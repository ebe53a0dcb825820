import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

export const gradesFeature = defineFeature({
  name: 'grades',
  service: 'grades',
  home: '/grades',
  routes: [
    {
      path: '/grades',
      lazy: page(
        () => import('./GradesPage.tsx'),
        (m) => m.GradesPage,
      ),
    },
    {
      path: '/grades/book',
      lazy: page(
        () => import('./BookPage.tsx'),
        (m) => m.BookPage,
      ),
    },
    {
      path: '/grades/new',
      lazy: page(
        () => import('./AssessmentPage.tsx'),
        (m) => m.NewAssessmentPage,
      ),
    },
    {
      path: '/grades/assessments/:id',
      lazy: page(
        () => import('./AssessmentPage.tsx'),
        (m) => m.EditAssessmentPage,
      ),
    },
    {
      path: '/grades/reports',
      lazy: page(
        () => import('./ReportsPage.tsx'),
        (m) => m.ReportsPage,
      ),
    },
  ],
  admin: [
    {
      path: 'grades',
      labelKey: 'grades.admin.title',
      permission: 'grades.manage',
      lazy: page(
        () => import('./GradesAdmin.tsx'),
        (m) => m.GradesAdmin,
      ),
    },
  ],
  widget: { titleKey: 'grades.widget.title', component: lazy(() => import('./GradesWidget.tsx')) },
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
