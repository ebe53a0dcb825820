import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import en from './locales/en.json';
import fr from './locales/fr.json';

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
  widget: { titleKey: 'timeline.widgetTitle', component: lazy(() => import('./TimelineWidget.tsx')) },
  strings: { fr, en },
});
