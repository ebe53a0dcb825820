import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

export const timelineFeature = defineFeature({
  name: 'timeline',
  routes: [
    {
      path: '/timeline',
      lazy: page(
        () => import('./TimelinePage.tsx'),
        (m) => m.TimelinePage,
      ),
    },
    {
      path: '/timeline/preferences',
      lazy: page(
        () => import('./PreferencesPage.tsx'),
        (m) => m.PreferencesPage,
      ),
    },
    {
      path: '/platform/outbox',
      lazy: page(
        () => import('./OutboxPage.tsx'),
        (m) => m.OutboxPage,
      ),
    },
  ],
  widget: { titleKey: 'timeline.widget.title', component: lazy(() => import('./TimelineWidget.tsx')) },
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
