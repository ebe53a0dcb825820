import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

const layout = () => import('./RolloutLayout.tsx');

/**
 * The rollout cockpit: the direction's first screen (also its home widget), the plan, the indicators, taking
 * stock, the steering group, the needs, the people who help (resource persons, training, self-assessment, the
 * pulse); the académie view for platform administrators.
 */
export const rolloutFeature = defineFeature({
  name: 'rollout',
  service: 'rollout',
  home: '/rollout',
  routes: [
    {
      path: '/rollout',
      lazy: page(layout, (m) => m.RolloutLayout),
      children: [
        {
          index: true,
          lazy: page(
            () => import('./OverviewPage.tsx'),
            (m) => m.OverviewPage,
          ),
        },
        {
          path: 'plan',
          lazy: page(
            () => import('./PlanPage.tsx'),
            (m) => m.PlanPage,
          ),
        },
        {
          path: 'indicators',
          lazy: page(
            () => import('./IndicatorsPage.tsx'),
            (m) => m.IndicatorsPage,
          ),
        },
        {
          path: 'stock',
          lazy: page(
            () => import('./StockPage.tsx'),
            (m) => m.StockPage,
          ),
        },
        {
          path: 'team',
          lazy: page(
            () => import('./TeamPage.tsx'),
            (m) => m.TeamPage,
          ),
        },
        {
          path: 'needs',
          lazy: page(
            () => import('./NeedsPage.tsx'),
            (m) => m.NeedsPage,
          ),
        },
        {
          path: 'support',
          lazy: page(
            () => import('./SupportPage.tsx'),
            (m) => m.SupportPage,
          ),
        },
        {
          path: 'skills',
          lazy: page(
            () => import('./SkillsPage.tsx'),
            (m) => m.SkillsPage,
          ),
        },
        {
          path: 'pulse',
          lazy: page(
            () => import('./PulsePage.tsx'),
            (m) => m.PulsePage,
          ),
        },
      ],
    },
    {
      path: '/platform/rollout',
      lazy: page(
        () => import('./AcademyPage.tsx'),
        (m) => m.AcademyPage,
      ),
    },
  ],
  platform: [{ path: '/platform/rollout', labelKey: 'rollout.menu.academy' }],
  widget: {
    titleKey: 'rollout.widget.title',
    component: lazy(() => import('./RolloutWidget.tsx')),
    wide: true,
    // The checklist and the rates of the overview page.
    pageStrings: true,
  },
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
