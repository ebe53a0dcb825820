import { defineFeature, page } from '../../app/feature.ts';
import home from './locales/fr.json?first-screen';

const lists = () => import('./ListPages.tsx');

/** The documents service's screens: spaces, shared with me, library, trash, a file; its administration page. */
export const documentsFeature = defineFeature({
  name: 'documents',
  service: 'documents',
  home: '/documents',
  routes: [
    {
      path: '/documents',
      lazy: page(
        () => import('./DocumentsLayout.tsx'),
        (m) => m.DocumentsLayout,
      ),
      children: [
        {
          index: true,
          lazy: page(
            () => import('./BrowsePage.tsx'),
            (m) => m.BrowsePage,
          ),
        },
        {
          path: 'spaces/:spaceId',
          lazy: page(
            () => import('./BrowsePage.tsx'),
            (m) => m.BrowsePage,
          ),
        },
        {
          path: 'spaces/:spaceId/folders/:folderId',
          lazy: page(
            () => import('./BrowsePage.tsx'),
            (m) => m.BrowsePage,
          ),
        },
        {
          path: 'files/:id',
          lazy: page(
            () => import('./FilePage.tsx'),
            (m) => m.FilePage,
          ),
        },
        { path: 'shared', lazy: page(lists, (m) => m.SharedPage) },
        { path: 'trash', lazy: page(lists, (m) => m.TrashPage) },
        { path: 'search', lazy: page(lists, (m) => m.SearchPage) },
        { path: 'library', lazy: page(lists, (m) => m.LibraryPage) },
      ],
    },
  ],
  admin: [
    {
      path: 'documents',
      labelKey: 'documents.admin.menu',
      permission: 'documents.manage',
      lazy: page(
        () => import('./SettingsAdmin.tsx'),
        (m) => m.SettingsAdmin,
      ),
    },
  ],
  strings: { home, fr: () => import('./locales/fr.json'), en: () => import('./locales/en.json') },
});
