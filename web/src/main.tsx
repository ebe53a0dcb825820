import '@codegouvfr/react-dsfr/main.css';
import './app/app.css';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link, RouterProvider } from 'react-router';
import { ApiError } from './app/api.ts';
import { AuthProvider } from './app/auth.tsx';
import i18n, { languageReady } from './app/i18n.ts';
import { router } from './app/router.tsx';

startReactDsfr({ defaultColorScheme: 'light', Link, useLang: () => (i18n.language.startsWith('en') ? 'en' : 'fr') });

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

/*
 * One language switch changes every visible string at once: the server's answers are worded in the language of the
 * request (service names, problem details…), so what was fetched in the other one is refetched now (the pages on
 * screen) or dropped (the others, fetched again when shown). The app's own strings and dates re-render by
 * themselves (useTranslation).
 */
i18n.on('languageChanged', () => {
  queryClient.removeQueries({ type: 'inactive' });
  void queryClient.invalidateQueries({ type: 'active' });
});

const root = document.getElementById('root');
if (!root) throw new Error('#root missing');
// English strings are not in the first load: an English reader's first render waits for them (app/i18n.ts).
void languageReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </StrictMode>,
  ),
);
