import { lazy } from 'react';
import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

const mailbox = () => import('./MailboxPage.tsx');

/** Messaging: the mailbox, the composer (recipients within the rules, count before sending), a message and its thread. */
export const messagingFeature = defineFeature({
  name: 'messaging',
  service: 'messaging',
  home: '/messaging',
  routes: [
    { path: '/messaging', lazy: page(mailbox, (m) => m.MailboxPage) },
    { path: '/messaging/folder/:folder', lazy: page(mailbox, (m) => m.MailboxPage) },
    {
      path: '/messaging/new',
      lazy: page(
        () => import('./ComposePage.tsx'),
        (m) => m.ComposePage,
      ),
    },
    {
      path: '/messaging/messages/:id',
      lazy: page(
        () => import('./MessagePage.tsx'),
        (m) => m.MessagePage,
      ),
    },
  ],
  admin: [
    {
      path: 'messaging',
      labelKey: 'messaging.admin.title',
      permission: 'messaging.manage',
      lazy: page(
        () => import('./MessagingAdmin.tsx'),
        (m) => m.MessagingAdmin,
      ),
    },
  ],
  widget: { titleKey: 'messaging.widget.title', component: lazy(() => import('./MessagingWidget.tsx')) },
  stringsOf: ['documents'],
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
